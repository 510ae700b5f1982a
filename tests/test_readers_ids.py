"""Article ids (searchapp.readers.ids): canonical URLs where known, else paths relative to the folder
named; two different files never share an id, the same file or URL read twice is one article."""
import json
import subprocess
import sys

import pytest

from searchapp import indexer
from searchapp.readers.dispatch import NotRead, read_paths
from searchapp.readers.ids import local_name, url_id
from searchapp.search import Searcher
from searchapp.store import IndexStore
from tests.conftest import SEEDS

STORY = "The council approved the harbour plan on {}. Work starts next spring, officials said."


def page(title: str, body: str, canonical: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{link}</head>"
            f"<body><article><h1>{title}</h1><p>{body}</p><p>{body}</p></article></body></html>")


def all_ids(store: IndexStore) -> set[str]:
    hits = Searcher(store).search("*", per_page=100, facets=False, collapse=False).hits
    return {h.id for h in hits}


@pytest.mark.parametrize("url, expected", [
    ("https://News.Example/2021/story?utm_source=x&id=3#top", "https://news.example/2021/story?id=3"),
    ("http://news.example/a/b", "http://news.example/a/b"),
    ("https://news.example/", ""),  # a home page names no article
    ("https://news.example", ""),
    ("ftp://news.example/a", ""),
    ("/relative/path", ""),
    ("", ""),
])
def test_url_ids_are_normalised_and_only_articles(url, expected):
    assert url_id(url) == expected


def test_local_names_are_relative_paths_without_suffixes(tmp_path):
    assert local_name(tmp_path / "a" / "index.html.gz", tmp_path, (".html",)) == "a/index"
    assert local_name(tmp_path / "x.txt", tmp_path / "x.txt", (".txt",)) == "x"  # named directly: its name


def test_same_names_in_different_folders_are_different_articles(tmp_path):
    """Issue #16: a/index.txt and b/index.txt used to share the id "index": one was dropped."""
    src = tmp_path / "src"
    for folder, day in (("a", "Monday"), ("b", "Tuesday")):
        (src / folder).mkdir(parents=True)
        (src / folder / "index.txt").write_text(STORY.format(day))
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [src], enrich=False, procs=1)
    assert report.indexed == 2 and not report.duplicates and not report.skipped
    assert all_ids(store) == {"a/index", "b/index"}
    # `index add` of the same folder updates both, by the same ids
    report = indexer.add(store, [src], enrich=False, procs=1)
    assert (report.indexed, report.updated) == (2, 2) and all_ids(store) == {"a/index", "b/index"}


def test_a_file_named_directly_keeps_its_bare_name(tmp_path):
    """What every id was before: an index built by an earlier version keeps matching its files."""
    [a] = [i for i in read_paths([SEEDS / "000_92132aacbd1f3e76.txt"])]
    assert a.id == "000_92132aacbd1f3e76"
    [b] = [i for i in read_paths([SEEDS])]
    assert b.id == a.id


def test_the_same_file_reached_twice_is_read_once(tmp_path):
    (tmp_path / "a.txt").write_text(STORY.format("Monday"))
    items = list(read_paths([tmp_path, tmp_path / "a.txt"]))
    assert [i.id for i in items if not isinstance(i, NotRead)] == ["a"]
    [again] = [i for i in items if isinstance(i, NotRead)]
    assert "read once" in again.reason


def test_pages_with_one_canonical_url_are_one_article(tmp_path):
    url = "https://news.example/2021/03/04/harbour-plan"
    (tmp_path / "copy1.html").write_text(page("Harbour plan", STORY.format("Monday"), url))
    (tmp_path / "copy2.html").write_text(page("Harbour plan", STORY.format("Monday"), url + "?utm_medium=rss"))
    (tmp_path / "other.html").write_text(page("Other", STORY.format("Friday"), "https://news.example/"))
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [tmp_path / "copy1.html", tmp_path / "copy2.html", tmp_path / "other.html"],
                           enrich=False, procs=1)
    assert all_ids(store) == {url, "other"}  # a canonical home page is no article's name
    assert report.duplicates == [f"{tmp_path / 'copy2.html'}#{url}"]


def test_json_lines_without_ids_take_their_url_else_file_and_line(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "feed.jsonl").write_text(
        json.dumps({"url": "https://news.example/a/1", "body": STORY.format("Monday")}) + "\n"
        + json.dumps({"body": STORY.format("Tuesday")}) + "\n")
    assert [a.id for a in read_paths([tmp_path])] == ["https://news.example/a/1", "x/feed-2"]


def test_index_build_of_same_named_files_exits_0(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / "src" / folder).mkdir(parents=True)
        (tmp_path / "src" / folder / "story.txt").write_text(STORY.format(folder))
    run = subprocess.run([sys.executable, "-m", "searchapp", "index", "build", str(tmp_path / "src"),
                          "--index", str(tmp_path / "ix"), "--no-enrich", "--procs", "1"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "indexed 2 articles" in run.stderr and "duplicates" not in run.stderr


@pytest.mark.parametrize("same_file", [True, False])
def test_an_index_of_an_earlier_version_takes_the_new_ids_without_keeping_old_copies(tmp_path, same_file):
    """Earlier versions gave a file in a subfolder its bare name as id; `index add` of the same file
    now gives it its relative path, and the old entry of that same file goes (not the entry of
    another file that had that name)."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    story = src / "sub" / "story.txt"
    story.write_text(STORY.format("Monday"))
    old = tmp_path / "old.jsonl"  # what an earlier version wrote: id "story", read from a file
    read_from = story if same_file else tmp_path / "x" / "story.txt"
    old.write_text(json.dumps({"id": "story", "path": str(read_from), "body": STORY.format("Sunday")}) + "\n")
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [old], enrich=False, procs=1)
    report = indexer.add(store, [src], enrich=False, procs=1)
    assert (report.indexed, report.updated) == (1, int(same_file))
    assert all_ids(store) == ({"sub/story"} if same_file else {"sub/story", "story"})
