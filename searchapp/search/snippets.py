"""Highlighting and snippets from the offsets stored at indexing time: nothing is re-analysed per hit."""
from __future__ import annotations

import bisect
from typing import Any

from searchapp.store import query as Q
from searchapp.store.ranking import Ranker
from searchapp.search.results import Segment
SNIPPET_CHARS = 240
HIGHLIGHT_FIELDS = ("title", "body", "quote")


def highlight_terms(ranker: Ranker, q: Q.Query) -> dict[str, set[str]]:
    """The indexed terms of the query, per highlightable field (wildcards and fuzzy terms expanded)."""
    out: dict[str, set[str]] = {}
    for leaf in q.leaves():
        fieldname = Q.field_of(leaf)
        if fieldname not in HIGHLIGHT_FIELDS:
            continue
        if isinstance(leaf, Q.Term):
            texts = [leaf.text]
        elif isinstance(leaf, Q.Phrase):
            texts = list(leaf.words)
        elif isinstance(leaf, Q.MULTI_TERM):
            texts = ranker.expansions(leaf)[:50]
        else:
            continue
        out.setdefault(fieldname, set()).update(texts)
    return out


def stored_spans(stored: dict[str, Any], marks: dict[str, set[str]], fieldname: str) -> list[tuple[int, int]]:
    """(start, end) of the marked terms in a stored field, from the offsets stored at indexing time."""
    terms = marks.get(fieldname)
    if not terms:
        return []
    offsets = stored.get("offsets", {}).get(fieldname, {})
    spans: list[tuple[int, int]] = []
    for term in terms:
        flat = offsets.get(term)
        if flat:
            spans.extend(zip(flat[::2], flat[1::2]))
    spans.sort()
    return spans


def segments_of(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for start, end in spans:
        if start < pos or end > len(text):
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], True))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def snippet_of(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> list[Segment]:
    """The window of ``text`` with the most matches (the lead when nothing matched), cut at words."""
    if not text:
        return []
    if not spans:
        end = cut_right(text, width)
        return [Segment(text[:end] + ("…" if end < len(text) else ""))]
    # The window starting at each match that holds the most matches. Spans are words, sorted and
    # never overlapping, so their ends are sorted too and each count is one bisection.
    ends = [e for _, e in spans]
    best_start, best_count = spans[0][0], 0
    for i, (start, _) in enumerate(spans):
        count = bisect.bisect_right(ends, start + width, i) - i
        if count > best_count:
            best_start, best_count = start, count
    begin = cut_left(text, max(0, best_start - width // 4))
    end = cut_right(text, min(len(text), begin + width))
    window = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    segs = segments_of(text[begin:end], window)
    if begin > 0:
        segs.insert(0, Segment("…"))
    if end < len(text):
        segs.append(Segment("…"))
    return segs


def cut_left(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    nl = text.rfind("\n", 0, pos + 1)
    if nl >= 0 and pos - nl < 60:
        return nl + 1
    sp = text.find(" ", pos)
    return sp + 1 if 0 <= sp < pos + 30 else pos


def cut_right(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    sp = text.rfind(" ", 0, pos)
    return sp if sp > pos - 30 else pos
