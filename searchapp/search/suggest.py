"""Spelling corrections ("Did you mean") and name suggestions, from the index's own lexicons."""
from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from typing import Any, Callable

from whoosh.support.levenshtein import damerau_levenshtein

from searchapp.analysis import fold
from searchapp.store.lexicon import Lexicon
from searchapp.store.ranking import Ranker
SUGGEST_WORDS = 8  # words a spelling correction looks at
PLAIN_WORD = re.compile(r"(?<![\w:])[^\W\d_][\w'’]*(?![\w:])")


def spelt_as(s, stem: str, typed: str, articles: int = 5) -> str | None:
    """How the articles write ``stem``, in the form closest to what was typed ("prises" -> "prices",
    not "price"): read a few articles that have it."""
    forms: Counter = Counter()
    try:
        m = s.reader().postings("body", stem.encode("utf-8"))
        while m.is_active() and len(forms) < 12 and articles:
            text = s.stored_fields(m.id()).get("body", "")
            forms.update(text[t.startchar:t.endchar].lower()
                         for t in s.schema["body"].analyzer(text, chars=True, removestops=True) if t.text == stem)
            articles -= 1
            m.next()
    except Exception:  # a stem the body does not have (a title word): no form to show
        return None
    typed = fold(typed)
    return min(forms, key=lambda f: (damerau_levenshtein(f, typed, 9), -forms[f], f)) if forms else None


def replaced(q: str, fixes: dict[tuple[int, int], str]) -> str:
    out, pos = [], 0
    for (start, end), word in sorted(fixes.items()):
        out += [q[pos:start], word]
        pos = end
    return "".join(out) + q[pos:]


def as_written(folded: str, tables, typed: str) -> str:
    """The suggested name word as the articles write it ("Lavorv" -> "Lavrov"); lower case stays lower."""
    if typed.islower():
        return folded
    for values, _ in tables["name_index"].values():
        for value in values:
            for w in value.split():
                if fold(w) == folded:
                    return w
    return folded.capitalize() if typed[:1].isupper() else folded


def correction(s, ranker: Ranker, tables, q: str, finds: Callable[[str], bool]) -> str | None:
    """A corrected query that finds something ("Did you mean ...?"), or None.

    Each unknown plain word (at most SUGGEST_WORDS of them) is replaced by the nearest known one
    within two edits, names first (in the case the articles write them), then the body's words,
    the most frequent first; if that finds nothing, known words with a neighbour one edit away
    in ten times as many articles are tried too ("prises" -> "prices"). A correction is offered
    only when it finds articles. Candidates come from the lexicons' deletion indexes
    (store/lexicon.py): an unknown word costs a few look-ups, never a walk of the vocabulary."""
    body: Lexicon = ranker.lexicon("body")
    title: Lexicon = ranker.lexicon("title")
    names: Lexicon = tables["name_lexicon"]
    analyzer = s.schema["body"].analyzer
    unknown, known = [], []
    for m in itertools.islice((m for m in PLAIN_WORD.finditer(q)
                               if m.group(0) not in ("AND", "OR", "NOT", "TO") and len(m.group(0)) >= 3),
                              SUGGEST_WORDS):
        stems = [t.text for t in analyzer(m.group(0), mode="query")]
        if not stems:
            continue
        if any(t in body or t in title for t in stems):
            known.append((m, stems[0]))
        else:
            unknown.append((m, stems[0]))
    fixes: dict[tuple[int, int], str] = {}
    for m, stem in unknown:
        word = m.group(0)
        # typing rarely gets the first letter wrong: candidates that keep it first
        cands = names.near(fold(word), 2, prefix=1, limit=1)
        best = as_written(cands[0], tables, word) if cands else None
        if best is None:
            cands = body.near(stem, 2, prefix=1, limit=1) or body.near(stem, 2, limit=1)
            best = spelt_as(s, cands[0], word) if cands else None
        if best and best.lower() != word.lower():
            fixes[m.span()] = best
    candidate = replaced(q, fixes) if fixes else None
    if candidate and finds(candidate):
        return candidate
    for m, stem in known:  # a real word typed for another ("prises" for "prices")
        freq = body.frequency(stem)
        near = [t for t in body.near(stem, 1, prefix=1, limit=3) if t != stem and body.frequency(t) >= 10 * max(freq, 1)]
        surface = spelt_as(s, near[0], m.group(0)) if near else None
        if surface:
            fixes[m.span()] = surface
    candidate = replaced(q, fixes) if fixes else None
    return candidate if candidate and candidate != q and finds(candidate) else None


def names_starting(tables, prefix: str, limit: int = 8) -> list[dict[str, Any]]:
    """Names (people, places, orgs, speakers) starting with ``prefix``, most frequent first."""
    prefix = prefix.strip()
    low = fold(prefix)
    out = []
    for facet, (values, counts) in tables["name_index"].items():
        unit = "quotes" if facet == "speakers" else "articles"
        keys, vids = tables["suggest_index"][facet]
        found: set[int] = set()
        at = bisect.bisect_left(keys, low)
        while at < len(keys) and keys[at].startswith(low):
            found.add(vids[at])
            at += 1
        for i in found:
            out.append({"name": values[i], "field": facet, "count": counts[i], "unit": unit})
    out.sort(key=lambda x: (-x["count"], x["name"]))
    return out[:limit]
