"""Article ids: stable, and never shared by two different articles.

An article's id is its canonical URL where one is known (the page's ``<link rel=canonical>`` or
``og:url``, a WARC record's target URI, a feed item's link), so the same story read from a file, a
crawl or a feed is one article; else the path of its file relative to the folder named on the
command line, without its suffixes (``a/index`` and ``b/index`` are two articles). A file named
directly keeps its bare name, which is what every id was before (``seeds/x.txt`` is ``x``), so an
index built by earlier versions keeps matching the same files.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from searchapp.readers import printable

COMPRESSED = (".gz", ".bz2", ".xz")
# Query parameters that say where a reader came from, never which article it is.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid")


def url_id(url: str | None) -> str:
    """``url`` as an article id, or "" when it cannot be one: not http(s), or a site's home page (pages
    that point their canonical link at the home page would otherwise all be one article). The scheme
    and host are lower-cased, the fragment and tracking parameters dropped."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 host, say
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    if parts.path.strip("/") == "" and not parts.query:
        return ""
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith(_TRACKING)])
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()  # credentials are no part of an article's name
    return printable(urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, "")))


def strip_suffixes(name: str, formats: tuple[str, ...]) -> str:
    """``name`` without a compression suffix and then a format suffix (``x.html.gz`` -> ``x``)."""
    for group in (COMPRESSED, formats):
        lower = name.lower()
        for suffix in group:
            if lower.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return name


def local_name(path: str | os.PathLike, root: str | os.PathLike, formats: tuple[str, ...]) -> str:
    """The id of a file's article when nothing better is known: its path relative to ``root`` (the
    folder named on the command line; a file named directly is its own root), POSIX separators,
    suffixes dropped, made printable."""
    path, root = Path(path), Path(root)
    try:
        relative = PurePosixPath(*path.relative_to(root).parts) if path != root else PurePosixPath(path.name)
    except ValueError:
        relative = PurePosixPath(path.name)
    name = strip_suffixes(relative.name, formats)
    return printable(str(relative.with_name(name)) if relative.parent != PurePosixPath(".") else name)
