"""The memory of `searchapp ingest`, in one SQLite file beside the index (``ingest.sqlite3``): the
sources and their cache headers, every article URL seen (its id, validators, the date its listing
gave it, a digest of what was indexed, the last failure), and each run's summary.

A page is marked indexed only after the index commit that holds it, so an interrupted or failed run
leaves it to be fetched again; nothing here is needed to search.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "ingest.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY, kind TEXT, etag TEXT, last_modified TEXT,
    first_run TEXT, last_run TEXT, last_error TEXT
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, source TEXT, etag TEXT, last_modified TEXT,
    listed TEXT, digest TEXT, status TEXT, error TEXT, first_seen TEXT, last_fetched TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, summary TEXT
);
"""


def utc_now() -> str:
    """Now, as the SQLite state files of ingest and alerts write it."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Page:
    url: str
    source: str = ""
    etag: str = ""
    last_modified: str = ""
    listed: str = ""
    digest: str = ""
    status: str = ""  # "indexed" or "failed"
    error: str = ""


@dataclass
class Source:
    url: str
    kind: str = ""
    etag: str = ""
    last_modified: str = ""
    last_error: str = ""


class State:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.executescript(_SCHEMA)
        self.db.commit()

    @classmethod
    def beside(cls, index_dir: str | Path) -> "State":
        return cls(Path(index_dir) / FILE_NAME)

    def close(self) -> None:
        self.db.close()

    # -- sources --------------------------------------------------------------------------------

    def source(self, url: str) -> Source:
        row = self.db.execute("SELECT url, kind, etag, last_modified, last_error FROM sources WHERE url = ?",
                              (url,)).fetchone()
        return Source(*(v or "" for v in row)) if row else Source(url)

    def save_source(self, source: Source) -> None:
        now = utc_now()
        with self.db:
            self.db.execute(
                "INSERT INTO sources (url, kind, etag, last_modified, first_run, last_run, last_error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
                "etag = excluded.etag, last_modified = excluded.last_modified, last_run = excluded.last_run, "
                "last_error = excluded.last_error",
                (source.url, source.kind, source.etag, source.last_modified, now, now, source.last_error))

    def sources(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT url, kind, first_run, last_run, last_error FROM sources ORDER BY url")
        return [dict(zip(("url", "kind", "first_run", "last_run", "last_error"), row)) for row in cur]

    # -- pages ----------------------------------------------------------------------------------

    def page(self, url: str) -> Page | None:
        row = self.db.execute("SELECT url, source, etag, last_modified, listed, digest, status, error "
                              "FROM pages WHERE url = ?", (url,)).fetchone()
        return Page(*(v or "" for v in row)) if row else None

    def failed_pages(self, source: str) -> list[Page]:
        cur = self.db.execute("SELECT url, source, etag, last_modified, listed, digest, status, error "
                              "FROM pages WHERE source = ? AND status = 'failed' ORDER BY url", (source,))
        return [Page(*(v or "" for v in row)) for row in cur]

    def save_pages(self, pages: list[Page]) -> None:
        """In one transaction (after the index commit that holds the indexed ones)."""
        now = utc_now()
        with self.db:
            self.db.executemany(
                "INSERT INTO pages (url, source, etag, last_modified, listed, digest, status, error, "
                "first_seen, last_fetched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "source = excluded.source, etag = excluded.etag, "
                "last_modified = excluded.last_modified, listed = excluded.listed, digest = excluded.digest, "
                "status = excluded.status, error = excluded.error, last_fetched = excluded.last_fetched",
                [(p.url, p.source, p.etag, p.last_modified, p.listed, p.digest, p.status, p.error,
                  now, now) for p in pages])

    # -- runs -----------------------------------------------------------------------------------

    def save_run(self, started: str, summary: dict[str, Any]) -> None:
        with self.db:
            self.db.execute("INSERT INTO runs (started, finished, summary) VALUES (?, ?, ?)",
                            (started, utc_now(), json.dumps(summary)))

    def last_run(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT started, finished, summary FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return {"started": row[0], "finished": row[1], "summary": json.loads(row[2])} if row else None

