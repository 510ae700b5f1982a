"""The Whoosh backend: the embedded default, and the only module tree that imports Whoosh.

`WhooshBackend` is what `IndexStore` (store/__init__.py) asks of a backend: create a generation and
a writer on it, open a writer on a live one, say which commit a generation is at, open a searcher
labelled with the commit it really reads, and count what an index holds. The numpy ranker reads its
postings, lengths and columns through `reading`; the query language is parsed in `parse`."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term
from whoosh.searching import Searcher

from searchapp.article import Article
from searchapp.store.whoosh import files, segments  # noqa: F401 - files: see its docstring
from searchapp.store.whoosh.schema import article_documents, build_schema
from searchapp.store.whoosh.snapshot import Snapshot
from searchapp.store.whoosh.writer import ArchiveNames, AtomicWriter, GenerationWriter, article_record

__all__ = ["WhooshBackend", "ArchiveNames", "GenerationWriter", "Snapshot", "article_record"]


class WhooshBackend:
    name = "whoosh"

    def create(self, folder: Path, memory_mb: int, stale_pid: int | None = None) -> GenerationWriter:
        """A writer on a brand-new, empty index in ``folder``."""
        ix = whoosh_index.create_in(str(folder), build_schema())
        return GenerationWriter(AtomicWriter(ix, limitmb=memory_mb), stale_pid=stale_pid)

    def update(self, folder: Path, memory_mb: int, stale_pid: int | None = None) -> GenerationWriter:
        """A writer on the index in ``folder``, all or nothing at its commit."""
        ix = whoosh_index.open_dir(str(folder))
        return GenerationWriter(AtomicWriter(ix, limitmb=memory_mb), stale_pid=stale_pid)

    def commit_number(self, folder: Path) -> int:
        """The newest commit on disk in ``folder`` (Whoosh's TOC generation), -1 for none."""
        return max((int(p.name.rsplit("_", 1)[1].split(".")[0]) for p in folder.glob("_MAIN_*.toc")), default=-1)

    def open(self, folder: Path, whole: bool = False) -> tuple[Snapshot, int]:
        """A snapshot of ``folder`` and the commit it really reads.

        A commit may land between looking at the disk and opening: whatever TOC is newest when the
        index is opened is the one read, so the label comes from that very TOC.

        A search reads a few terms' postings and a few stored documents: its files are read, not
        memory-mapped, so a query process holds what it uses (on Reuters 169 MB after the 230
        benchmark queries; mapped, the pages it touched count too: 329 MB, and 442 MB with Whoosh's
        copies of each file, see files.py). ``whole``: what reads the whole index (the tables built at
        each commit look up every name) maps it, where a seek and a read per term lookup cost 40% more."""
        storage = FileStorage(str(folder), supports_mmap=whole, readonly=True)
        ix = whoosh_index.FileIndex(storage)
        for attempt in range(10):
            toc = ix._read_toc()  # one table of contents, read once: its segments and its number
            try:
                reader = ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
                break
            except OSError:  # a writer removed a segment of that TOC just now: read the next one
                if attempt == 9:
                    raise
                time.sleep(0.05)
        return Snapshot(Searcher(reader, fromindex=ix)), toc.generation

    @staticmethod
    def documents(article: Article, schema) -> list[dict[str, Any]]:
        """An article's index documents for ``schema`` (the article, then its quotes), analysed here,
        in the worker process that enriched it."""
        return article_documents(article, schema)

    @staticmethod
    def segment_writer(folder: str, memory_mb: int):
        """A worker process's writer of its own segment of the new generation in ``folder``."""
        return segments.segment_writer(folder, memory_mb)

    @staticmethod
    def finish_segment(writer):
        """The segment a worker wrote, for GenerationWriter.commit_segments (None if it wrote nothing)."""
        return segments.finish_segment(writer)

    def counts(self, snapshot: Snapshot) -> dict[str, Any]:
        """Articles, quotes, fields and segments of what ``snapshot`` reads (`index stats`)."""
        searcher = snapshot.searcher
        reader = searcher.reader()
        return {
            "articles": sum(1 for _ in searcher.docs_for_query(Term("kind", "article"))),
            "quotes": sum(1 for _ in searcher.docs_for_query(Term("kind", "quote"))),
            "fields": sorted(searcher.schema.names()),
            "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
        }
