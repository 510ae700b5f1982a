"""Duplicate groups: exact and near copies of the same story, kept up to date as articles come and go.

``DuplicateIndex`` takes records with ``id``, ``title``, ``body``, ``published``, ``publisher`` (an
``Article``, a ``Record``, or a mapping with those keys) and keeps groups of copies:

* **exact** -- the same matching text: the body folded, boilerplate left out and only words and
  numbers kept (``searchapp.archive.text``). A short body (fewer than ``Params.min_words`` words: a
  table row, a one-line notice) says too little on its own, so its title must match as well, and it
  is never a near copy.
* **near** -- the same story with another headline, a trimmed or reordered paragraph, other boilerplate,
  another publisher or small edits inside sentences. Shingles are runs of ``Params.shingle`` words
  inside one paragraph (so moving or cutting paragraphs changes none). Candidates come from MinHash
  signatures of the shingles -- ``datasketch.MinHash`` values (its "affine32" permutations), computed
  for many articles in a few array operations -- by LSH banding (``Params.bands`` bands of ``rows``
  values: the buckets of ``datasketch.MinHashLSH(params=(bands, rows))``, found by sorting the band
  keys; the tests check both against datasketch). Every candidate pair is then checked on the real
  sets before it may join a group:

  - containment ``|A ∩ B| / min(|A|, |B|) >= Params.containment`` (a trimmed copy is contained in
    the full story, whatever was cut or moved),
  - Jaccard ``|A ∩ B| / |A ∪ B| >= Params.jaccard`` (a short piece inside a long round-up is not a copy),
  - the figures agree: at most ``Params.missing_numbers`` of the distinct numbers of the smaller text
    are missing from the other. A follow-up story repeats the wording of the earlier one with new
    figures (the next day's prices, the afternoon's total); a copy carries the same figures,
  - the names agree: at most ``Params.missing_names`` of its distinct capitalised words are missing
    from the other, and at most ``Params.missing_lead_names`` of the capitalised words of either text's
    first paragraph (if it has two or more) are missing from the other: the same announcement by another
    bank is another story.

A group is the connected set of articles joined by exact matches and verified near pairs. Its
``kind`` is "exact" when all members share the matching text, else "near"; ``first`` is the member
published earliest (ties and missing dates: by id; a missing date counts as latest).

``add`` and ``remove`` are incremental: added articles are compared with their LSH candidates only
(the band keys of the articles already indexed are sorted again, an array operation), and a removal
re-splits only the group it leaves. ``save(directory)`` writes two files into an index
generation folder, ``duplicates.json`` (parameters, ids, dates, publishers, exact keys, verified pairs)
and ``duplicates.npz`` (the sets of shingle, number and name hashes as plain arrays, loaded without
pickle; signatures are remade from the shingles when an ``add`` needs them); the JSON
names a random token the arrays must carry, so a half-written pair is refused on load.
``read_groups(directory)`` reads the groups alone (from the JSON), for the side that collapses results.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from searchapp.archive.text import (LOW32, NAME_BIT, NUMBER_BIT, distinct_per_text, figures, hash_texts,
                                    strip_boilerplate, tokens, word_hashes, words)
from searchapp.archive.text import shingles as shingles_of

JSON_FILE = "duplicates.json"
ARRAYS_FILE = "duplicates.npz"
FORMAT = 1
_SETS = ("shingles", "numbers", "names", "lead")  # the sets of hashes an article is compared by
BATCH = 5_000  # articles tokenised and signed at once: 20,000 held 300 MB more at the peak, for no less CPU


class DuplicatesFileError(ValueError):
    """A duplicates file that cannot be read (wrong format, or the JSON and arrays do not belong together)."""


@dataclass(frozen=True)
class Params:
    """Matching settings. The defaults were chosen on the tuning half of ``python -m bench.duplicates --tune``
    (never on the half it reports)."""

    shingle: int = 3  # words per shingle
    num_perm: int = 64  # MinHash permutations
    bands: int = 32  # LSH bands of num_perm // bands rows: a pair with Jaccard 0.3 is a candidate 95% of times
    seed: int = 1  # MinHash permutation seed
    containment: float = 0.6
    jaccard: float = 0.3
    missing_numbers: float = 0.1  # share of the smaller text's distinct numbers the other may lack
    missing_names: float = 0.34  # the same for its capitalised words
    missing_lead_names: float = 0.34  # the same for the capitalised words of either first paragraph
    min_words: int = 12  # fewer words: exact copies only, title included

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


class Record(NamedTuple):
    """What duplicate detection reads of an article."""

    id: str
    title: str = ""
    body: str = ""
    published: dt.datetime | None = None
    publisher: str = ""


@dataclass(frozen=True)
class Group:
    """Copies of one story: ``ids`` in publication order (ties and undated by id), ``first`` = ``ids[0]``."""

    ids: tuple[str, ...]
    kind: str  # "exact" | "near"
    first: str

    def to_json(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "kind": self.kind, "first": self.first}


@dataclass
class _Doc:
    published: dt.datetime | None
    publisher: str
    key: str  # hash of the matching text (with the title for short texts)
    shingles: np.ndarray  # sorted distinct uint32
    numbers: np.ndarray  # sorted distinct uint32 hashes of the numbers
    names: np.ndarray  # sorted distinct uint32 hashes of the capitalised words
    lead: np.ndarray  # the same for the first paragraph
    short: bool  # too short for a near copy: exact copies only
    signature: np.ndarray | None = None  # MinHash hash values (uint32), made when first needed
    bands: np.ndarray | None = None  # LSH band keys (uint64), from the signature
    neighbours: set[str] = field(default_factory=set)  # verified near copies


def _as_record(item: Any) -> Record:
    if isinstance(item, Record):
        return item
    get = item.get if isinstance(item, Mapping) else lambda name, default=None: getattr(item, name, default)
    published = get("published")
    if isinstance(published, str):
        published = dt.datetime.fromisoformat(published)
    return Record(str(get("id")), get("title") or "", get("body") or "", published, get("publisher") or "")


def publication_order(published: dt.datetime | None, article_id: str) -> tuple:
    """Sort key: earliest first, ties by id, undated last (naive dates are taken as UTC)."""
    if published is None:
        return (1, 0.0, article_id)
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.timezone.utc)
    return (0, published.timestamp(), article_id)


class Similarity(NamedTuple):
    """How two texts compare: their shingles, and the numbers and names of the smaller one."""

    containment: float  # shared shingles / shingles of the smaller set
    jaccard: float  # shared shingles / shingles of either
    missing_numbers: float  # share of the smaller text's distinct numbers that the other lacks (0 without any)
    missing_names: float  # the same for its capitalised words
    missing_lead_names: float  # the larger share, of either text, of first-paragraph capitalised words the other
    # lacks (a first paragraph with fewer than two counts as none missing)


def _missing(mine: np.ndarray, theirs: np.ndarray, at_least: int = 1) -> float:
    """The share of ``mine`` not in ``theirs`` (0 when ``mine`` has fewer than ``at_least`` values)."""
    if len(mine) < at_least:
        return 0.0
    return 1.0 - np.intersect1d(mine, theirs, assume_unique=True).size / len(mine)


_MIN_LEAD_NAMES = 2  # a first paragraph with fewer capitalised words says too little about whom it is about


def _compare(a: _Doc, b: _Doc, params: Params | None = None) -> Similarity | None:
    """How two texts compare; None as soon as they fall short of ``params``' containment or Jaccard."""
    small, large = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    if not len(small.shingles):
        return Similarity(0.0, 0.0, 1.0, 1.0, 1.0) if params is None else None
    common = np.intersect1d(small.shingles, large.shingles, assume_unique=True).size
    containment = common / len(small.shingles)
    jaccard = common / (len(small.shingles) + len(large.shingles) - common)
    if params is not None and (containment < params.containment or jaccard < params.jaccard):
        return None
    return Similarity(containment, jaccard, _missing(small.numbers, large.numbers),
                      _missing(small.names, large.names),
                      max(_missing(a.lead, b.names, _MIN_LEAD_NAMES), _missing(b.lead, a.names, _MIN_LEAD_NAMES)))


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a, b


