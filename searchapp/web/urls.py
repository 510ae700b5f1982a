"""URLs: search links with their parameters in one stable order, built fast enough for a page of a
hundred links; and text segments as HTML."""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Mapping
from urllib.parse import quote_plus

from flask import current_app, request, url_for
from markupsafe import Markup, escape

from searchapp.web.params import FILTER_ORDER, FILTER_PREFIX, default_sort


def marked(segments) -> Markup:
    """Text segments as HTML: every piece escaped, the matched words in <mark>. (A filter rather than
    a template loop: a results page has hundreds of segments.)"""
    return Markup("".join(f"<mark>{escape(seg.text)}</mark>" if seg.match else str(escape(seg.text))
                          for seg in segments))


def route_url(endpoint: str, filename: str | None = None) -> str:
    """``url_for`` for an endpoint without arguments (or a static file), remembered per app and mount
    point: a results page links to a hundred searches, and routing each one cost more than the search."""
    cache = current_app.extensions.setdefault("searchapp.routes", {})
    key = (request.script_root, endpoint, filename)
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
    return url


def quote_param(value: str) -> str:
    # A results page links to a hundred searches that share the query and filters; encoding each
    # value once instead of per link took URL building from a third of the page's cost to noise.
    # Only short values are remembered, so requests cannot fill the memory with long ones.
    return _quote_short(value) if len(value) <= 200 else quote_plus(value)


@lru_cache(maxsize=8192)
def _quote_short(value: str) -> str:
    return quote_plus(value)


def search_url(endpoint_url: str, q: str = "", filters: Mapping[str, list[str]] | None = None,
               sort: str | None = None, page: int = 1) -> str:
    """A search URL with the parameters in a stable order; defaults are left out."""
    parts: list[str] = []
    if q:
        parts.append("q=" + quote_param(q))
    if filters:
        for name in FILTER_ORDER:
            for value in filters.get(name, ()):
                parts.append(f"{FILTER_PREFIX}{name}={quote_param(value)}")
    if sort and sort != default_sort(q):
        parts.append("sort=" + quote_param(sort))
    if page > 1:
        parts.append(f"page={page}")
    return endpoint_url + ("?" + "&".join(parts) if parts else "")


def search_url_adding(endpoint_url: str, q: str, filters: Mapping[str, list[str]] | None, sort: str | None,
                      name: str) -> Callable[[str], str]:
    """value -> ``search_url`` with ``value`` added to the filter ``name``, for the many values of one
    facet: the URL around the new value is built once. (It is built with a marker value, which the
    last ``f.<name>=`` parameter holds: values are encoded, so no other parameter can look like it.)"""
    marked = {k: list(v) for k, v in (filters or {}).items()}
    marked.setdefault(name, []).append("\x00")
    head, _, tail = search_url(endpoint_url, q, marked, sort).rpartition(f"{FILTER_PREFIX}{name}=%00")
    head += f"{FILTER_PREFIX}{name}="
    return lambda value: head + quote_param(value) + tail


