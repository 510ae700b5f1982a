"""The one text layer of enrichment: tokens with offsets, sentences, paragraphs, abbreviations.

Two token views of the same text, for two readers:

* ``conll_spans`` splits like CoNLL-2003 ("Russia ’s", "U.S.", "1,000", "AT&T"): the entity tagger was
  trained on that tokenisation, so its features only mean something on it;
* ``tokens`` keeps a possessive with its word ("Russia’s", flagged ``poss``) and skips quote marks:
  attribution reads names and roles, where "Russia’s top diplomat" is one phrase.

Both know the same abbreviations, so a full stop after "Sen." or "Calif." ends neither a token nor a
sentence.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

# Abbreviations written with a full stop that does not end a sentence: titles before or after a name,
# months, company words, US states in AP style, and a few others.
TITLE_ABBREVIATIONS = (
    "Mr Mrs Ms Dr Sen Rep Gov Gen Lt Col Sgt Capt Adm Rev Prof Atty St Jr Sr Sec Cmdr Maj Supt Insp Det".split()
)
OTHER_ABBREVIATIONS = (
    """Inc Corp Co Ltd Bros Cie Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mt Ft Ave vs No Nos approx
    Messrs Pty Plc Dept Univ est Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass
    Mich Minn Mo Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo""".split()
)
ABBREVIATIONS = frozenset(w.lower() for w in TITLE_ABBREVIATIONS + OTHER_ABBREVIATIONS)
DASHES = frozenset("—–―-")

# --- paragraphs -------------------------------------------------------------------------------


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each line that has text: a line break ends a paragraph."""
    spans = []
    pos = 0
    n = len(body)
    while pos <= n:
        nl = body.find("\n", pos)
        end = n if nl < 0 else nl
        if body[pos:end].strip():
            spans.append((pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return spans


# --- CoNLL-like token spans (the entity tagger's view) ----------------------------------------

_CONLL_ABBREV = "|".join(TITLE_ABBREVIATIONS + OTHER_ABBREVIATIONS)
_CONLL_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}(?![^\W\d_])"  # U.S. U.K. U.S.A. a.m.
    rf"|(?=[A-Za-z]{{1,6}}\.)(?:{_CONLL_ABBREV})\.(?=\s|$|,)"  # Mr. Inc. Feb. (the lookahead makes it cheap)
    r"|[A-Z]\.(?=\s*[A-Z])"  # initials: J. Smith, S.AFRICA
    r"|\d+(?:[.,]\d+)+"  # 1,000 3.5
    r"|[^\W_]+(?:[-&][^\W_]+|['’](?![sSdmt]\b|re\b|ve\b|ll\b)[^\W_]+)*"  # words, hyphenated, O'Neill, AT&T
    r"|['’](?:[sSdmt]|re|ve|ll)\b"  # clitics: 's 're
    r"|\.\.\.|--|\S"
)
_SENT_END = frozenset({".", "?", "!", "...", "…"})
_CLOSERS = frozenset({'"', "”", "’", "'", ")", "]"})