_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_BAND_MULT = np.uint64(0x100000001B3)  # a large odd constant: folds a band's values into one key
_KEY_MULTS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))  # the two halves of an exact key


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's "affine32" MinHash applies to every input hash."""
    s1, m1, s2, m2 = _FMIX
    h = (h ^ (h >> s1)) * m1
    h = (h ^ (h >> s2)) * m2
    return h ^ (h >> s1)


def minhash_signatures(values: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int = 1) -> np.ndarray:
    """The MinHash signature (one row, uint32) of each set ``values[offsets[i]:offsets[i + 1]]``:
    what ``datasketch.MinHash(num_perm, seed, scheme="affine32", hashfunc=lambda v: v).update_batch``
    gives for those values, for many sets at once (an empty set keeps the initial maximum values)."""
    a, b = _permutations(num_perm, seed)
    n = len(offsets) - 1
    out = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    present = offsets[1:] > offsets[:-1]
    if present.any():
        starts = offsets[:-1][present]
        mixed = _fmix32(np.asarray(values, dtype=np.uint32))
        rows = np.flatnonzero(present)
        for j in range(num_perm):
            out[rows, j] = np.minimum.reduceat(a[j] * mixed + b[j], starts)
    return out


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per LSH band of each signature (``rows`` values each): equal keys, equal band."""
    keys = np.zeros((len(signatures), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = keys * _BAND_MULT + signatures[:, r:bands * rows:rows].astype(np.uint64)
    return keys


def _sequence_keys(hashes: np.ndarray, counts: np.ndarray) -> list[str]:
    """A 128-bit key (hex) per word sequence: ``hashes`` holds the texts' word hashes one after the other,
    ``counts`` how many each has. Each half sums a mixed hash of every (word, position) of the text."""
    n = len(counts)
    starts = np.cumsum(counts) - counts
    position = (np.arange(len(hashes), dtype=np.int64) - np.repeat(starts, counts)).astype(np.uint64)
    parts = []
    with np.errstate(over="ignore"):
        for mult in _KEY_MULTS:
            term = (hashes.astype(np.uint64) + np.uint64(1)) * (position * mult + np.uint64(1)) * mult
            term ^= term >> np.uint64(31)
            total = np.zeros(n, dtype=np.uint64)
            present = counts > 0
            if present.any():
                total[present] = np.add.reduceat(term, starts[present])
            parts.append(total ^ (counts.astype(np.uint64) * mult))
    return [f"{a:016x}{b:016x}" for a, b in zip(parts[0].tolist(), parts[1].tolist())]


def candidate_pairs(keys: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Rows ``(i, j)``, ``i < j``, sharing a key in at least one band, at least one of them ``new``;
    each pair once. ``keys`` is ``(rows, bands)`` as from ``band_keys``."""
    found = []
    for column in keys.T:
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        run = np.cumsum(np.concatenate(([True], ordered[1:] != ordered[:-1]))) - 1
        size = np.bincount(run)
        with_new = np.bincount(run, weights=new[order]) > 0
        keep = (size[run] > 1) & with_new[run]
        members, member_run = order[keep], run[keep]
        for d in range(1, int(size[member_run].max()) if len(member_run) else 1):
            same = member_run[:-d] == member_run[d:]
            i, j = members[:-d][same], members[d:][same]
            wanted = new[i] | new[j]
            found.append(np.stack((np.minimum(i, j)[wanted], np.maximum(i, j)[wanted]), axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


class DuplicateIndex:
    """Groups of exact and near copies over a changing set of articles (see the module doc)."""

    def __init__(self, params: Params | None = None):
        self.params = params or Params()
        self._docs: dict[str, _Doc] = {}
        self._by_key: dict[str, set[str]] = {}
        self._group_of: dict[str, int] = {}  # article id -> group number (members of groups of 2+ only)
        self._members: dict[int, set[str]] = {}
        self._next_group = 0

    # -- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._docs

    def ids(self) -> list[str]:
        return list(self._docs)

    def group(self, article_id: str) -> Group | None:
        """The group ``article_id`` belongs to, or None when it has no copy (or is not indexed)."""
        number = self._group_of.get(article_id)
        return None if number is None else self._make_group(self._members[number])

    def first(self, article_id: str) -> str:
        """The first-published copy of ``article_id``'s group (itself without copies): what results collapse onto."""
        group = self.group(article_id)
        return group.first if group else article_id

    def groups(self) -> list[Group]:
        """Every group of two or more copies, in the order of their first publication."""
        out = [self._make_group(members) for members in self._members.values()]
        out.sort(key=lambda g: publication_order(self._docs[g.first].published, g.first))
        return out

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every pair of articles in one group, each once as (smaller id, larger id)."""
        for members in self._members.values():
            ordered = sorted(members)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    yield a, b

    def links(self) -> Iterator[tuple[str, str]]:
        """Every verified near pair, each once as (smaller id, larger id): with exact copies (which need
        no link), the edges groups are made of."""
        for a, doc in self._docs.items():
            for b in doc.neighbours:
                if a < b:
                    yield a, b

    def key(self, article_id: str) -> str:
        """The hash of an article's matching text: equal keys make exact copies."""
        return self._docs[article_id].key

    def similarity(self, a: str, b: str) -> Similarity:
        """How two indexed articles compare (what the check of a candidate pair looks at)."""
        return _compare(self._docs[a], self._docs[b])

    def _make_group(self, members: Iterable[str]) -> Group:
        ids = tuple(sorted(members, key=lambda i: publication_order(self._docs[i].published, i)))
        keys = {self._docs[i].key for i in ids}
        return Group(ids, "exact" if len(keys) == 1 else "near", ids[0])

    # -- matching text --------------------------------------------------------------------------

    def _features(self, records: list[Record]) -> list[_Doc]:
        """What each article is compared by: exact key, shingles, numbers, names, signature (in bulk)."""
        p = self.params
        bodies = [strip_boilerplate(r.body, r.publisher) for r in records]
        texts = [tokens(b) for b in bodies]
        hashes, lengths, owner = hash_texts(texts)
        n = len(records)
        shingles, shingle_offsets = shingles_of(hashes, lengths, p.shingle, owner, n)
        word_counts = np.bincount(np.repeat(owner, lengths), minlength=n)
        text_of = np.repeat(np.arange(n), word_counts)
        plain = (hashes & LOW32).astype(np.uint32)

        def flagged(bit: np.uint64) -> tuple[np.ndarray, np.ndarray]:
            chosen = (hashes & bit) != 0
            return distinct_per_text(text_of[chosen], plain[chosen], n)

        # Numbers: the number words and digit runs among the words, and the whole figures (with decimals).
        written = [figures(b) for b in bodies]
        figure_hashes = (word_hashes(list(chain.from_iterable(written))) & LOW32).astype(np.uint32)
        is_number = (hashes & NUMBER_BIT) != 0
        numbers, number_offsets = distinct_per_text(
            np.concatenate((text_of[is_number], np.repeat(np.arange(n), [len(w) for w in written]))),
            np.concatenate((plain[is_number], figure_hashes)), n)
        names, name_offsets = flagged(NAME_BIT)
        # The first paragraph with words, of each text.
        paragraph_of_word = np.repeat(np.arange(len(lengths)), lengths)
        firsts = np.full(n, -1)
        with_words = np.flatnonzero(lengths > 0)
        owners, at = np.unique(owner[with_words], return_index=True)
        firsts[owners] = with_words[at]
        in_lead = ((hashes & NAME_BIT) != 0) & (paragraph_of_word == firsts[text_of])
        lead, lead_offsets = distinct_per_text(text_of[in_lead], plain[in_lead], n)
        keys = _sequence_keys(plain, word_counts)
        docs = []
        for i, r in enumerate(records):
            short = word_counts[i] < p.min_words
            key = keys[i]
            if short:  # the title's words count too
                key = hashlib.blake2b(f"{key}\n{' '.join(words(r.title))}".encode(), digest_size=16).hexdigest()
            docs.append(_Doc(
                published=r.published, publisher=r.publisher, key=key,
                shingles=shingles[shingle_offsets[i]:shingle_offsets[i + 1]],
                numbers=numbers[number_offsets[i]:number_offsets[i + 1]],
                names=names[name_offsets[i]:name_offsets[i + 1]],
                lead=lead[lead_offsets[i]:lead_offsets[i + 1]],
                short=short,
            ))
        return docs

    def _verified(self, a: _Doc, b: _Doc) -> bool:
        """The check every LSH candidate pair passes before joining a group (see the module doc)."""
        p = self.params
        s = _compare(a, b, p)
        return s is not None and (s.missing_numbers <= p.missing_numbers and s.missing_names <= p.missing_names
                                  and s.missing_lead_names <= p.missing_lead_names)

    # -- changing -------------------------------------------------------------------------------

    def add(self, records: Iterable[Any]) -> list[str]:
        """Add articles (one with an id already indexed replaces it; the last of one id in ``records``
        counts); returns their ids. Only the new articles' LSH candidates are checked."""
        # Bulk work in batches, reading ``records`` once: a rebuild adds every article, and only the
        # batch's texts are held, not the archive's.
        latest: dict[str, _Doc] = {}
        stream = map(_as_record, records)
        while batch := list(islice(stream, BATCH)):
            for r, doc in zip(batch, self._features(batch)):
                latest[r.id] = doc
        self.remove([i for i in latest if i in self._docs])
        new = list(latest)
        for article_id, doc in latest.items():
            self._docs[article_id] = doc
            self._by_key.setdefault(doc.key, set()).add(article_id)
        self._link(set(new))
        for article_id in new:
            doc = self._docs[article_id]
            linked = set(doc.neighbours)
            # an exact copy joins through one of its copies (all of them are in one group)
            mates = self._by_key[doc.key]
            mate = next((m for m in mates if m != article_id and m in self._group_of), None)
            if mate is None:
                mate = next((m for m in mates if m != article_id), None)
            if mate is not None:
                linked.add(mate)
                linked |= self._docs[mate].neighbours
            linked.discard(article_id)
            if linked:
                self._join(article_id, linked)
        return new

    def _link(self, new: set[str]) -> None:
        """Verify the LSH candidate pairs that involve a new article; verified pairs become neighbours.
        Candidates whose MinHash estimate of Jaccard is far below ``Params.jaccard`` (more than three
        standard deviations of the estimate) are dropped before the real check."""
        # One article stands for each exact text (its copies share its signature, and join its group
        # through the key): a thousand identical texts cost one, not a million pairs.
        stands: dict[str, str] = {}
        fresh_keys: set[str] = set()
        for i, d in self._docs.items():
            if not d.short:
                if d.key not in stands or (i in new and stands[d.key] not in new):
                    stands[d.key] = i
                if i in new:
                    fresh_keys.add(d.key)
        ids = list(stands.values())
        if not ids or not new:
            return
        docs = [self._docs[i] for i in ids]
        self._sign([d for d in docs if d.signature is None])
        is_new = np.fromiter((self._docs[i].key in fresh_keys for i in ids), dtype=bool, count=len(ids))
        pairs = candidate_pairs(np.stack([d.bands for d in docs]), is_new)
        signatures = np.stack([d.signature for d in docs])
        estimate = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
        floor = self.params.jaccard - 3 * math.sqrt(0.25 / self.params.num_perm)
        for i, j in pairs[estimate >= floor].tolist():
            a, b = docs[i], docs[j]
            if a.key != b.key and self._verified(a, b):
                a.neighbours.add(ids[j])
                b.neighbours.add(ids[i])

    def _sign(self, docs: list[_Doc]) -> None:
        """Give ``docs`` their MinHash signatures and LSH band keys (all at once)."""
        if not docs:
            return
        p = self.params
        for lo in range(0, len(docs), BATCH):
            batch = docs[lo:lo + BATCH]
            offsets = np.cumsum([0] + [len(d.shingles) for d in batch], dtype=np.int64)
            signatures = minhash_signatures(np.concatenate([d.shingles for d in batch]), offsets, p.num_perm, p.seed)
            for d, signature, bands in zip(batch, signatures, band_keys(signatures, p.bands, p.rows)):
                d.signature, d.bands = signature, bands

    def _join(self, article_id: str, linked: set[str]) -> None:
        numbers = {self._group_of[i] for i in linked if i in self._group_of}
        if numbers:
            target = max(numbers, key=lambda n: len(self._members[n]))
            numbers.discard(target)
        else:
            target = self._next_group
            self._next_group += 1
            self._members[target] = set()
        members = self._members[target]
        for n in numbers:
            for i in self._members.pop(n):
                self._group_of[i] = target
                members.add(i)
        for i in linked | {article_id}:
            self._group_of[i] = target
            members.add(i)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove articles by id; returns the ids that were indexed. Only the groups they leave are re-split."""
        removed = []
        for article_id in ids:
            doc = self._docs.pop(article_id, None)
            if doc is None:
                continue
            removed.append(article_id)
            mates = self._by_key[doc.key]
            mates.discard(article_id)
            if not mates:
                del self._by_key[doc.key]
            for other in doc.neighbours:
                self._docs[other].neighbours.discard(article_id)
            number = self._group_of.pop(article_id, None)
            if number is not None:
                rest = self._members.pop(number)
                rest.discard(article_id)
                for i in rest:
                    del self._group_of[i]
                self._regroup(rest)
        return removed

    def _regroup(self, ids: set[str]) -> None:
        """Connected components of ``ids`` under exact keys and verified pairs, as new groups."""
        left = set(ids)
        while left:
            start = left.pop()
            component, stack = {start}, [start]
            keys_seen: set[str] = set()
            while stack:
                doc = self._docs[stack.pop()]
                others = doc.neighbours
                if doc.key not in keys_seen:  # an exact text's copies, once per text
                    keys_seen.add(doc.key)
                    others = others | self._by_key[doc.key]
                for other in others:
                    if other in left:
                        left.discard(other)
                        component.add(other)
                        stack.append(other)
            if len(component) > 1:
                number = self._next_group
                self._next_group += 1
                self._members[number] = component
                for i in component:
                    self._group_of[i] = number

    # -- files ----------------------------------------------------------------------------------

    def save(self, directory: str | os.PathLike) -> Path:
        """Write ``duplicates.json`` and ``duplicates.npz`` into ``directory``; returns the JSON's path."""
        directory = Path(directory)
        ids = list(self._docs)
        slot = {i: n for n, i in enumerate(ids)}
        docs = [self._docs[i] for i in ids]
        token = secrets.token_hex(8)
        arrays = {
            "token": np.frombuffer(bytes.fromhex(token), dtype=np.uint8),
            "short": np.array([d.short for d in docs], dtype=bool),
        }
        for name in _SETS:
            parts = [getattr(d, name) for d in docs]
            arrays[name] = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
            arrays[f"{name}_offsets"] = np.cumsum([0] + [len(x) for x in parts], dtype=np.int64)
        meta = {
            "format": FORMAT,
            "token": token,
            "params": dataclasses.asdict(self.params),
            "ids": ids,
            "published": [d.published.isoformat() if d.published else None for d in docs],
            "publisher": [d.publisher for d in docs],
            "keys": [d.key for d in docs],
            "pairs": sorted((slot[a], slot[b]) for a in ids for b in self._docs[a].neighbours if slot[a] < slot[b]),
            "groups": [g.to_json() for g in self.groups()],
        }
        tmp_arrays = directory / f".{ARRAYS_FILE}.{token}.tmp"
        tmp_json = directory / f".{JSON_FILE}.{token}.tmp"
        try:
            with open(tmp_arrays, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            with open(tmp_json, "w", encoding="utf-8") as f:
                json.dump(meta, f, ensure_ascii=False, separators=(",", ":"))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_arrays, directory / ARRAYS_FILE)
            os.replace(tmp_json, directory / JSON_FILE)
        finally:
            tmp_arrays.unlink(missing_ok=True)
            tmp_json.unlink(missing_ok=True)
        return directory / JSON_FILE

    @classmethod
    def load(cls, directory: str | os.PathLike) -> "DuplicateIndex":
        """The index saved in ``directory`` (FileNotFoundError when there is none)."""
        directory = Path(directory)
        meta = _read_meta(directory)
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
        if arrays["token"].tobytes().hex() != meta["token"]:
            raise DuplicatesFileError(f"{directory}: {JSON_FILE} and {ARRAYS_FILE} are from different saves")
        index = cls(Params(**meta["params"]))
        sets = {name: (arrays[name], arrays[f"{name}_offsets"]) for name in _SETS}
        for n, article_id in enumerate(meta["ids"]):
            published = meta["published"][n]
            doc = _Doc(
                published=dt.datetime.fromisoformat(published) if published else None,
                publisher=meta["publisher"][n],
                key=meta["keys"][n],
                short=bool(arrays["short"][n]),
                **{name: values[offsets[n]:offsets[n + 1]] for name, (values, offsets) in sets.items()},
            )
            index._docs[article_id] = doc
            index._by_key.setdefault(doc.key, set()).add(article_id)
        ids = meta["ids"]
        for a, b in meta["pairs"]:
            index._docs[ids[a]].neighbours.add(ids[b])
            index._docs[ids[b]].neighbours.add(ids[a])
        index._regroup(set(index._docs))
        return index


def read_groups(directory: str | os.PathLike) -> list[Group]:
    """The groups saved in ``directory``, from ``duplicates.json`` alone (what collapsing results needs,
    without the arrays); FileNotFoundError when there are none."""
    return [Group(tuple(g["ids"]), g["kind"], g["first"]) for g in _read_meta(Path(directory))["groups"]]


def _read_meta(directory: Path) -> dict[str, Any]:
    with open(directory / JSON_FILE, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("format") != FORMAT:
        raise DuplicatesFileError(f"{directory / JSON_FILE}: unknown format {meta.get('format')!r}")
    return meta


# -- with an index generation ------------------------------------------------------------------

DUPLICATES_DIR = "DUPLICATES-{toc}"  # one folder per commit of a generation (index add/delete commit)


def latest_saved(gen_dir: Path | None) -> Path | None:
    """The newest commit's folder of duplicate groups in an index generation, if any."""
    if gen_dir is None:
        return None
    found = [(int(p.name.rsplit("-", 1)[1]), p) for p in gen_dir.glob("DUPLICATES-*")
             if p.is_dir() and p.name.rsplit("-", 1)[1].isdigit() and (p / JSON_FILE).exists()]
    return max(found)[1] if found else None


def finalizer(previous_dir: Path | None):
    """What `index build`/`add`/`delete` run after each commit (GenerationWriter.finalizers): the
    groups of the previous commit, updated with what this one added and removed (a rebuild groups its
    articles from scratch; an index without groups yet reads every article once)."""

    def finalize(commit) -> None:
        index = None
        if not commit.complete:
            saved = latest_saved(previous_dir)
            try:
                index = DuplicateIndex.load(saved) if saved is not None else None
            except (OSError, ValueError, KeyError):
                index = None
        if index is None:
            index = DuplicateIndex()
            index.add(commit.added if commit.complete else commit.articles())
        else:
            index.remove(sorted(commit.removed))
            index.add(commit.added)
        out = commit.index_dir / DUPLICATES_DIR.format(toc=commit.toc)
        out.mkdir(exist_ok=True)
        index.save(out)

    return finalize


def saved_groups(store, searcher) -> list[Group]:
    """The duplicate groups of the generation ``searcher`` reads ([] for an index without them)."""
    try:
        return read_groups(store.generation_file(searcher, DUPLICATES_DIR))
    except (OSError, ValueError, KeyError):
        return []
