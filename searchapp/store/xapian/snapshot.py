"""One thread's view of one commit of a Xapian index (a local database, or remote shards opened as
one): the read interface of store/whoosh/snapshot.py, answered from Xapian's posting lists.

Docnums are Xapian's docids minus one. Shards opened as one database interleave their docids
(docid = (shard docid - 1) * shards + shard + 1), and every statistic (document frequencies, the
fields' total lengths, the document count) is the combined database's, global over the shards: the
numpy ranker (store/ranking.py) scores the same on one machine or several.

The query language, the fields and their analysis are searchapp's own (the Whoosh schema's analysis
chain, store/whoosh/parse.py `SchemaLanguage`), so the terms looked up are the terms indexed."""
from __future__ import annotations

import datetime as dt
import functools
from array import array
from typing import Any, Iterator

import numpy as np
import xapian

from searchapp.store.errors import ShardUnavailable
from searchapp.store.fields import PAIR_FIELDS
from searchapp.store.whoosh.parse import SchemaLanguage
from searchapp.store.whoosh.writer import ArchiveNames
from searchapp.store.xapian import terms as X

EMPTY = np.zeros(0, dtype=np.int32)
EMPTY_WDFS = np.zeros(0, dtype=np.float64)
_PAIR_FIELD_NAMES = frozenset(PAIR_FIELDS.values())


