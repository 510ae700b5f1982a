"""Saved searches and alerts: "tell me when something new matches".

A saved search is a name and a query (the full query language: `speaker:Lavrov troops`,
`place:Moscow sanctions`). Its state lives in one SQLite file beside the index (``alerts.sqlite3``):
the searches, and for each the hits it has already reported. Saving a search marks what it matches
now as seen, so the first `run` reports only what arrives after. A hit is an article, or for a
speaker query one quote (the key: its article and its words), so a quote hit carries the quote and
its speaker.

Used by `searchapp alerts ...`, `searchapp ingest --watch` (after each round) and the web app's
``/alerts`` page (which shows what is new without marking it).
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import sqlite3
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

from searchapp.ingest.state import utc_now
from searchapp.search import Searcher

FILE_NAME = "alerts.sqlite3"
MAX_NAME_CHARS = 80
MAX_MATCHES = 10_000  # hits a saved search looks at per run, newest first: a run's cost is bounded

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, created TEXT, last_run TEXT);
CREATE TABLE IF NOT EXISTS seen (name TEXT NOT NULL, key TEXT NOT NULL, first_seen TEXT,
                                 PRIMARY KEY (name, key));
"""


class AlertError(ValueError):
    """A saved search that cannot be made or found; the message says why."""


@dataclass
class SavedSearch:
    name: str
    query: str
    created: str
    last_run: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "created": self.created, "last_run": self.last_run}


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS or any(unicodedata.category(c).startswith("C") for c in name):
        raise AlertError(f"a saved search's name is 1-{MAX_NAME_CHARS} printable characters, not {name[:100]!r}")
    return name


class Alerts:
    """The saved searches of one index (``index_dir/alerts.sqlite3``)."""

    def __init__(self, index_dir: str | Path):
        self.path = Path(index_dir) / FILE_NAME

    def _db(self, create: bool = False) -> sqlite3.Connection | None:
        if not self.path.exists() and not create:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.executescript(_SCHEMA)
        return db

    # -- the saved searches ------------------------------------------------------------------------

    def add(self, name: str, query: str, searcher: Searcher) -> int:
        """Save ``query`` as ``name``; what it matches now is seen. Returns that number of hits."""
        name = check_name(name)
        keys = [key for key, _ in matches(searcher, query)]  # a bad query raises QueryError here
        db = self._db(create=True)
        with db:
            if db.execute("SELECT 1 FROM searches WHERE name = ?", (name,)).fetchone():
                raise AlertError(f"there is already a saved search named {name!r} (remove it first)")
            now = utc_now()
            db.execute("INSERT INTO searches VALUES (?, ?, ?, NULL)", (name, query.strip(), now))
            db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", [(name, k, now) for k in keys])
        db.close()
        return len(keys)

    def list(self) -> list[SavedSearch]:
        db = self._db()
        if db is None:
            return []
        with db:
            rows = db.execute("SELECT name, query, created, last_run FROM searches ORDER BY name").fetchall()
        db.close()
        return [SavedSearch(*row) for row in rows]

    def remove(self, name: str) -> bool:
        db = self._db()
        if db is None:
            return False
        with db:
            found = db.execute("DELETE FROM searches WHERE name = ?", (name,)).rowcount > 0
            db.execute("DELETE FROM seen WHERE name = ?", (name,))
        db.close()
        return found

    # -- what is new --------------------------------------------------------------------------------

    def pending(self, saved: SavedSearch, searcher: Searcher, limit: int = MAX_MATCHES) -> list[dict[str, Any]]:
        """What ``saved`` matches that it has not reported yet, among its newest ``limit`` hits, newest
        first (nothing is marked)."""
        db = self._db()
        seen = {k for (k,) in db.execute("SELECT key FROM seen WHERE name = ?", (saved.name,))} if db else set()
        if db is not None:
            db.close()
        return [dict(row, alert=saved.name, query=saved.query) for key, row in matches(searcher, saved.query, limit)
                if key not in seen]

    def run(self, searcher: Searcher, names: list[str] | None = None, deliver=None) -> list[dict[str, Any]]:
        """Every saved search's new hits (or those of ``names``), marked as reported once
        ``deliver(rows)`` (if given: the mail) has returned; if it raises, nothing is marked."""
        chosen = [s for s in self.list() if names is None or s.name in names]
        missing = set(names or ()) - {s.name for s in chosen}
        if missing:
            raise AlertError(f"no saved search named {sorted(missing)[0]!r}")
        new = {saved.name: self.pending(saved, searcher) for saved in chosen}
        rows = [row for found in new.values() for row in found]
        if deliver is not None and rows:
            deliver(rows)
        db = self._db(create=True)
        with db:
            now = utc_now()
            for name, found in new.items():
                db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", [(name, _key(r), now) for r in found])
                db.execute("UPDATE searches SET last_run = ? WHERE name = ?", (now, name))
        db.close()
        return rows


