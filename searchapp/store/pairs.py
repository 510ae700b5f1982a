"""Adjacent word pairs, hashed into buckets: what answers phrase queries without positions.

A text's pairs of adjacent terms are indexed in a pair field (``title_pairs`` ...): each pair hashed
(blake2b, stable across processes and machines) to one of a few thousand bucket terms, the rest of
the hash kept as the posting's weight. A phrase is then the documents having each of its pairs with
the right weight (store/ranking.py).
"""
from __future__ import annotations

from hashlib import blake2b
from typing import Iterable

import numpy as np


def pairs_of(terms_at: Iterable[tuple[int, str]], buckets: int) -> np.ndarray:
    """(position, term) in any order  ->  the packed keys (`PairKeys`) of the pairs of terms at adjacent
    positions (stop words are already gone and positions renumbered across them, as in the phrase the
    user types). The terms are laid out in a list by position: a dict of a million positions took 60 MB."""
    seq: list[str | None] = []
    for pos, term in terms_at:
        if pos >= len(seq):
            seq.extend([None] * (pos + 1 - len(seq)))
        seq[pos] = term
    return np.fromiter((_packed_pair_key(a, b, buckets) for a, b in zip(seq, seq[1:])
                        if a is not None and b is not None), dtype=np.int64)


def pair_key(first: str, second: str, buckets: int) -> tuple[bytes, int]:
    """(bucket term, weight) of a word pair, from a stable 64-bit hash: its remainder picks the bucket,
    24 bits above those the weight, an integer the index's 32-bit float weights hold exactly."""
    return _unpack(_packed_pair_key(first, second, buckets))


def _packed_pair_key(first: str, second: str, buckets: int) -> int:
    """`pair_key` as one integer: bucket << 24 | weight."""
    h = int.from_bytes(blake2b(f"{first} {second}".encode("utf-8"), digest_size=8).digest(), "big")
    return (h % buckets) << 24 | (1 + (h >> 20) % 0xFFFFFF)


def _unpack(key: int) -> tuple[bytes, int]:
    bucket = key >> 24
    # One bytes object per bucket, shared by every key: an 8 MiB body has half a million pairs.
    return _BUCKET_TERMS[bucket] if bucket < len(_BUCKET_TERMS) else b"%04x" % bucket, key & 0xFFFFFF


_BUCKET_TERMS = [b"%04x" % n for n in range(4096)]


def pair_keys(words, buckets: int) -> list[tuple[bytes, int]]:
    """A phrase's analysed words -> the pair keys every matching document has."""
    return [pair_key(a, b, buckets) for a, b in zip(words, words[1:])]


class PairKeys:
    """The pair keys (`pair_key`) of one text, for a pair field of ``buckets`` buckets: the field's
    value in an index document. Iterates as distinct (bucket term, weight); kept packed, one int64
    (bucket << 24 | weight) a key in a sorted numpy array: an 8 MiB body has half a million keys,
    which took 55 MB as a set of tuples and take 4 MB here."""

    __slots__ = ("buckets", "packed")

    def __init__(self, buckets: int, keys: Iterable[tuple[bytes, int]] = ()):
        self.buckets = buckets
        self.packed = np.unique(np.fromiter((int(b, 16) << 24 | w for b, w in keys), dtype=np.int64))

    def merge(self, packed: np.ndarray) -> None:
        """Add packed keys (from `pairs_of`)."""
        self.packed = np.union1d(self.packed, packed)

    def __iter__(self):
        return map(_unpack, self.packed.tolist())

    def __len__(self) -> int:
        return len(self.packed)

    def __eq__(self, other) -> bool:
        return (isinstance(other, PairKeys) and self.buckets == other.buckets
                and np.array_equal(self.packed, other.packed))

    def __reduce__(self):  # to and from worker processes
        return _pair_keys, (self.buckets, self.packed.tobytes())


def _pair_keys(buckets: int, data: bytes) -> PairKeys:
    keys = PairKeys(buckets)
    keys.packed = np.frombuffer(data, dtype=np.int64).copy()
    return keys
