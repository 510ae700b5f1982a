"""Pseudo-relevance feedback (RM3) for long queries: the words the best few articles share, added to
the ranking of the articles the query found.

A long query ("the debate over a sales tax in the state legislature") names a topic in words the
articles may not use; the articles that rank first do use the topic's own words. RM3 estimates a
relevance model from them (each article's term frequencies, weighted by its share of the top
scores), keeps the strongest terms the query lacks, and adds their BM25 scores to the candidates'
(a re-ranking: no article is added). The terms come from the offsets stored with each article, so
nothing is analysed again. Whether it helps is decided by cross-validation over TIME's queries
(python -m bench.ranking_cv), like k1 and b; WEIGHT 0 turns it off.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from searchapp.store.ranking import Match, Postings, Ranker

WEIGHT = 0.0  # the expansion terms' share of the score (0: off); chosen by bench.ranking_cv
MIN_WORDS = 4  # queries shorter than this are left as typed
DOCS = 10  # the top articles the relevance model is estimated from
TERMS = 10  # expansion terms kept
MAX_DF = 0.1  # terms in more than this share of the articles say nothing about a topic


def expand(ranker: Ranker, match: Match, docs: np.ndarray, stems: list[str]) -> Match:
    """``match`` with the scores of the relevance model's terms added (unchanged when off, for short
    queries, or when the top articles share nothing)."""
    if WEIGHT <= 0 or len(stems) < MIN_WORDS or not len(docs) or not match.scores:
        return match
    top = ranker.top(match, docs, DOCS)
    total = sum(score for _, score in top)
    if total <= 0:
        return match
    model: Counter = Counter()
    for docnum, score in top:
        offsets = (ranker.snapshot.stored(docnum).get("offsets") or {}).get("body") or {}
        counts = {term: len(spans) // 2 for term, spans in offsets.items()}
        length = sum(counts.values()) or 1
        for term, n in counts.items():
            model[term] += (n / length) * (score / total)
    n_docs = ranker.field_docs("body")
    asked = set(stems)
    chosen = []
    for term, p in model.most_common():
        if len(chosen) == TERMS:
            break
        if term in asked or not term.isalpha() or len(term) < 3:
            continue
        postings = ranker.term("body", term)
        if len(postings.docs) > MAX_DF * n_docs or not len(postings.scores):
            continue
        chosen.append((p, postings))
    if not chosen:
        return match
    strongest = chosen[0][0]
    extra = [Postings(q.docs, q.scores * (WEIGHT * p / strongest)) for p, q in chosen]
    return Match(match.docs, match.scores + extra)
