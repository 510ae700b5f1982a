"""Reading Whoosh's files fast: whole posting lists, field lengths and columns into numpy arrays."""
from __future__ import annotations

import io
import pickle
import struct
import zlib
from typing import Iterable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

EMPTY = np.zeros(0, dtype=np.int32)
_INT = struct.Struct("!i")  # Whoosh's StructFile.write_int
# A field length as Whoosh stores it (one byte) -> the length it stands for.
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's live postings over every segment: (ascending docnums as int32, weights as float64)."""
    docs, weights = [], []
    for segment, offset in reader.leaf_readers():
        try:  # one look-up: a term (or field) the segment lacks raises
            m = segment.postings(fieldname, btext)
        except TermNotFound:
            continue
        deleted = None
        if isinstance(m, FilterMatcher):  # the segment's deletions; the filter may have moved its child
            deleted, m = m._ids, m.child
            m.reset()
        d, w = _read_blocks(m) if isinstance(m, W3LeafMatcher) else _read_matcher(m)
        if deleted:
            d, w = _live(d, w, np.fromiter(deleted, dtype=np.int64))
        docs.append(d + offset)
        weights.append(w)
    return _joined(docs, weights)


def _live(docs: np.ndarray, weights: np.ndarray, deleted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A segment's postings without its deleted documents."""
    keep = ~np.isin(docs, deleted)
    return docs[keep], weights[keep]


def _joined(docs: list[np.ndarray], weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One posting list (int32 docnums) from its segments' parts, in segment order."""
    if not docs:
        return EMPTY, np.zeros(0)
    if len(docs) == 1:
        return docs[0].astype(np.int32), weights[0]
    return np.concatenate(docs).astype(np.int32), np.concatenate(weights)


class _Blocks:
    """A posting list's blocks, decoded at once: Whoosh's matcher reads posting by posting through
    Python calls. Each block is a (zlib'd) pickle of (docnum deltas, weights, values); the first delta
    of a block is its absolute docnum, so it is rebased on the previous block's last docnum (from the
    block header) and one cumulative sum restores them all."""

    def __init__(self) -> None:
        self.deltas: list[int] = []
        self.weights: list[float] = []
        self.last = 0

    def add(self, data: bytes, compressed: bool, maxid: int) -> None:
        ids, ws, _ = pickle.loads(zlib.decompress(data) if compressed else data)
        self.deltas.append(ids[0] - self.last)
        self.deltas.extend(ids[1:])
        self.last = maxid
        if ws is None:
            self.weights.extend([1.0] * len(ids))
        elif isinstance(ws, float):
            self.weights.extend([ws] * len(ids))
        else:
            self.weights.extend(ws)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.cumsum(np.array(self.deltas, dtype=np.int64)), np.array(self.weights, dtype=np.float64)


def _read_blocks(m: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    blocks = _Blocks()
    postfile = m._postfile
    while True:
        blocks.add(postfile.get(m._dataoffset, m._nextoffset - m._dataoffset), m._compression, m._maxid)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return blocks.arrays()


def _read_extent(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A posting list from its bytes in the postings file (W3LeafMatcher's layout: a header tag, then
    blocks of a length, negative for the last, a pickled header and the data)."""
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a posting list: {data[:4]!r}")
    blocks = _Blocks()
    pos = 4
    while True:
        (length,) = _INT.unpack_from(data, pos)
        head = io.BytesIO(data[pos + 4 : pos + 4 + abs(length)])
        count, maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(head)
        blocks.add(head.read(), compression, maxid)
        if length < 0:
            return blocks.arrays()
        pos += 4 + length


def read_field(reader, fieldname: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every term of a field with its live postings (as `read_postings`), the field's terms read in
    order once: looking each term up (a hashed key, a matcher) cost several times the decoding when
    the search tables read a field's 30,000 names one by one."""
    parts: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for segment, offset in reader.leaf_readers():
        if fieldname not in segment.indexed_field_names():
            continue
        postfile = segment._terms._postfile
        deleted = segment.deleted_docs_set if segment.has_deletions() else None
        gone = np.fromiter(deleted, dtype=np.int64) if deleted else None
        for btext, info in segment.iter_field(fieldname):
            if info.is_inlined():
                ids, ws, _ = info.inlined_postings()
                d, w = np.array(ids, dtype=np.int64), np.array(ws, dtype=np.float64)
            else:
                start, length = info.extent()
                if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length unpacked: (n,)
                    length = length[0]
                d, w = _read_extent(postfile.get(start, length))
            if gone is not None:
                d, w = _live(d, w, gone)
            term = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            docs, weights = parts.setdefault(term, ([], []))
            docs.append(d + offset)
            weights.append(w)
    return {term: _joined(docs, weights) for term, (docs, weights) in parts.items()}


def _read_matcher(m) -> tuple[np.ndarray, np.ndarray]:
    docs, weights = [], []
    while m.is_active():
        docs.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float64)


def numeric_column(reader, fieldname: str) -> np.ndarray:
    """docnum -> a numeric column's raw value (0 where a whole segment has none), read segment by
    segment: Whoosh's multi-segment column reader leaves out the segments without the column but not
    their documents, so after an `index add` put dates into an index whose first segment had none it
    read the wrong document, or past the end (struct.error). Each segment's values are one read of
    its fixed-width big-endian block, where reading them one by one cost a third of a second on
    Reuters (the first query of every `searchapp search`)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.int64)
    for segment, offset in reader.leaf_readers():
        if not segment.has_column(fieldname):
            continue
        count = segment.doc_count_all()
        col = segment.column_reader(fieldname, translate=False)
        if not isinstance(col, NumericColumn.Reader):
            out[offset:offset + count] = [col[d] or 0 for d in range(count)]
            continue
        stored = min(col._count, count)
        raw = col._dbfile.get(col._basepos, stored * col._fixedlen)
        out[offset:offset + stored] = np.frombuffer(raw, dtype=">" + col._typecode)
        out[offset + stored:offset + count] = col._default  # past the last value written
    return out


def read_length_bytes(reader, fieldname: str) -> np.ndarray:
    """docnum -> the field's length byte over every segment (0 where a document lacks the field)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.uint8)
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        column = None
        perdoc = getattr(segment, "_perdoc", None)
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            continue
        raw = getattr(column, "_dbfile", None)
        if raw is not None and getattr(column, "_fixedlen", None) == 1:  # one byte per document
            stored = min(column._count, count)
            out[offset:offset + stored] = np.frombuffer(raw.get(column._basepos, stored), dtype=np.uint8)
        else:
            out[offset:offset + count] = [column[d] for d in range(count)]
    return out


def expand(q, reader) -> Iterable[bytes]:
    """The index terms a wildcard, prefix or fuzzy query stands for (as bytes, whatever Whoosh yields)."""
    for btext in q._btexts(reader):
        yield btext.encode("utf-8") if isinstance(btext, str) else btext
