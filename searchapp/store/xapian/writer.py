"""Writing a Xapian generation: one local database, or remote shards (``xapian-tcpsrv --writable``).

A full build's worker processes each write a local part (`PartWriter`: the analysis and the Xapian
documents are made there); the generation's writer then copies the parts' documents into the
database, or each to its shard (by a stable hash of its article's id, quotes with their article),
leaving out the duplicates the indexer marked. `add` and `delete` reach the article's shard. Every
write to a live database is one Xapian transaction per shard, committed at the end: all or nothing on
each shard (shards commit one after the other)."""
from __future__ import annotations

import contextlib
import os
import shutil
from array import array
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import xapian

from searchapp.store.memory import release
from searchapp.store.whoosh.schema import build_schema
from searchapp.store.whoosh.writer import ArchiveNames, Changes, article_record
from searchapp.store.xapian import terms as X


class Part:
    """What a worker wrote: a local database and each document's shard; picklable (it travels back to
    the parent), with the indexer's `delete_document` (a later copy of an id) recorded."""

    def __init__(self, path: str, shards: bytes):
        self.path, self.shards = path, shards
        self.deleted: set[int] = set()

    def delete_document(self, docnum: int) -> None:
        self.deleted.add(docnum)


class PartWriter:
    """A worker process's writer of its own part of a new generation."""

    def __init__(self, folder: str, shards: int):
        self.path = str(Path(folder) / f".part-{os.getpid()}")
        self.db = xapian.WritableDatabase(self.path, xapian.DB_CREATE_OR_OVERWRITE)
        self.schema = build_schema()
        self.shard_count = shards
        self.shards = array("B")
        self.docnum = 0

    def add_documents(self, docs: list[dict[str, Any]]) -> None:
        """One article's documents, all or none: every one is made before any is written."""
        made = [(X.xapian_document(d, self.schema), X.route(d, self.shard_count)) for d in docs]
        for doc, shard in made:
            self.db.add_document(doc)
            self.shards.append(shard)
            self.docnum += 1

    def finish(self) -> Part | None:
        self.db.commit()
        self.db.close()
        if not self.docnum:
            shutil.rmtree(self.path, ignore_errors=True)
            return None
        return Part(self.path, self.shards.tobytes())


