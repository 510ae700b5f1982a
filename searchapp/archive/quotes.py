"""Quote groups: the same quote by the same speaker across articles is one quote, with its provenance.

``group_quotes(occurrences)`` takes every quote of the archive as an ``Occurrence`` (article id, quote
text, speaker, publication date, publisher) and returns ``QuoteGroup`` objects: one per quote, its
occurrences in time order (earliest first; ties and undated by article id, undated last).

Same quote
    Same speaker: their folded names share the last word and, when both give more, the first letter
    of the first word ("Sergey Lavrov", "Sergei Lavrov" and "Lavrov" are one speaker; "Ann Lee" and
    "Bo Lee" are two, and a quote by "Lee" joins at most one of them). A quote without a speaker stays
    alone.
    Same words: the texts are compared as folded words (``searchapp.archive.text.words``: case,
    accents and punctuation do not count). Two versions match when the words they share in order
    (``difflib`` matching blocks) are at least ``MIN_SHARED`` of the shorter version and at least
    ``MIN_WORDS`` words: a truncated version, a version with a word changed and a version spliced from
    two parts of the quote all match their source. Versions are joined transitively (union-find).

Provenance
    ``QuoteGroup.first`` is the earliest occurrence; ``QuoteGroup.summary()`` says "first reported by
    <publisher> on <date>, repeated in N articles". ``diff_words(reference, version)`` marks how a
    version differs from the reference, word by word (``difflib`` on folded words, the words shown as
    written): ``truncated`` (words missing at the start or the end), ``spliced`` (a run of at least
    ``SPLICE_WORDS`` words missing inside, so two separate parts are joined), ``altered`` (words
    replaced, added, or fewer than ``SPLICE_WORDS`` missing inside). ``QuoteGroup.provenance()`` gives
    every occurrence in time order with its differences from the first.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from searchapp.archive.duplicates import publication_order
from searchapp.archive.text import fold, words

MIN_SHARED = 0.6  # share of the shorter version's words the two versions must share, in order
MIN_WORDS = 3  # and at least this many words
SPLICE_WORDS = 3  # a run of this many words missing inside a version is a splice
MAX_BLOCK = 500  # a run of words in more quotes of one surname than this is no evidence of anything


@dataclass(frozen=True)
class Occurrence:
    """One quote in one article."""

    article_id: str
    text: str
    speaker: str | None = None
    published: dt.datetime | None = None
    publisher: str = ""

    def order(self) -> tuple:
        return publication_order(self.published, self.article_id)


@dataclass(frozen=True)
class Change:
    """One step of a word-level diff: ``op`` is "equal", "delete" (in the reference only), "insert" (in
    the version only) or "replace"; ``reference`` and ``version`` are the words as written."""

    op: str
    reference: tuple[str, ...]
    version: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "reference": " ".join(self.reference), "version": " ".join(self.version)}


@dataclass(frozen=True)
class Diff:
    """How a version of a quote differs from the reference: ``marks`` is a subset of {"truncated",
    "altered", "spliced"} (empty: the same words); ``changes`` the word-level steps."""

    marks: frozenset[str]
    changes: tuple[Change, ...]

    def markup(self) -> str:
        """The version with its differences marked: ``[-removed-]``, ``{+added+}``."""
        out = []
        for c in self.changes:
            if c.reference and c.op != "equal":
                out.append("[-" + " ".join(c.reference) + "-]")
            if c.version:
                out.append(" ".join(c.version) if c.op == "equal" else "{+" + " ".join(c.version) + "+}")
        return " ".join(out)

    def to_json(self) -> dict[str, Any]:
        return {"marks": sorted(self.marks), "changes": [c.to_json() for c in self.changes], "markup": self.markup()}


@dataclass
class QuoteGroup:
    """One quote: every occurrence, earliest first."""

    id: str
    speaker: str | None
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def first(self) -> Occurrence:
        return self.occurrences[0]

    @property
    def articles(self) -> list[str]:
        """The articles that carry the quote, in time order, each once."""
        return list(dict.fromkeys(o.article_id for o in self.occurrences))

    def summary(self) -> str:
        """'first reported by <publisher> on <date>, repeated in N articles'."""
        first = self.first
        by = f" by {first.publisher}" if first.publisher else ""
        on = f" on {first.published.date().isoformat()}" if first.published else ""
        n = len(self.articles) - 1
        if not n:
            return f"reported{by}{on}"
        return f"first reported{by}{on}, repeated in {n} article{'s' if n != 1 else ''}"

    def provenance(self) -> list[tuple[Occurrence, Diff]]:
        """Every occurrence in time order with its word-level differences from the first."""
        return [(o, diff_words(self.first.text, o.text)) for o in self.occurrences]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "speaker": self.speaker, "text": self.first.text, "summary": self.summary(),
            "first": {"article": self.first.article_id, "publisher": self.first.publisher,
                      "published": self.first.published.isoformat() if self.first.published else None},
            "occurrences": [{"article": o.article_id, "publisher": o.publisher, "text": o.text,
                             "published": o.published.isoformat() if o.published else None,
                             "diff": d.to_json()} for o, d in self.provenance()],
        }


# -- matching -------------------------------------------------------------------------------------

def speaker_key(name: str | None) -> tuple[str, str] | None:
    """(last word, first letter of the first word or "") of a folded name; None without one."""
    parts = words(name or "")
    if not parts:
        return None
    return parts[-1], parts[0][0] if len(parts) > 1 else ""


def same_speaker(a: str | None, b: str | None) -> bool:
    ka, kb = speaker_key(a), speaker_key(b)
    if ka is None or kb is None or ka[0] != kb[0]:
        return False
    return not ka[1] or not kb[1] or ka[1] == kb[1]


def shared_words(a: list[str], b: list[str]) -> int:
    """Words the two sequences share in order (``difflib`` matching blocks)."""
    return sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def same_quote(a: list[str], b: list[str]) -> bool:
    """Whether two folded word lists are versions of one quote (see the module doc)."""
    shorter = min(len(a), len(b))
    if shorter < MIN_WORDS:
        return a == b and shorter > 0
    shared = shared_words(a, b)
    return shared >= MIN_WORDS and shared >= MIN_SHARED * shorter


def group_quotes(occurrences: Iterable[Occurrence]) -> list[QuoteGroup]:
    """One group per quote (see the module doc), in the order of their first occurrence.

    Only versions by one speaker (by surname) that share a run of ``MIN_WORDS`` words are compared, so
    the cost grows with the quotes of each speaker that share wording, not with all pairs."""
    items = sorted(occurrences, key=Occurrence.order)
    texts = [words(o.text) for o in items]
    parent = list(range(len(items)))
    # The first initial a group's speaker is known by, if any: "Holt" may join "Maren Holt" or "Ivo
    # Holt", but not bring the two together.
    initial = [(speaker_key(o.speaker) or ("", ""))[1] for o in items]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, (o, t) in enumerate(zip(items, texts)):
        key = speaker_key(o.speaker)
        if key is None:
            continue
        runs = {tuple(t[j:j + MIN_WORDS]) for j in range(max(1, len(t) - MIN_WORDS + 1))}
        for run in runs:
            blocks[(key[0], run)].append(i)
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        for n, i in enumerate(members):
            for j in members[n + 1:]:
                ri, rj = find(i), find(j)
                if ri == rj or (initial[ri] and initial[rj] and initial[ri] != initial[rj]):
                    continue
                if same_speaker(items[i].speaker, items[j].speaker) and same_quote(texts[i], texts[j]):
                    root, other = min(ri, rj), max(ri, rj)
                    parent[other] = root
                    initial[root] = initial[root] or initial[other]
    groups: dict[int, QuoteGroup] = {}
    for i, o in enumerate(items):
        root = find(i)
        if root not in groups:
            groups[root] = QuoteGroup(_group_id(o), o.speaker)
        groups[root].occurrences.append(o)
    return list(groups.values())


def _group_id(first: Occurrence) -> str:
    """Named after the first occurrence: it changes only if an earlier occurrence is added."""
    seed = "\n".join((first.article_id, fold(first.speaker or ""), " ".join(words(first.text))))
    return "q-" + hashlib.blake2b(seed.encode(), digest_size=8).hexdigest()


# -- differences ----------------------------------------------------------------------------------

def diff_words(reference: str, version: str) -> Diff:
    """How ``version`` differs from ``reference``, word by word (see the module doc)."""
    ref_words, ver_words = reference.split(), version.split()
    ref_keys, ver_keys = [" ".join(words(w)) for w in ref_words], [" ".join(words(w)) for w in ver_words]
    changes, marks = [], set()
    opcodes = difflib.SequenceMatcher(None, ref_keys, ver_keys, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        changes.append(Change(op, tuple(ref_words[i1:i2]), tuple(ver_words[j1:j2])))
        if op == "equal":
            continue
        at_edge = n == 0 or n == len(opcodes) - 1
        if op == "delete" and at_edge:
            marks.add("truncated")
        elif op == "delete" and i2 - i1 >= SPLICE_WORDS:
            marks.add("spliced")
        elif any(ref_keys[i1:i2]) or any(ver_keys[j1:j2]):  # punctuation alone is no change
            marks.add("altered")
    return Diff(frozenset(marks), tuple(changes))
