"""Text as the archive layer compares it: folded words, boilerplate left out, word shingles as hashes.

Only for matching (duplicate groups, quote groups): the article keeps its own text.

* ``fold`` -- compatibility-decomposed, accents dropped, casefolded ("Zürich" -> "zurich").
* ``words`` -- the words of folded text, punctuation and spacing dropped ("U.S." -> "u", "s";
  "1,500.5" -> "1", "500", "5": the same for every copy, which is all matching needs).
* ``strip_boilerplate`` -- drops what outlets add around the same story, by generic patterns only:
  a dateline ("LONDON (Any Agency) -", "NEW YORK, March 3 -"), bylines ("By Jane Doe"), credit lines
  ("Reporting by ...; Editing by ..."), short notices (copyright, "all rights reserved", "Click here",
  "Subscribe to ..."), and a last line of one to three capitalised words (an agency's sign-off) or of
  the article's own publisher name.
* ``tokens`` / ``word_hashes`` / ``hash_texts`` / ``shingles`` -- words as written with paragraph
  marks; stable hashes of the folded words (number words as digits) flagged as numbers or capitalised
  words; the same for many texts at once; hashes of every run of ``k`` words inside a paragraph (numpy).
"""
from __future__ import annotations

import functools
import re
import string
import unicodedata
import zlib
from itertools import chain

import numpy as np

_PARAGRAPHS = re.compile(r"\s*\n\s*")
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
# Everything but letters and digits becomes a space (what NFKD leaves of typographic marks included);
# in ``tokens`` a line break becomes the mark PARAGRAPH, a word of its own. (Tables of one ASCII character
# for one keep ``str.translate`` on its fast path.)
PARAGRAPH = "\x00"
_SPACES = str.maketrans({c: " " for c in string.punctuation + string.whitespace + "\x00«»¿¡·•§¶†‡′″"})
_SPACES_PARAGRAPHS = str.maketrans({**_SPACES, ord("\n"): PARAGRAPH})