class GenerationWriter(Changes):
    """store/whoosh/writer.py's GenerationWriter, on Xapian: ``targets`` are the writable databases, one
    per shard (one for a local index)."""

    def __init__(self, backend, folder: Path, targets: list[xapian.WritableDatabase], *, transaction: bool,
                 stale_pid: int | None = None, compactable: Path | None = None):
        self.backend = backend
        self._targets = targets
        self._transaction = transaction
        self.start_changes(stale_pid)
        self.index_dir = folder
        self.schema = build_schema()
        # a new local database that nothing was written to yet: the parts may replace it (_compact)
        self.compactable: Path | None = compactable

    def _target(self, article_id: str) -> xapian.WritableDatabase:
        return self._targets[X.shard_of(article_id, len(self._targets))]

    def finish(self) -> None:
        """Run the finalizers on what this writer committed (in ``index_dir``)."""
        if not self.finalizers:
            return
        snapshot, toc = self.backend.open(self.index_dir)
        try:
            commit = Commit(self.index_dir, snapshot, toc, self.added, self.removed, self.complete)
            for finalizer in self.finalizers:
                finalizer(commit)
                release()  # what the step freed, before the next one maps the index (store/memory.py)
        finally:
            snapshot.close()

    def add(self, docs: list[dict[str, Any]]) -> None:
        self.compactable = None
        made = [X.xapian_document(d, self.schema) for d in docs]
        for d, doc in zip(docs, made):
            self._targets[X.route(d, len(self._targets))].add_document(doc)

    def replace(self, article_id: str, docs: list[dict[str, Any]]) -> bool:
        self.compactable = None
        made = [X.xapian_document(d, self.schema) for d in docs]  # raises before anything changed
        existed = self.delete(article_id)
        db = self._target(article_id)
        for doc in made:
            db.add_document(doc)
        self.removed.discard(article_id)
        self.added.append(article_record(docs[0]))
        return existed

    def delete(self, article_id: str) -> bool:
        db = self._target(article_id)
        db.delete_document(X.term("parent", article_id))  # its quotes
        found = db.get_termfreq(X.term("id", article_id)) > 0
        if found:
            db.delete_document(X.term("id", article_id))
            self.removed.add(article_id)
        return found

    def delete_moved(self, old_id: str, path: str) -> bool:
        db = self._target(old_id)
        for p in db.postlist(X.term("id", old_id)):
            if X.stored_of(db.get_document(p.docid)).get("path") == path:
                return self.delete(old_id)
        return False

    def commit_segments(self, parts: list[Part]) -> None:
        """Copy the workers' parts into the database (each document to its shard), then commit."""
        if self._done:
            return
        if self.compactable and parts:
            self._compact(parts)
            parts = []
        self._copy(parts)
        self.commit()

    def _copy(self, parts: list[Part]) -> None:
        """Each document of the parts to its shard, a thread per shard (the bindings release the GIL
        while Xapian waits on a shard, and a remote shard answers every document)."""
        shards = len(self._targets)

        def copy_to(shard: int) -> None:
            target = self._targets[shard]
            for part in parts:
                src = xapian.Database(part.path)
                try:
                    for docnum, to in enumerate(part.shards):
                        if to % shards == shard and docnum not in part.deleted:
                            target.add_document(src.get_document(docnum + 1))
                finally:
                    src.close()

        if shards == 1:
            copy_to(0)
        else:
            with ThreadPoolExecutor(shards) as pool:
                list(pool.map(copy_to, range(shards)))
        for part in parts:
            shutil.rmtree(part.path, ignore_errors=True)

    def _compact(self, parts: list[Part]) -> None:
        """A new local database made of the parts by Xapian's compactor (C++, a merge of sorted posting
        lists, several times faster than copying document by document): the duplicates the indexer
        marked deleted in their part first. Document numbers follow the parts' order, as a copy's."""
        for part in parts:
            if part.deleted:
                db = xapian.WritableDatabase(part.path, xapian.DB_OPEN)
                for docnum in sorted(part.deleted):
                    db.delete_document(docnum + 1)
                db.commit()
                db.close()
        path = self.compactable
        self._targets[0].close()
        shutil.rmtree(path)
        combined = xapian.Database()
        for part in parts:
            combined.add_database(xapian.Database(part.path))
        combined.compact(str(path))
        combined.close()
        self._targets = [xapian.WritableDatabase(str(path), xapian.DB_OPEN)]
        for part in parts:
            shutil.rmtree(part.path, ignore_errors=True)

    def commit(self) -> None:
        if self._end(lambda db: db.commit_transaction() if self._transaction else db.commit()):
            self.backend.committed(self.index_dir, self._targets)

    def cancel(self) -> None:
        self._end(lambda db: self._transaction and db.cancel_transaction(), quiet=True)

    def _end(self, how, quiet: bool = False) -> bool:
        """Commit or cancel on every shard, then close them; False if already ended."""
        if self._done:
            return False
        self._done = True
        try:
            for db in self._targets:
                try:
                    how(db)
                except xapian.Error:
                    if not quiet:
                        raise
        finally:
            for db in self._targets:
                with contextlib.suppress(xapian.Error):
                    db.close()
        return True


class Commit:
    """What a finalizer sees of one commit (store/whoosh/writer.py Commit): its number (``toc``), the
    archive's names, what the writer changed, and every article."""

    def __init__(self, index_dir: Path, snapshot, toc: int, added: list[dict[str, Any]], removed: set[str],
                 complete: bool):
        self.index_dir, self.snapshot, self.toc = index_dir, snapshot, toc
        self.added, self.removed, self.complete = added, removed, complete
        self._names: ArchiveNames | None = None

    @property
    def names(self) -> ArchiveNames:
        if self._names is None:
            self._names = self.snapshot.archive_names()
        return self._names

    def articles(self) -> Iterator[dict[str, Any]]:
        s = self.snapshot
        for docnum in s.postings("kind", "article")[0].tolist():
            yield article_record(s.stored(docnum))
