"""Writing a Whoosh generation: one article's documents all or none, segments written by worker
processes committed as one, and what a finalizer reads back after the commit."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from searchapp.store.fields import ALIAS_SEPARATOR, FACETS
from searchapp.store.memory import release
from searchapp.store.pairs import PairKeys
from searchapp.store.whoosh.schema import Preanalyzed


class AllOrNothing:
    """Mixed into Whoosh's SegmentWriter: one article's documents are added all or none.

    SegmentWriter.add_document files each field's postings in the pool and its stored value, length
    and column values in the per-document writer as it analyses the field, so a document that fails
    halfway (a value of the wrong type, an analyzer bug) leaves postings and column values under the
    docnum the next document then gets. Here everything that can fail for every document of an
    article (analysis, column values) is done first (`prepare_documents`), and only then is anything
    written (`write_documents`): a bad article raises with the segment untouched."""

    def add_document(self, **fields):
        self.write_documents(self.prepare_documents([fields]))

    def add_documents(self, docs: list[dict[str, Any]]) -> None:
        self.write_documents(self.prepare_documents(docs))

    def prepare_documents(self, docs: list[dict[str, Any]]) -> list:
        return [self._prepare(fields) for fields in docs]

    def _prepare(self, fields: dict[str, Any]) -> list:
        self._check_state()
        schema = self.schema
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        prepared = []
        for name in names:
            value = fields.get(name)
            if value is None:
                continue
            field = schema[name]
            postings: list[tuple] | tuple[Preanalyzed | PairKeys, float] = []
            length = 0
            if field.indexed and isinstance(value, (Preanalyzed, PairKeys)) and not field.separate_spelling():
                # Analysed ahead (schema.article_documents): only read back, which cannot fail, so kept as
                # they are (an 8 MiB body has half a million word pairs, ~100 bytes each as postings here).
                postings = (value, self._field_boost(fields, name, docboost))
                for tbytes, freq, _, vbytes in field.index(value) if isinstance(value, Preanalyzed) else ():
                    if type(tbytes) is not bytes or not (vbytes is None or type(vbytes) is bytes):
                        raise TypeError(f"field {name!r}: a preanalysed term or value is not bytes")
                    length += freq if field.scorable else 0
            elif field.indexed:
                boost = self._field_boost(fields, name, docboost)
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    postings.append((name, tbytes, None, weight * boost, vbytes))
                if field.separate_spelling():  # as Whoosh files them: under docnum 0
                    spelling = field.spelling_fieldname(name)
                    vbytes = postings[-1][4] if postings else b""
                    postings += [(spelling, word.encode("utf-8"), 0, 1, vbytes) for word in field.spellable_words(value)]
            vectors = None
            if field.vector:
                vectors = sorted((text, weight, vbytes) for text, _, weight, vbytes
                                 in field.vector.word_values(value, field.analyzer, mode="index"))
            stored = fields.get("_stored_" + name, value)
            column = (field.to_column_value(stored),) if field.column_type and stored is not None else None
            prepared.append((name, field, postings, vectors, stored if field.stored else None, length, column))
        return prepared

    def write_documents(self, prepared: list) -> None:
        for fields in prepared:
            self._write(fields)

    def _write(self, prepared: list) -> None:
        docnum = self.docnum
        add_posting = self.pool.add
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name, field, postings, vectors, stored, length, column in prepared:
            if isinstance(postings, list):
                for fieldname, tbytes, at, weight, vbytes in postings:
                    add_posting((fieldname, tbytes, docnum if at is None else at, weight, vbytes))
            else:  # analysed ahead
                value, boost = postings
                for tbytes, _, weight, vbytes in field.index(value):
                    add_posting((name, tbytes, docnum, weight * boost, vbytes))
            if vectors is not None:
                perdoc.add_vector_items(name, field, vectors)
            perdoc.add_field(name, field, stored, length)
            if column is not None:
                perdoc.add_column_value(name, field.column_type, column[0])
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1


class FieldLengths:
    """A segment's field lengths, each field's read in one go when first asked for. Whoosh's flush looks
    up the document's length for every posting it writes, a seek and a read each: a quarter of the
    cost of writing a segment."""

    def __init__(self, reader):
        self._reader = reader
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            get = self._reader.doc_field_length
            lengths = self._fields[fieldname] = [get(d, fieldname, default) for d in range(self._reader.doc_count_all())]
        return lengths[docnum]

    def close(self) -> None:
        self._reader.close()


class AtomicWriter(AllOrNothing, SegmentWriter):
    """The writer of `update` and `rebuild`."""

    def _flush_segment(self):  # SegmentWriter's, with the lengths read per field, not per posting
        self.perdocwriter.close()
        lengths = FieldLengths(self.per_document_reader()) if self.codec.length_stats else None
        self._write_postings(lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    def _write_postings(self, lengths) -> None:
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())


class Changes:
    """What every backend's generation writer keeps of what it changes (store/xapian/writer.py too)."""

    def start_changes(self, stale_pid: int | None) -> None:
        self.index_dir: Path | None = None
        self.previous_dir: Path | None = None  # the generation this one follows (None for a first build)
        self.info: dict[str, Any] = {}
        self.stale_pid = stale_pid
        # ``finalizer(commit)`` runs after the commit, before the generation serves: what is computed
        # from the whole archive (searchapp.archive) is written beside it there.
        self.finalizers: list = []
        # What this writer changed, for the finalizers: the articles written (as records: id, title,
        # body, published, publisher) and the ids removed; ``complete`` when the records are the
        # whole archive (a rebuild, whose records are read back from files, once: indexer.SpilledRecords).
        self.added: list[dict[str, Any]] = []
        self.removed: set[str] = set()
        self.complete = False
        self._done = False


