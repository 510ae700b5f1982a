"""Web archives (WARC, as written by crawlers such as Common Crawl's CC-NEWS): every HTML response
record is an article, with its target URI as its URL (and id, unless the page names a canonical one)
and its crawl date as the date when the page gives none.

Streamed record by record (`warcio`, plain or gzipped per record; bzip2 and xz around a whole file
are opened by `searchapp.readers.compressed`): a record is read up to the article limit and no
further, and a bad record costs itself, reported with the file, the record's number and its URL.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from searchapp.article import Article, parse_iso_datetime
from searchapp.readers import ReadError, Skipped, printable
from searchapp.readers.compressed import open_input
from searchapp.readers.limits import MAX_ARTICLE_BYTES

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]{1,40})")


def read(path: Path) -> Iterator[Article | Skipped]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from searchapp.readers.html import page_article

    name = printable(str(path))
    number = pages = 0
    with open_input(path) as f:
        records = ArchiveIterator(f)
        try:
            for number, record in enumerate(records, 1):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                # By number: warcio's record offset is known only once the record has been read through.
                where = f"{name}#record{number} {printable(uri)}"
                content_type = (record.http_headers.get_header("Content-Type") or "").lower()
                if not content_type.startswith(_HTML_TYPES):
                    continue  # images, scripts, feeds: a crawl's other records are not articles
                pages += 1
                status = record.http_headers.get_statuscode()
                if status != "200":
                    yield Skipped(where, f"HTTP status {status}, not a page")
                    continue
                data = record.content_stream().read(MAX_ARTICLE_BYTES + 1)
                if len(data) > MAX_ARTICLE_BYTES:
                    yield Skipped(where, f"record over the {MAX_ARTICLE_BYTES >> 20} MiB article limit")
                    continue
                charset = _CHARSET.search(content_type)
                try:
                    article = page_article(data, where=name, name=printable(uri), url=uri,
                                           charset=charset.group(1) if charset else None)
                except ReadError as e:
                    yield Skipped(where, str(e))
                    continue
                if article.published is None:
                    article.published = _crawl_date(record.rec_headers.get_header("WARC-Date"))
                article.origin = where
                yield article
        except ArchiveLoadFailed as e:
            raise ReadError(f"not a readable WARC file: {str(e).strip()}") from None
    if not pages:  # a crawl of images, or a file warcio found no records in: say so, never nothing
        yield Skipped(name, f"no HTML response among its {number:,} WARC records")


def _crawl_date(value: str | None):
    try:
        return parse_iso_datetime(value) if value else None
    except ValueError:
        return None
