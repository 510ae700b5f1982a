"""Size limits shared by the readers: one huge file must not exhaust memory or stall a build.

Every limit is applied while reading, before anything is parsed: a file is read up to the limit and
refused past it, a record of a streamed file is cut off once it passes the limit, and markup is
counted before a parser builds a tree of it (bs4 spends ~1.5 KB and ~90 µs on every tag).
"""
from __future__ import annotations

import os
import re

from searchapp.readers import ReadError
from searchapp.readers.compressed import open_input

# A single article (a file for .txt/.html, a line for .jsonl, a record for .sgm) larger than this is
# skipped with a message.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024
# Start tags of an HTML page given to the main-text extractor. The largest of the 150 real news pages
# in the shared data has 2,127; past the limit (tag soup) the page's whole text is indexed instead.
MAX_HTML_TAGS = 25_000
# Tags in one Reuters-21578 record (real ones have about 30).
MAX_REUTERS_TAGS = 1_000

_START_TAG = re.compile(rb"<[A-Za-z]")
_START_TAG_TEXT = re.compile(r"<[A-Za-z]")


def read_limited(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a file read as one article, refused (ReadError) once past ``limit``, without
    reading more than one byte beyond it. A compressed file is decompressed, and the limit is on what
    comes out (a small file that inflates to gigabytes is refused after ``limit`` bytes)."""
    limit = MAX_ARTICLE_BYTES if limit is None else limit
    with open_input(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ReadError(f"file is over the {limit / (1 << 20):g} MiB article limit")
    return data


def count_tags(data: bytes | str) -> int:
    """Start tags (``<`` and a letter) in markup: the size of the tree a parser would build."""
    pattern = _START_TAG_TEXT if isinstance(data, str) else _START_TAG
    return sum(1 for _ in pattern.finditer(data))  # one match at a time: no list of a million
