"""One thread's view of one commit of a Whoosh index: what the search reads, in searchapp's terms.

A `Snapshot` is what `IndexStore.searcher()` lends: stored documents, postings as numpy arrays,
field lengths, the date column, the lexicons, and the query language (parse and analyse). Nothing
above the store sees a Whoosh object; a second backend gives the same methods.
"""
from __future__ import annotations

import datetime as dt
import weakref
from typing import Any, Iterator

import numpy as np
from whoosh.util.times import datetime_to_long, long_to_datetime

from searchapp.store.whoosh.parse import SchemaLanguage, phrase
from searchapp.store.whoosh.reading import LENGTHS, numeric_column, read_field, read_length_bytes, read_postings
from searchapp.store.whoosh.writer import ArchiveNames


class Snapshot(SchemaLanguage):
    def __init__(self, searcher):
        self.searcher = searcher  # Whoosh's; for the backend's own tests
        self._reader = searcher.reader()
        self.schema = searcher.schema
        self.size = self._reader.doc_count_all()  # the docnum range (deleted documents included)
        self.searchapp_generation: tuple | None = None  # (generation folder, commit): set by the store
        # Its files are open while it lives (they are read, not mapped): closed with it at the latest.
        self._closer = weakref.finalize(self, searcher.close)

    def close(self) -> None:
        self._closer()

    # -- documents ---------------------------------------------------------------------------------

    def stored(self, docnum: int) -> dict[str, Any]:
        """Everything stored of a document (its text, offsets, names, date ...)."""
        return self.searcher.stored_fields(docnum)

    def docnum(self, field: str, value: str) -> int | None:
        """The live document whose unique ``field`` is ``value`` (an article by id)."""
        return self.searcher.document_number(**{field: value})

    def docnums(self, field: str, value: str) -> list[int]:
        """The live documents having ``value`` in ``field`` (an article's quotes by parent), ascending."""
        return sorted(self.searcher.document_numbers(**{field: value}))

    def is_deleted(self, docnum: int) -> bool:
        return self._reader.is_deleted(docnum)

    def live_docs(self) -> np.ndarray:
        """The docnums not deleted, ascending."""
        if self._reader.has_deletions():
            return np.fromiter(self._reader.all_doc_ids(), dtype=np.int32)
        return np.arange(self.size, dtype=np.int32)

    def doc_count(self) -> int:
        return self._reader.doc_count()

    def quote_parents(self) -> np.ndarray:
        """docnum -> the docnum of a quote's article, -1 for every other document.

        An article's quotes are written right after it (indexer and store keep that order through
        merges), so a quote's article is the nearest article before it. Checked on a sample against
        `parent`."""
        quote_parents = np.full(self.size, -1, dtype=np.int32)
        quote_docs = set(self.postings("kind", "quote")[0].tolist())
        last_article = -1
        is_deleted = self.is_deleted
        for docnum in range(self.size):
            if docnum in quote_docs:
                quote_parents[docnum] = last_article
            elif not is_deleted(docnum):
                last_article = docnum
        placed = np.flatnonzero(quote_parents >= 0)
        for qnum in placed[:: max(1, len(placed) // 20)].tolist():
            if self.stored(qnum).get("parent") != self.stored(int(quote_parents[qnum])).get("id"):
                raise RuntimeError("index documents are out of order: quote and article do not match")
        return quote_parents

    # -- fields and terms --------------------------------------------------------------------------

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's live postings: ascending docnums (int32) and weights (its frequency in each, or
        the pair hash of a word-pair bucket)."""
        return read_postings(self._reader, field, term.encode("utf-8"))

    def field_postings(self, field: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every term of a field with its live postings (as `postings`), read in one pass."""
        return read_field(self._reader, field)

    def doc_frequency(self, field: str, term: str) -> int:
        return self.searcher.doc_frequency(field, term)

    def field_length(self, field: str) -> int:
        """The field's total length over every document (for the average)."""
        return self._reader.field_length(field)

    def lengths(self, field: str) -> np.ndarray:
        """docnum -> the field's length in words, as the index keeps it (one byte, decoded)."""
        return LENGTHS[read_length_bytes(self._reader, field)]

    def terms(self, field: str) -> Iterator[tuple[str, int]]:
        """A field's terms, in order, with their document frequencies."""
        if field in self._reader.indexed_field_names():
            for btext, info in self._reader.iter_field(field):
                yield (btext.decode("utf-8") if isinstance(btext, bytes) else btext), info.doc_frequency()

    def archive_names(self) -> ArchiveNames:
        return ArchiveNames.read(self._reader)

    def phrase_docs(self, field: str, words: tuple[str, ...], slop: int) -> np.ndarray:
        """Documents with a phrase, by positions: for an index built before the word-pair fields."""
        return np.array(sorted(self.searcher.docs_for_query(phrase(field, words, slop))), dtype=np.int32)

    # -- dates -------------------------------------------------------------------------------------

    def dates(self) -> np.ndarray:
        """docnum -> raw sortable publication time (int64), 0 when undated."""
        if not self._reader.has_column("published"):
            return np.zeros(self.size, dtype=np.int64)
        return numeric_column(self._reader, "published")

    @staticmethod
    def date_value(when: dt.datetime) -> int:
        """A time as the raw values of `dates`."""
        return datetime_to_long(when)

    @staticmethod
    def date_of(raw: int) -> dt.datetime | None:
        try:
            return long_to_datetime(raw) if raw else None
        except (OverflowError, ValueError):  # the column's "no date" default
            return None
