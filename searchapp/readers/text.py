"""Plain-text articles (the seed's shape): the whole file is the body; a headline-like first line is the title."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterator

from searchapp.article import Article
from searchapp.readers import ReadError, printable
from searchapp.readers.decode import decode_bytes
from searchapp.readers.limits import read_limited

_PROSE = re.compile(r"(?:\w+[,;'’\"”]?\s+){3,}\w+[.!?…]")
_SENTENCE_END = re.compile(r"[.!?…:;,\"”’)。！？।॥؟۔։።။។，、]$")


def looks_like_headline(line: str, rest: str) -> bool:
    """A short first line without sentence punctuation, followed by more text."""
    line = line.strip()
    words = line.split()
    following = rest.lstrip()
    if not following or following[0].islower():  # the "headline" runs on into a sentence
        return False
    return 1 <= len(words) <= 20 and len(line) <= 160 and not _SENTENCE_END.search(line)


# Sentence marks: Latin (which also end abbreviations: "approx."), and those of CJK, Devanagari,
# Arabic, Urdu, Armenian, Ethiopic, Myanmar and Khmer, which end nothing else.
_SENTENCE_MARK = re.compile(r"[.!?…]")
_OTHER_SENTENCE_MARK = re.compile(r"[。！？।॥؟۔։።။។]")
# Letters and the marks that write vowels on them (Devanagari "ि", Thai "ั"): \w leaves marks out.
_LETTER = frozenset("LM")


def _letters(token: str) -> int:
    return sum(unicodedata.category(c)[0] in _LETTER for c in token)


def looks_like_prose(text: str) -> bool:
    """An article, even one without sentences (a results table, a list of prices), in any script:
    some line has three words, or a sentence mark after ten letters (five before a mark that ends
    only sentences, such as "。" or "।"), or thirty letters (a sentence of a script written without
    spaces: no word of a word list is that long). A word list (a word a line) or a data file
    (numbers and separators) has none. The rule is by the shape of the lines, so text in any
    language is read."""
    head = text[:20000]
    if _PROSE.search(head):
        return True
    for line in head.splitlines():
        words = line.split()
        letters = [_letters(w) for w in words]
        if sum(n >= 2 for n in letters) >= 3 or sum(letters) >= 30:
            return True
        if (sum(letters) >= 10 and _SENTENCE_MARK.search(line)
                or sum(letters) >= 5 and _OTHER_SENTENCE_MARK.search(line)):
            return True
    return False


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


def read(path: Path, name: str | None = None) -> Iterator[Article]:
    """The one article of a text file, plain or compressed (read up to the article limit; ReadError past
    it). Its id is ``name`` (see `searchapp.readers.ids`), by default the file name without the
    suffix, made printable (a name that is not UTF-8 keeps its bytes as \\xff)."""
    data = read_limited(path)
    yield parse_text(decode_bytes(data), id=printable(path.stem) if name is None else name,
                     path=printable(str(path)))
