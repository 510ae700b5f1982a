"""A real news site for the ingest tests and bench/ingest.py: an HTTP server on 127.0.0.1, in a thread,
serving feeds, sitemaps, robots files and pages that they generate (nothing is copied from anywhere)."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes | Callable[[], Iterator[bytes]] = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stall: bool = False  # accept the request, then answer nothing until the site closes
    etag: bool = True  # send an ETag (of the body) and answer If-None-Match with 304


class Site:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, int, str]] = []  # (path, status, user agent) of every request
        self.on_request: Callable[[str], None] | None = None
        self.closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path
                if site.on_request:
                    site.on_request(path)
                route = site.routes.get(path) or Route(b"not found", 404, "text/plain", etag=False)
                if route.stall:
                    site.log.append((path, 0, self.headers.get("User-Agent", "")))
                    site.closing.wait(120)
                    return
                tag = ""
                if route.etag and isinstance(route.body, bytes):
                    tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    if self.headers.get("If-None-Match") == tag:
                        site.log.append((path, 304, self.headers.get("User-Agent", "")))
                        self.send_response(304)
                        self.send_header("ETag", tag)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                site.log.append((path, route.status, self.headers.get("User-Agent", "")))
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers:
                    self.send_header(name, value)
                if tag:
                    self.send_header("ETag", tag)
                if isinstance(route.body, bytes):
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                    return
                self.send_header("Connection", "close")  # streamed: the end of the body is the end
                self.end_headers()
                try:
                    for chunk in route.body():
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes | str | Callable[[], Iterator[bytes]] = b"", **route) -> str:
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **route)
        return self.url + path

    def requests(self, prefix: str = "") -> list[tuple[str, int]]:
        return [(p, s) for p, s, _ in self.log if p.startswith(prefix)]

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


# -- documents ---------------------------------------------------------------------------------------

TEXT = ("The {topic} council approved the new plan on {day}, after months of debate. "
        "Residents said the change was overdue, and officials promised work would start within weeks.")


def article(title: str, topic: str, day: str = "Monday", published: str = "2024-05-06T08:00:00Z",
            extra: str = "") -> str:
    """A news page; ``extra``: more paragraphs (text), one per line."""
    body = TEXT.format(topic=topic, day=day)
    more = "".join(f"<p>{escape(p)}</p>" for p in extra.splitlines() if p.strip())
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="article:published_time" content="{published}"></head><body><article>'
            f"<h1>{escape(title)}</h1><p>{body}</p><p>{body}</p>{more}</article></body></html>")


_WORDS = ("council budget harbour ferry tram library orchard bridge school market museum stadium river "
          "housing rail energy water clinic police court farm port airport tunnel park festival election "
          "tax wage strike factory mine bank bond crop storm flood drought fire road bus cycle lane tower "
          "station theatre college hospital parish mayor minister union board trust fund plan vote").split()


def prose(seed: int, sentences: int = 12) -> str:
    """Paragraphs of made-up news sentences, different for every seed (so that a thousand generated
    articles are a thousand stories, not copies of one for the duplicate groups)."""
    import random

    rng = random.Random(seed)
    lines = []
    for _ in range(sentences // 4):
        lines.append(" ".join(
            f"The {rng.choice(_WORDS)} {rng.choice(_WORDS)} said the {rng.choice(_WORDS)} would "
            f"{rng.choice(('rise', 'fall', 'open', 'close', 'wait'))} after the {rng.choice(_WORDS)} "
            f"{rng.choice(_WORDS)} of {rng.randint(2, 900)} {rng.choice(_WORDS)}s." for _ in range(4)))
    return "\n".join(lines)


def rss(items: list[tuple[str, str, str]], title: str = "Test news") -> str:
    """``items``: (link, title, pubDate as ISO date)."""
    import datetime as dt

    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>{format_datetime(dt.datetime.fromisoformat(d).replace(tzinfo=dt.timezone.utc))}</pubDate></item>"
        for link, t, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link><description>x</description>{entries}</channel></rss>")


def atom(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(f'<entry><title>{escape(t)}</title><link href="{escape(link)}"/><id>{escape(link)}</id>'
                      f"<updated>{d}Z</updated></entry>" for link, t, d in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>'
            f"<id>urn:test</id><updated>2024-05-06T00:00:00Z</updated>{entries}</feed>")


def sitemap(urls: list[tuple[str, str]], news: bool = False) -> str:
    def entry(loc: str, date: str) -> str:
        if news:
            return (f"<url><loc>{escape(loc)}</loc><news:news><news:publication><news:name>Test</news:name>"
                    f"<news:language>en</news:language></news:publication><news:publication_date>{date}"
                    f"</news:publication_date><news:title>T</news:title></news:news></url>")
        return f"<url><loc>{escape(loc)}</loc><lastmod>{date}</lastmod></url>"

    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>'
            + "".join(entry(loc, d) for loc, d in urls) + "</urlset>")


def sitemap_index(locs: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locs) + "</sitemapindex>")


def opml(feeds: list[str]) -> str:
    outlines = "".join(f'<outline type="rss" text="f{i}" xmlUrl="{escape(u)}"/>' for i, u in enumerate(feeds))
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head><body>{outlines}</body></opml>'


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + ']><rss version="2.0"><channel><title>&lol9;</title>'
                  '<item><link>http://example.invalid/x</link></item></channel></rss>')


def huge_feed(megabytes: int) -> Callable[[], Iterator[bytes]]:
    """A feed of ``megabytes`` MB, generated as it is sent (never held whole, by the server or anyone)."""
    item = b"<item><title>Filler</title><link>http://example.invalid/filler</link><description>" + b"x" * 900 + \
        b"</description></item>"

    def stream() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
        block = item * 64
        for _ in range(megabytes * (1 << 20) // len(block)):
            yield block
        yield b"</channel></rss>"
    return stream
