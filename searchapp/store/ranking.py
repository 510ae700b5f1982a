"""Matching and BM25F ranking over cached postings: one pass of set algebra instead of Whoosh matchers.

Whoosh walks its matchers posting by posting in Python for every query, and a second time to count
the hits. Here each term's postings are read once per index generation into a dict
``{docnum: BM25F contribution}`` (Whoosh's own formula and statistics), kept in a bounded LRU cache.
A query tree then evaluates to the set of matching documents (exact total, facets for free) with
C-speed set operations, and only the candidates are scored. Positional and range queries (phrases,
dates) ask Whoosh for their document set and contribute their words' scores.
"""
from __future__ import annotations

import bisect
import copy
import heapq
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable

from whoosh import query as Q
from whoosh.reading import TermNotFound
from whoosh.scoring import bm25

# BM25 with Lucene's probabilistic idf. k1 and b were chosen on the TIME collection (the only one here
# with relevance judgments; see bench/ranking.py), inside the usual ranges (k1 1.2-2.0, b 0.75-0.9):
# long news articles reward term repetition more than BM25's textbook 1.2 allows.
K1 = 2.0
B = 0.9
MAX_EXPANSION = 512  # terms a wildcard or fuzzy term may expand to
CACHE_POSTINGS = 6_000_000  # total postings kept in the per-generation term cache


@dataclass
class Match:
    """The documents a query matches, and the score dicts whose sum ranks them."""

    docs: set[int]
    scores: list[dict[int, float]] = field(default_factory=list)