def conll_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of CoNLL-like tokens."""
    return [m.span() for m in _CONLL_TOKEN.finditer(text)]


def conll_sentences(text: str, spans: Sequence[tuple[int, int]],
                    words: Sequence[str] | None = None) -> list[tuple[int, int]]:
    """Group token indexes into sentences: [(first, last+1), ...].

    A sentence ends at a stand-alone ". ? !" (plus closing quotes/brackets), at a blank line, and at a line
    break unless the text just runs on (a long line without final punctuation, or a lower-case next line).
    """
    if words is None:
        words = [text[s:e] for s, e in spans]
    out: list[tuple[int, int]] = []
    n = len(spans)
    start = 0
    i = 0
    while i < n:
        s, e = spans[i]
        tok = words[i]
        end_here = False
        if tok in _SENT_END:
            while i + 1 < n and words[i + 1] in _CLOSERS and spans[i + 1][0] == e:
                i += 1
                e = spans[i][1]
            end_here = True
        elif i + 1 < n:
            gap = text[e:spans[i + 1][0]]
            if "\n" in gap:
                nxt = text[spans[i + 1][0]]
                if gap.count("\n") > 1 or gap.endswith((" ", "\t")) and not nxt.islower():
                    end_here = True
                elif not nxt.islower():
                    line_start = text.rfind("\n", 0, s) + 1
                    if e - line_start < 55 or tok in _CLOSERS or tok == ":":
                        end_here = True
        if end_here:
            out.append((start, i + 1))
            start = i + 1
        i += 1
    if start < n:
        out.append((start, n))
    return out


# --- word tokens (the attribution view) -------------------------------------------------------

_TITLE_DOT = "|".join(TITLE_ABBREVIATIONS)
_TOKEN = re.compile(
    r"\x00+"  # a masked quote: one token
    r"|(?=[A-Za-z]\.[A-Za-z]\.)(?:[A-Za-z]\.){2,}"  # U.S. D.C. (the lookaheads make them cheap)
    rf"|(?=[A-Z][a-z]{{0,3}}\.\s)(?:{_TITLE_DOT})\.(?=\s)"
    r"|[A-Z]\.(?=\s[A-Z])"  # initials
    r"|[^\W\d_](?:[\w’'\-&]*\w)?(?:’s|'s)?"
    r"|\d(?:[\d,.:]*\d)?\w*"  # 1,000 3.5 10:30 1990s; "1999," is "1999" and ","
    r"|[^\w\s]"
)
_QUOTE_CHARS = frozenset("“”\"‘’'«»")
POSSESSIVES = frozenset(("’s", "'s"))


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    low: str
    cap: bool
    poss: bool


def tokens(text: str, lo: int, hi: int) -> list[Token]:
    """Word tokens of text[lo:hi]; quote marks carry no words and are skipped."""
    return as_tokens(*words(text, lo, hi))


def words(text: str, lo: int, hi: int) -> tuple[list[str], list[int]]:
    """The tokens of text[lo:hi] as strings and start offsets: a model that reads a sentence's words
    needs no Token objects (`as_tokens` makes them when it finds something)."""
    out, starts = [], []
    quote_chars = _QUOTE_CHARS
    for m in _TOKEN.finditer(text, lo, hi):
        t = m.group()
        if t not in quote_chars:
            out.append(t)
            starts.append(m.start())
    return out, starts


def word_range(words: Sequence[str], starts: Sequence[int], lo: int, hi: int) -> tuple[int, int]:
    """(i, j): ``words[i:j]`` of a whole text's `words` are the ones that lie inside [lo, hi). Tokenising
    the stretch alone would differ where it ends: the regex cannot see past ``hi``, so an initial or a
    title ending it ("Richard R.") loses its full stop. The quote extractor reads sentences this way."""
    i = bisect.bisect_left(starts, lo)
    j = bisect.bisect_left(starts, hi, i)
    if i < j and starts[j - 1] + len(words[j - 1]) > hi:
        j -= 1
    return i, j


def words_between(words: list[str], starts: list[int], lo: int, hi: int) -> tuple[list[str], list[int]]:
    """The words of a whole text's `words` that lie inside [lo, hi), and their starts (`word_range`)."""
    i, j = word_range(words, starts, lo, hi)
    return words[i:j], starts[i:j]


def as_tokens(words: Sequence[str], starts: Sequence[int]) -> list[Token]:
    """Tokens of what `words` gave."""
    return [Token(t, s, s + len(t), low, t[0].isupper(), low[-2:] in POSSESSIVES)
            for t, s in zip(words, starts) for low in (t.lower(),)]


def base(tok: Token) -> str:
    """The token without a possessive ’s."""
    return tok.text[:-2] if tok.poss else tok.text


# --- sentences over plain or masked text ------------------------------------------------------

_BOUNDARY = re.compile(r"[.!?…][”’\"')\]]*\s+(?=(?:[“‘\"(\[]|'')?[A-Z0-9\x00])")
_BREAK = re.compile(r"\n\s*|" + _BOUNDARY.pattern)
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")
_PREV_WORD = re.compile(r"([\w.]+)$")


def _abbreviation_before(text: str, lo: int, at: int) -> bool:
    """Is the full stop at ``at`` the end of an abbreviation or an initial ("Sen.", "J.", "U.S.")?"""
    w = _PREV_WORD.search(text, max(lo, at - 12), at)
    if not w:
        return False
    word = w.group(1).lower()
    return word in _ABBREV or (len(word) == 1 and word.isalpha()) or _INITIALS.fullmatch(word) is not None


_ABBREV = frozenset(w.lower() for w in TITLE_ABBREVIATIONS) | frozenset(
    "no vs jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd mt ft univ dept est approx".split()
)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start: paragraph starts and sentence boundaries."""
    starts = [0]
    for m in _BREAK.finditer(text):
        if m.group()[0] == "\n":
            starts.append(m.end())
        elif not _abbreviation_before(text, 0, m.start()):
            starts.append(m.end())
    return starts


def sentence_start(text: str, lo: int, pos: int) -> int:
    """Start of the sentence around ``pos``, not before ``lo`` (a paragraph start)."""
    start = lo
    for m in _BOUNDARY.finditer(text, lo, min(len(text), pos + 2)):
        if m.end() > pos:
            break
        if not _abbreviation_before(text, lo, m.start()):
            start = m.end()
    return start


def sentence_end(text: str, pos: int, hi: int) -> int:
    """Offset just after the full stop that ends the sentence going on at ``pos``, else ``hi``."""
    for m in _BOUNDARY.finditer(text, pos, min(len(text), hi + 2)):
        if not _abbreviation_before(text, pos, m.start()):
            return m.start() + 1
    return hi
