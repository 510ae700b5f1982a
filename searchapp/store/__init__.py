"""The index on disk: generations swapped atomically, one writer at a time, searchers reused.

Layout of an index directory::

    index/
      CURRENT            name of the live generation (replaced atomically)
      gen-<stamp>/       a complete Whoosh index + BUILD.json
      .build-<pid>-...   a rebuild in progress (removed on failure; cleared if its writer died)
      .lock              the write lock (see lock.py)

A rebuild writes a new generation beside the live one and swaps CURRENT only when it is complete,
so a crash or Ctrl-C at any moment leaves the previous index serving. `add`/`delete` change the live
generation through Whoosh's own transactional commit (new segments, then an atomic TOC rename).

This class is the seam between searchapp and Whoosh: readers and the web never touch Whoosh.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as whoosh_index
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from searchapp.store.lock import IndexBusy, WriteLock
from searchapp.store.schema import PairKeys, Preanalyzed, build_schema

__all__ = ["IndexStore", "IndexBusy", "IndexMissing"]

CURRENT = "CURRENT"
BUILD_INFO = "BUILD.json"
KEEP_GENERATIONS = 2  # the live one and its predecessor, which searchers may still be reading
UPDATE_MEMORY_MB = 32  # the posting pool of `index add`/`delete` (see update())


class IndexMissing(Exception):
    """No index has been built at this location yet."""


class IndexStore:
    def __init__(self, root: str | os.PathLike, *, writer_memory_mb: int = 256):
        self.root = Path(root)
        self.writer_memory_mb = writer_memory_mb
        self._pool: "queue.LifoQueue[Searcher]" = queue.LifoQueue()
        self._pool_key: tuple | None = None  # the generation the pooled searchers read
        self._seen_key: tuple | None = None  # the newest key on disk seen so far
        self._pool_lock = threading.Lock()
        self._checked_at = 0.0
        self._caches: dict[tuple, dict[str, Any]] = {}
        self._warmer = None
        self._warming: tuple | None = None

    # -- generations -------------------------------------------------------------------------

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def current_dir(self) -> Path:
        name = self.current_name()
        if name is None:
            raise IndexMissing(f"no index at {self.root}: run `searchapp index build PATH...` first")
        return self.root / name

    def exists(self) -> bool:
        return self.current_name() is not None

    def open(self):
        return whoosh_index.open_dir(str(self.current_dir()))

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def rebuild(self) -> Iterator["GenerationWriter"]:
        """A writer for a brand-new generation; swapped in only if the block completes."""
        with WriteLock(self.root) as lock:
            self._clear_abandoned_builds()
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
            tmp = self.root / f".build-{os.getpid()}-{stamp}"
            tmp.mkdir(parents=True)
            try:
                ix = whoosh_index.create_in(str(tmp), build_schema())
                writer = GenerationWriter(AtomicWriter(ix, limitmb=self.writer_memory_mb), stale_pid=lock.stale_pid)
                writer.index_dir = tmp
                writer.previous_dir = self.root / live if (live := self.current_name()) else None
                yield writer
                writer.commit()
                writer.finish()
                _write_json(tmp / BUILD_INFO, writer.info)
                _fsync_tree(tmp)
                final = self.root / f"gen-{stamp}"
                os.rename(tmp, final)
                _atomic_write(self.root / CURRENT, final.name + "\n")
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.cancel()  # type: ignore[possibly-undefined]
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            self._prune_generations()
            self._serve_latest()

    @contextlib.contextmanager
    def update(self) -> Iterator["GenerationWriter"]:
        """A writer on the live generation (add, update, delete); all or nothing at commit."""
        with WriteLock(self.root) as lock:
            ix = self.open()
            # A smaller posting pool than a build's: here the word pairs go through it too (a build writes
            # them apart), half a million for one 8 MiB body; past the limit it spills to disk.
            limit = min(self.writer_memory_mb, UPDATE_MEMORY_MB)
            writer = GenerationWriter(AtomicWriter(ix, limitmb=limit), stale_pid=lock.stale_pid)
            writer.index_dir = writer.previous_dir = self.current_dir()
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            writer.finish()
            _prune_generation_files(writer.index_dir)
            self._serve_latest()

    def _clear_abandoned_builds(self) -> None:
        # Only called under the write lock, so any .build-* here belongs to a writer that died.
        for path in self.root.glob(".build-*"):
            shutil.rmtree(path, ignore_errors=True)

    def _prune_generations(self) -> None:
        live = self.current_name()
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        keep = {p.name for p in gens[-KEEP_GENERATIONS:]} | {live}
        for path in gens:
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------------

    def _generation_key(self) -> tuple:
        """(generation dir, newest Whoosh TOC generation on disk): changes on rebuild and on every commit.
        Only a hint that something changed: a searcher is labelled with what it really read (_open)."""
        gen = self.current_dir()
        toc = max((int(p.name.rsplit("_", 1)[1].split(".")[0]) for p in gen.glob("_MAIN_*.toc")), default=-1)
        return gen.name, toc

    def set_warmer(self, warmer) -> None:
        """``warmer(store, searcher)`` prepares a new generation (caches) before it starts serving."""
        self._warmer = warmer

    def _refresh_pool(self) -> None:
        # A stat of two small things, at most every 0.2 s: new generations appear without a restart.
        # A new generation is warmed in the background while the previous one keeps answering, so an
        # `index add` under load never makes every request rebuild the same caches at once.
        now = time.monotonic()
        if self._pool_key is not None and now - self._checked_at < 0.2:
            return
        self._checked_at = now
        key = self._generation_key()
        if key == self._seen_key:
            return
        with self._pool_lock:
            if key == self._seen_key:
                return
            if self._pool_key is None or self._warmer is None:
                self._switch(key, self._open(key))
            elif self._warming != key:
                self._warming = key
                threading.Thread(target=self._warm, args=(key,), daemon=True, name="searchapp-warm").start()

    def _serve_latest(self) -> None:
        """After this process changed the index, its own next search sees the change (no waiting
        for a background warm-up), if it has searched before."""
        if self._pool_key is None:
            return
        key = self._generation_key()
        s = self._open(key)
        if self._warmer is not None:
            self._warmer(self, s)
        with self._pool_lock:
            self._switch(key, s)
            self._checked_at = time.monotonic()

    def _open(self, key: tuple) -> Searcher:
        """A searcher on generation ``key[0]``, labelled with the table of contents it really reads.

        A commit may land between looking at the disk and opening: whatever TOC is newest when the
        index is opened is the one read, so the label must come from that very TOC, never from the
        key looked up before (caches of one generation must never meet a reader of another)."""
        ix = whoosh_index.open_dir(str(self.root / key[0]))
        for attempt in range(10):
            toc = ix._read_toc()  # one table of contents, read once: its segments and its number
            try:
                reader = ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
                break
            except OSError:  # a writer removed a segment of that TOC just now: read the next one
                if attempt == 9:
                    raise
                time.sleep(0.05)
        s = Searcher(reader, fromindex=ix)
        s.searchapp_generation = (key[0], toc.generation)  # which cache() belongs to this searcher
        return s

    def _warm(self, key: tuple) -> None:
        try:
            s = self._open(key)
            self._warmer(self, s)
        except Exception:  # the generation vanished or failed to open: the next check tries again
            with self._pool_lock:
                self._warming = None
            return
        with self._pool_lock:
            if self._pool_key is None or s.searchapp_generation > self._pool_key:
                self._switch(key, s)
            else:
                s.close()
            self._warming = None

    def _switch(self, seen: tuple, warmed: Searcher) -> None:
        """Serve ``warmed``'s generation from now on (called with the pool lock held); ``seen`` is the
        key on disk that led here."""
        key = warmed.searchapp_generation
        old, self._pool = self._pool, queue.LifoQueue()
        self._pool_key, self._seen_key = key, max(seen, key)
        self._caches = {k: v for k, v in self._caches.items() if k >= key}
        self._pool.put(warmed)
        while not old.empty():
            with contextlib.suppress(Exception):
                old.get_nowait().close()

    @contextlib.contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A Whoosh searcher on the live index, taken from a pool (one thread at a time each).

        While a new generation warms up, the pool serves the previous one; a searcher opened meanwhile
        (the pool was empty) reads the newest generation and carries that label."""
        self._refresh_pool()
        pool = self._pool
        try:
            s = pool.get_nowait()
        except queue.Empty:
            s = self._open(self._seen_key)
        try:
            yield s
        finally:
            if self._pool is pool and s.searchapp_generation == self._pool_key:
                pool.put(s)
            else:
                s.close()

    def cache(self, searcher: Searcher) -> dict[str, Any]:
        """A dict that lives as long as ``searcher``'s index generation (facet tables and such).

        Keyed by the generation the searcher really reads, never "the latest": a request that started
        on the previous generation must not fill or read the caches of the next one. A request still on
        a generation older than the one serving gets a dict of its own, kept by nobody."""
        key = searcher.searchapp_generation
        cache = self._caches.get(key)
        if cache is None:
            if self._pool_key is not None and key < self._pool_key:
                return {}
            cache = self._caches.setdefault(key, {})
        return cache

    @classmethod
    @contextlib.contextmanager
    def open_generation(cls, index_dir: Path) -> Iterator[tuple["IndexStore", Searcher]]:
        """(a store, a searcher) on the generation in ``index_dir``, whether it serves yet or not: what
        a finalizer reads the generation it just committed with."""
        store = cls(Path(index_dir).parent)
        s = store._open((Path(index_dir).name,))
        try:
            yield store, s
        finally:
            s.close()

    def generation_file(self, searcher: Searcher, name: str) -> Path:
        """A file that belongs to ``searcher``'s index generation (``name`` may hold ``{toc}``: files
        written after each commit, such as the archive's identities)."""
        gen, toc = searcher.searchapp_generation
        return self.root / gen / name.format(toc=toc)

    # -- information -------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        gen = self.current_dir()
        info = _read_json(gen / BUILD_INFO)
        with self.searcher() as s:
            from whoosh.query import Term

            articles = sum(1 for _ in s.docs_for_query(Term("kind", "article")))
            quotes = sum(1 for _ in s.docs_for_query(Term("kind", "quote")))
            fields = sorted(s.schema.names())
            segments = len(s.reader().leaf_readers()) if hasattr(s.reader(), "leaf_readers") else 1
        size = sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
        return {
            "index": str(self.root),
            "generation": gen.name,
            "articles": articles,
            "quotes": quotes,
            "deleted_documents": info.get("deleted", 0),
            "fields": fields,
            "segments": segments,
            "size_bytes": size,
            "last_build": info,
            "updated": dt.datetime.fromtimestamp(
                max(p.stat().st_mtime for p in gen.iterdir()), dt.timezone.utc
            ).isoformat(timespec="seconds"),
        }


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


