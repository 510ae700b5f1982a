"""Reuters-21578 SGML: about 1,000 <REUTERS> records per file, streamed record by record.

The bytes are latin-1, and BeautifulSoup must use `html.parser` (lxml silently drops <BODY>).
The hand-assigned <PLACES>/<PEOPLE>/<ORGS>/<TOPICS> codes go to ``gold_*`` for evaluation only.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from pathlib import Path
from typing import Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from searchapp.article import Article
from searchapp.readers import Skipped, printable
from searchapp.readers.compressed import open_input
from searchapp.readers.limits import MAX_ARTICLE_BYTES, MAX_REUTERS_TAGS, count_tags

_RECORD_END = "</REUTERS>"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|&#\d+;")
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_PARAGRAPH = re.compile(r"\n[ \t]{2,}|\n\s*\n")
_TRAILER = re.compile(r"\s*\bReuter\s*$")
_DATELINE = re.compile(r"^\s*([^,]+?)\s*,")
_CHUNK = 1 << 20


def parse_date(text: str) -> dt.datetime | None:
    """'26-FEB-1987 15:01:01.79' -> datetime; None for the corpus's junk dates."""
    m = _DATE.search(text or "")
    if not m:
        return None
    day, mon, year, hh, mm, ss = m.groups()
    try:
        return dt.datetime(int(year), _MONTHS[mon.upper()], int(day), int(hh), int(mm), int(ss))
    except (KeyError, ValueError):
        return None


def reflow(body: str) -> str:
    """Join the wrapped lines of each paragraph (paragraphs are indented) and drop the 'Reuter' trailer."""
    body = _CONTROL.sub("", body)
    body = _TRAILER.sub("", body.strip())
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH.split(body))
    return "\n\n".join(p for p in paragraphs if p)


def _codes(record, tag: str) -> list[str]:
    node = record.find(tag)
    return [d.get_text(strip=True) for d in node.find_all("d")] if node else []


def parse_records(sgml: str, path: str, first_line: int = 1) -> Iterator[Article | Skipped]:
    """Every <REUTERS> record in ``sgml`` (one parse for many records: BeautifulSoup's set-up dominates).
    ``first_line``: the line of the file where ``sgml`` begins, for reports."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(sgml, "html.parser")
    for record in soup.find_all("reuters"):
        where = f"{path}:{first_line + (record.sourceline or 1) - 1}"
        if not record.get("newid"):
            yield Skipped(where, "Reuters record without NEWID")
            continue
        article = _article(record, path)
        article.origin = where
        if article.body or article.title:
            yield article
        else:
            yield Skipped(f"{where}#{article.id}", "record has no title and no body")


def _article(record, path: str) -> Article:
    text = record.find("text")

    def part(tag: str) -> str:
        node = text.find(tag) if text else None
        return node.get_text() if node else ""

    body = part("body")
    if not body.strip() and text is not None and text.get("type", "").upper() in ("UNPROC", "BRIEF"):
        # Records without <BODY> carry their text directly under <TEXT>.
        body = "".join(s for s in text.find_all(string=True, recursive=False))
    dateline = " ".join(part("dateline").split())
    m = _DATELINE.match(dateline)
    date = record.find("date")
    return Article(
        id=f"reuters-{record['newid']}",
        path=path,
        title=" ".join(_CONTROL.sub("", part("title")).split()),
        body=reflow(body),
        published=parse_date(date.get_text() if date else ""),
        dateline=m.group(1).strip().title() if m else "",
        publisher="Reuters",
        gold_people=_codes(record, "people"),
        gold_places=_codes(record, "places"),
        gold_orgs=_codes(record, "orgs"),
        gold_topics=_codes(record, "topics"),
    )


def read(path: Path) -> Iterator[Article | Skipped]:
    """Stream the file in ~1 MiB batches of whole records, so memory stays bounded. A record is checked
    before anything parses it: one that runs past the article limit is read past, never held, and
    one with more tags than a Reuters record has is skipped; each is reported with its line."""
    where = printable(str(path))
    batch: list[str] = []
    batch_line = size = 0
    with io.TextIOWrapper(open_input(path), encoding="latin-1", newline="") as f:
        for line, piece in _pieces(f):
            if piece is None:
                yield Skipped(f"{where}:{line}", f"record over the {MAX_ARTICLE_BYTES >> 20} MiB article limit")
                continue
            if not piece.endswith(_RECORD_END):  # what follows the last record
                if "<REUTERS" in piece.upper():
                    yield Skipped(f"{where}:{_record_line(piece, line)}", "truncated Reuters record at end of file")
                continue
            tags = count_tags(piece)
            if tags > MAX_REUTERS_TAGS:
                yield Skipped(f"{where}:{_record_line(piece, line)}",
                              f"record with {tags:,} tags, over the {MAX_REUTERS_TAGS:,} a Reuters record may have")
                continue
            if not batch:
                batch_line = line
            batch.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                yield from parse_records("".join(batch), where, batch_line)
                batch, size = [], 0
    if batch:
        yield from parse_records("".join(batch), where, batch_line)


def _pieces(f) -> Iterator[tuple[int, str | None]]:
    """(first line, text) of each piece of the stream that ends with </REUTERS>, then of what follows
    the last one; text None for a piece that passes the article limit without ending (the rest of it
    is read past, counting lines, not kept)."""
    buffer, line = "", 1
    keep = len(_RECORD_END) - 1
    while True:
        chunk = f.read(_CHUNK)
        buffer += chunk
        pos = 0
        while (end := buffer.find(_RECORD_END, pos)) >= 0:
            cut = end + len(_RECORD_END)
            yield line, buffer[pos:cut]
            line += buffer.count("\n", pos, cut)
            pos = cut
        buffer = buffer[pos:]
        if len(buffer) > MAX_ARTICLE_BYTES:
            yield _record_line(buffer, line), None
            line += buffer.count("\n")
            tail, buffer = buffer[-keep:], ""
            while chunk := f.read(_CHUNK):
                data = tail + chunk
                end = data.find(_RECORD_END)
                if end >= 0:
                    cut = end + len(_RECORD_END)
                    line += data.count("\n", len(tail), cut)
                    buffer = data[cut:]
                    break
                line += chunk.count("\n")
                tail = data[-keep:]
        if not chunk:
            if buffer.strip():
                yield line, buffer
            return


def _record_line(piece: str, line: int) -> int:
    """The line where the record in ``piece`` (which begins at ``line``) starts."""
    start = piece.upper().find("<REUTERS")
    return line + piece.count("\n", 0, start if start >= 0 else 0)
