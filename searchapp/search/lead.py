"""The lead weighted: a query word in an article's opening lines counts more than one further down.

News is written as an inverted pyramid: the lead (the first paragraph, or in a story without
paragraphs its first few sentences) says what the story is about, and an article that names a query
word there is more likely about it than one that mentions it in passing. The best ``DOCS`` articles
get, for each query word in their lead, a bonus of ``WEIGHT`` times the word's idf (as the proximity
bonus, store/ranking.py). The lead is found from the offsets stored with each article, so nothing is
analysed again; a re-ranking of the top, so no article is added. Whether it helps is decided by
cross-validation over TIME's queries (python -m bench.ranking_cv), like k1 and b; WEIGHT 0 turns it
off and costs nothing.
"""
from __future__ import annotations

import numpy as np

from searchapp.store.ranking import Match, Postings, Ranker, idf

WEIGHT = 0.0  # the bonus per query word in the lead, in idf units (0: off); chosen by bench.ranking_cv
DOCS = 30  # the top articles re-ranked: reading their stored offsets is the cost
CHARS = 300  # at most this much of the body is the lead (about two sentences of a wire story)


def lead_end(body: str) -> int:
    """Where the lead ends: the first paragraph's end, or CHARS, whichever comes first."""
    end = body.find("\n\n", 1)
    return CHARS if end < 0 else min(end, CHARS)


def boost(ranker: Ranker, match: Match, docs: np.ndarray, stems: list[str]) -> Match:
    """``match`` with a bonus for its best articles' leads holding query words (unchanged when off)."""
    if WEIGHT <= 0 or not stems or not len(docs):
        return match
    in_lead: dict[str, list[int]] = {stem: [] for stem in stems}
    for docnum, _score in ranker.top(match, docs, DOCS):
        stored = ranker.snapshot.stored(docnum)
        end = lead_end(stored.get("body") or "")
        offsets = (stored.get("offsets") or {}).get("body") or {}
        for stem in in_lead:
            spans = offsets.get(stem)
            if spans and spans[0] < end:
                in_lead[stem].append(docnum)
    n = ranker.field_docs("body")
    extra = [Postings(np.array(sorted(found), dtype=np.int32),
                      np.full(len(found), WEIGHT * idf(n, len(ranker.term("body", stem).docs))))
             for stem, found in in_lead.items() if found]
    return Match(match.docs, match.scores + extra) if extra else match
