"""One round of `searchapp ingest`: read each source, fetch what is new or changed, index it in one
atomic `index add`, remember what was seen.

A source is fetched with its validators (a 304 lists nothing); each article it lists is fetched only
when it was never indexed, failed before, or its listing gives it a new date (and then conditionally:
a 304 or the same bytes cost nothing more). Fetched pages go into a WARC file that `index add` reads
with the ordinary readers; the state (`searchapp.ingest.state`) is written only after that commit. A
source that fails costs itself, an article that fails costs itself, and a stop request (Ctrl-C) is
honoured between articles: what was fetched by then is indexed and remembered.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from searchapp.ingest.crawl import CrawlWriter
from searchapp.ingest.fetch import FetchError, Fetcher, Response
from searchapp.ingest.listing import MAX_LISTING_BYTES, Item, ListingError, read_listing
from searchapp.ingest.state import Page, Source, State, utc_now
from searchapp.readers import printable
from searchapp.readers.limits import MAX_ARTICLE_BYTES

# Content types a source may have, matched as fragments (servers label feeds many ways; images, video,
# PDFs are refused); the full types are also what the request's Accept header asks for.
SOURCE_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "text/html",
                "xml", "rss", "atom", "rdf", "opml", "gzip", "text/plain")
PAGE_TYPES = ("text/html", "application/xhtml+xml")
MAX_DEPTH = 3  # an OPML list of feeds, a sitemap index of sitemaps: no deeper
LISTS_OF_SOURCES = ("sitemapindex", "opml")
_RECORD = re.compile(r"^(.*)#record(\d+) ")  # what the WARC reader says of a record: "<file>#record<n> <url>"


@dataclass
class SourceSummary:
    url: str
    kind: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason); the source's own first
    not_modified: bool = False  # the source answered 304

    def to_json(self) -> dict[str, Any]:
        return {"source": self.url, "kind": self.kind, "new": self.new, "updated": self.updated,
                "unchanged": self.unchanged, "not_modified": self.not_modified,
                "failed": [{"url": u, "reason": r} for u, r in self.failed]}


@dataclass
class RoundSummary:
    sources: list[SourceSummary] = field(default_factory=list)
    crawl: list[str] = field(default_factory=list)  # the WARC files written
    indexed: int = 0
    stopped: bool = False  # a stop request ended the round early
    requests: int = 0

    @property
    def failed(self) -> int:
        return sum(len(s.failed) for s in self.sources)

    def to_json(self) -> dict[str, Any]:
        return {"sources": [s.to_json() for s in self.sources], "crawl": self.crawl, "indexed": self.indexed,
                "stopped": self.stopped, "requests": self.requests,
                "new": sum(s.new for s in self.sources), "updated": sum(s.updated for s in self.sources),
                "unchanged": sum(s.unchanged for s in self.sources), "failed": self.failed}


@dataclass
class _Fetched:
    """A page fetched this round, waiting for the index commit."""

    page: Page
    summary: SourceSummary
    update: bool
    record: tuple[str, int]  # its WARC file and number there


class Round:
    def __init__(self, store, state: State, fetcher: Fetcher, *, enrich: bool = True, procs: int | None = None,
                 stop: threading.Event | None = None, progress: Callable[[str], None] | None = None):
        self.store, self.state, self.fetcher = store, state, fetcher
        self.enrich, self.procs = enrich, procs
        self.stop = stop or threading.Event()
        self.progress = progress or (lambda message: None)
        self.summary = RoundSummary()
        self._pending: list[_Fetched] = []
        self._done: list[Page] = []  # unchanged and failed pages, saved as they are
        self._seen: set[str] = set()
        self._sources_done: list[Source] = []

    def run(self, sources: list[str]) -> RoundSummary:
        started = utc_now()
        crawl = CrawlWriter(Path(self.store.root) / "ingest")
        self._crawl = crawl
        try:
            queue = [(url, 0) for url in dict.fromkeys(sources)]
            visited: set[str] = set()
            while queue and not self.stop.is_set():
                url, depth = queue.pop(0)
                if url in visited:
                    continue
                visited.add(url)
                queue += [(child, depth + 1) for child in self._source(url, depth)]
        finally:
            paths = crawl.close()
        self.summary.stopped = self.stop.is_set()
        if paths:
            self._index(paths)
        self.state.save_pages(self._done)
        for source in self._sources_done:
            self.state.save_source(source)
        self.summary.requests = self.fetcher.requests
        self.state.save_run(started, self.summary.to_json())
        return self.summary

    # -- sources --------------------------------------------------------------------------------

    def _source(self, url: str, depth: int) -> list[str]:
        """Read one source and fetch its articles; returns the sources it lists (OPML, sitemap index)."""
        summary = SourceSummary(url)
        self.summary.sources.append(summary)
        known = self.state.source(url)
        summary.kind = known.kind
        self.progress(f"reading {url}")
        # A list of listings is read whole every time: a 304 for a sitemap index would hide the
        # changes of the sitemaps it lists (their own validators spare the bandwidth).
        etag, modified = ("", "") if known.kind in LISTS_OF_SOURCES else (known.etag, known.last_modified)
        try:
            response = self.fetcher.get(url, max_bytes=MAX_LISTING_BYTES, accept=SOURCE_TYPES, etag=etag,
                                        last_modified=modified)
        except FetchError as e:
            return self._source_failed(summary, known, str(e))
        if response.not_modified:
            summary.not_modified = True
            items = [Item(p.url, p.listed) for p in self.state.failed_pages(url)]  # retried, nothing else
            listing_sources: list[str] = []
        else:
            try:
                listing = read_listing(response.body, url=response.url, content_type=response.content_type)
            except ListingError as e:
                return self._source_failed(summary, known, str(e) if url in str(e) else f"{url}: {e}")
            summary.kind = listing.kind
            items, listing_sources = listing.items, listing.sources
            if listing.kind == "page":
                self._article(Item(url), summary, prefetched=response)
                items = []
        for item in items:
            if self.stop.is_set():
                return []  # the source's validators are not kept: next run reads it again
            self._article(item, summary)
        self._sources_done.append(Source(url, summary.kind, response.header("ETag"),
                                         response.header("Last-Modified"), "") if not response.not_modified
                                  else Source(url, summary.kind, known.etag, known.last_modified, ""))
        if depth + 1 > MAX_DEPTH and listing_sources:
            summary.failed.append((url, f"lists {len(listing_sources)} more sources, past {MAX_DEPTH} levels"))
            return []
        return listing_sources

    def _source_failed(self, summary: SourceSummary, known: Source, reason: str) -> list[str]:
        summary.failed.append((summary.url, reason))
        self._sources_done.append(Source(known.url, known.kind, known.etag, known.last_modified, reason))
        return []

    # -- articles -------------------------------------------------------------------------------

    def _article(self, item: Item, summary: SourceSummary, prefetched: Response | None = None) -> None:
        url = item.url
        if url in self._seen:  # listed by two sources this round: fetched once
            return
        self._seen.add(url)
        page = self.state.page(url)
        indexed = page is not None and page.status == "indexed"
        if prefetched is None and indexed and (not item.updated or item.updated == page.listed):
            summary.unchanged += 1
            return
        page = page or Page(url, summary.url)
        page.source, page.listed = summary.url, item.updated or page.listed
        fetched_at = dt.datetime.now(dt.timezone.utc)
        try:
            response = prefetched or self.fetcher.get(
                url, max_bytes=MAX_ARTICLE_BYTES, accept=PAGE_TYPES,
                etag=page.etag if indexed else "", last_modified=page.last_modified if indexed else "")
        except FetchError as e:
            self._failed(page, summary, str(e))
            return
        if response.not_modified:
            summary.unchanged += 1
            self._done.append(page)
            return
        digest = hashlib.sha256(response.body).hexdigest()
        page.etag, page.last_modified = response.header("ETag"), response.header("Last-Modified")
        if indexed and digest == page.digest:
            summary.unchanged += 1
            self._done.append(page)
            return
        page.digest = digest
        path, number = self._crawl.add(response, fetched_at)
        self._pending.append(_Fetched(page, summary, indexed, (printable(str(path)), number)))
        self.progress(f"fetched {url}")

    def _failed(self, page: Page, summary: SourceSummary, reason: str) -> None:
        summary.failed.append((page.url, reason))
        if page.status != "indexed":  # an indexed page keeps its state; its next listing date retries it
            page.status, page.error = "failed", reason
            self._done.append(page)

    # -- the commit -----------------------------------------------------------------------------

    def _index(self, paths: list[Path]) -> None:
        """Every page fetched, through the one atomic `index add` (a first run builds the index)."""
        from searchapp import indexer

        run = indexer.add if self.store.exists() else indexer.build
        self.progress(f"indexing {len(self._pending)} pages")
        report = run(self.store, paths, enrich=self.enrich, procs=self.procs)
        self.summary.crawl = [str(p) for p in paths]
        self.summary.indexed = report.indexed
        failed: dict[tuple[str, int], str] = {}
        for skipped in report.skipped:
            m = _RECORD.search(skipped.where)
            if m:
                failed.setdefault((m.group(1), int(m.group(2))), skipped.reason)
        for fetched in self._pending:
            page, summary = fetched.page, fetched.summary
            reason = failed.get(fetched.record)
            if reason:
                self._failed(page, summary, f"{page.url}: {reason}")
                continue
            page.status, page.error = "indexed", ""
            if fetched.update:
                summary.updated += 1
            else:
                summary.new += 1
            self._done.append(page)
