"""Bad input costs only itself: a hostile corpus generated here (bench/hostile.py, and the README's list
in test_reliability.hostile_folder) is built and added by the real command. Every good article is
indexed, every bad one reported once with its file, line and a true reason, with the documented exit
code, never a traceback or a hang (the subprocess timeout is only a hang guard). Then the pieces: one
record never costs its neighbours, one article's failure never costs the build, and a step over its
time budget costs only that step."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.hostile import GOOD_BODY, issue_corpus
from searchapp import indexer
from searchapp.article import Article
from searchapp.nlp.pipeline import Limited
from searchapp.readers import Skipped, printable
from searchapp.search import Searcher
from searchapp.store import IndexStore
from tests.test_reliability import hostile_folder

HANG_GUARD = 600  # seconds: a hang guard only, never a performance assertion


def run_cli(*args) -> subprocess.CompletedProcess:
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + [sys.executable, "-m", "searchapp", *map(str, args)], capture_output=True,
                          timeout=HANG_GUARD)


def indexed_ids(ix: Path) -> set[str]:
    searcher = Searcher(IndexStore(ix))
    first = searcher.search("*", per_page=100, facets=False, collapse=False)
    ids = {h.id for h in first.hits}
    for page in range(2, first.pages + 1):
        ids |= {h.id for h in searcher.search("*", page=page, per_page=100, facets=False, collapse=False).hits}
    return ids


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.fail("running as root needs util-linux's setpriv to make permission bits bite")
    root = tmp_path_factory.mktemp("hostile")
    expected = issue_corpus(root / "issue")
    readme_good, readme_bad = hostile_folder(root / "readme")
    return root, expected, readme_good, readme_bad


@pytest.mark.parametrize("command", ["build", "add"])
def test_the_hostile_corpus_indexes_every_good_article_and_reports_every_bad_one_once(corpus, tmp_path, command):
    root, expected, readme_good, readme_bad = corpus
    ix = tmp_path / "ix"
    if command == "add":  # into a live index that holds other articles
        seed = tmp_path / "seed.jsonl"
        seed.write_text(json.dumps({"id": "seed", "body": GOOD_BODY.format("seed")}) + "\n")
        indexer.build(IndexStore(ix), [seed], enrich=False, procs=1)
    report_file = tmp_path / "report.json"
    run = run_cli("index", command, root / "issue", root / "readme", "--index", ix, "--report", report_file,
                  "--no-enrich")
    stderr = run.stderr.decode("utf-8")  # the report is valid UTF-8 whatever the file names
    assert run.returncode == 1, stderr  # 1: done, but something was skipped
    assert "Traceback" not in stderr

    report = json.loads(report_file.read_text())
    issue_dir = printable(str(root / "issue")) + "/"
    reported: dict[str, list[str]] = {}
    for s in report["skipped"]:
        assert not any(c in s["where"] + s["reason"] for c in "\n\r\x00"), s  # one line each
        where = s["where"]
        if where.startswith(issue_dir):
            reported.setdefault(where[len(issue_dir):].split("#")[0], []).append(s["reason"])
    assert set(reported) == set(expected.bad), "reported: " + json.dumps(reported, indent=1)
    for where, fragment in expected.bad.items():
        [reason] = reported[where]  # once
        assert fragment in reason, (where, reason)
    for name, fragment in readme_bad.items():  # the README's list, as test_reliability checks it
        if fragment:
            assert any(Path(s["where"].split("#")[0]).name == name and fragment in s["reason"]
                       for s in report["skipped"]), name

    partial = {s["where"].rsplit("#", 1)[1]: s["reason"] for s in report["partial"] if s["where"].startswith(issue_dir)}
    assert set(partial) == set(expected.partial)
    for article_id, fragment in expected.partial.items():
        assert fragment in partial[article_id]

    ids = indexed_ids(ix)
    assert expected.good <= ids, expected.good - ids
    assert readme_good <= ids
    assert not {"c\ud800", "spk", "q1", "q2", "d1", "d2", "inf", "deep", "nan", "num", "nothing", "big"} & ids
    assert report["indexed"] == len(ids) - (command == "add")  # everything but the seed came from here
    byline = next(i for i in expected.good if i.startswith("j") and int(i[1:]) == max(
        int(j[1:]) for j in expected.good if j.startswith("j")))
    assert Searcher(IndexStore(ix)).article(byline, "").byline == "Jane Doe"  # not "By Jane Doe"


def test_a_byline_is_shown_with_one_by(tmp_path):
    from searchapp.web import create_app

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "byline": "By Jane Doe", "title": "Plan", "body": GOOD_BODY.format("a")})
                    + "\n")
    indexer.build(IndexStore(tmp_path / "ix"), [feed], enrich=False, procs=1)
    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    for url in ("/article/a", "/search?q=harbour"):
        page = client.get(url).get_data(as_text=True)
        assert "By Jane Doe" in page and "By By" not in page


def test_a_fifo_named_explicitly_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "x.jsonl"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text(GOOD_BODY.format("good"))
    run = run_cli("index", "build", fifo, good, "--index", tmp_path / "ix")  # a hang: TimeoutExpired
    assert run.returncode == 1 and b"not a regular file (a FIFO)" in run.stderr, run.stderr
    assert indexed_ids(tmp_path / "ix") == {"good"}


# -- one article's failure costs that article ---------------------------------------------------------

def _feed(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "title": f"Story {i}", "body": GOOD_BODY.format(i)}) + "\n"
                            for i in ids))
    return path


@pytest.mark.parametrize("command", ["build", "add"])
def test_a_document_the_writer_refuses_costs_only_its_article(tmp_path, monkeypatch, command):
    """A document that fails inside Whoosh's writer after the article's first document was fine: nothing
    of that article is written, the articles after it keep their own postings and stored fields."""
    store_backend = IndexStore(tmp_path / "ix").backend
    real = store_backend.documents

    def documents(article, schema):
        docs = real(article, schema)
        if article.id == "b2":
            docs.append({"kind": "quote", "parent": "b2", "published": "not a date"})  # fails in the column
        return docs

    store = IndexStore(tmp_path / "ix")
    ids = [f"b{i}" for i in range(1, 6)]
    if command == "add":
        indexer.build(store, [_feed(tmp_path / "seed.jsonl", ["b2"])], enrich=False, procs=1)
    monkeypatch.setattr(type(store_backend), "documents", staticmethod(documents))  # forked workers see it
    run = indexer.build if command == "build" else indexer.add
    report = run(store, [_feed(tmp_path / "f.jsonl", ids)], enrich=False, procs=1)
    [skipped] = report.skipped
    assert skipped.where == f"{tmp_path / 'f.jsonl'}:2#b2" and "could not be indexed" in skipped.reason
    searcher = Searcher(store)
    for i in ids:
        res = searcher.search(i, facets=False, collapse=False)
        if i == "b2" and command == "build":
            assert res.total == 0
        else:  # in `add`, b2's earlier version stays
            assert [h.id for h in res.hits] == [i] and i in res.hits[0].title, i
    assert searcher.search("harbour", facets=False, collapse=False).total == 5 - (command == "build")


def test_reading_is_per_record_and_each_article_is_checked(tmp_path):
    from searchapp.readers.dispatch import read_paths

    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([
        json.dumps({"id": "ok1", "body": "One."}),
        '{"id": "x", "quotes": [null], "body": "b"}',
        json.dumps({"id": "ok2", "body": "Two.", "byline": "by: Ann Lee", "title": "T\ud800"}),
    ]) + "\n")
    items = list(read_paths([feed]))
    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Article"]
    assert items[1] == Skipped(f"{feed}:2", "invalid article: field 'quotes', quote 1: must be an object, not null")
    assert items[2].origin == f"{feed}:3" and items[2].byline == "Ann Lee" and items[2].title == "T\ufffd"


def test_printable_escapes_what_would_break_a_report():
    assert printable("a\nb\x1b\udcff\ud800.txt") == "a\\nb\\x1b\\xff\\ud800.txt"
    assert printable("Zürich café.txt") == "Zürich café.txt"
    assert Skipped("x\ny", "bad\rname").where == "x\\ny" and Skipped("x", "bad\rname").reason == "bad\\rname"


# -- time budgets: a step that runs over costs that step ----------------------------------------------

class Slow:
    name = "quotes"

    def __call__(self, article):
        article.quotes = ["half done"]
        while True:  # never ends on its own
            pass


class Broken:
    name = "entities"

    def __call__(self, article):
        article.people = ["half done"]
        raise KeyError("boom")


def test_an_enrichment_step_over_its_budget_or_failing_is_left_out_and_noted(monkeypatch):
    from searchapp import budget

    monkeypatch.setattr(budget, "BASE_SECONDS", 0.2)
    article = Article(id="a", body="The council met.")
    for step, note in ((Slow(), "quotes not extracted: the step ran over its 0.2"),
                       (Broken(), "entities not extracted: the step failed: KeyError: 'boom'")):
        article = Limited(step)(article)
        assert article.notes[-1].startswith(note)
    assert article.quotes == [] and article.people == []  # what the steps did is undone
    big = Article(id="b", body="word " * 200)
    assert Limited(Slow(), max_chars=100)(big).notes == ["quotes not extracted: the body has 1,000 characters, "
                                                         "over the 100 enrichment limit"]


def test_an_add_indexes_the_article_without_the_step_that_ran_over(tmp_path, monkeypatch):
    from searchapp import budget
    from searchapp.nlp import quotes

    feed = _feed(tmp_path / "f.jsonl", ["slow"])
    indexer.build(IndexStore(tmp_path / "ix"), [_feed(tmp_path / "seed.jsonl", ["seed"])], enrich=False, procs=1)
    monkeypatch.setattr(budget, "BASE_SECONDS", 0.5)
    monkeypatch.setattr(quotes.QuoteStep, "__call__", lambda self, a: Slow()(a) if a.id == "slow" else a)
    report = indexer.add(IndexStore(tmp_path / "ix"), [feed], enrich=True, procs=1)  # in this process's main thread
    assert report.indexed == 1 and not report.skipped
    [partial] = report.partial
    assert partial.where == f"{feed}:1#slow" and "quotes not extracted: the step ran over its 0.5" in partial.reason
    assert Searcher(IndexStore(tmp_path / "ix")).search("slow", collapse=False).total == 1


def test_html_extraction_over_its_budget_indexes_the_whole_page(tmp_path, monkeypatch):
    from searchapp import budget
    from searchapp.readers import html

    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Plan</title><script>var x = 1;</script></head><body><nav>Menu</nav>"
                    "<p>The council approved the plan.</p><!-- a comment --><p>It costs &pound;5.</p></body></html>")

    def forever(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(budget, "BASE_SECONDS", 0.2)
    monkeypatch.setattr(html, "parse_html", forever)
    [article] = html.read(page)
    assert article.title == "Plan"
    assert article.body == "Menu\n\nThe council approved the plan.\n\nIt costs £5."
    assert article.notes == ["main text not extracted (extraction ran over its 0.2 s budget): "
                             "the page's whole text was indexed"]


def test_whole_text_is_linear_on_unclosed_markup():
    from searchapp.readers.html import whole_text

    assert whole_text("<p>a<script>never closed " + "<" * 100_000) == "a"
    assert whole_text("x " + "<div" * 50_000 + " <!-- y") == "x " + "<div" * 50_000
    assert whole_text("<title>T</title>x" + "<title>" * 50_000) == "x"
