"""One polite HTTP client for every fetch of `searchapp ingest`.

It asks robots.txt before anything else on a host (RFC 9309: a robots.txt that is missing allows all,
one that cannot be reached forbids all), waits between requests to one host (the longer of our
delay and the site's Crawl-delay), names itself in User-Agent, sends ETag and Last-Modified back
(a 304 costs the site nothing), and bounds everything a server controls: the time to connect and
between bytes, the time of a whole response, its size (read in pieces and abandoned past the cap,
compressed or not), the number of redirects (and loops among them), and the content types taken.
Every refusal is a `FetchError` whose message says why, naming the URL.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from urllib.parse import urljoin, urlsplit


def _version() -> str:
    try:
        return metadata.version("searchapp")
    except metadata.PackageNotFoundError:
        return "0"


USER_AGENT = (f"searchapp-ingest/{_version()} (news archive indexer; reads robots.txt; "
              f"one request per host per second)")
MiB = 1 << 20
ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB of it
MAX_CRAWL_DELAY = 60.0  # a Crawl-delay of an hour would stall a round; past this the host waits less
_REDIRECTS = (301, 302, 303, 307, 308)
# The turns between requests to one host run on these (a test replaces them with a clock of its own).
_clock, _sleep = time.monotonic, time.sleep


class FetchError(Exception):
    """A fetch that did not give a usable response; the message says why (and names the URL)."""


@dataclass
class Policy:
    user_agent: str = USER_AGENT
    timeout: float = 20.0  # to connect, and between two reads of a response
    deadline: float = 120.0  # for a whole response, however slowly it trickles in
    delay: float = 1.0  # between two requests to one host
    max_redirects: int = 5


@dataclass
class Response:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 (not modified: no body)
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    protocol: str = "HTTP/1.1"
    reason: str = "OK"

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """The fetches of one round: robots.txt is read once per host, and each host waits its turn."""

    def __init__(self, policy: Policy | None = None):
        self.policy = policy or Policy()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._last: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}  # a site's own Crawl-delay
        self._lock = threading.Lock()
        self.requests = 0

    def get(self, url: str, *, max_bytes: int, accept: tuple[str, ...] = (), etag: str = "",
            last_modified: str = "") -> Response:
        """GET ``url``, following redirects. ``accept``: content-type fragments taken (empty: any);
        ``etag``/``last_modified``: the validators of the copy we have (a 304 Response if unchanged).
        Raises FetchError."""
        seen = [url]
        for _ in range(self.policy.max_redirects + 1):
            _check_url(url)
            self._check_robots(url)
            response = self._request(url, max_bytes, accept, etag, last_modified)
            if response.status not in _REDIRECTS:
                return response
            target = response.header("Location")
            if not target:
                raise FetchError(f"{url}: HTTP {response.status} redirect without a Location")
            url = urljoin(url, target.strip())
            if url in seen:
                raise FetchError(f"{seen[0]}: redirect loop ({' -> '.join(seen + [url])})")
            seen.append(url)
        raise FetchError(f"{seen[0]}: more than {self.policy.max_redirects} redirects")

    # -- robots.txt ---------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        origin = _origin(url)
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._robots[origin] = self._read_robots(origin)
        if isinstance(rules, str):
            raise FetchError(f"{url}: not fetched: {rules}")
        if not rules.can_fetch(self.policy.user_agent, url):
            raise FetchError(f"{url}: disallowed by {origin}/robots.txt")

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        """The rules of ``origin``, or why nothing may be fetched there (RFC 9309, section 2.3.1)."""
        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        url = origin + "/robots.txt"
        try:
            for _ in range(self.policy.max_redirects + 1):
                response = self._request(url, ROBOTS_BYTES, (), "", "", truncate=True)
                if response.status not in _REDIRECTS or not response.header("Location"):
                    break
                url = urljoin(url, response.header("Location"))
        except FetchError as e:
            return f"robots.txt unreachable ({e})"
        if response.status >= 500:
            return f"robots.txt unreachable (HTTP {response.status}): the site asks crawlers to stay away"
        if response.status != 200:  # 4xx: there are no rules
            rules.allow_all = True
        rules.parse(response.body.decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(self.policy.user_agent)
        if delay:
            self._host_delay[urlsplit(origin).netloc] = min(float(delay), MAX_CRAWL_DELAY)
        return rules

    # -- one request ----------------------------------------------------------------------------

    def _wait_turn(self, host: str) -> None:
        delay = max(self.policy.delay, self._host_delay.get(host, 0.0))
        with self._lock:
            wait = self._last.get(host, -1e9) + delay - _clock()
        if wait > 0:
            _sleep(wait)
        with self._lock:
            self._last[host] = _clock()

    def _request(self, url: str, max_bytes: int, accept: tuple[str, ...], etag: str, last_modified: str,
                 truncate: bool = False) -> Response:
        parts = urlsplit(url)
        self._wait_turn(parts.netloc)
        wanted = [a for a in accept if "/" in a]  # full media types; fragments ("xml") only match
        headers = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip",
                   "Accept": ", ".join(wanted + ["*/*;q=0.1"]) if wanted else "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=self.policy.timeout)
        self.requests += 1
        started = time.monotonic()
        try:
            conn.request("GET", path, headers=headers)
            raw = conn.getresponse()
            response = Response(url, raw.status, list(raw.getheaders()), b"",
                                "HTTP/1.0" if raw.version == 10 else "HTTP/1.1", raw.reason or "")
            if raw.status in _REDIRECTS or raw.status == 304:
                return response
            if raw.status != 200:
                if truncate:  # robots.txt: the status is the answer
                    return response
                raise FetchError(f"{url}: HTTP {raw.status} {raw.reason}".rstrip())
            if accept and response.content_type and not any(a in response.content_type for a in accept):
                raise FetchError(f"{url}: content type {response.content_type!r}, not one of {', '.join(accept)}")
            declared = raw.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes and not truncate:
                raise FetchError(f"{url}: {int(declared) / MiB:.1f} MiB, over the {max_bytes / MiB:g} MiB size cap")
            response.body = _read_body(raw, url, max_bytes, started + self.policy.deadline, truncate)
            return response
        except FetchError:
            raise
        except (socket.timeout, TimeoutError):
            raise FetchError(f"{url}: timed out (nothing for {self.policy.timeout:g} s)") from None
        except ssl.SSLError as e:
            raise FetchError(f"{url}: TLS error: {e.reason or e}") from None
        except (OSError, http.client.HTTPException) as e:
            raise FetchError(f"{url}: {type(e).__name__}: {e}") from None
        finally:
            conn.close()


def _read_body(raw: http.client.HTTPResponse, url: str, max_bytes: int, deadline: float, truncate: bool) -> bytes:
    """The body, decompressed if the server gzipped it, never more than ``max_bytes`` of either."""
    encoding = (raw.getheader("Content-Encoding") or "").strip().lower()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else None
    chunks, size = [], 0
    while chunk := raw.read1(64 * 1024):  # what has arrived: a trickle cannot hold a read past the deadline
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            if truncate:
                return b"".join(chunks)[:max_bytes]
            raise FetchError(f"{url}: over the {max_bytes / MiB:g} MiB size cap (abandoned after reading that much)")
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: too slow (still arriving after the whole response's time limit)")
    return b"".join(chunks)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise FetchError(f"{url}: not an http(s) URL")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
