"""A full build's segments: each worker process writes its own segment of the new generation, and the
generation's writer commits them all at once (GenerationWriter.commit_segments)."""
from __future__ import annotations

import os
import tempfile
from array import array
from itertools import groupby
from operator import itemgetter

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from searchapp.store.fields import PAIR_FIELDS
from searchapp.store.pairs import PairKeys
from searchapp.store.whoosh.writer import AtomicWriter


# Word-pair postings a segment writer holds in memory (8 bytes each) before it moves them to a file.
PAIR_SPILL_POSTINGS = 8_000_000


class _PairPostings:
    """A segment's word-pair postings (schema.PairField), kept beside Whoosh's posting pool and written
    block by block: the pool sorts, spills and writes every posting through several Python calls, and
    pairs outnumber words. The files written are the ones Whoosh writes (its own block writer), so any
    reader, merge or `index add` treats these fields like any other.

    Past ``limit`` postings in memory they are moved to a temporary file beside the index (each
    bucket's run of docnums and hashes), and read back one bucket at a time when the segment is
    written: a worker that indexed half of 1M articles held about 400 MB of pairs until its end."""

    def __init__(self, spill_dir: str | None = None, limit: int | None = None):
        self.fields: dict[str, dict[bytes, tuple[array, array]]] = {}
        self.limit = PAIR_SPILL_POSTINGS if limit is None else limit
        self._held = 0
        self._spill_dir = spill_dir
        self._file = None  # an unnamed temporary file: gone when closed or when the process ends
        self._end = 0  # where the next run goes in it
        self._runs: dict[str, dict[bytes, list[tuple[int, int]]]] = {}  # field -> bucket -> (offset, postings)

    def names(self) -> list[str]:
        """The pair fields that have postings, in name order."""
        return sorted(self.fields.keys() | self._runs.keys())

    def add(self, fieldname: str, docnum: int, keys: PairKeys) -> None:
        terms = self.fields.setdefault(fieldname, {})
        n = 0
        for btext, weight in keys:
            postings = terms.get(btext)
            if postings is None:
                postings = terms[btext] = (array("I"), array("f"))
            postings[0].append(docnum)
            postings[1].append(weight)
            n += 1
        self._held += n

    def make_room(self) -> None:
        """Move the postings held to the file if they are past the limit: called before an article's
        documents are written, so that a failed write (a full disk) fails that article with nothing
        of it written, and leaves what is held as it was (nothing is recorded until all is on disk)."""
        if self._held <= self.limit:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(dir=self._spill_dir, prefix="pairs-", buffering=0)
            self._end = 0
        fd, at, written = self._file.fileno(), self._end, []
        for fieldname, terms in self.fields.items():
            for btext, (docs, weights) in terms.items():
                written.append((fieldname, btext, at, len(docs)))
                for part in (docs, weights):
                    view = memoryview(part).cast("B")
                    while view:
                        n = os.pwrite(fd, view, at)
                        view, at = view[n:], at + n
        for fieldname, btext, offset, n in written:
            self._runs.setdefault(fieldname, {}).setdefault(btext, []).append((offset, n))
        self._end = at
        self.fields = {}
        self._held = 0

    def _postings(self, fieldname: str, btext: bytes, kept) -> tuple[array, array]:
        """A bucket's postings in docnum order: its spilled runs (in the order they were spilled),
        then what is still in memory."""
        docs, weights = array("I"), array("f")
        for at, n in self._runs.get(fieldname, {}).get(btext, ()):
            data = os.pread(self._file.fileno(), 8 * n, at)
            docs.frombytes(data[:4 * n])
            weights.frombytes(data[4 * n:])
        if kept is not None:
            docs.extend(kept[0])
            weights.extend(kept[1])
        return docs, weights

    def write(self, fieldwriter, schema, fieldname: str) -> None:
        """One field's postings, between the fields before and after it in name order."""
        terms = self.fields.pop(fieldname, {})
        runs = self._runs.get(fieldname, {})
        fieldwriter.start_field(fieldname, schema[fieldname])
        for btext in sorted(terms.keys() | runs.keys()):
            docs, weights = self._postings(fieldname, btext, terms.pop(btext, None))
            fieldwriter.start_term(btext)
            postwriter = fieldwriter._postwriter
            limit = postwriter._blocklimit
            for start in range(0, len(docs), limit):
                if start:  # a full block before this one: write it
                    postwriter._write_block()
                postwriter._ids = docs[start:start + limit]
                postwriter._weights = weights[start:start + limit]
                postwriter._maxweight = max(postwriter._weights)
            fieldwriter.finish_term()  # writes the last block
        fieldwriter.finish_field()
        self._runs.pop(fieldname, None)
        if not self._runs and not self.fields:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


BLOCK_POSTINGS = 512


def segment_writer(index_dir: str, limitmb: int):
    """A writer of one worker's own segment of the new generation in ``index_dir``."""
    ix = whoosh_index.open_dir(index_dir)

    class Writer(AtomicWriter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pairs = _PairPostings(index_dir)
            self._pair_fields = [name for name in PAIR_FIELDS.values() if name in self.schema]

        def _prepare(self, fields):
            fields = dict(fields)
            pairs = [(name, fields.pop(name)) for name in self._pair_fields if isinstance(fields.get(name), PairKeys)]
            return super()._prepare(fields), pairs

        def write_documents(self, prepared):
            self._pairs.make_room()  # before anything of the article (its quotes too) is written
            super().write_documents(prepared)

        def _write(self, prepared):
            prepared, pairs = prepared
            docnum = self.docnum
            super()._write(prepared)
            for name, value in pairs:
                self._pairs.add(name, docnum, value)

        def _write_postings(self, lengths):
            # Fields in name order, the pair fields in their places: a multi-segment reader merges the
            # segments' term lists assuming that order.
            pairs = self._pairs.names()
            for fieldname, postings in groupby(self.pool.iter_postings(), key=itemgetter(0)):
                while pairs and pairs[0] < fieldname:
                    self._pairs.write(self.fieldwriter, self.schema, pairs.pop(0))
                self.fieldwriter.add_postings(self.schema, lengths, postings)
            for fieldname in pairs:
                self._pairs.write(self.fieldwriter, self.schema, fieldname)

    # Blocks of 512 postings, not 128: the search reads whole posting lists (store/ranking.py), and a
    # block's fixed cost (a header, a decompression, an unpickling) was a third of reading one.
    return Writer(ix, _lk=False, limitmb=limitmb, codec=W3Codec(blocklimit=BLOCK_POSTINGS))


def finish_segment(writer):
    """The segment a worker wrote (for commit_segments), or None if it wrote nothing."""
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()
    return None
