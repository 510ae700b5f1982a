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
from whoosh.query import Term
from whoosh.searching import Searcher

from searchapp.store.whoosh.schema import build_schema
from searchapp.store.whoosh.writer import ArchiveNames, AtomicWriter, GenerationWriter, article_record

__all__ = ["WhooshBackend", "ArchiveNames", "GenerationWriter", "article_record"]


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

    def open(self, folder: Path) -> tuple[Searcher, int]:
        """A searcher on ``folder`` and the commit it really reads.

        A commit may land between looking at the disk and opening: whatever TOC is newest when the
        index is opened is the one read, so the label comes from that very TOC."""
        ix = whoosh_index.open_dir(str(folder))
        for attempt in range(10):
            toc = ix._read_toc()  # one table of contents, read once: its segments and its number
            try:
                reader = ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
                break
            except OSError:  # a writer removed a segment of that TOC just now: read the next one
                if attempt == 9:
                    raise
                time.sleep(0.05)
        return Searcher(reader, fromindex=ix), toc.generation

    def counts(self, searcher: Searcher) -> dict[str, Any]:
        """Articles, quotes, fields and segments of what ``searcher`` reads (`index stats`)."""
        reader = searcher.reader()
        return {
            "articles": sum(1 for _ in searcher.docs_for_query(Term("kind", "article"))),
            "quotes": sum(1 for _ in searcher.docs_for_query(Term("kind", "quote"))),
            "fields": sorted(searcher.schema.names()),
            "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
        }