# A dateline opening the first paragraph: an upper-case place, an optional date, an optional agency in
# brackets, then a dash ("LONDON (Daily Post) -", "NEW YORK, March 3 -", "Paris (Agency) -").
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\-]+(?:[ /][A-Z][A-Z.'\-]+){0,3}|[A-Z][a-z.'\-]+(?: [A-Z][a-z.'\-]+){0,2}(?=[^(\n]{0,30}\())"
    r"(?:\s*,\s*[A-Za-z][A-Za-z.]*(?:\s+\d{1,2})?(?:,?\s+\d{4})?)?"
    r"\s*(?:\([^()\n]{1,60}\))?\s*-{1,2}\s+"
)
_BYLINE = re.compile(r"^(?:by|from)\s+[A-Z][\w.'\-]*(?:\s+(?:[A-Z][\w.'\-]*|and|de|van|von|,))*"
                     r"(?:\s*[,|/-]\s*[\w .'&-]{0,60})?$", re.I)
_CREDIT = re.compile(r"^\(?\s*(?:(?:with\s+|additional\s+)?reporting|writing|editing|compiled|production|"
                     r"graphics?|photos?)\s+by\b", re.I)
# Phrases that make a short line a notice rather than news (looked for in the lower-cased line with a
# space before it, so that "oversubscribed" is no "subscribe").
_NOTICE_PHRASES = (" copyright", " all rights reserved", " click here", " subscribe now", " subscribe to",
                   " subscribe here", " to subscribe", " sign up for", " newsletter", " follow us", " read more",
                   " related coverage", " related:", " related stories", " advertisement", " share this",
                   " has not been edited", " syndicated feed", "\u00a9", " (c) 1", " (c) 2")
_TRAILING_CREDIT = re.compile(r"\s*\((?:(?:with\s+|additional\s+)?reporting|writing|editing)\s+by\b[^()]*\)\s*$",
                              re.I)
# The start of a byline or credit line (in lower-cased text, after a line break): what makes a look at
# every paragraph worth it.
_LINE_CUES = re.compile(r"\n\(?\s*(?:by|from|(?:with\s+|additional\s+)?reporting|writing|editing|compiled|"
                        r"production|graphics?|photos?)\s")
_SIGN_OFF = re.compile(r"^[A-Z][\w&'.\-]*(?:\s+[A-Z][\w&'.\-]*){0,2}$")
_NOTICE_MAX_CHARS = 200  # boilerplate lines are short: longer paragraphs are not tested


def fold(text: str) -> str:
    """Accents dropped (compatibility decomposition), casefolded, typographic marks made plain."""
    if not text.isascii():
        text = text.translate(_TYPOGRAPHY)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.casefold()


def words(text: str) -> list[str]:
    """The words (and digit runs) of ``text``, folded; punctuation and spacing dropped."""
    return fold(text).translate(_SPACES).split()


def tokens(text: str) -> list[str]:
    """The words of ``text`` as written (``word_hashes`` folds them), with ``PARAGRAPH`` between its lines."""
    if not text.isascii():
        text = text.translate(_TYPOGRAPHY)
    return text.translate(_SPACES_PARAGRAPHS).replace(PARAGRAPH, f" {PARAGRAPH} ").split()


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def figures(text: str) -> list[str]:
    """The figures of ``text`` as written, decimals kept and thousands separators dropped ("1,500.25" ->
    "1500.25"): ``tokens`` cuts them at the point, and 50.50 is not 50.75."""
    return [f.replace(",", "") for f in _FIGURE.findall(text)]


def _is_notice(lowered: str) -> bool:
    return any(phrase in lowered for phrase in _NOTICE_PHRASES)


def _is_boilerplate(paragraph: str) -> bool:
    if len(paragraph) > _NOTICE_MAX_CHARS:
        return False
    return bool(_BYLINE.match(paragraph) or _CREDIT.match(paragraph) or _is_notice(" " + paragraph.lower()))


_ENDS = 900  # characters looked at for cues: the first third of it at the top, the rest at the bottom


@functools.lru_cache(maxsize=1024)
def _folded_name(publisher: str) -> str:
    return fold(publisher).strip(" .-")


def strip_boilerplate(body: str, publisher: str = "") -> str:
    """``body`` without the dateline, bylines, credits, notices and sign-off an outlet adds (see above)."""
    if not body.isascii():
        body = body.translate(_TYPOGRAPHY)
    body = body.strip()
    # Outlets add their lines at the top and the bottom: only a cue there makes a look at every paragraph.
    ends = body if len(body) <= _ENDS else body[:_ENDS // 3] + "\n" + body[-2 * _ENDS // 3:]
    lowered = "\n" + ends.lower()
    if _LINE_CUES.search(lowered) or _is_notice(lowered.replace("\n", " ")):
        body = "\n".join(p for p in _PARAGRAPHS.split(body) if p and not _is_boilerplate(p))
    head, _, last = body.rpartition("\n")
    last = last.strip()
    if head and len(last) < 40 and (_SIGN_OFF.match(last) or fold(last).strip(" .-") == _folded_name(publisher)):
        body = head.rstrip()
    dateline = _DATELINE.match(body)
    if dateline:
        body = body[dateline.end():]
    if body.endswith(")"):
        body = _TRAILING_CREDIT.sub("", body)
    return body


# -- hashes -------------------------------------------------------------------------------------------

NUMBER_BIT = np.uint64(1 << 32)  # set in the hash of a number (a word that starts with a digit, or a number word)
NAME_BIT = np.uint64(1 << 33)  # set in the hash of a capitalised word (a name, or a sentence's first word)
LOW32 = np.uint64(0xFFFFFFFF)  # the hash of the folded word, without the flags
# Number words hash as their digits ("two billion" is "2 billion"): a copy desk may write either.
NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({w: str(n) for n, w in zip(range(30, 100, 10),
                                                "thirty forty fifty sixty seventy eighty ninety".split())})
_PARAGRAPH_HASH = 0  # the mark between paragraphs (no word hashes to 0 with its flags: see _hash)
_HASHES_MAX = 1 << 20  # cached tokens; the cache starts over when full
_MULT = np.uint64(0x9E3779B97F4A7C15)  # a large odd constant: combines word hashes position by position


def _hash(token: str) -> int:
    if token == PARAGRAPH:
        return _PARAGRAPH_HASH
    folded = "".join(fold(token).translate(_SPACES).split())
    folded = NUMBER_WORDS.get(folded, folded)
    flags = (1 << 32 if folded[:1].isdigit() else 0) | (1 << 33 if token[:1].isupper() else 0)
    return (zlib.crc32(folded.encode()) | flags) or 1 << 34


class _Hashes(dict):
    """token -> hash, computed on first sight."""

    def __missing__(self, token: str) -> int:
        value = self[token] = _hash(token)
        return value


_HASHES = _Hashes()


def word_hashes(tokens: list[str]) -> np.ndarray:
    """A stable hash per token of ``tokens`` (uint64): CRC-32 of the folded word (the same in every
    process, unlike ``hash``), with ``NUMBER_BIT`` for a number and ``NAME_BIT`` for a capitalised word."""
    if len(_HASHES) >= _HASHES_MAX:
        _HASHES.clear()
    return np.fromiter(map(_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def hash_texts(texts: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word hashes of many texts of ``tokens`` at once: ``(hashes, paragraph_lengths,
    paragraph_owner)``, the words of all texts one after the other without the marks, the word count
    of each paragraph and the number of the text it belongs to."""
    flat = word_hashes(list(chain.from_iterable(texts)))
    owner = np.repeat(np.arange(len(texts)), [len(t) for t in texts])
    mark = flat == _PARAGRAPH_HASH
    # A paragraph per text start or mark; the marks themselves are left out.
    starts = mark.copy()
    starts[np.cumsum([0] + [len(t) for t in texts[:-1]], dtype=np.int64)[[len(t) > 0 for t in texts]]] = True
    paragraph_of_word = np.cumsum(starts) - 1
    words_only = ~mark
    lengths = np.bincount(paragraph_of_word[words_only], minlength=int(starts.sum()))
    paragraph_owner = owner[starts]
    return flat[words_only], lengths, paragraph_owner


def shingles(hashes: np.ndarray, lengths: np.ndarray, k: int, owner: np.ndarray | None = None,
             n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct shingle hashes of many texts at once.

    ``hashes`` holds the word hashes of every paragraph one after the other, ``lengths`` the word count
    of each. A shingle is a run of ``k`` words inside one paragraph (a paragraph of fewer words is one
    shingle of all its words), so moving or cutting paragraphs changes no shingle. ``owner`` says which
    of ``n`` texts each paragraph belongs to (by default each is a text of its own). Returns ``(values,
    offsets)``: text ``i``'s sorted distinct uint32 shingle hashes are ``values[offsets[i]:offsets[i + 1]]``.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if owner is None:
        owner, n = np.arange(len(lengths)), len(lengths)
    hashes = np.asarray(hashes, dtype=np.uint64) & LOW32
    starts = np.cumsum(lengths) - lengths
    position = np.arange(len(hashes), dtype=np.int64) - np.repeat(starts, lengths)
    left = np.repeat(lengths, lengths) - position  # words from here to the end of the paragraph
    with np.errstate(over="ignore"):
        h = hashes.copy()
        for j in range(1, k):
            following = np.zeros_like(hashes)
            following[:-j] = hashes[j:]
            h = h * _MULT + np.where(left > j, following, np.uint64(0))
        h ^= h >> np.uint64(29)
        h *= _MULT
    keep = (left >= k) | (position == 0)
    text_of = np.repeat(np.asarray(owner), lengths)
    return distinct_per_text(text_of[keep], (h[keep] >> np.uint64(32)).astype(np.uint32), n)


def distinct_per_text(text_of: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(values, offsets)``: the sorted distinct uint32 ``values`` of each of ``n`` texts (``text_of``
    says whose each value is), text ``i``'s at ``values[offsets[i]:offsets[i + 1]]``."""
    keyed = np.sort((text_of.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64))
    keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))] if len(keyed) else keyed
    offsets = np.searchsorted(keyed >> np.uint64(32), np.arange(n + 1, dtype=np.uint64))
    return (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets
