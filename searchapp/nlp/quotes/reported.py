"""Reported speech: what someone said, in the writer's words, with its source and its content span.

Three shapes, within one sentence of the masked body (so words inside quote marks are never a cue):

* source, cue, content: "Lavrov said (on Thursday) (that) the build-up posed no threat" — the cue's
  subject is the source (``subject_before``); after "told"-like cues the listener is skipped ("told
  reporters that ...");
* content, source and cue at the end: "The build-up posed no threat, Lavrov said." / "..., said
  Lavrov." — the content runs from the sentence start to the comma before the source;
* "according to": "According to X, ..." / "..., according to X."

A content span that starts with a quote (“…,” he said) is a direct quote's, not reported speech. A
content span that holds a quote is reported speech with a partial quote in it: that quote's kind is
"mixed". Content spans shorter than three words are left out (“he said so”).
"""
from __future__ import annotations

import bisect
import re

from searchapp.nlp.lexicon import REPORTED_CUES, REPORTED_TO_CUES
from searchapp.nlp.quotes.attribution import Attributor
from searchapp.nlp.quotes.marks import Segment
from searchapp.nlp.quotes.phrases import (
    np_forward,
    np_ok,
    subject_before,
    subject_span,
    with_pp,
)
from searchapp.nlp.text import Token, sentence_starts

_WORD = re.compile(r"[A-Za-z]+")
_HINTS = REPORTED_CUES | {"according", "According"}
_END_PUNCT = frozenset(".!?;")


def cue_offsets(body: str) -> list[int]:
    """Offsets of the words that may be reporting cues: a cheap first look (one scan of plain words and
    a set look-up), so that sentences without one are not read at all."""
    hints = _HINTS
    return [m.start() for m in _WORD.finditer(body) if m.group() in hints]


def find_reported(att: Attributor, paras: list[tuple[int, int]], cues: list[int]) -> list[Segment]:
    """Segments of reported speech in the attributor's document, each attributed (speaker, mention,
    cue); ``kind`` "indirect". ``cues`` are the offsets of ``cue_offsets``."""
    doc = att.doc
    masked = doc.masked
    starts = sentence_starts(masked)
    bounds = sorted(set(starts) | {lo for lo, _hi in paras} | {hi for _lo, hi in paras} | {len(masked)})
    out: list[Segment] = []
    para_of = {lo: k for k, (lo, _hi) in enumerate(paras)}
    para = 0
    for a, b in zip(bounds, bounds[1:]):
        para = para_of.get(a, para)
        k = bisect.bisect_left(cues, a)
        if b - a < 12 or k >= len(cues) or cues[k] >= b:
            continue
        toks = doc.toks_in(a, b)
        seg = _sentence(att, toks, para)
        if seg is not None:
            out.append(seg)
    return out


def _sentence(att: Attributor, toks: list[Token], para: int) -> Segment | None:
    n = len(toks)
    for ci in range(n):
        t = toks[ci]
        if t.cap and ci > 0:
            continue
        low = t.low
        if low == "according" and ci + 1 < n and toks[ci + 1].low == "to":
            seg = _according(att, toks, ci, para)
            if seg is not None:
                return seg
            continue
        if low not in REPORTED_CUES:
            continue
        seg = _content_after(att, toks, ci, para) or _content_before(att, toks, ci, para)
        if seg is not None:
            return seg
    return None


def _span(att: Attributor, toks: list[Token], i: int, j: int, para: int) -> Segment | None:
    """A segment over tokens [i, j), trimmed of end punctuation; None when it is too short or is a quote."""
    while j > i and (toks[j - 1].text in _END_PUNCT or toks[j - 1].text in (",", ":", "—", "–")):
        j -= 1
    if j - i < 3 or toks[i].text[0] == "\x00":
        return None
    words = sum(1 for t in toks[i:j] if t.text[0] != "\x00" and t.text[0].isalnum())
    if words < 3:
        return None
    start, end = toks[i].start, toks[j - 1].end
    seg = Segment(-1, start, end, -1, para)
    seg.words = len(att.doc.body[start:end].split())
    return seg


def _content_after(att: Attributor, toks: list[Token], ci: int, para: int) -> Segment | None:
    """Source, cue, content: "Lavrov said (that) ..."."""
    np = subject_before(toks, ci, 0)
    if not np:
        return None
    k = ci + 1
    if toks[ci].low in REPORTED_TO_CUES:
        obj = np_forward(toks, k)
        if not obj or obj[0].text[0] == "\x00":
            return None
        k += len(obj)
    # "said on Thursday that ...": a short adverbial before "that"
    for m in range(k, min(len(toks), k + 6)):
        if toks[m].low == "that" and not toks[m].cap:
            k = m + 1
            break
        if toks[m].text in (",", ".", ";", ":") or toks[m].text[0] == "\x00":
            break
    if k < len(toks) and toks[k].text in (",", ":"):
        return None  # "X said, “…”": a direct quote follows
    end = k
    while end < len(toks) and toks[end].text not in (";",):
        end += 1
    seg = _span(att, toks, k, end, para)
    if seg is None:
        return None
    att.assign(seg, np, toks[ci].low)
    return seg


def _content_before(att: Attributor, toks: list[Token], ci: int, para: int) -> Segment | None:
    """Content, then source and cue at the end: "..., Lavrov said." / "..., said Lavrov."."""
    tail = toks[ci + 1 :]
    if len(tail) > 8 or any(t.low == "that" or t.text[0] == "\x00" for t in tail):
        return None
    comma = max((k for k in range(ci) if toks[k].text == ","), default=-1)
    if comma < 3:
        return None
    if ci == comma + 1:  # "..., said Lavrov."
        np = with_pp(toks, ci + 1, np_forward(toks, ci + 1, stop_at_verbs=False))
        if not np_ok(np):
            return None
        core = np
    else:
        subj = subject_span(toks, comma + 1, ci)
        if not subj:
            return None
        np, core = subj
    seg = _span(att, toks, 0, comma, para)
    if seg is None:
        return None
    att.assign(seg, np, toks[ci].low, core)
    return seg


def _according(att: Attributor, toks: list[Token], ci: int, para: int) -> Segment | None:
    """"According to X, ..." and "..., according to X."."""
    np = np_forward(toks, ci + 2, stop_at_verbs=False)
    if not np_ok(np):
        return None
    after = ci + 2 + len(np)
    if ci == 0 and after < len(toks) and toks[after].text == ",":
        seg = _span(att, toks, after + 1, len(toks), para)
    elif ci > 3 and toks[ci - 1].text == ",":
        seg = _span(att, toks, 0, ci - 1, para)
    else:
        return None
    if seg is None:
        return None
    att.assign(seg, np, "according to")
    return seg
