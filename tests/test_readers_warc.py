"""WARC input (searchapp.readers.warc): every HTML response record is an article with its URL and crawl
date; other records are passed over; a bad record costs itself. Archives are written here with warcio."""
import gzip
import io
import json
import lzma

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchapp import indexer
from searchapp.article import Article
from searchapp.evaluate import html_extraction
from searchapp.readers import Skipped
from searchapp.readers.dispatch import read_paths
from searchapp.search import Searcher
from searchapp.store import IndexStore
from tests.conftest import shared_data

CRAWLED = "2024-05-06T07:08:09Z"
PARAGRAPH = ("The harbour council approved the new ferry timetable on {}, after months of complaints from "
             "commuters about crowded morning boats and late evening crossings.")


def page(title: str, day: str, head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
            f"<p>{PARAGRAPH.format(day)}</p><p>{PARAGRAPH.format(day)}</p></article></body></html>").encode()


def write_warc(stream, records: list[tuple[str, bytes, str, str]], *, gzip_records: bool = False) -> None:
    """``records``: (target URI, payload, content type, HTTP status line), each preceded by its request."""
    writer = WARCWriter(stream, gzip=gzip_records)
    for uri, payload, content_type, status in records:
        writer.write_record(writer.create_warc_record(
            uri, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "news.example")], is_http_request=True)))
        headers = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))],
                                   protocol="HTTP/1.1")
        # With its length given, warcio keeps no temporary file open for the record.
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), length=len(payload),
                                                      http_headers=headers, warc_headers_dict={"WARC-Date": CRAWLED}))


CRAWL = [
    ("https://news.example/2024/ferry", page("Ferry timetable", "Monday"), "text/html; charset=utf-8", "200 OK"),
    ("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image/png", "200 OK"),
    ("https://news.example/gone", b"<html><body>Not found</body></html>", "text/html", "404 Not Found"),
    ("https://news.example/tram?utm_source=feed", page("Tram line", "Tuesday",
                                                          '<meta property="article:published_time" '
                                                          'content="2024-05-01T10:00:00Z">'), "text/html", "200 OK"),
    ("https://news.example/bridge", page("Bridge", "Friday", '<link rel="canonical" '
                                                              'href="https://news.example/2024/bridge">'),
     "application/xhtml+xml", "200 OK"),
]


@pytest.mark.parametrize("name, compress", [("crawl.warc", None), ("crawl.warc.gz", "records"),
                                            ("crawl.warc.xz", "xz"), ("crawl-no-suffix", "records")])
def test_every_html_response_is_an_article_with_its_url_and_crawl_date(tmp_path, name, compress):
    buffer = io.BytesIO()
    write_warc(buffer, CRAWL, gzip_records=compress == "records")
    data = lzma.compress(buffer.getvalue()) if compress == "xz" else buffer.getvalue()
    (tmp_path / name).write_bytes(data)
    items = list(read_paths([tmp_path]))
    articles = [i for i in items if isinstance(i, Article)]
    assert [(a.id, a.url, a.published.isoformat()) for a in articles] == [
        ("https://news.example/2024/ferry", "https://news.example/2024/ferry", "2024-05-06T07:08:09"),  # crawl date
        ("https://news.example/tram", "https://news.example/tram?utm_source=feed", "2024-05-01T10:00:00"),
        ("https://news.example/2024/bridge", "https://news.example/bridge", "2024-05-06T07:08:09"),  # canonical id
    ]
    assert "ferry timetable on Monday" in articles[0].body
    [gone] = [i for i in items if isinstance(i, Skipped)]
    assert "https://news.example/gone" in gone.where and "HTTP status 404" in gone.reason


def test_the_charset_of_the_http_header_decodes_the_page(tmp_path):
    """A page with no charset of its own, in Cyrillic cp1251: only the HTTP header says so."""
    text = "\u041c\u044d\u0440 \u0433\u043e\u0440\u043e\u0434\u0430 \u043e\u0442\u043a\u0440\u044b\u043b " * 30
    body = f"<html><head><title>T</title></head><body><article><p>{text}</p></article></body></html>"
    with open(tmp_path / "c.warc", "wb") as f:
        write_warc(f, [("https://news.example/ru", body.encode("cp1251"), "text/html; charset=windows-1251",
                        "200 OK")])
    [a] = list(read_paths([tmp_path / "c.warc"]))
    assert text.strip() in a.body


def test_a_record_over_the_article_limit_costs_only_itself(tmp_path, monkeypatch):
    from searchapp.readers import warc

    monkeypatch.setattr(warc, "MAX_ARTICLE_BYTES", 2000)
    huge = page("Huge", "Sunday").replace(b"</article>", b"<p>" + b"word " * 1000 + b"</p></article>")
    with open(tmp_path / "c.warc.gz", "wb") as f:
        write_warc(f, [CRAWL[0], ("https://news.example/huge", huge, "text/html", "200 OK"), CRAWL[3]],
                   gzip_records=True)
    items = list(read_paths([tmp_path / "c.warc.gz"]))
    assert [i.id for i in items if isinstance(i, Article)] == ["https://news.example/2024/ferry",
                                                               "https://news.example/tram"]
    [big] = [i for i in items if isinstance(i, Skipped)]
    assert "news.example/huge" in big.where and "article limit" in big.reason


@pytest.mark.parametrize("content", [b"WARC/1.0\r\nthis is not a header block\r\n\r\n", b"just some text\n",
                                     gzip.compress(b"not a warc either")])
def test_a_file_that_is_not_a_warc_or_holds_no_page_is_reported(tmp_path, content):
    (tmp_path / "broken.warc").write_bytes(content)
    [s] = list(read_paths([tmp_path / "broken.warc"]))
    assert isinstance(s, Skipped) and s.where == str(tmp_path / "broken.warc"), s


def test_a_warc_is_indexed_and_its_urls_are_the_ids(tmp_path):
    with open(tmp_path / "c.warc.gz", "wb") as f:
        write_warc(f, CRAWL, gzip_records=True)
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [tmp_path / "c.warc.gz"], enrich=False, procs=1)
    assert report.indexed == 3 and len(report.skipped) == 1
    hits = Searcher(store).search("ferry", facets=False, collapse=False).hits
    assert {h.id for h in hits} == {"https://news.example/2024/ferry", "https://news.example/tram",
                                    "https://news.example/2024/bridge"}


def test_a_warc_of_the_benchmark_pages_extracts_as_the_pages_do(tmp_path):
    """The shared HTML extraction benchmark, as a crawl: the same scores as reading the pages."""
    data_dir = shared_data("html-pages", "extraction-benchmark")
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = html_extraction.load_benchmark(data_dir)
    urls = {sha: truth[sha].get("url") or f"https://benchmark.example/{sha}" for sha, _, _ in pages}
    assert len(set(urls.values())) == len(pages)
    with open(tmp_path / "bench.warc.gz", "wb") as f:
        write_warc(f, [(urls[sha], data, "text/html", "200 OK") for sha, data, _ in pages], gzip_records=True)
    by_url = {}
    for item in read_paths([tmp_path / "bench.warc.gz"]):
        assert isinstance(item, Article), item
        by_url[item.url] = item.body
    assert len(by_url) == len(pages)
    direct = html_extraction.evaluate(data_dir, baseline=False, per_page=True)["page_scores"]
    from_warc = {sha: html_extraction.page_scores(by_url[urls[sha]], body) for sha, _, body in pages}
    assert from_warc == direct
