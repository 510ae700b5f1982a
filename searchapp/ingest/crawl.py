"""Fetched pages kept as WARC files (``<index>/ingest/<time>-<n>.warc.gz``), a response record each.

The files are what `index add` reads (`searchapp.readers.warc`), so fetched pages go through the same
readers and the same atomic add as files do; and they stay, a crawl archive from which `index build`
re-creates the ingested articles with a better extractor one day, without fetching anything again.
A file holds at most `RECORDS_PER_FILE` pages: a WARC is read by one worker, and several files let
`index add` use every core.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from searchapp.ingest.fetch import Response

# The body is stored as it was decoded: these would describe a transfer that is no longer there.
_TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive")
RECORDS_PER_FILE = 100


class CrawlWriter:
    """Appends response records; ``add`` says where the record went: its file, and its number there
    as the WARC reader counts them (``<file>#record<n>`` in what the reader reports)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.paths: list[Path] = []
        self._file = None
        self.records = 0

    def _next_file(self) -> None:
        from warcio.warcwriter import WARCWriter

        if self._file is not None:
            self._file.close()
        path = self.folder / f"{self.stamp}-{len(self.paths) + 1:03d}.warc.gz"
        self._file = open(path, "xb")
        self._writer = WARCWriter(self._file, gzip=True)
        self.paths.append(path)
        self.records = 0

    def add(self, response: Response, fetched_at: dt.datetime) -> tuple[Path, int]:
        from warcio.statusandheaders import StatusAndHeaders

        if self._file is None or self.records >= RECORDS_PER_FILE:
            self._next_file()
        headers = [(k, v) for k, v in response.headers if k.lower() not in _TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(response.body))))
        http = StatusAndHeaders(f"{response.status} {response.reason}".strip(), headers, protocol=response.protocol)
        record = self._writer.create_warc_record(
            response.url, "response", payload=io.BytesIO(response.body), length=len(response.body),
            http_headers=http, warc_headers_dict={"WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")})
        self._writer.write_record(record)
        self._file.flush()
        self.records += 1
        return self.paths[-1], self.records

    def close(self) -> list[Path]:
        """The files written (none when nothing was fetched)."""
        if self._file is not None:
            self._file.close()
        return self.paths