def _shards_answer(method):
    """A remote shard that stops answering mid-search raises ShardUnavailable (the store then drops
    this snapshot; the next search reconnects), not Xapian's own error."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except xapian.NetworkError as e:
            raise ShardUnavailable(f"a Xapian shard of {', '.join(self.addresses)} stopped answering: {e}") from e

    return wrapper


class Snapshot(SchemaLanguage):
    def __init__(self, db: xapian.Database, schema, shards: int = 1, addresses: list[str] | None = None):
        self.db = db
        self.addresses = addresses or []
        self.schema = schema
        self.shards = shards
        self.size = db.get_lastdocid()  # the docnum range (deleted documents included)
        self.searchapp_generation: tuple | None = None  # (generation folder, commit): set by the store
        self._live: np.ndarray | None = None
        self._deleted: np.ndarray | None = None

    def close(self) -> None:
        self.db.close()

    @_shards_answer
    def _read(self, t: bytes) -> tuple[np.ndarray, np.ndarray]:
        """A term's posting list (docnums ascending, wdfs), the empty term's being every document.

        Read as a match, not by a posting iterator: over the remote protocol a posting iterator costs
        about 0.12 ms a posting (a million postings, two minutes), while a match returns every posting
        in one reply a shard (weighted by the wdf alone, TfIdfWeight "nnn"), read here at 2-3 us a
        posting from 2 shards; locally it is no slower (python -m bench.xapian_reading)."""
        n = self.db.get_termfreq(t) if t else self.db.get_doccount()
        if not n:
            return EMPTY, EMPTY_WDFS
        enquire = xapian.Enquire(self.db)
        enquire.set_query(xapian.Query(t) if t else xapian.Query.MatchAll)
        enquire.set_weighting_scheme(xapian.TfIdfWeight("nnn"))
        mset = enquire.get_mset(0, n, n)
        docs, wdfs = array("i"), array("d")
        it, end = mset._begin(), mset._end()  # the bindings' own iterator: MSetItem objects cost 2x
        while it != end:
            docs.append(it.get_docid() - 1)
            wdfs.append(it.get_weight())
            next(it)
        d, w = np.frombuffer(docs, dtype=np.int32), np.frombuffer(wdfs, dtype=np.float64)
        order = np.argsort(d, kind="stable")  # the match is in weight order
        return d[order], w[order]

    # -- documents ---------------------------------------------------------------------------------

    @_shards_answer
    def stored(self, docnum: int) -> dict[str, Any]:
        try:
            return X.stored_of(self.db.get_document(docnum + 1))
        except xapian.DocNotFoundError:
            return {}

    @_shards_answer
    def docnum(self, field: str, value: str) -> int | None:
        for p in self.db.postlist(X.term(field, value)):
            return p.docid - 1
        return None

    def docnums(self, field: str, value: str) -> list[int]:
        return self._read(X.term(field, value))[0].tolist()

    def live_docs(self) -> np.ndarray:
        if self._live is None:
            self._live = self._read(b"")[0]  # the empty term: every document
        return self._live

    def is_deleted(self, docnum: int) -> bool:
        if self._deleted is None:
            deleted = np.ones(self.size, dtype=bool)
            deleted[self.live_docs()] = False
            self._deleted = deleted
        return bool(self._deleted[docnum])

    @_shards_answer
    def doc_count(self) -> int:
        return self.db.get_doccount()

    def quote_parents(self) -> np.ndarray:
        """docnum -> the docnum of a quote's article, -1 for every other document: from each quote's
        ``parent`` term (shards interleave docids, so no order can tell)."""
        out = np.full(self.size, -1, dtype=np.int32)
        for parent, _ in self.terms("parent"):
            article = self.docnum("id", parent)
            if article is not None:
                out[self._read(X.term("parent", parent))[0]] = article
        return out

    # -- terms -------------------------------------------------------------------------------------

    @_shards_answer
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        t = X.term(field, term)
        docs, wdfs = self._read(t)
        if field not in _PAIR_FIELD_NAMES or not len(docs):
            return docs, wdfs
        parts_d, parts_w = [docs], [wdfs]
        n = 1
        while self.db.term_exists(X.overflow(t, n)):  # the document's other pairs in this bucket
            d, w = self._read(X.overflow(t, n))
            parts_d.append(d)
            parts_w.append(w)
            n += 1
        if n == 1:
            return docs, wdfs
        docs, wdfs = np.concatenate(parts_d), np.concatenate(parts_w)
        order = np.argsort(docs, kind="stable")
        return docs[order], wdfs[order]

    def field_postings(self, field: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every term of a field with its postings (a hashed over-long term is left to `postings`)."""
        return {term: self.postings(field, term) for term, _ in self.terms(field)}

    @_shards_answer
    def doc_frequency(self, field: str, term: str) -> int:
        return self.db.get_termfreq(X.term(field, term))

    @_shards_answer
    def field_length(self, field: str) -> int:
        return self.db.get_collection_freq(X.LENGTH + field.encode("ascii"))

    def lengths(self, field: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        docs, wdfs = self._read(X.LENGTH + field.encode("ascii"))
        out[docs] = wdfs
        return out

    def terms(self, field: str) -> Iterator[tuple[str, int]]:
        start = X.prefix(field)
        for item in self.db.allterms(start):
            text = item.term[len(start):]
            if not text.startswith(b"#"):  # a hashed over-long term (terms.term)
                yield text.decode("utf-8"), item.termfreq

    def archive_names(self) -> ArchiveNames:
        return ArchiveNames.of(lambda field: dict(self.terms(field)))

    def phrase_docs(self, field: str, words: tuple[str, ...], slop: int) -> np.ndarray:
        """Only indexes without pair fields ask this; every Xapian index has them: the documents
        having all the words."""
        docs = None
        for w in words:
            d = self.postings(field, w)[0]
            docs = d if docs is None else np.intersect1d(docs, d)
        return EMPTY if docs is None else docs.astype(np.int32)

    # -- dates -------------------------------------------------------------------------------------

    def dates(self) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.int64)
        for t, scale in ((X.DAYS, 86400 * 1_000_000), (X.SECONDS, 1_000_000), (X.MICROS, 1)):
            docs, wdfs = self._read(t)
            out[docs] += wdfs.astype(np.int64) * scale
        return out

    @staticmethod
    def date_value(when: dt.datetime) -> int:
        return X.date_value(when)

    @staticmethod
    def date_of(raw: int) -> dt.datetime | None:
        return X.date_of(raw)
