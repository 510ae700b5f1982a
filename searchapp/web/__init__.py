"""The web app: the search page and the JSON API, over the same library calls as the CLI.

    app = create_app({"INDEX_DIR": "index"})      # or: flask --app searchapp.web run

Layers: `Searcher` / `IndexStore` (the library) <- views (pages.py, api.py: read the URL, call the
library, shape what the templates show) <- templates (dumb: loops and ifs over what the view passes).
One `IndexStore` per app, in ``app.extensions["searchapp"]``; it pools Whoosh searchers and picks up
new index generations by itself, so a rebuild needs no restart.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping
from urllib.parse import quote_plus

from flask import Flask, current_app, g, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from searchapp.search import QueryError, Searcher, check_filters, check_params
from searchapp.store import IndexMissing, IndexStore

__all__ = ["create_app", "SECURITY_HEADERS"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# The facet filters a URL may carry, in display order: ``f.people=Sergey Lavrov`` (repeatable).
FILTER_PREFIX = "f."
FILTER_ORDER = ("people", "places", "orgs", "sources", "speakers", "period")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory. ``config`` overrides the defaults (INDEX_DIR, PER_PAGE, ...)."""
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("SEARCHAPP_INDEX", "index"),
        PER_PAGE=10,              # results per page on the HTML pages
        SPEAKER_PER_PAGE=20,      # quotes per page on a speaker page
        COLLAPSE=True,            # copies of one story as one hit, unless a URL says collapse=0
        EXPORT_PAGE_SIZE=100,     # the CSV export reads the results this many at a time
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.add_template_filter(lambda n: f"{n:,}", "number")
    app.add_template_global(route_url)
    app.add_template_filter(marked, "marked")
    app.extensions["searchapp"] = IndexStore(app.config["INDEX_DIR"])

    from searchapp.web import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")

    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(HTTPException, _http_error)  # 404, 405, and 500 for any crash

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # The time this request took inside the app (search and rendering, not the network), and the
        # search's share of it, in the standard Server-Timing header: browsers' developer tools show
        # it, and bench/web.py reads it.
        if "started" in g:
            timing = f"app;dur={(time.perf_counter() - g.started) * 1000:.2f}"
            if "search_ms" in g:
                timing += f", search;dur={g.search_ms:.2f}"
            response.headers["Server-Timing"] = timing
        return response

    return app


# -- request helpers (used by pages.py and api.py) -------------------------------------------------

def get_store() -> IndexStore:
    return current_app.extensions["searchapp"]


def get_searcher() -> Searcher:
    return Searcher(get_store())


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


@dataclass
class SearchParams:
    """What a search URL asks for, validated (QueryError names the bad parameter)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    sort_given: bool = False
    collapse: bool = True  # copies of one story as one hit (collapse=0: every article)

    def search_kwargs(self) -> dict[str, Any]:
        return {"filters": self.filters, "sort": self.sort, "page": self.page, "per_page": self.per_page,
                "collapse": self.collapse}


def default_sort(q: str) -> str:
    """Relevance for a query; newest first when browsing everything (no words to rank by)."""
    return "relevance" if q.strip() and q.strip() != "*" else "newest"


def parse_filters(args) -> dict[str, list[str]]:
    """``f.<facet>=value`` parameters (repeatable) -> the `filters` dict of `Searcher.search`."""
    raw: dict[str, list[str]] = {}
    for key in args:
        if key.startswith(FILTER_PREFIX):
            raw[key[len(FILTER_PREFIX):]] = args.getlist(key)
    out: dict[str, list[str]] = {}
    for key, values in raw.items():
        try:
            checked = check_filters({key: values})
        except QueryError as e:
            raise QueryError(f"parameter '{FILTER_PREFIX}{key}': {e}") from None
        for name, vals in checked.items():
            out.setdefault(name, [])
            out[name].extend(v for v in vals if v not in out[name])
    return {name: vals for name, vals in out.items() if vals}


def parse_search(args, *, per_page: Any = 10, per_page_param: str | None = None) -> SearchParams:
    """Read q, f.*, sort, page (and the per-page parameter, for the API) from the query string."""
    q = args.get("q", "").strip()
    sort = args.get("sort", "").strip()
    sort_given = "sort" in args  # given empty: refused by check_params, as the OpenAPI enum says
    if not sort_given:
        sort = default_sort(q)
    if per_page_param is not None and args.get(per_page_param, "").strip():
        per_page = args.get(per_page_param, "").strip()
    page = args.get("page", "").strip() or 1
    page, per_page, sort = check_params(page, per_page, sort)
    return SearchParams(q=q, filters=parse_filters(args), sort=sort, page=page, per_page=per_page,
                        sort_given=sort_given, collapse=parse_flag(args, "collapse", current_app.config["COLLAPSE"]))


def parse_flag(args, name: str, default: bool) -> bool:
    value = args.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise QueryError(f"parameter '{name}' must be 0 or 1, not {value[:40]!r}")


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


# -- errors: JSON under /api, an HTML page elsewhere ----------------------------------------------

def error_response(status: int, message: str, title: str | None = None):
    if is_api_request():
        from searchapp.web.api import json_error

        return json_error(status, message)
    return render_template(
        "error.html", status=status, title=title or _TITLES.get(status, "Error"), message=message,
        query=request.args.get("q", "") if request.endpoint in ("pages.search", "pages.home") else "",
        help_open=status == 400,
    ), status


_TITLES = {
    400: "We could not read that search",
    404: "Not found",
    405: "Method not allowed",
    503: "The search index is not available",
    500: "Something went wrong",
}


def _query_error(e: QueryError):
    return error_response(400, str(e))


def _index_missing(e: IndexMissing):
    current_app.logger.warning("index missing: %s", e)
    return error_response(503, "No search index has been built yet. Build one with "
                               "`searchapp index build PATH... --index DIR`: the site works as soon "
                               "as it is done, without a restart.")


_MESSAGES = {
    404: "There is nothing at this address.",
    500: "The server hit an unexpected error; it has been logged.",
}


def _http_error(e: HTTPException):
    status = e.code or 500
    if status == 405:
        message = f"The method {request.method} is not allowed here."
    elif e.description and e.description != type(e).description:
        message = e.description  # a view's own words: abort(404, description="No article ...")
    else:
        message = _MESSAGES.get(status, e.description or e.name)
    response = current_app.make_response(error_response(status, message))
    for name, value in e.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response
