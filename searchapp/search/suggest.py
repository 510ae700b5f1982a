"""Spelling corrections ("Did you mean") and name suggestions, from the index's own lexicons."""
from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from typing import Any, Callable


from searchapp.analysis import fold
from searchapp.store.lexicon import Lexicon, distance
from searchapp.store.ranking import Ranker
SUGGEST_WORDS = 8  # words a spelling correction looks at
PLAIN_WORD = re.compile(r"(?<![\w:])[^\W\d_][\w'’]*(?![\w:])")


def spelt_as(s, stem: str, typed: str, articles: int = 20) -> str | None:
    """How the articles write ``stem``, in the form closest to what was typed ("prises" -> "prices",
    not "price"): the forms in a few articles that have it, read from the offsets stored with them
    (nothing analysed again); stops at a form one edit from what was typed."""
    typed = fold(typed)
    forms: Counter = Counter()
    docs, _ = s.postings("body", stem)  # none for a stem the body does not have (a title word)
    for docnum in docs[:articles].tolist():
        stored = s.stored(docnum)
        text = stored.get("body", "")
        flat = (stored.get("offsets") or {}).get("body", {}).get(stem) or ()
        forms.update(text[a:b].lower() for a, b in zip(flat[::2], flat[1::2]))
        if any(distance(f, typed, 1) <= 1 for f in forms):
            break
    return min(forms, key=lambda f: (distance(f, typed, 9), -forms[f], f)) if forms else None


def _edits1(word: str) -> set[str]:
    """The words one edit from ``word`` (a letter deleted, swapped with the next, replaced, inserted)
    that keep its first letter."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(1, len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


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


def correction(s, ranker: Ranker, tables, q: str, finds: Callable[[str], int], found: int = 0) -> str | None:
    """A corrected query that finds more than ``q`` ("Did you mean ...?"), or None. ``found``: the
    articles having every word of ``q``; ``finds(query)``: the same count for another query.

    Each unknown plain word (at most SUGGEST_WORDS of them) is replaced by the nearest known word
    within two edits that keeps its first letter (typing rarely gets that one wrong): a word of the
    articles or a name, the fewest edits first, then the one in most articles (a name wins a tie when
    it was typed with a capital). If that finds nothing more, and ``q`` found nothing, known words
    with a neighbour one edit away in ten times as many articles are tried too ("prises" ->
    "prices"). A query with no unknown word that found something gets no correction. Candidates come
    from the lexicons' deletion indexes (store/lexicon.py): an unknown word costs a few look-ups,
    never a walk of the vocabulary."""
    body: Lexicon = ranker.lexicon("body")
    title: Lexicon = ranker.lexicon("title")
    names: Lexicon = tables["name_lexicon"]
    unknown, known = [], []
    for m in itertools.islice((m for m in PLAIN_WORD.finditer(q)
                               if m.group(0) not in ("AND", "OR", "NOT", "TO") and len(m.group(0)) >= 3),
                              SUGGEST_WORDS):
        stems = s.analyze("body", m.group(0), query=True)
        if not stems:
            continue
        if any(t in body or t in title for t in stems):
            known.append((m, stems[0]))
        else:
            unknown.append((m, stems[0]))
    if found and not unknown:
        return None
    fixes: dict[tuple[int, int], str] = {}
    for m, stem in unknown:
        best = _nearest(s, tables, body, names, m.group(0), stem)
        if best and best.lower() != m.group(0).lower():
            fixes[m.span()] = best
    candidate = replaced(q, fixes) if fixes else None
    if candidate and finds(candidate) > found:
        return candidate
    if found:
        return None
    for m, stem in known:  # a real word typed for another ("prises" for "prices")
        freq = body.frequency(stem)
        near = [t for t in body.near(stem, 1, prefix=1, limit=3) if t != stem and body.frequency(t) >= 10 * max(freq, 1)]
        surface = spelt_as(s, near[0], m.group(0)) if near else None
        if surface:
            fixes[m.span()] = surface
    candidate = replaced(q, fixes) if fixes else None
    return candidate if candidate and candidate != q and finds(candidate) > 0 else None


def _nearest(s, tables, body: Lexicon, names: Lexicon, word: str, stem: str) -> str | None:
    """The known word nearest to the unknown ``word`` (see `correction`), as the articles write it."""
    typed = fold(word)
    options = []  # (edits, -articles, names second unless capitalised, the word as written later)
    for cand in names.near(typed, 2, prefix=1, limit=3):
        options.append((distance(cand, typed, 2), -names.frequency(cand), not word[:1].isupper(),
                        lambda c=cand: as_written(c, tables, word)))
    for cand in body.near(stem, 2, prefix=1, limit=3):
        options.append((distance(cand, stem, 2), -body.frequency(cand), word[:1].isupper(),
                        lambda c=cand: spelt_as(s, c, word)))
    # The words one edit from what was typed whose stem the articles have: the stems alone miss
    # "headign" (stem "headign") for "heading" (stem "head", three edits away).
    by_stem: dict[str, str] = {}
    for cand in sorted(_edits1(typed)):
        # an English stem starts the word, but for a last letter changed ("happy" -> "happi"): only
        # the words one of whose starts is a stem of the articles are stemmed (a tenth of them)
        if not any(cand[:k] in body for k in range(len(cand), 2, -1)) and cand[:-1] + "i" not in body:
            continue
        cand_stem = s.stem(cand)
        if cand_stem in body and cand_stem not in by_stem:
            by_stem[cand_stem] = cand
    for cand_stem, cand in by_stem.items():
        options.append((1, -body.frequency(cand_stem), word[:1].isupper(),
                        lambda c=cand, st=cand_stem: spelt_as(s, st, c)))
    for *_, written in sorted(options, key=lambda o: o[:3]):
        best = written()
        if best:
            return best
    return None


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
