"""Plain-text articles (the seed's shape): the whole file is the body; a headline-like first line is the title."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from searchapp.article import Article
from searchapp.readers import ReadError, printable
from searchapp.readers.decode import decode_bytes
from searchapp.readers.limits import read_limited

_PROSE = re.compile(r"(?:\w+[,;'’\"”]?\s+){3,}\w+[.!?…]")
_SENTENCE_END = re.compile(r"[.!?…:;,\"”’)]$")


def looks_like_headline(line: str, rest: str) -> bool:
    """A short first line without sentence punctuation, followed by more text."""
    line = line.strip()
    words = line.split()
    following = rest.lstrip()
    if not following or following[0].islower():  # the "headline" runs on into a sentence
        return False
    return 1 <= len(words) <= 20 and len(line) <= 160 and not _SENTENCE_END.search(line)


_WORD = re.compile(r"[^\W\d_]{2,}")
_UNSPACED_SCRIPT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{8}")


def looks_like_prose(text: str) -> bool:
    """An article, even one without sentences (a results table, a list of prices): some line has at
    least three words, or a sentence does. A word list (one word a line) or a bare data file has not.
    Scripts written without spaces (Chinese, Japanese, Thai) count as prose by their letters."""
    head = text[:20000]
    if _PROSE.search(head) or _UNSPACED_SCRIPT.search(head):
        return True
    return any(sum(bool(_WORD.search(token)) for token in line.split()) >= 3 for line in head.splitlines())


def parse_text(text: str, *, id: str, path: str = "") -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\ufeff \n\t")
    if not text.strip():
        raise ReadError("no text")
    if not looks_like_prose(text):
        raise ReadError("not an article: no line of words (a word list or data file?)")
    first, _, rest = text.partition("\n")
    title = ""
    body = text
    if looks_like_headline(first, rest):
        title = first.strip()
        body = rest.strip("\n")
    return Article(id=id, path=path, title=title, body=body)


def read(path: Path) -> Iterator[Article]:
    """The one article of a text file (read up to the article limit; ReadError past it). Its id is the
    file name without the suffix, made printable (a name that is not UTF-8 keeps its bytes as \\xff)."""
    data = read_limited(path)
    yield parse_text(decode_bytes(data), id=printable(path.stem), path=printable(str(path)))
