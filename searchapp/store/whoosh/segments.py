"""A full build's segments: each worker process writes its own segment of the new generation, and the
generation's writer commits them all at once (GenerationWriter.commit_segments)."""
from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from searchapp.store.fields import PAIR_FIELDS
from searchapp.store.pairs import PairKeys
from searchapp.store.whoosh.writer import AtomicWriter


class _PairPostings:
    """A segment's word-pair postings (schema.PairField), kept beside Whoosh's posting pool and written
    block by block: the pool sorts, spills and writes every posting through several Python calls, and
    pairs outnumber words. The files written are the ones Whoosh writes (its own block writer), so any
    reader, merge or `index add` treats these fields like any other."""

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple[array, array]]] = {}

    def add(self, fieldname: str, docnum: int, keys: PairKeys) -> None:
        terms = self.fields.setdefault(fieldname, {})
        for btext, weight in keys:
            postings = terms.get(btext)
            if postings is None:
                postings = terms[btext] = (array("I"), array("f"))
            postings[0].append(docnum)
            postings[1].append(weight)

    def write(self, fieldwriter, schema, fieldname: str) -> None:
        """One field's postings, between the fields before and after it in name order."""
        terms = self.fields.pop(fieldname)
        fieldwriter.start_field(fieldname, schema[fieldname])
        for btext in sorted(terms):
            docs, weights = terms[btext]
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


BLOCK_POSTINGS = 512


def segment_writer(index_dir: str, limitmb: int):
    """A writer of one worker's own segment of the new generation in ``index_dir``."""
    ix = whoosh_index.open_dir(index_dir)

    class Writer(AtomicWriter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pairs = _PairPostings()
            self._pair_fields = [name for name in PAIR_FIELDS.values() if name in self.schema]

        def _prepare(self, fields):
            fields = dict(fields)
            pairs = [(name, fields.pop(name)) for name in self._pair_fields if isinstance(fields.get(name), PairKeys)]
            return super()._prepare(fields), pairs

        def _write(self, prepared):
            prepared, pairs = prepared
            docnum = self.docnum
            super()._write(prepared)
            for name, value in pairs:
                self._pairs.add(name, docnum, value)

        def _write_postings(self, lengths):
            # Fields in name order, the pair fields in their places: a multi-segment reader merges the
            # segments' term lists assuming that order.
            pairs = sorted(self._pairs.fields)
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