def matches(searcher: Searcher, query: str, limit: int = MAX_MATCHES) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, row) for each hit of ``query``, newest first, at most ``limit``: articles, or the quotes
    of a speaker query. Copies of one story count once (the first version seen stays the hit)."""
    if searcher.quote_mode(query):
        for n, row in enumerate(searcher.iter_quotes(query, sort="newest")):
            if n >= limit:
                return
            out = {"id": row["article"], "url": row["url"], "published": row["published"],
                   "publisher": row["publisher"], "title": "", "quote": row["quote"], "speaker": row["speaker"]}
            yield _key(out), out
        return
    for n, hit in enumerate(searcher.iter_hits(query, sort="newest")):
        if n >= limit:
            return
        out = {"id": hit.id, "url": hit.url, "published": hit.published, "publisher": hit.publisher,
               "title": hit.title or hit.lead[:80]}
        yield _key(out), out


def _key(row: dict[str, Any]) -> str:
    if "quote" in row:
        return row["id"] + "#" + hashlib.sha1(row["quote"].encode("utf-8")).hexdigest()[:16]
    return row["id"]


# -- mail ---------------------------------------------------------------------------------------------

@dataclass
class Mail:
    """Where alerts go by mail: an SMTP server (``host:port``), the sender and the recipients."""

    server: str
    sender: str
    recipients: list[str]
    starttls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, environ=None) -> "Mail | None":
        """From $SEARCHAPP_SMTP (host:port), $SEARCHAPP_MAIL_FROM, $SEARCHAPP_MAIL_TO (comma-separated),
        and optionally $SEARCHAPP_SMTP_STARTTLS=1, $SEARCHAPP_SMTP_USER, $SEARCHAPP_SMTP_PASSWORD; None
        without a server."""
        env = os.environ if environ is None else environ
        server = env.get("SEARCHAPP_SMTP", "").strip()
        if not server:
            return None
        recipients = [r.strip() for r in env.get("SEARCHAPP_MAIL_TO", "").split(",") if r.strip()]
        sender = env.get("SEARCHAPP_MAIL_FROM", "").strip()
        if not recipients or not sender:
            raise AlertError("$SEARCHAPP_SMTP is set: set $SEARCHAPP_MAIL_FROM and $SEARCHAPP_MAIL_TO too")
        return cls(server, sender, recipients, env.get("SEARCHAPP_SMTP_STARTTLS", "") in ("1", "true", "yes"),
                   env.get("SEARCHAPP_SMTP_USER") or None, env.get("SEARCHAPP_SMTP_PASSWORD") or None)

    def send(self, rows: list[dict[str, Any]]) -> None:
        host, _, port = self.server.rpartition(":") if ":" in self.server else (self.server, "", "25")
        msg = EmailMessage()
        names = sorted({r["alert"] for r in rows})
        msg["Subject"] = f"searchapp: {len(rows)} new for {', '.join(names)[:150]}"
        msg["From"], msg["To"] = self.sender, ", ".join(self.recipients)
        msg.set_content(format_text(rows))
        with smtplib.SMTP(host, int(port), timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(msg)


def format_text(rows: list[dict[str, Any]]) -> str:
    """The new hits as plain text, grouped by saved search (the mail's body)."""
    lines = []
    for name in sorted({r["alert"] for r in rows}):
        group = [r for r in rows if r["alert"] == name]
        lines.append(f"{name} ({group[0]['query']}): {len(group)} new")
        for r in group:
            when = (r.get("published") or "")[:10]
            if "quote" in r:
                lines.append(f"  - {r.get('speaker') or 'someone'}: \u201c{r['quote']}\u201d ({r.get('publisher') or ''} "
                             f"{when}) {r.get('url') or r['id']}")
            else:
                lines.append(f"  - {r.get('title') or r['id']} ({r.get('publisher') or ''} {when}) {r.get('url') or r['id']}")
        lines.append("")
    return "\n".join(lines)
