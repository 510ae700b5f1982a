"""Quote marks and the segments between them (the first pass).

Curly double marks; straight double marks (opening and closing told apart by the characters around
them); the typewriter double mark '' (two apostrophes); doubled marks such as "“; curly single marks
‘…’ (a ’ followed by a letter is an apostrophe: can’t, UK’s; "the players’ union" is not the end of a
quote when a later end exists); straight single marks that clearly open and close ('rigged'). Curly
and straight marks pair with their own kind, so "…" inside “…” is a nested quote, but a straight mark
that can only be a closing one closes a curly quote (“… too" he said). Quotes nested inside a quote
are part of it, not quotes of their own. A double-quoted span opened in one paragraph and not closed
there continues when the next paragraph reopens with a mark: each paragraph's part becomes its own
segment, and the parts share a ``chain``. A line break ends a paragraph.

A segment's text is the words between the marks, trimmed of spaces and of one trailing ``,`` ``.``
``;`` ``:`` (the punctuation that belongs to the surrounding sentence in American style, kept after
an abbreviation such as "U.S."); ``?`` ``!`` and ``…`` are kept.

Scare quotes: a quote of at most three words right after a determiner, possessive or "so-called"
(the “facts”, so-called “experts”) is kept, with no speaker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from searchapp.article import Mention
from searchapp.nlp.lexicon import SCARE_BEFORE

HINT = re.compile(r"[“”\"‘«]|''|(?<![\w’'])'(?=\w)")

_MARKS = re.compile(r"\"“|“\"|”\"|\"”|[“”\"]|'''|''")


@dataclass
class Segment:
    open: int  # offset of the opening mark (-1 for none)
    start: int  # text start
    end: int  # text end
    close: int  # offset of the closing mark, or -1 when the paragraph ended first
    para: int
    single: bool = False
    close_end: int = -1  # offset after the closing mark
    chain: int = -1
    # Attribution.
    inherited: bool = False
    cue: str | None = None
    speaker: str | None = None
    mention: Mention | None = None
    done: bool = False
    scare: bool = False
    words: int = 0


def _opens(body: str, i: int, lo: int, hi: int, j: int = -1) -> bool | None:
    """Does the mark at body[i:j] look like an opening mark (True), a closing one (False), or either (None)?"""
    j = i + 1 if j < 0 else j
    prev = body[i - 1] if i > lo else ""
    nxt = body[j] if j < hi else ""
    left_open = prev == "" or prev.isspace() or prev in "([{—–-/“‘"
    right_closed = nxt == "" or nxt.isspace() or nxt in ",.;:!?)]}—–…"
    if left_open and not right_closed:
        return True
    if right_closed and not left_open:
        return False
    return None


def _double_segments(body: str, lo: int, hi: int, para: int) -> tuple[list[Segment], tuple[int, int] | None]:
    """Double-quoted spans in body[lo:hi]; also (mark offset, mark length) of an unclosed quote.

    Curly and straight marks pair only with their own kind: straight marks inside a curly quote (and
    curly ones inside a straight quote) belong to a nested quote. Two apostrophes ('') count as a
    straight double mark (a typewriter convention some newspapers keep)."""
    segs: list[Segment] = []
    open_at = -1
    open_len = 1
    open_straight = False
    nested = False
    for m in _MARKS.finditer(body, lo, hi):
        i = m.start()
        ch = m.group()
        straight = "“" not in ch and "”" not in ch
        if not straight:
            ch = "“" if "“" in ch else "”"  # doubled marks ("“) count as one curly mark
        kind = _opens(body, i, lo, hi, m.end())
        if open_at >= 0 and straight != open_straight:
            # a nested quote of the other kind ("Go home!" inside “…”), or else a mismatched
            # closing mark (“… too" Vance said)
            if nested or kind is not False:
                nested = not nested
                continue
        if ch == "“":
            is_open = kind is not False or open_at < 0
        elif ch == "”":
            is_open = kind is True and open_at < 0
        else:  # straight mark
            is_open = kind is True or (kind is None and open_at < 0)
        if open_at < 0:
            if is_open:
                open_at, open_len, open_straight, nested = i, m.end() - i, straight, False
            continue
        if is_open and kind is True:
            # An opening mark while a quote is open: the earlier mark was unbalanced; restart here.
            open_at, open_len, open_straight, nested = i, m.end() - i, straight, False
            continue
        segs.append(Segment(open_at, open_at + open_len, i, i, para, close_end=m.end()))
        open_at = -1
    return segs, ((open_at, open_len) if open_at >= 0 else None)

_SINGLE_SKIP = re.compile(r"‘(?:\d\d?s?\b|em\b|til\b|cause\b|n’)", re.I)


def _single_segments(body: str, lo: int, hi: int, para: int, taken: list[tuple[int, int]]) -> list[Segment]:
    """‘…’ spans (and straight '…' spans) in body[lo:hi] outside the ranges in ``taken``."""
    segs: list[Segment] = []

    def inside(i: int) -> bool:
        return any(a <= i < b for a, b in taken)

    for open_ch, close_ch in (("‘", "’"), ("'", "'")):
        i = body.find(open_ch, lo, hi)
        while 0 <= i < hi:
            nxt_search = i + 1
            prev = body[i - 1] if i > lo else ""
            nxt = body[i + 1] if i + 1 < hi else ""
            ok = (prev == "" or prev.isspace() or prev in "([{—–-“\"") and nxt.isalnum()
            if open_ch == "'" and (prev == "'" or nxt == "'"):
                ok = False
            if ok and not inside(i) and not _SINGLE_SKIP.match(body, i) and not (
                open_ch == "'" and body[i + 1 : i + 4].lower() in ("em ", "til", "cau", "90s", "80s", "70s", "60s")
            ):
                j = -1
                k = i + 1
                limit = min(hi, i + 400)
                candidates = []
                while True:
                    k = body.find(close_ch, k, limit)
                    if k < 0:
                        break
                    after = body[k + 1] if k + 1 < hi else ""
                    before = body[k - 1]
                    if not after.isalnum() and not before.isspace():
                        candidates.append(k)
                    k += 1
                # stop at the next opener that really opens
                nxt_open = -1
                p = body.find(open_ch, i + 1, limit)
                while p >= 0:
                    pp = body[p - 1]
                    if (pp.isspace() or pp in "([{—–-“\"") and p + 1 < hi and body[p + 1].isalnum():
                        nxt_open = p
                        break
                    p = body.find(open_ch, p + 1, limit)
                if nxt_open >= 0:
                    candidates = [c for c in candidates if c < nxt_open]
                for idx, c in enumerate(candidates):
                    # "the players’ union": a plural possessive is not the end when a later end exists.
                    if (
                        body[c - 1] in "sS"
                        and c + 2 < hi
                        and body[c + 1] == " "
                        and body[c + 2].islower()
                        and idx + 1 < len(candidates)
                    ):
                        continue
                    j = c
                    break
                if j > i + 1 and (open_ch == "‘" or (j - i) <= 120):
                    segs.append(Segment(i, i + 1, j, j, para, single=True, close_end=j + 1))
                    taken = taken + [(i, j + 1)]
                    nxt_search = j + 1
            i = body.find(open_ch, nxt_search, hi)
    return segs

_TRAIL_STRIP = ",.;:"

_KEEP_DOT = re.compile(r"(?:\b[A-Za-z]|\b(?:Jr|Sr|Inc|Co|Corp|Ltd|St|etc|Mr|Mrs|Ms|Dr)|\.\.)\.$")


def _trim(body: str, seg: Segment) -> bool:
    s, e = seg.start, seg.end
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    if e > s and body[e - 1] in _TRAIL_STRIP and not (body[e - 1] == "." and _KEEP_DOT.search(body, s, e)):
        e -= 1
        while e > s and body[e - 1].isspace():
            e -= 1
    seg.start, seg.end = s, e
    return e > s and any(ch.isalnum() for ch in body[s:e])


def find_segments(body: str, paras: list[tuple[int, int]]) -> list[Segment]:
    segs: list[Segment] = []
    chain_id = 0
    pending: Segment | None = None  # unclosed quote waiting for the next paragraph
    for pi, (lo, hi) in enumerate(paras):
        first_char = lo
        while first_char < hi and body[first_char].isspace():
            first_char += 1
        dsegs, unclosed = _double_segments(body, lo, hi, pi)
        if pending is not None:
            reopens = (unclosed is not None and unclosed[0] == first_char) or (dsegs and dsegs[0].open == first_char)
            if not reopens:
                pending = None  # the quote was never closed: it ends with its paragraph
        para_segs = list(dsegs)
        if unclosed is not None:
            para_segs.append(Segment(unclosed[0], unclosed[0] + unclosed[1], hi, -1, pi))
        if pending is not None and para_segs and para_segs[0].open == first_char:
            if pending.chain < 0:
                pending.chain = chain_id
                chain_id += 1
            para_segs[0].chain = pending.chain
        pending = para_segs[-1] if (unclosed is not None) else None
        taken = [(s.open, s.close_end if s.close >= 0 else hi) for s in para_segs]
        if "‘" in body[lo:hi] or "'" in body[lo:hi]:
            para_segs.extend(_single_segments(body, lo, hi, pi, taken))
        segs.extend(para_segs)
    out = [s for s in segs if _trim(body, s)]
    out.sort(key=lambda s: s.start)
    return out


def is_scare(body: str, seg: Segment) -> bool:
    if seg.words > 3:
        return False
    text = body[seg.start : seg.end]
    if text[-1:] in "?!":
        return False
    m = re.search(r"([\w’'\-]+)[\s]*$", body[max(0, seg.open - 30) : seg.open])
    if not m:
        return False
    w = m.group(1).lower()
    return w in SCARE_BEFORE or w.endswith(("’s", "'s"))


def mask(body: str, segs: list[Segment]) -> str:
    """The body with quoted words turned into NULs, so cues and names inside quotes are not seen."""
    parts = []
    pos = 0
    for s in segs:
        if s.start < pos:
            continue
        parts.append(body[pos : s.start])
        parts.append("\x00" * (s.end - s.start))
        pos = s.end
    parts.append(body[pos:])
    return "".join(parts)