class GenerationWriter:
    """A thin wrapper on a Whoosh writer that speaks in articles (ids and their documents)."""

    def __init__(self, writer, stale_pid: int | None = None):
        self._w = writer
        self.index_dir: Path | None = None
        self.previous_dir: Path | None = None  # the generation this one follows (None for a first build)
        self.info: dict[str, Any] = {}
        self.stale_pid = stale_pid
        # ``finalizer(commit)`` runs after the commit, before the generation serves: what is computed
        # from the whole archive (searchapp.archive) is written beside it there.
        self.finalizers: list = []
        # What this writer changed, for the finalizers: the articles written (as records: id, title,
        # body, published, publisher) and the ids removed; ``complete`` when the records are the
        # whole archive (a rebuild).
        self.added: list[dict[str, Any]] = []
        self.removed: set[str] = set()
        self.complete = False
        self._done = False

    def finish(self) -> None:
        """Run the finalizers on what this writer committed (in ``index_dir``)."""
        if not self.finalizers:
            return
        reader = whoosh_index.open_dir(str(self.index_dir)).reader()
        try:
            commit = Commit(self.index_dir, reader, self.added, self.removed, self.complete)
            for finalizer in self.finalizers:
                finalizer(commit)
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
        from searchapp.store.schema import ALIAS_SEPARATOR, FACETS

        indexed = set(reader.indexed_field_names())

        def counts(fieldname: str) -> dict[str, int]:
            if fieldname not in indexed:
                return {}
            return {term.decode("utf-8"): info.doc_frequency()
                    for term, info in reader.iter_field(fieldname)}

        aliases = {}
        for text, n in counts("f_aliases").items():
            short, sep, long = text.partition(ALIAS_SEPARATOR)
            if sep:
                aliases[(short, long)] = n
        return cls({name: counts("f_" + name) for name in FACETS}, aliases, counts("f_tentative"))


def _prune_generation_files(gen: Path, keep: int = 2) -> None:
    """Per-commit files and folders (``NAME-<toc>[.json]``) of commits older than the newest ``keep``:
    searchers still reading the previous commit keep theirs."""
    by_name: dict[str, list[tuple[int, Path]]] = {}
    for p in gen.glob("[A-Z]*-*"):
        stem, _, toc = (p.stem if p.is_file() else p.name).rpartition("-")
        if toc.isdigit():
            by_name.setdefault(stem, []).append((int(toc), p))
    for files in by_name.values():
        for _, p in sorted(files)[:-keep]:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_tree(path: Path) -> None:
    for p in path.iterdir():
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=str))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