class Ranker:
    """Query evaluation for one index generation: create one per generation and share it between
    threads; each call passes the calling thread's own Whoosh searcher (from the store's pool)."""

    def __init__(self, searcher):
        self.schema = searcher.schema
        self.searcher = searcher
        self._terms: OrderedDict[tuple[str, bytes], dict[int, float]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._shared: dict[str, object] = {}  # live docs, dates: computed once, shared by all views

    def using(self, searcher) -> "Ranker":
        """A view of this ranker (same caches) that reads through ``searcher``: one per thread."""
        view = copy.copy(self)
        view.searcher = searcher
        return view

    # -- term postings ---------------------------------------------------------------------------

    def term(self, fieldname: str, btext: bytes) -> dict[int, float]:
        key = (fieldname, btext)
        with self._lock:
            hit = self._terms.get(key)
            if hit is not None:
                self._terms.move_to_end(key)
                return hit
        postings = self._load(fieldname, btext)
        with self._lock:
            self._terms[key] = postings
            self._size += len(postings)
            while self._size > CACHE_POSTINGS and len(self._terms) > 1:
                _, old = self._terms.popitem(last=False)
                self._size -= len(old)
        return postings

    def _load(self, fieldname: str, btext: bytes) -> dict[int, float]:
        reader = self.searcher.reader()
        if fieldname not in self.schema or not _has_term(reader, fieldname, btext):
            return {}
        field = self.schema[fieldname]
        try:
            m = reader.postings(fieldname, btext)
        except TermNotFound:
            return {}
        out: dict[int, float] = {}
        if field.scorable:
            text = field.from_bytes(btext)
            n = self.field_docs(fieldname)
            weight = idf(n, self.searcher.doc_frequency(fieldname, text))
            avgfl = (reader.field_length(fieldname) / n) if n else 1.0
            length = reader.doc_field_length
            while m.is_active():
                d = m.id()
                out[d] = bm25(weight, m.weight(), length(d, fieldname, 1), avgfl, B, K1)
                m.next()
        else:
            while m.is_active():
                out[m.id()] = 0.0
                m.next()
        return out

    def field_docs(self, fieldname: str) -> int:
        """N for a field's statistics: the documents that can have it. Quote documents have no title or
        body and articles no quote field, so counting every document would skew idf and the average
        length (an article with many quotes would look short)."""
        counts = self._shared.get("kinds")
        if counts is None:
            reader = self.searcher.reader()
            counts = self._shared["kinds"] = {k: reader.doc_frequency("kind", k) for k in ("article", "quote")}
        n = counts["quote"] if fieldname == "quote" else counts["article"]
        return n or self.searcher.reader().doc_count()

    @property
    def live(self) -> frozenset[int]:
        live = self._shared.get("live")
        if live is None:
            live = self._shared["live"] = frozenset(self.searcher.reader().all_doc_ids())
        return live

    # -- evaluation ------------------------------------------------------------------------------

    def evaluate(self, q: Q.Query) -> Match:
        if q is Q.NullQuery:
            return Match(set())
        if isinstance(q, Q.Term):
            field = self.schema[q.fieldname] if q.fieldname in self.schema else None
            if field is None:
                return Match(set())
            postings = self.term(q.fieldname, field.to_bytes(q.text))
            return Match(set(postings), [postings] if field.scorable else [])
        if isinstance(q, Q.And):
            return self._and(q.subqueries)
        if isinstance(q, Q.Or) or isinstance(q, Q.DisjunctionMax):
            docs: set[int] = set()
            scores: list[dict] = []
            for sub in q.subqueries:
                m = self.evaluate(sub)
                docs |= m.docs
                scores += m.scores
            return Match(docs, scores)
        if isinstance(q, Q.Not):
            return Match(set(self.live - self.evaluate(q.query).docs))
        if isinstance(q, Q.AndNot):
            pos = self.evaluate(q.a)
            return Match(pos.docs - self.evaluate(q.b).docs, pos.scores)
        if isinstance(q, Q.AndMaybe):
            req = self.evaluate(q.a)
            return Match(req.docs, req.scores + self.evaluate(q.b).scores)
        if isinstance(q, Q.Require):
            req = self.evaluate(q.a)
            return Match(req.docs & self.evaluate(q.b).docs, req.scores)
        if isinstance(q, Q.Every):
            return Match(set(self.live))
        if isinstance(q, Q.ConstantScoreQuery):
            return Match(self.evaluate(q.child).docs)
        if isinstance(q, (Q.Wildcard, Q.Prefix, Q.FuzzyTerm, Q.Regex, Q.Variations)):
            return self._expand(q)
        if isinstance(q, Q.NumericRange) and q.fieldname == "published":
            return Match(self._date_range(q.start, q.end, q.startexcl, q.endexcl))
        # Phrases, ranges and anything else: Whoosh finds the documents; the words still score.
        docs = set(self.searcher.docs_for_query(q))
        scores = [self.term(f, self.schema[f].to_bytes(t)) for f, t in _leaf_terms(q)
                  if f in self.schema and self.schema[f].scorable]
        return Match(docs, scores)

    def _and(self, subqueries: Iterable[Q.Query]) -> Match:
        positives, negatives = [], []
        for sub in subqueries:
            (negatives if isinstance(sub, Q.Not) else positives).append(sub)
        if not positives:
            docs = set(self.live)
            scores: list[dict] = []
        else:
            matches = sorted((self.evaluate(s) for s in positives), key=lambda m: len(m.docs))
            docs = set(matches[0].docs)
            for m in matches[1:]:
                docs &= m.docs
                if not docs:
                    break
            scores = [d for m in matches for d in m.scores]
        for neg in negatives:
            if docs:
                docs -= self.evaluate(neg.query).docs
        return Match(docs, scores)

    def _expand(self, q) -> Match:
        fieldname = q.field()
        if fieldname not in self.schema:
            return Match(set())
        docs: set[int] = set()
        scores: list[dict] = []
        for n, btext in enumerate(expand(q, self.searcher.reader())):
            if n >= MAX_EXPANSION:
                break
            postings = self.term(fieldname, btext)
            docs.update(postings)
            if self.schema[fieldname].scorable:
                scores.append(postings)
        return Match(docs, scores)

    # -- ranking ---------------------------------------------------------------------------------

    def top(self, match: Match, docs: set[int], n: int, order: str = "relevance") -> list[tuple[int, float]]:
        """The best ``n`` of ``docs`` (a subset of match.docs) as (docnum, score)."""
        score = _scorer(match.scores)
        if order == "relevance":
            best = heapq.nlargest(n, docs, key=score) if match.scores else heapq.nsmallest(n, docs)
            return [(d, score(d)) for d in best]
        dates = self.dates()
        if order == "newest":
            best = heapq.nlargest(n, docs, key=lambda d: (dates[d], -d))
        else:  # oldest; undated (0) last
            best = heapq.nsmallest(n, docs, key=lambda d: (dates[d] or 1 << 63, d))
        return [(d, score(d)) for d in best]

    def _date_range(self, start, end, startexcl: bool, endexcl: bool) -> set[int]:
        """Dated live documents with start <= published <= end (raw column values), by bisection."""
        by_date = self._shared.get("by_date")
        if by_date is None:
            live = self.live
            by_date = self._shared["by_date"] = sorted(
                (v, d) for d, v in enumerate(self.dates()) if v and d in live)
        lo = 0 if start is None else bisect.bisect_left(by_date, (start + (1 if startexcl else 0), -1))
        hi = len(by_date) if end is None else bisect.bisect_right(by_date, (end - (1 if endexcl else 0), 1 << 62))
        return {d for _, d in by_date[lo:hi]}

    def dates(self) -> list[int]:
        """docnum -> raw sortable publication time (0 when undated), for sorting by date."""
        dates = self._shared.get("dates")
        if dates is None:
            reader = self.searcher.reader()
            if reader.has_column("published"):
                col = reader.column_reader("published", translate=False)
                dates = [col[d] or 0 for d in range(reader.doc_count_all())]
            else:
                dates = [0] * reader.doc_count_all()
            self._shared["dates"] = dates
        return dates


def idf(n: int, df: int) -> float:
    """Robertson-Sparck Jones idf as Lucene uses it: log(1 + (N - df + 0.5) / (df + 0.5)).

    Whoosh's own (1 + log(N / (df + 1))) keeps common words heavy, which hurts OR-ranked long queries:
    MAP on TIME 0.625 with it, 0.637 with this one, at the same k1 and b."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _scorer(scores: list[dict[int, float]]):
    """doc -> summed score; unrolled for the usual one to three dicts (this runs once per candidate)."""
    if not scores:
        return lambda d: 0.0
    if len(scores) == 1:
        a = scores[0].get
        return lambda d: a(d, 0.0)
    if len(scores) == 2:
        a, b = (s.get for s in scores)
        return lambda d: a(d, 0.0) + b(d, 0.0)
    if len(scores) == 3:
        a, b, c = (s.get for s in scores)
        return lambda d: a(d, 0.0) + b(d, 0.0) + c(d, 0.0)
    getters = [s.get for s in scores]
    return lambda d: sum(get(d, 0.0) for get in getters)


def expand(q, reader) -> Iterable[bytes]:
    """The index terms a wildcard, prefix or fuzzy query stands for (as bytes, whatever Whoosh yields)."""
    for btext in q._btexts(reader):
        yield btext.encode("utf-8") if isinstance(btext, str) else btext


def _has_term(reader, fieldname: str, btext: bytes) -> bool:
    try:
        return (fieldname, btext) in reader
    except Exception:
        return False


def _leaf_terms(q: Q.Query) -> list[tuple[str, str]]:
    out = []
    for leaf in ([q] if q.is_leaf() else q.leaves()):
        if isinstance(leaf, Q.Term):
            out.append((leaf.fieldname, leaf.text))
        elif isinstance(leaf, Q.Phrase):
            out.extend((leaf.fieldname, w) for w in leaf.words)
    return out
