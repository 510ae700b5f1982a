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
from typing import Any, Mapping

from flask import Flask, g

from searchapp.store import IndexStore
from searchapp.web import errors
from searchapp.web.urls import marked, route_url

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

def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory. ``config`` overrides the defaults (INDEX_DIR, PER_PAGE, ...)."""
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("SEARCHAPP_INDEX", "index"),
        PER_PAGE=10,              # results per page on the HTML pages
        SPEAKER_PER_PAGE=20,      # quotes per page on a speaker page
        COLLAPSE=True,            # copies of one story as one hit, unless a URL says collapse=0
        EXPORT_PAGE_SIZE=100,     # the CSV export reads the results this many at a time
        SEARCH_SECONDS=2.0,       # a search's deadline: then it returns what it has, or 503 if nothing
        RETRY_AFTER=5,            # seconds, in the Retry-After of that 503
        FEED_SIZE=20,             # entries in a search's Atom feed
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

    errors.register(app)

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
