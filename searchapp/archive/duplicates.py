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
re-splits only the group it leaves. ``save(directory)`` writes three files into an index
generation folder, ``duplicates.json`` (parameters, ids, dates, publishers, exact keys, verified pairs)
and ``duplicates.npz`` (the sets of shingle, number and name hashes as plain arrays, loaded without
pickle; signatures are remade from the shingles when an ``add`` needs them), and ``groups.json`` (the
groups alone); the JSON names a random token the arrays must carry, so a half-written pair is refused
on load. ``read_groups(directory)`` reads the groups alone, for the side that collapses results.

Memory: a rebuild's finalizer gives the index a folder to ``spill`` into, and the articles' sets of
hashes go there (a file per batch of 5,000) while only their signatures and band keys stay in memory
(256 bytes an article); candidate pairs are screened band by band. A million synthetic articles group
in 843 MB (``python -m bench.duplicates_memory --sizes 1m``; 2.8 GB as objects per article).
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
import shutil
import sys
import tempfile
import zipfile
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from searchapp.archive.text import (LOW32, NAME_BIT, NUMBER_BIT, distinct_per_text, figures, hash_texts,
                                    strip_boilerplate, tokens, word_hashes, words)
from searchapp.archive.text import shingles as shingles_of

JSON_FILE = "duplicates.json"
ARRAYS_FILE = "duplicates.npz"
GROUPS_FILE = "groups.json"  # the groups alone (a copy of the JSON's), what collapsing results reads
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


def _compare(a: "_Sets", b: "_Sets", params: Params | None = None) -> Similarity | None:
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


def band_pairs(keys: np.ndarray | Iterable[np.ndarray], new: np.ndarray) -> Iterator[np.ndarray]:
    """The pairs of rows sharing a key in an LSH band, at least one of them ``new``, as one integer each
    (``i * len(new) + j``, ``i < j``), band after band in pieces (each pair once within a band, maybe
    again in another: a big bucket is never held whole). ``keys`` is ``(rows, bands)`` as from
    ``band_keys``, or the bands' columns one by one."""
    n = len(new)
    for column in (keys.T if isinstance(keys, np.ndarray) else keys):
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        run = np.cumsum(np.concatenate(([True], ordered[1:] != ordered[:-1]))) - 1
        size = np.bincount(run)
        with_new = np.bincount(run, weights=new[order]) > 0
        keep = (size[run] > 1) & with_new[run]
        members, member_run = order[keep], run[keep]
        for d in range(1, int(size[member_run].max()) if len(member_run) else 1):  # members d apart in a bucket
            same = member_run[:-d] == member_run[d:]
            i, j = members[:-d][same], members[d:][same]
            wanted = new[i] | new[j]
            yield np.minimum(i, j)[wanted].astype(np.int64) * n + np.maximum(i, j)[wanted]


