"""A search as an Atom feed (RFC 4287): what a feed reader subscribes to, newest first."""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable
from xml.etree import ElementTree as ET

from searchapp.search import Results

ATOM = "http://www.w3.org/2005/Atom"
# XML 1.0 has no place for most control characters, which an article's text may hold
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _when(value: str | None) -> str:
    """An ISO date from the index as an Atom date (UTC when it has no zone)."""
    if not value:
        return "1970-01-01T00:00:00Z"
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed(res: Results, *, title: str, self_url: str, page_url: str, article_url: Callable[[str], str]) -> bytes:
    """The hits of ``res`` as an Atom document. Every value goes through ElementTree, which escapes it."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = _text(title)
    ET.SubElement(root, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    ET.SubElement(root, f"{{{ATOM}}}updated").text = max((_when(h.published) for h in res.hits),
                                                         default=_when(None))
    ET.SubElement(ET.SubElement(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "searchapp"
    for hit in res.hits:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        url = article_url(hit.id)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _text(hit.title or hit.lead[:100] or hit.id)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        if hit.url.startswith(("http://", "https://")):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=hit.url)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _when(hit.published)
        if hit.publisher:
            ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = _text(hit.publisher)
        summary = " ".join(f"{q.speaker or 'Someone'}: \u201c{q.text}\u201d" for q in hit.quotes) or hit.snippet_text
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _text(summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