class GenerationWriter(Changes):
    """A thin wrapper on a Whoosh writer that speaks in articles (ids and their documents)."""

    def __init__(self, writer, stale_pid: int | None = None):
        self._w = writer
        self.start_changes(stale_pid)

    def finish(self) -> None:
        """Run the finalizers on what this writer committed (in ``index_dir``)."""
        if not self.finalizers:
            return
        reader = whoosh_index.open_dir(str(self.index_dir)).reader()
        try:
            commit = Commit(self.index_dir, reader, self.added, self.removed, self.complete)
            for finalizer in self.finalizers:
                finalizer(commit)
                release()  # what the step freed, before the next one maps the index (store/memory.py)
        finally:
            reader.close()

    @property
    def schema(self):
        """The schema of the index written to (an older index keeps the schema it was built with)."""
        return self._w.schema

    def add(self, docs: list[dict[str, Any]]) -> None:
        """One article's documents, all or none (`AllOrNothing`)."""
        self._w.add_documents(docs)

    def replace(self, article_id: str, docs: list[dict[str, Any]]) -> bool:
        """Insert or update: drop the article's old documents (and quotes) first. True if it existed.
        A document that cannot be indexed raises before anything changed (the old version stays)."""
        prepared = self._w.prepare_documents(docs)
        existed = self.delete(article_id)
        self._w.write_documents(prepared)
        self.removed.discard(article_id)
        self.added.append(article_record(docs[0]))
        return existed

    def delete(self, article_id: str) -> bool:
        self._w.delete_by_term("parent", article_id)  # its quotes
        found = self._w.delete_by_term("id", article_id) > 0
        if found:
            self.removed.add(article_id)
        return found

    def delete_moved(self, old_id: str, path: str) -> bool:
        """Delete the article stored under ``old_id`` if it was read from the file ``path``: the same
        file, indexed by an earlier version under the id it gave then (a bare file name), has a new
        id now, and must not stay twice. True if it was deleted."""
        with self._w.searcher() as searcher:  # the committed index, as this writer found it
            doc = searcher.document(id=old_id)
        return bool(doc) and doc.get("path") == path and self.delete(old_id)

    def commit_segments(self, segments: list) -> None:
        """Commit segments that worker processes wrote into this (new) index, with no merging.

        This is what Whoosh's own multi-process writer does (``MpWriter`` with ``multisegment``), using
        the same internal steps; whoosh-reloaded is pinned, so they cannot shift underneath us.
        """
        if self._done:
            return
        self._done = True
        w = self._w
        if w._added:
            segments = segments + [w._finalize_segment()]
        else:
            w._close_segment()
        w._commit_toc(list(w.segments) + list(segments))
        w._finish()

    def commit(self) -> None:
        if not self._done:
            self._done = True
            self._w.commit()

    def cancel(self) -> None:
        if not self._done:
            self._done = True
            self._w.cancel()


def article_record(doc: dict[str, Any]) -> dict[str, Any]:
    """What the archive's duplicate groups need of an article, from its index document (as written)
    or its stored fields (as read back)."""
    def text(name: str) -> str:
        value = doc.get("_stored_" + name, doc.get(name, ""))
        return value if isinstance(value, str) else ""

    return {"id": doc.get("id", ""), "title": text("title"), "body": text("body"),
            "published": doc.get("published"), "publisher": text("publisher")}


class Commit:
    """What a finalizer sees of one commit: its table of contents (``toc``), the archive's names, what
    the writer changed, and (for what was never computed before) every article."""

    def __init__(self, index_dir: Path, reader, added: list[dict[str, Any]], removed: set[str], complete: bool):
        self.index_dir, self.reader, self.added, self.removed, self.complete = index_dir, reader, added, removed, complete
        self.toc = reader.generation()
        self._names: ArchiveNames | None = None

    @property
    def names(self) -> "ArchiveNames":
        if self._names is None:
            self._names = ArchiveNames.read(self.reader)
        return self._names

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every live article's record, read from the stored fields (seconds at a hundred thousand)."""
        for _, stored in self.reader.iter_docs():
            if stored.get("kind") == "article":
                yield article_record(stored)


class ArchiveNames:
    """Every name of the archive with its number of articles, read from the index's lexicons (cheap:
    no posting lists): what the archive's identities are resolved from."""

    def __init__(self, facets: dict[str, dict[str, int]], aliases: dict[tuple[str, str], int],
                 tentative: dict[str, int]):
        self.facets, self.aliases, self.tentative = facets, aliases, tentative

    @classmethod
    def read(cls, reader) -> "ArchiveNames":
        indexed = set(reader.indexed_field_names())

        def counts(fieldname: str) -> dict[str, int]:
            if fieldname not in indexed:
                return {}
            return {term.decode("utf-8"): info.doc_frequency()
                    for term, info in reader.iter_field(fieldname)}

        return cls.of(counts)

    @classmethod
    def of(cls, counts) -> "ArchiveNames":
        """From ``counts(field)`` -> {term: document frequency} of an index's name fields."""
        aliases = {}
        for text, n in counts("f_aliases").items():
            short, sep, long = text.partition(ALIAS_SEPARATOR)
            if sep:
                aliases[(short, long)] = n
        return cls({name: counts("f_" + name) for name in FACETS}, aliases, counts("f_tentative"))
