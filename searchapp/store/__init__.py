"""The index on disk: generations swapped atomically, one writer at a time, searchers reused.

Layout of an index directory::

    index/
      CURRENT            name of the live generation (replaced atomically)
      gen-<stamp>/       a complete index + BUILD.json (+ BACKEND: the engine, if not Whoosh, and its shards)
      .build-<pid>-...   a rebuild in progress (removed on failure; cleared if its writer died)
      .lock              the write lock (see lock.py)

A rebuild writes a new generation beside the live one and swaps CURRENT only when it is complete,
so a crash or Ctrl-C at any moment leaves the previous index serving. `add`/`delete` change the live
generation through Whoosh's own transactional commit (new segments, then an atomic TOC rename).

This class is backend-neutral: what it asks of the index itself (create, open, commit numbers) goes to
the generation's backend (store/whoosh, or store/xapian: a local database in the generation, or remote
shards named in its BACKEND file), the only code that imports the engine.
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

from searchapp.store.errors import ShardUnavailable
from searchapp.store.lock import IndexBusy, WriteLock
from searchapp.store.whoosh import ArchiveNames, GenerationWriter, WhooshBackend, article_record

__all__ = ["IndexStore", "IndexBusy", "IndexMissing", "ShardUnavailable", "ArchiveNames", "GenerationWriter",
           "article_record", "BACKENDS"]

Searcher = Any  # what the backend's open() gives: one thread's view of one commit (store/whoosh/snapshot.py)

CURRENT = "CURRENT"
BUILD_INFO = "BUILD.json"
BACKEND = "BACKEND"  # a generation's backend and its settings (JSON); none: Whoosh, as before there were others
BACKENDS = ("whoosh", "xapian")
KEEP_GENERATIONS = 2  # the live one and its predecessor, which searchers may still be reading
UPDATE_MEMORY_MB = 32  # the posting pool of `index add`/`delete` (see update())


class IndexMissing(Exception):
    """No index has been built at this location yet."""


class IndexStore:
    def __init__(self, root: str | os.PathLike, *, writer_memory_mb: int = 256, backend: str | None = None,
                 shards: list[str] | None = None):
        """``backend`` (and its ``shards``) for the next rebuild; otherwise a rebuild keeps the live
        generation's, and everything else uses the backend each generation records."""
        self.root = Path(root)
        self._requested = None if backend is None and not shards else make_backend(backend or "xapian", shards)
        self._building = None  # the backend of the rebuild in progress
        self._backends: dict[str, Any] = {}  # generation name -> its backend
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

    @property
    def backend(self):
        """The backend of the rebuild in progress, else of the live generation (Whoosh for none)."""
        if self._building is not None:
            return self._building
        live = self.current_name()
        return self.backend_of(self.root / live) if live else (self._requested or WhooshBackend())

    def backend_of(self, gen: Path):
        """The backend generation ``gen`` was written with (its BACKEND file)."""
        backend = self._backends.get(gen.name)
        if backend is None:
            info = _read_json(gen / BACKEND)
            backend = self._backends[gen.name] = make_backend(info.get("backend", "whoosh"), info.get("shards"))
        return backend

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def rebuild(self) -> Iterator["GenerationWriter"]:
        """A writer for a brand-new generation; swapped in only if the block completes."""
        with WriteLock(self.root) as lock:
            self._clear_abandoned_builds()
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
            tmp = self.root / f".build-{os.getpid()}-{stamp}"
            tmp.mkdir(parents=True)
            self._building = backend = self._requested or self.backend
            try:
                if backend.name != "whoosh":
                    _write_json(tmp / BACKEND, {"backend": backend.name, **backend.settings()})
                writer = backend.create(tmp, self.writer_memory_mb, stale_pid=lock.stale_pid)
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
            finally:
                self._building = None
            self._prune_generations()
            self._serve_latest()

    @contextlib.contextmanager
    def update(self) -> Iterator["GenerationWriter"]:
        """A writer on the live generation (add, update, delete); all or nothing at commit."""
        with WriteLock(self.root) as lock:
            # A smaller posting pool than a build's: here the word pairs go through it too (a build writes
            # them apart), half a million for one 8 MiB body; past the limit it spills to disk.
            limit = min(self.writer_memory_mb, UPDATE_MEMORY_MB)
            writer = self.backend.update(self.current_dir(), limit, stale_pid=lock.stale_pid)
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
        """(generation dir, newest commit on disk): changes on rebuild and on every commit. Only a hint
        that something changed: a searcher is labelled with what it really read (_open)."""
        gen = self.current_dir()
        return gen.name, self.backend_of(gen).commit_number(gen)

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

    def _open(self, key: tuple, whole: bool = False) -> Searcher:
        """A searcher on generation ``key[0]``, labelled with the table of contents it really reads
        (``whole``: for reading the whole index, see the backend's ``open``).

        A commit may land between looking at the disk and opening: whatever TOC is newest when the
        index is opened is the one read, so the label must come from that very TOC, never from the
        key looked up before (caches of one generation must never meet a reader of another)."""
        s, commit = self.backend_of(self.root / key[0]).open(self.root / key[0], whole=whole)
        s.searchapp_generation = (key[0], commit)  # which cache() belongs to this searcher
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
        """A snapshot of the live index (store/whoosh/snapshot.py), taken from a pool (one thread at a
        time each).

        While a new generation warms up, the pool serves the previous one; a searcher opened meanwhile
        (the pool was empty) reads the newest generation and carries that label."""
        self._refresh_pool()
        pool = self._pool
        try:
            s = pool.get_nowait()
        except queue.Empty:
            s = self._open(self._seen_key)
        broken = False
        try:
            yield s
        except ShardUnavailable:
            broken = True  # its connections: the next search opens new ones
            raise
        finally:
            if not broken and self._pool is pool and s.searchapp_generation == self._pool_key:
                pool.put(s)
            else:
                with contextlib.suppress(Exception):
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
        s = store._open((Path(index_dir).name,), whole=True)
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
            counts = self.backend.counts(s)
        size = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())  # a local Xapian database is a folder
        return {
            "index": str(self.root),
            "generation": gen.name,
            "articles": counts["articles"],
            "quotes": counts["quotes"],
            "deleted_documents": info.get("deleted", 0),
            "fields": counts["fields"],
            "segments": counts["segments"],
            "size_bytes": size,
            "last_build": info,
            "updated": dt.datetime.fromtimestamp(
                max(p.stat().st_mtime for p in gen.iterdir()), dt.timezone.utc
            ).isoformat(timespec="seconds"),
        }


def make_backend(name: str, shards: list[str] | None = None):
    """A backend by name: ``whoosh`` (embedded, the default) or ``xapian`` (local, or ``shards``:
    tcp://host:port of each xapian-tcpsrv)."""
    if name == "whoosh":
        if shards:
            raise ValueError("shards are a Xapian backend's: use --backend xapian")
        return WhooshBackend()
    if name == "xapian":
        from searchapp.store.xapian import XapianBackend  # only when asked for: Xapian is an optional extra

        return XapianBackend(shards or [])
    raise ValueError(f"unknown index backend {name!r} (one of {', '.join(BACKENDS)})")


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