def candidate_pairs(keys: np.ndarray | Iterable[np.ndarray], new: np.ndarray) -> np.ndarray:
    """Rows ``(i, j)``, ``i < j``, sharing a key in at least one band, at least one of them ``new``;
    each pair once, in order (what ``datasketch.MinHashLSH`` buckets give)."""
    codes = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *band_pairs(keys, new)]))
    return np.stack((codes // len(new), codes % len(new)), axis=1)


_PAIR_BLOCK = 50_000  # candidate pairs screened at once (their signatures: 13 MB)


class _Sets(NamedTuple):
    """The sets of hashes one article is compared by (views into its chunk's arrays)."""

    shingles: np.ndarray  # sorted distinct uint32
    numbers: np.ndarray  # sorted distinct uint32 hashes of the numbers
    names: np.ndarray  # sorted distinct uint32 hashes of the capitalised words
    lead: np.ndarray  # the same for the first paragraph


class _Chunk:
    """Articles added together (a batch of a rebuild, an `index add`, a saved index loaded): each set of
    hashes end to end with offsets, and the MinHash signatures and LSH band keys, made when first
    needed. A few arrays per chunk rather than objects per article: a million articles' features held
    as Python objects cost about 3 GB. A chunk may keep its sets in a file instead (`spill`): a
    rebuild then holds only signatures and band keys for every article, and reads the sets of the few
    candidate pairs it checks."""

    def __init__(self, start: int, sets: dict[str, tuple[np.ndarray, np.ndarray]], rows: int):
        self.start = start  # the slot of its first article
        self.offsets = {name: offsets for name, (_, offsets) in sets.items()}
        self.values: dict[str, np.ndarray] | None = {name: values for name, (values, _) in sets.items()}
        self.path: Path | None = None  # the file of its sets' values, once spilled
        self.row_start: np.ndarray | None = None  # where each row's sets begin in that file (in values)
        self.rows = rows
        self.signatures: np.ndarray | None = None  # (rows, num_perm) uint16: low bits, for the estimate
        self.bands: np.ndarray | None = None  # (rows, bands) uint32: folded band keys

    def spill(self, path: Path) -> None:
        """The sets' values to ``path``, out of memory: row after row, each row's four sets together,
        so that a candidate's sets are one read (a read, not a map: pages of a mapped file read once
        would stay counted in the process's memory)."""
        row_len = sum(np.diff(self.offsets[name]) for name in _SETS)
        self.row_start = np.cumsum(row_len) - row_len
        out = np.empty(int(row_len.sum()), dtype=np.uint32)
        for name in _SETS:
            out[self._positions(name)] = self.values_of(name)
        out.tofile(path)
        self.path, self.values = path, None

    def _positions(self, name: str) -> np.ndarray:
        """Where one set's values lie in the spilled file, row after row."""
        before = sum((np.diff(self.offsets[n]) for n in _SETS[:_SETS.index(name)]), self.row_start)
        return _positions(before, np.diff(self.offsets[name]))

    def values_of(self, name: str) -> np.ndarray:
        """One set's values, every row's, end to end."""
        offsets = self.offsets[name]
        if self.values is not None:
            return self.values[name][offsets[0]:offsets[-1]]
        return np.fromfile(self.path, dtype=np.uint32)[self._positions(name)]

    def sets_of(self, row: int) -> _Sets:
        bounds = [(int(self.offsets[n][row]), int(self.offsets[n][row + 1])) for n in _SETS]
        if self.values is not None:
            return _Sets(*(self.values[n][lo:hi] for n, (lo, hi) in zip(_SETS, bounds)))
        cuts = np.cumsum([0] + [hi - lo for lo, hi in bounds]).tolist()
        fd = os.open(self.path, os.O_RDONLY)  # a few microseconds; no descriptor outlives the read
        try:
            stored = np.frombuffer(os.pread(fd, cuts[-1] * 4, int(self.row_start[row]) * 4), dtype=np.uint32)
        finally:
            os.close(fd)
        return _Sets(*(stored[a:b] for a, b in zip(cuts, cuts[1:])))

    def sign(self, p: Params) -> None:
        """The signatures and band keys of every row, a batch at a time. Both are kept narrow: a band key
        folded to 32 bits only merges buckets (more candidates, each still checked), and 16 bits of each
        MinHash value only make the estimate that screens candidates a little generous."""
        if self.signatures is not None:
            return
        values, offsets = self.values_of("shingles"), self.offsets["shingles"]
        signatures = np.zeros((self.rows, p.num_perm), dtype=np.uint16)
        bands = np.zeros((self.rows, p.bands), dtype=np.uint32)
        for lo in range(0, self.rows, BATCH):
            hi = min(self.rows, lo + BATCH)
            cut = offsets[lo:hi + 1]
            full = minhash_signatures(values[cut[0]:cut[-1]], cut - cut[0], p.num_perm, p.seed)
            keys = band_keys(full, p.bands, p.rows)
            signatures[lo:hi] = full & np.uint32(0xFFFF)
            bands[lo:hi] = (keys ^ (keys >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
        self.signatures, self.bands = signatures, bands


def _features(records: list[Record], p: Params) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[str], list[bool]]:
    """What each article is compared by, in bulk: its sets of hashes (values and offsets), its exact
    key, and whether it is too short for a near copy."""
    bodies = [strip_boilerplate(r.body, r.publisher) for r in records]
    texts = [tokens(b) for b in bodies]
    hashes, lengths, owner = hash_texts(texts)
    n = len(records)
    shingles = shingles_of(hashes, lengths, p.shingle, owner, n)
    word_counts = np.bincount(np.repeat(owner, lengths), minlength=n)
    text_of = np.repeat(np.arange(n), word_counts)
    plain = (hashes & LOW32).astype(np.uint32)
    # Numbers: the number words and digit runs among the words, and the whole figures (with decimals).
    written = [figures(b) for b in bodies]
    figure_hashes = (word_hashes(list(chain.from_iterable(written))) & LOW32).astype(np.uint32)
    is_number = (hashes & NUMBER_BIT) != 0
    numbers = distinct_per_text(np.concatenate((text_of[is_number], np.repeat(np.arange(n), [len(w) for w in written]))),
                                np.concatenate((plain[is_number], figure_hashes)), n)
    is_name = (hashes & NAME_BIT) != 0
    names = distinct_per_text(text_of[is_name], plain[is_name], n)
    # The first paragraph with words, of each text.
    paragraph_of_word = np.repeat(np.arange(len(lengths)), lengths)
    firsts = np.full(n, -1)
    with_words = np.flatnonzero(lengths > 0)
    owners, at = np.unique(owner[with_words], return_index=True)
    firsts[owners] = with_words[at]
    in_lead = is_name & (paragraph_of_word == firsts[text_of])
    lead = distinct_per_text(text_of[in_lead], plain[in_lead], n)
    keys, short = [], []
    for r, key, count in zip(records, _sequence_keys(plain, word_counts), word_counts.tolist()):
        short.append(count < p.min_words)
        if short[-1]:  # the title's words count too
            key = hashlib.blake2b(f"{key}\n{' '.join(words(r.title))}".encode(), digest_size=16).hexdigest()
        keys.append(key)
    return dict(zip(_SETS, (shingles, numbers, names, lead))), keys, short


class DuplicateIndex:
    """Groups of exact and near copies over a changing set of articles (see the module doc).

    Articles live in slots, numbered as they are added (a replaced or removed article's slot is left
    empty until the next save): their features in chunks of arrays, their ids, dates, publishers and
    keys in lists by slot. Only what is sparse is kept per id: exact copies (by key), verified near
    copies and groups."""

    def __init__(self, params: Params | None = None, spill: str | os.PathLike | None = None):
        """``spill``: a folder (the caller's, removed by it) where the features of the articles added
        are kept instead of memory."""
        self.params = params or Params()
        self._spill = Path(spill) if spill is not None else None
        self._chunks: list[_Chunk] = []
        self._starts: list[int] = []  # each chunk's first slot
        self._ids: list[str | None] = []  # slot -> article id (None: an empty slot)
        self._published: list[dt.datetime | None] = []
        self._publisher: list[str] = []
        self._keys: list[str | None] = []
        self._short = bytearray()
        self._slot: dict[str, int] = {}
        self._by_key: dict[str, str | set[str]] = {}  # key -> its article, or a set of its exact copies
        self._neighbours: dict[str, set[str]] = {}  # verified near copies
        self._group_of: dict[str, int] = {}  # article id -> group number (members of groups of 2+ only)
        self._members: dict[int, set[str]] = {}
        self._next_group = 0

    # -- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._slot

    def ids(self) -> list[str]:
        return list(self._slot)

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
        out.sort(key=lambda g: self._order(g.first))
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
        for a, others in self._neighbours.items():
            for b in others:
                if a < b:
                    yield a, b

    def key(self, article_id: str) -> str:
        """The hash of an article's matching text: equal keys make exact copies."""
        return self._keys[self._slot[article_id]]

    def similarity(self, a: str, b: str) -> Similarity:
        """How two indexed articles compare (what the check of a candidate pair looks at)."""
        return _compare(self._sets(self._slot[a]), self._sets(self._slot[b]))

    def _order(self, article_id: str) -> tuple:
        return publication_order(self._published[self._slot[article_id]], article_id)

    def _make_group(self, members: Iterable[str]) -> Group:
        ids = tuple(sorted(members, key=self._order))
        keys = {self.key(i) for i in ids}
        return Group(ids, "exact" if len(keys) == 1 else "near", ids[0])

    def _sets(self, slot: int) -> _Sets:
        chunk = self._chunks[bisect_right(self._starts, slot) - 1]
        return chunk.sets_of(slot - chunk.start)

    def _copies(self, key: str) -> set[str]:
        """The articles with this exact key."""
        found = self._by_key.get(key)
        if found is None:
            return set()
        return {found} if isinstance(found, str) else found

    def _gather(self, name: str, slots: np.ndarray, column: int | None = None) -> np.ndarray:
        """Rows (or one column) of the chunks' ``name`` arrays (signatures, bands) for ``slots``."""
        chunk_of = np.searchsorted(self._starts, slots, side="right") - 1
        out = None
        for c in np.unique(chunk_of).tolist():
            chunk = self._chunks[c]
            pick = chunk_of == c
            table = getattr(chunk, name)
            rows = slots[pick] - chunk.start
            values = table[rows] if column is None else table[rows, column]
            if out is None:
                out = np.empty((len(slots),) + values.shape[1:], dtype=values.dtype)
            out[pick] = values
        return out

    def _verified(self, a: _Sets, b: _Sets) -> bool:
        """The check every LSH candidate pair passes before joining a group (see the module doc)."""
        p = self.params
        s = _compare(a, b, p)
        return s is not None and (s.missing_numbers <= p.missing_numbers and s.missing_names <= p.missing_names
                                  and s.missing_lead_names <= p.missing_lead_names)

    # -- changing -------------------------------------------------------------------------------

    def _append(self, records: list[Record]) -> None:
        """New slots for ``records``, with their features (not yet indexed by id or key)."""
        sets, keys, short = _features(records, self.params)
        chunk = _Chunk(len(self._ids), sets, len(records))
        if self._spill is not None:
            chunk.sign(self.params)  # now, while the shingles are in memory
            chunk.spill(self._spill / f"chunk-{len(self._chunks)}.u32")
        self._starts.append(chunk.start)
        self._chunks.append(chunk)
        self._ids += [r.id for r in records]
        self._published += [r.published for r in records]
        self._publisher += [sys.intern(r.publisher) for r in records]
        self._keys += keys
        self._short += bytes(short)

    def _empty(self, slot: int) -> None:
        self._ids[slot] = self._keys[slot] = self._published[slot] = None
        self._publisher[slot] = ""

    def add(self, records: Iterable[Any]) -> list[str]:
        """Add articles (one with an id already indexed replaces it; the last of one id in ``records``
        counts); returns their ids. Only the new articles' LSH candidates are checked."""
        # Bulk work in batches, reading ``records`` once: a rebuild adds every article, and only the
        # batch's texts are held, not the archive's.
        begin = len(self._ids)
        stream = map(_as_record, records)
        while batch := list(islice(stream, BATCH)):
            self._append(batch)
        latest: dict[str, int] = {}
        for slot in range(begin, len(self._ids)):  # an id's last copy, at its first place
            earlier = latest.get(self._ids[slot])
            if earlier is not None:
                self._empty(earlier)
            latest[self._ids[slot]] = slot
        self.remove([i for i in latest if i in self._slot])
        for article_id, slot in latest.items():
            self._slot[article_id] = slot
            self._key_add(self._keys[slot], article_id)
        new = list(latest)
        self._link(latest)
        for article_id in new:
            linked = set(self._neighbours.get(article_id, ()))
            # an exact copy joins through one of its copies (all of them are in one group)
            mates = self._copies(self._keys[latest[article_id]])
            mate = next((m for m in mates if m != article_id and m in self._group_of), None)
            if mate is None:
                mate = next((m for m in mates if m != article_id), None)
            if mate is not None:
                linked.add(mate)
                linked |= self._neighbours.get(mate, set())
            linked.discard(article_id)
            if linked:
                self._join(article_id, linked)
        return new

    def _key_add(self, key: str, article_id: str) -> None:
        found = self._by_key.get(key)
        if found is None:
            self._by_key[key] = article_id
        elif isinstance(found, str):
            self._by_key[key] = {found, article_id}
        else:
            found.add(article_id)

    def _key_discard(self, key: str, article_id: str) -> None:
        found = self._by_key.get(key)
        if found == article_id:
            del self._by_key[key]
        elif isinstance(found, set):
            found.discard(article_id)
            if len(found) == 1:
                self._by_key[key] = next(iter(found))

    def _link(self, new: dict[str, int]) -> None:
        """Verify the LSH candidate pairs that involve a new article; verified pairs become neighbours.
        Candidates whose MinHash estimate of Jaccard is far below ``Params.jaccard`` (more than three
        standard deviations of the estimate) are dropped before the real check."""
        if not new:
            return
        # One article stands for each exact text (its copies share its signature, and join its group
        # through the key): a thousand identical texts cost one, not a million pairs. A new one stands
        # for its text when there is one.
        stands, fresh = array("q"), bytearray()
        for found in self._by_key.values():
            if isinstance(found, str):
                slot = self._slot[found]
                if not self._short[slot]:
                    stands.append(slot)
                    fresh.append(found in new)
                continue
            slots = sorted(self._slot[i] for i in found)
            if self._short[slots[0]]:
                continue
            slots_new = [s for s in slots if self._ids[s] in new]
            stands.append((slots_new or slots)[0])
            fresh.append(bool(slots_new))
        if not stands:
            return
        slots = np.frombuffer(stands, dtype=np.int64)
        is_new = np.frombuffer(fresh, dtype=np.uint8).astype(bool)
        for c in np.unique(np.searchsorted(self._starts, slots, side="right") - 1).tolist():
            self._chunks[c].sign(self.params)
        # Band by band, each band's pairs screened by their signatures as they come: the bands' pairs
        # grow with the square of the articles (millions at a million), and only the few that pass
        # the screen are kept and made distinct.
        n = len(slots)
        floor = self.params.jaccard - 3 * math.sqrt(0.25 / self.params.num_perm)
        passed = []
        columns = (self._gather("bands", slots, b) for b in range(self.params.bands))
        for codes in band_pairs(columns, is_new):
            for lo in range(0, len(codes), _PAIR_BLOCK):  # a block's signatures at a time
                block = codes[lo:lo + _PAIR_BLOCK]
                a, b = slots[block // n], slots[block % n]
                same = self._gather("signatures", a) == self._gather("signatures", b)
                passed.append(block[same.mean(axis=1) >= floor])
        for code in np.unique(np.concatenate(passed)).tolist() if passed else ():
            a, b = int(slots[code // n]), int(slots[code % n])
            if self._verified(self._sets(a), self._sets(b)):
                self._neighbours.setdefault(self._ids[a], set()).add(self._ids[b])
                self._neighbours.setdefault(self._ids[b], set()).add(self._ids[a])

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
            slot = self._slot.pop(article_id, None)
            if slot is None:
                continue
            removed.append(article_id)
            self._key_discard(self._keys[slot], article_id)
            for other in self._neighbours.pop(article_id, ()):
                others = self._neighbours[other]
                others.discard(article_id)
                if not others:
                    del self._neighbours[other]
            self._empty(slot)
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
                current = stack.pop()
                key = self._keys[self._slot[current]]
                others = self._neighbours.get(current, set())
                if key not in keys_seen:  # an exact text's copies, once per text
                    keys_seen.add(key)
                    others = others | self._copies(key)
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
        """Write ``duplicates.json`` and ``duplicates.npz`` into ``directory``; returns the JSON's path.
        The arrays are written a chunk at a time, never gathered into one copy."""
        directory = Path(directory)
        ids, slots = list(self._slot), list(self._slot.values())
        position = {i: n for n, i in enumerate(ids)}
        token = secrets.token_hex(8)
        meta = {
            "format": FORMAT,
            "token": token,
            "params": dataclasses.asdict(self.params),
            "ids": ids,
            "published": [self._published[s].isoformat() if self._published[s] else None for s in slots],
            "publisher": [self._publisher[s] for s in slots],
            "keys": [self._keys[s] for s in slots],
            "pairs": sorted(tuple(sorted((position[a], position[b]))) for a, b in self.links()),
            "groups": [g.to_json() for g in self.groups()],
        }
        # The groups alone too, for the side that collapses results: the whole JSON holds every
        # article's id and key (hundreds of MB as Python objects at a million articles). Written before
        # the JSON, which marks the save complete.
        written = [(ARRAYS_FILE, lambda f: self._write_arrays(f, token, np.array(slots, dtype=np.int64)), "wb"),
                   (GROUPS_FILE, lambda f: json.dump({"format": FORMAT, "token": token, "groups": meta["groups"]}, f,
                                                     ensure_ascii=False, separators=(",", ":")), "w"),
                   (JSON_FILE, lambda f: json.dump(meta, f, ensure_ascii=False, separators=(",", ":")), "w")]
        temporary = [directory / f".{name}.{token}.tmp" for name, _, _ in written]
        try:
            for (name, write, mode), tmp in zip(written, temporary):
                with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
                    write(f)
                    f.flush()
                    os.fsync(f.fileno())
            for (name, _, _), tmp in zip(written, temporary):
                os.replace(tmp, directory / name)
        finally:
            for tmp in temporary:
                tmp.unlink(missing_ok=True)
        return directory / JSON_FILE

    def _write_arrays(self, f, token: str, slots: np.ndarray) -> None:
        """The arrays of ``slots`` (in that order) as an .npz (what ``np.savez`` writes), each set's values
        streamed a run of ascending slots of one chunk at a time: a chunk at a time, unless an id given
        twice to one ``add`` keeps its first place with its last copy's slot."""
        chunk_of = np.searchsorted(self._starts, slots, side="right") - 1
        breaks = np.flatnonzero((np.diff(chunk_of) != 0) | (np.diff(slots) <= 0)) + 1
        live = [(self._chunks[chunk_of[run[0]]], slots[run] - self._chunks[chunk_of[run[0]]].start)
                for run in np.split(np.arange(len(slots)), breaks) if len(run)]
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
            def put(name: str, dtype, total: int, parts: Iterable[np.ndarray]) -> None:
                with z.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array_header_1_0(member, {
                        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
                        "shape": (total,)})
                    for part in parts:
                        member.write(np.ascontiguousarray(part, dtype=dtype).tobytes())

            put("token", np.uint8, 8, [np.frombuffer(bytes.fromhex(token), dtype=np.uint8)])
            put("short", bool, len(slots), [np.frombuffer(self._short, dtype=np.uint8)[slots].astype(bool)])
            for name in _SETS:
                lengths = [np.diff(chunk.offsets[name])[rows] for chunk, rows in live]
                put(name + "_offsets", np.int64, len(slots) + 1,
                    [np.zeros(1, dtype=np.int64), np.cumsum(np.concatenate(lengths) if lengths else [], dtype=np.int64)])
                total = int(sum(int(x.sum()) for x in lengths))
                put(name, np.uint32, total, (_rows_of(chunk.values_of(name), chunk.offsets[name], rows)
                                             for chunk, rows in live))

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
        ids = meta["ids"]
        index._starts.append(0)
        index._chunks.append(_Chunk(0, {name: (arrays[name], arrays[f"{name}_offsets"]) for name in _SETS}, len(ids)))
        index._ids = list(ids)
        index._published = [dt.datetime.fromisoformat(p) if p else None for p in meta["published"]]
        index._publisher = [sys.intern(p) for p in meta["publisher"]]
        index._keys = list(meta["keys"])
        index._short = bytearray(arrays["short"].astype(np.uint8).tobytes())
        for slot, (article_id, key) in enumerate(zip(ids, index._keys)):
            index._slot[article_id] = slot
            index._key_add(key, article_id)
        for a, b in meta["pairs"]:
            index._neighbours.setdefault(ids[a], set()).add(ids[b])
            index._neighbours.setdefault(ids[b], set()).add(ids[a])
        index._regroup(set(ids))
        return index


def _positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every position of the runs ``starts[i] .. starts[i] + lengths[i]``, run after run."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(lengths) - lengths), lengths) + np.arange(
        int(lengths.sum()), dtype=np.int64)


def _rows_of(values: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The values of ``rows`` (ascending) of a set (``values``: every row's, end to end), end to end."""
    if len(rows) == len(offsets) - 1:
        return values
    keep = np.zeros(len(offsets) - 1, dtype=bool)
    keep[rows] = True
    return values[np.repeat(keep, np.diff(offsets))]


def read_groups(directory: str | os.PathLike) -> list[Group]:
    """The groups saved in ``directory`` (what collapsing results needs: ``groups.json``, or for a save
    older than that file, ``duplicates.json``); FileNotFoundError when there are none."""
    directory = Path(directory)
    if not (directory / JSON_FILE).exists():
        raise FileNotFoundError(directory / JSON_FILE)
    try:
        with open(directory / GROUPS_FILE, encoding="utf-8") as f:
            saved = json.load(f)
        if saved.get("format") != FORMAT:
            raise DuplicatesFileError(f"{directory / GROUPS_FILE}: unknown format {saved.get('format')!r}")
    except FileNotFoundError:
        saved = _read_meta(directory)
    return [Group(tuple(g["ids"]), g["kind"], g["first"]) for g in saved["groups"]]


def _read_meta(directory: Path) -> dict[str, Any]:
    with open(directory / JSON_FILE, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("format") != FORMAT:
        raise DuplicatesFileError(f"{directory / JSON_FILE}: unknown format {meta.get('format')!r}")
    return meta


# -- with an index generation ------------------------------------------------------------------

DUPLICATES_DIR = "DUPLICATES-{toc}"  # one folder per commit of a generation (index add/delete commit)
SPILL_PREFIX = ".duplicates-"  # a rebuild's features while it groups them (DuplicateIndex spill)


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
        out = commit.index_dir / DUPLICATES_DIR.format(toc=commit.toc)
        # every article's features in files beside the index while they are grouped (a rebuild of a
        # million articles would hold a gigabyte of them), copied into the saved arrays at the end
        for stale in commit.index_dir.glob(SPILL_PREFIX + "*"):  # a finalizer that died (they run under the
            shutil.rmtree(stale, ignore_errors=True)              # write lock, so no other is at work here)
        with tempfile.TemporaryDirectory(prefix=SPILL_PREFIX, dir=commit.index_dir) as spill:
            if index is None:
                index = DuplicateIndex(spill=spill)
                index.add(commit.added if commit.complete else commit.articles())
            else:
                index.remove(sorted(commit.removed))
                index.add(commit.added)
            out.mkdir(exist_ok=True)
            index.save(out)

    return finalize


def saved_groups(store, searcher) -> list[Group]:
    """The duplicate groups of the generation ``searcher`` reads ([] for an index without them)."""
    try:
        return read_groups(store.generation_file(searcher, DUPLICATES_DIR))
    except (OSError, ValueError, KeyError):
        return []
