"""Reading Whoosh's files fast: whole posting lists, field lengths and columns into numpy arrays."""
from __future__ import annotations

import pickle
import zlib
from typing import Iterable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

EMPTY = np.zeros(0, dtype=np.int32)
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
            keep = ~np.isin(d, np.fromiter(deleted, dtype=np.int64))
            d, w = d[keep], w[keep]
        docs.append(d + offset)
        weights.append(w)
    if not docs:
        return EMPTY, np.zeros(0)
    if len(docs) == 1:
        return docs[0].astype(np.int32), weights[0]
    return np.concatenate(docs).astype(np.int32), np.concatenate(weights)


def _read_blocks(m: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Every block of a posting list decoded at once: Whoosh's matcher reads posting by posting through
    Python calls. Each block is a zlib'd pickle of (docnum deltas, weights, values); the first delta of a
    block is its absolute docnum, so it is rebased on the previous block's last docnum (from the block
    header) and one cumulative sum restores them all."""
    deltas: list[int] = []
    weights: list[float] = []
    postfile = m._postfile
    last = 0
    while True:
        data = postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        ids, ws, _ = pickle.loads(zlib.decompress(data) if m._compression else data)
        count = len(ids)
        deltas.append(ids[0] - last)
        deltas.extend(ids[1:])
        last = m._maxid
        if ws is None:
            weights.extend([1.0] * count)
        elif isinstance(ws, float):
            weights.extend([ws] * count)
        else:
            weights.extend(ws)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return np.cumsum(np.array(deltas, dtype=np.int64)), np.array(weights, dtype=np.float64)


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
