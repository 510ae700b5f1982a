"""Compressed input (searchapp.readers.compressed): gzip, bzip2 and xz around every format, known by
their first bytes as well as their suffix, with the article limit on the decompressed size."""
import bz2
import gzip
import json
import lzma
import subprocess
import sys

import pytest

from searchapp import indexer
from searchapp.article import Article
from searchapp.readers import Skipped
from searchapp.readers.dispatch import NotRead, read_paths
from searchapp.store import IndexStore
from tests.conftest import shared_data

BODY = "The harbour council approved the ferry timetable on {}. Commuters had complained for months."
PAGE = ("<!DOCTYPE html><html><head><title>Ferry plan</title></head><body><article><h1>Ferry plan</h1>"
        "<p>{0}</p><p>{0}</p></article></body></html>")
SGML = ('<REUTERS NEWID="7"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT><TITLE>FERRY PLAN</TITLE>'
        '<BODY>{}</BODY></TEXT></REUTERS>\n')
COMPRESS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


def contents(day: str) -> dict[str, str]:
    body = BODY.format(day)
    return {"txt": body, "html": PAGE.format(body), "sgm": SGML.format(body),
            "jsonl": json.dumps({"id": "j1", "body": body}) + "\n"}


@pytest.mark.parametrize("method", sorted(COMPRESS))
@pytest.mark.parametrize("fmt", ["txt", "html", "sgm", "jsonl"])
def test_every_format_reads_the_same_compressed(tmp_path, fmt, method):
    plain = tmp_path / f"story.{fmt}"
    plain.write_text(contents("Monday")[fmt])
    packed = tmp_path / "packed" / f"story.{fmt}.{method}"
    packed.parent.mkdir()
    packed.write_bytes(COMPRESS[method](plain.read_bytes()))
    [a] = list(read_paths([plain]))
    [b] = list(read_paths([packed]))
    assert isinstance(b, Article), b
    assert (b.id, b.title, b.body) == (a.id, a.title, a.body)


def test_compression_is_known_by_content_not_only_by_suffix(tmp_path):
    (tmp_path / "gzipped.txt").write_bytes(gzip.compress(BODY.format("Monday").encode()))  # a .txt that is gzip
    (tmp_path / "page.dat").write_bytes(gzip.compress(PAGE.format(BODY.format("Tuesday")).encode()))
    (tmp_path / "plain.txt.gz").write_text(BODY.format("Wednesday"))  # a .gz that is not
    items = list(read_paths([tmp_path]))
    assert sorted((a.id, a.body.split(" on ")[1][:3]) for a in items if isinstance(a, Article)) == [
        ("gzipped", "Mon"), ("page.dat", "Tue"), ("plain", "Wed")]  # no format suffix to drop
    assert not [i for i in items if isinstance(i, Skipped)]


def test_a_decompression_bomb_is_refused_at_the_article_limit(tmp_path):
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(64):  # 64 MiB of text in about 64 KiB
            f.write(b"word " * (1 << 18))
    assert bomb.stat().st_size < 1 << 20
    [s] = list(read_paths([bomb]))
    assert isinstance(s, Skipped) and "8 MiB article limit" in s.reason


@pytest.mark.parametrize("method", sorted(COMPRESS))
def test_truncated_compressed_files_are_reported(tmp_path, method):
    p = tmp_path / f"story.txt.{method}"
    data = COMPRESS[method]((BODY.format("Monday") * 200).encode())
    p.write_bytes(data[: len(data) // 2])
    [s] = list(read_paths([p]))
    assert isinstance(s, Skipped) and s.where == str(p) and s.reason, s


def test_a_folder_walk_reports_every_file_it_did_not_read(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "story.txt.gz").write_bytes(gzip.compress(BODY.format("Monday").encode()))
    (src / "README.md").write_text("# notes\n")
    (src / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (src / "notes.gz").write_bytes(gzip.compress(b"# a gzipped markdown file\n"))
    run = subprocess.run([sys.executable, "-m", "searchapp", "index", "build", str(src), "--index",
                          str(tmp_path / "ix"), "--no-enrich", "--procs", "1", "--report", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr  # files that are no articles are reported, not failures
    assert "not read (not articles): 3" in run.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["indexed"] == 1
    assert sorted(n["where"].rsplit("/", 1)[1] for n in report["not_read"]) == ["README.md", "logo.png", "notes.gz"]
    assert all("unsupported file type" in n["reason"] for n in report["not_read"])
    assert [i for i in read_paths([src]) if isinstance(i, NotRead)]


def test_the_shared_gzipped_html_folder_is_indexed_whole(tmp_path):
    """Issue #16: the benchmark's .html.gz pages used to be passed over without a word."""
    folder = shared_data("html-pages", "extraction-benchmark", "html")
    pages = sorted(folder.glob("*.html.gz"))
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [folder], enrich=False)
    assert not report.skipped and not report.not_read, report.skipped + report.not_read
    assert report.indexed + len(report.duplicates) == len(pages) > 100
