"""What a fetched source lists: a feed (RSS 0.9x/1.0/2.0, Atom), a sitemap (Google News ones too), a
sitemap index, an OPML list of feeds, or a page that is itself the article.

XML is parsed safely first (`defusedxml`): a document that declares entities (the billion-laughs
bomb, external entities that read local files) is refused before any parser expands them; only then
does `feedparser` read a feed (it knows the dialects, dates and encodings of real feeds). The kind
is found from the document's root, not from its URL or content type, which servers get wrong.
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

MiB = 1 << 20
# A sitemap may hold 50,000 URLs and 50 MB (sitemaps.org); a feed is far smaller.
MAX_LISTING_BYTES = 50 * MiB
_FEED_ROOTS = ("rss", "rdf", "feed")


class ListingError(Exception):
    """A source that cannot be read as any kind of listing; the message says why."""


@dataclass
class Item:
    """An article a listing names: its URL, and the date the listing gives it (published, updated or
    lastmod: a later one on the next run means the article changed)."""

    url: str
    updated: str = ""
    title: str = ""


@dataclass
class Listing:
    kind: str  # "feed", "sitemap", "sitemapindex", "opml" or "page"
    items: list[Item] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # listings it points to (an index's sitemaps, OPML feeds)
    title: str = ""


def read_listing(body: bytes, *, url: str, content_type: str = "") -> Listing:
    """The listing in ``body`` (fetched from ``url``). Raises ListingError."""
    body = _gunzip(body)
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or ("html" in content_type and b"<rss" not in head):
        return Listing("page", [Item(url)])
    root = _safe_root(body)
    name = _local(root.tag) if root is not None else ""
    if name == "urlset":
        return Listing("sitemap", _sitemap_items(root))
    if name == "sitemapindex":
        return Listing("sitemapindex", sources=[loc for child in root if (loc := _child_text(child, "loc"))])
    if name == "opml":
        return Listing("opml", sources=[o.get("xmlUrl", "").strip() for o in root.iter()
                                        if _local(o.tag) == "outline" and o.get("xmlUrl", "").strip()])
    if name in _FEED_ROOTS or root is None:
        return _feed(body, url, content_type)
    raise ListingError(f"{url}: a <{name}> document is not a feed, sitemap or OPML list")


def _gunzip(body: bytes) -> bytes:
    """A gzipped sitemap (``sitemap.xml.gz``) inflated, refused past the listing limit (a bomb)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflate.decompress(body, MAX_LISTING_BYTES + 1)
    except zlib.error as e:
        raise ListingError(f"corrupt gzip data: {e}") from None
    if len(data) > MAX_LISTING_BYTES:
        raise ListingError(f"over {MAX_LISTING_BYTES // MiB} MiB once decompressed")
    return data


def _safe_root(body: bytes) -> Element | None:
    """The document's root element, parsed with entity declarations and external references refused;
    None if it is not well-formed XML (feedparser's lenient parser may still read a broken feed)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise ListingError(f"refused: the XML declares entities or external references ({type(e).__name__}; "
                           f"an entity-expansion bomb?)") from None
    except ParseError:
        if b"<!ENTITY" in body:  # never hand a declared entity to a parser that would expand it
            raise ListingError("refused: malformed XML that declares entities") from None
        return None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _sitemap_items(root: Element) -> list[Item]:
    items = []
    for entry in root:
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        news = next((c for c in entry if _local(c.tag) == "news"), None)  # Google News sitemap
        updated = _child_text(entry, "lastmod") or (_child_text(news, "publication_date") if news is not None else "")
        items.append(Item(loc, updated, _child_text(news, "title") if news is not None else ""))
    return items


def _feed(body: bytes, url: str, content_type: str) -> Listing:
    import feedparser

    # A stream, never the bytes themselves: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": content_type or "application/xml",
                                                                 "content-location": url})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        why = parsed.get("bozo_exception") or "no feed, sitemap or OPML root element"
        raise ListingError(f"{url}: not a feed, sitemap, OPML list or page ({why})")
    # dict.get: feedparser's own get("updated") falls back to "published" with a DeprecationWarning.
    items = [Item(entry.get("link", "").strip(), dict.get(entry, "updated") or entry.get("published") or "",
                  entry.get("title", "")) for entry in parsed.entries]
    return Listing("feed", [i for i in items if i.url], title=parsed.feed.get("title", ""))
