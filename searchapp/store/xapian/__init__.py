"""The Xapian backend: a local database, or shards served by ``xapian-tcpsrv`` opened as one.

`XapianBackend` answers what `IndexStore` asks of a backend (store/whoosh/__init__.py): create a
generation and a writer on it, open a writer on a live one, say which commit it is at, open a snapshot
(store/xapian/snapshot.py) and count what it holds. Only this package imports Xapian.

The terms are searchapp's own: documents are made by the Whoosh schema's mapping and NLTK analysis
chain (store/whoosh/schema.py `article_documents`, store/whoosh/analysis.py: the same stems, folding
and word pairs), and queries are read by the same query language (store/whoosh/parse.py), so both
backends index and look up the very same terms; store/xapian/terms.py lays them out in Xapian.

A local generation keeps its database in ``<generation>/xapian``. A sharded one keeps only its
``BACKEND`` (the shards' addresses) and a ``COMMITS`` counter: the documents live in the shards'
databases, each served by ``xapian-tcpsrv --writable`` on its machine, and a rebuild replaces each
shard's documents in one transaction (readers see the old documents until it commits). Documents go
to shards by a stable hash of their article's id, quotes with their article.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import xapian

from searchapp.article import Article
from searchapp.store.errors import ShardUnavailable
from searchapp.store.whoosh.schema import article_documents, build_schema
from searchapp.store.xapian import terms as X
from searchapp.store.xapian.snapshot import Snapshot
from searchapp.store.xapian.writer import GenerationWriter, Part, PartWriter

__all__ = ["XapianBackend", "Snapshot", "GenerationWriter", "parse_address"]

REPLICAS = "|"  # between a shard's master and its read replicas, in a shard's address
LOCAL = "xapian"  # the database's folder inside a local generation
COMMITS = "COMMITS"  # a sharded generation's commit counter
TIMEOUT_MS = 10_000


def parse_address(address: str) -> tuple[str, int]:
    """``tcp://host:port`` (or ``host:port``) -> (host, port)."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"a shard address is tcp://HOST:PORT, not {address!r}")
    return host, int(port)


class XapianBackend:
    name = "xapian"

    def __init__(self, shards: list[str] | tuple[str, ...] = ()):
        """``shards``: one address per shard, ``tcp://HOST:PORT``; a shard with read replicas is
        ``tcp://MASTER:PORT|tcp://REPLICA:PORT|...`` (writes go to the first, searches to the first that
        answers)."""
        self.shards = [s.strip() for s in shards if s.strip()]
        for shard in self.shards:
            for address in shard.split(REPLICAS):
                parse_address(address)

    def settings(self) -> dict[str, Any]:
        """What the generation's BACKEND file records beside the name."""
        return {"shards": self.shards}

    # -- connections -------------------------------------------------------------------------------

    def _connect(self, shard: str, writable: bool):
        """A connection to ``shard``: its master for writing; for reading, the first of its master and
        replicas that answers."""
        replicas = shard.split(REPLICAS)
        failed = []
        for address in replicas[:1] if writable else replicas:
            host, port = parse_address(address)
            try:
                if writable:
                    return xapian.remote_open_writable(host, port, TIMEOUT_MS)
                return xapian.remote_open(host, port, TIMEOUT_MS)
            except xapian.Error as e:
                failed.append(f"{address}: {e}")
        raise ShardUnavailable(f"Xapian shard {shard} is unavailable ({'; '.join(failed)}); is its xapian-tcpsrv "
                               "running" + (", and writable?" if writable else "?"))

    def _writables(self) -> list:
        opened = []
        try:
            for address in self.shards:
                opened.append(self._connect(address, writable=True))
        except BaseException:
            for db in opened:
                with contextlib.suppress(xapian.Error):
                    db.close()
            raise
        return opened

    # -- what IndexStore asks ----------------------------------------------------------------------

    def create(self, folder: Path, memory_mb: int, stale_pid: int | None = None) -> GenerationWriter:
        """A writer of a brand-new generation in ``folder``: a new local database, or every shard's
        documents replaced in one transaction per shard."""
        if not self.shards:
            path = Path(folder) / LOCAL
            db = xapian.WritableDatabase(str(path), xapian.DB_CREATE_OR_OVERWRITE)
            return GenerationWriter(self, Path(folder), [db], transaction=False, stale_pid=stale_pid,
                                    compactable=path)
        targets = self._writables()
        for db in targets:
            db.begin_transaction()
            for kind in ("article", "quote"):
                db.delete_document(X.term("kind", kind))
        return GenerationWriter(self, Path(folder), targets, transaction=True, stale_pid=stale_pid)

    def update(self, folder: Path, memory_mb: int, stale_pid: int | None = None) -> GenerationWriter:
        """A writer on the live generation in ``folder``, one transaction per shard."""
        targets = self._writables() if self.shards else [
            xapian.WritableDatabase(str(Path(folder) / LOCAL), xapian.DB_OPEN)]
        for db in targets:
            db.begin_transaction()
        return GenerationWriter(self, Path(folder), targets, transaction=True, stale_pid=stale_pid)

    def committed(self, folder: Path, targets: list) -> None:
        """After a commit: a sharded generation counts it (remote databases give no revision)."""
        if self.shards:
            path = Path(folder) / COMMITS
            tmp = path.with_name(f".{COMMITS}.{os.getpid()}.tmp")
            tmp.write_text(f"{self._counted(folder) + 1}\n")
            os.replace(tmp, path)

    def _counted(self, folder: Path) -> int:
        try:
            return int((Path(folder) / COMMITS).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def commit_number(self, folder: Path) -> int:
        if self.shards:
            return self._counted(folder)
        try:
            db = xapian.Database(str(Path(folder) / LOCAL))
        except xapian.DatabaseOpeningError:
            return -1
        try:
            return db.get_revision()
        finally:
            db.close()

    def open(self, folder: Path, whole: bool = False) -> tuple[Snapshot, int]:
        """A snapshot and the commit it reads (``whole`` is Whoosh's: Xapian does its own reading). A local database is read at the revision it opened at;
        remote shards give no revision, so a sharded snapshot is labelled with the commit counter read
        just before opening (a commit landing in between is seen by the next look at the counter)."""
        if not self.shards:
            db = xapian.Database(str(Path(folder) / LOCAL))
            return Snapshot(db, build_schema()), db.get_revision()
        toc = self._counted(folder)
        db = xapian.Database()
        for address in self.shards:
            db.add_database(self._connect(address, writable=False))
        return Snapshot(db, build_schema(), len(self.shards), self.shards), toc

    @staticmethod
    def documents(article: Article, schema) -> list[dict[str, Any]]:
        """An article's index documents (the article, then its quotes), analysed in the worker process by
        searchapp's own chain (store/whoosh/schema.py)."""
        return article_documents(article, schema)

    def segment_writer(self, folder: str, memory_mb: int) -> PartWriter:
        return PartWriter(folder, max(1, len(self.shards)))

    @staticmethod
    def finish_segment(writer: PartWriter) -> Part | None:
        return writer.finish()

    def counts(self, snapshot: Snapshot) -> dict[str, Any]:
        return {
            "articles": snapshot.doc_frequency("kind", "article"),
            "quotes": snapshot.doc_frequency("kind", "quote"),
            "fields": sorted(snapshot.schema.names()),
            "segments": max(1, len(self.shards)),
        }
