"""A field's vocabulary, read once per index generation, for what must never walk it per request:
spelling candidates, fuzzy words (`opec~`) and wildcards (`*ffe*`).

Whoosh answers those by running an automaton or a regular expression over the whole term list on
every request (a second for one unknown word on Reuters, minutes for a query of many). Here the terms
of a field are read once, with their document frequencies, into a sorted list and a symmetric-delete
index (every term and its one-character deletions -> the terms): the terms sharing a key with the
word or its own deletions are every term one edit away and the two-edit ones made of a swap or of one
letter missing and another added, found in a few dictionary look-ups whatever the size of the
vocabulary, then checked with a real edit distance. Wildcards scan the list with a
compiled pattern, stopping at a cap.
"""
from __future__ import annotations

import bisect
import fnmatch
import itertools
import re
from typing import Iterable, Iterator

from searchapp.analysis import _import_nltk

_import_nltk()
from nltk.metrics.distance import edit_distance  # noqa: E402

MAX_WORD = 40  # longer "words" get no spelling candidates (no word is that long; a hash may be)
MIN_FREQ = 2  # in a large vocabulary, terms in fewer documents are no candidate nor a fuzzy expansion
SMALL = 200_000  # terms


def distance(a: str, b: str, limit: int = 9) -> int:
    """Edits (a letter deleted, inserted, replaced, or two swapped) from ``a`` to ``b``; anything past
    ``limit`` may be given as limit + 1 (a length difference alone decides it, without the table)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    return edit_distance(a, b, transpositions=True)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Lexicon:
    """The terms of one field (str) and their document frequencies."""

    def __init__(self, terms: list[str], freqs: list[int]):
        order = sorted(range(len(terms)), key=terms.__getitem__)
        self.terms = [terms[i] for i in order]
        self.freqs = [freqs[i] for i in order]
        self._freq = dict(zip(self.terms, self.freqs))
        self._deletes: dict[str, list[int]] | None = None
        self._joined: str | None = None

    @classmethod
    def of(cls, terms: Iterable[tuple[str, int]]) -> "Lexicon":
        """From (term, document frequency) pairs (a snapshot's `terms(field)`)."""
        pairs = list(terms)
        return cls([t for t, _ in pairs], [n for _, n in pairs])

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: str) -> bool:
        return term in self._freq

    def frequency(self, term: str) -> int:
        return self._freq.get(term, 0)

    def _index(self) -> dict[str, list[int]]:
        if self._deletes is None:  # built once per generation (the search warms it in the background)
            index: dict[str, list[int]] = {}
            # words of one article are half of a large vocabulary and rarely anyone's correction:
            # past SMALL terms they are left out, which halves the index
            min_freq = 1 if len(self.terms) <= SMALL else MIN_FREQ
            for i, term in enumerate(self.terms):
                if len(term) > MAX_WORD or self.freqs[i] < min_freq or not term.isalpha():
                    continue
                index.setdefault(term, []).append(i)
                for key in _deletes(term):
                    index.setdefault(key, []).append(i)
            self._deletes = index
        return self._deletes

    def warm(self) -> None:
        self._index()

    def near(self, word: str, maxdist: int = 2, prefix: int = 0, limit: int = 10) -> list[str]:
        """Terms within ``maxdist`` (1 or 2) edits of ``word`` that share its first ``prefix``
        letters, the closest first, then those in most documents (the word itself too, if it is a
        term in MIN_FREQ documents or more)."""
        if not word or len(word) > MAX_WORD:
            return []
        index = self._index()
        keys = {word} | _deletes(word) if maxdist >= 1 else {word}
        found: set[int] = set()
        for key in keys:
            found.update(index.get(key, ()))
        head = word[:prefix]
        out = []
        for i in found:
            term = self.terms[i]
            if term.startswith(head) and distance(term, word, maxdist) <= maxdist:
                out.append(term)
        out.sort(key=lambda t: (distance(t, word, maxdist), -self._freq[t], t))
        return out[:limit]

    def with_prefix(self, prefix: str, limit: int) -> Iterator[str]:
        i = bisect.bisect_left(self.terms, prefix)
        n = 0
        while i < len(self.terms) and self.terms[i].startswith(prefix) and n < limit:
            yield self.terms[i]
            i += 1
            n += 1

    def matching(self, pattern: str, limit: int) -> Iterator[str]:
        """Terms a wildcard pattern (``*``, ``?``) matches, at most ``limit``; a pattern with a fixed
        start only looks at the terms with that start, any other is one regular-expression scan of the
        whole vocabulary as one string (a Python loop over it cost 35 ms a pattern on Reuters)."""
        head = re.match(r"[^*?]*", pattern).group(0)
        if not head:
            if self._joined is None:
                self._joined = "\n".join(self.terms)
            rx = re.compile("^" + "".join("[^\n]*" if c == "*" else "[^\n]" if c == "?" else re.escape(c)
                                          for c in pattern) + "$", re.M)
            yield from itertools.islice((m.group(0) for m in rx.finditer(self._joined)), limit)
            return
        rx = re.compile(fnmatch.translate(pattern))
        i = bisect.bisect_left(self.terms, head)
        n = 0
        while i < len(self.terms) and n < limit:
            term = self.terms[i]
            if not term.startswith(head):
                break
            if rx.match(term):
                yield term
                n += 1
            i += 1

    def between(self, start: str | None, end: str | None, startexcl: bool, endexcl: bool, limit: int) -> Iterator[str]:
        """Terms from ``start`` to ``end`` in order (None: open), at most ``limit`` (`title:[a TO c]`)."""
        lo = 0 if start is None else (bisect.bisect_right if startexcl else bisect.bisect_left)(self.terms, start)
        hi = len(self.terms) if end is None else (bisect.bisect_left if endexcl else bisect.bisect_right)(self.terms, end)
        return iter(self.terms[lo:min(hi, lo + limit)])
