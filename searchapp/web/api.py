"""The JSON API (mounted under /api): the search page's data, for scripts and search-as-you-type.

Every error is JSON, ``{"error": {"message": ..., "status": 4xx}}``: a bad parameter is a 400 whose
message names it, an unknown article a 404, a missing index a 503.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, stream_with_context

from searchapp.search import QueryError
from searchapp.web.errors import http_error, json_error
from searchapp.web.openapi import openapi_spec
from searchapp.search.results import EXPORT_COLUMNS, QUOTE_COLUMNS
from searchapp.web.params import (ENTITIES_MAX, ENTITY_TYPES, PREFIX_MAX_CHARS, SUGGEST_MAX, get_searcher, parse_flag,
                                  parse_search)

bp = Blueprint("api", __name__)

# The query-language field for each kind of name: a suggestion becomes ``person:"Sergey Lavrov"``.
NAME_FIELDS = {"people": "person", "places": "place", "orgs": "org", "sources": "source", "speakers": "speaker"}

# Errors raised inside these views; the app's handlers do the same for URLs no view matched.
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(500)
def _api_http_error(e):
    return http_error(e)


def name_query(field: str, name: str) -> str:
    """``person:"Sergey Lavrov"``: a phrase search for one name in one field."""
    return f'{NAME_FIELDS.get(field, field)}:"{name.replace(chr(34), " ")}"'


# -- endpoints -------------------------------------------------------------------------------------

@bp.get("/search")
def search():
    params = parse_search(request.args, per_page_param="limit")
    facets = parse_flag(request.args, "facets", True)
    snippets = parse_flag(request.args, "snippets", True)
    results = get_searcher().search(params.q, facets=facets, snippets=snippets, **params.search_kwargs())
    g.search_ms = results.took_ms
    return jsonify(results.to_json())


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    found = get_searcher().article(article_id, request.args.get("q", ""))
    if found is None:
        abort(404, description=f"no article with id {article_id[:200]!r} in the index")
    return jsonify(found.to_json())


@bp.get("/suggest")
def suggest():
    prefix = request.args.get("prefix", "")
    if len(prefix) > PREFIX_MAX_CHARS:
        raise QueryError(f"parameter 'prefix' must be at most {PREFIX_MAX_CHARS} characters")
    raw_limit = request.args.get("limit", "").strip() or "8"
    try:
        limit = int(raw_limit)
    except ValueError:
        raise QueryError(f"parameter 'limit' must be a whole number, not {raw_limit[:40]!r}") from None
    if not 1 <= limit <= SUGGEST_MAX:
        raise QueryError(f"parameter 'limit' must be between 1 and {SUGGEST_MAX}, not {limit}")
    names = get_searcher().suggest_names(prefix, limit=limit)
    for item in names:
        item["query"] = name_query(item["field"], item["name"])
    return jsonify({"prefix": prefix, "suggestions": names})




@bp.get("/entities")
def entities():
    type_ = request.args.get("type", "").strip() or None
    if type_ is not None and type_ not in ENTITY_TYPES:
        raise QueryError(f"parameter 'type' must be one of {', '.join(ENTITY_TYPES)}, not {type_[:40]!r}")
    limit = _int_param("limit", 50, 1, ENTITIES_MAX)
    offset = _int_param("offset", 0, 0, 1_000_000)
    return jsonify({"type": type_, "entities": get_searcher().entities(type_, limit=limit, offset=offset)})


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"parameter '{name}' must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise QueryError(f"parameter '{name}' must be between {low} and {high}, not {value}")
    return value


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula (=, +, -, @) is prefixed with '."""
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@bp.get("/export.csv")
def export_csv():
    """Every hit of a result set as CSV (``rows=quotes``: every quote of every hit), streamed as the
    library yields them (one evaluation)."""
    params = parse_search(request.args)
    rows_of = request.args.get("rows", "").strip() or "articles"
    if rows_of not in ("articles", "quotes"):
        raise QueryError(f"parameter 'rows' must be articles or quotes, not {rows_of[:40]!r}")
    searcher = get_searcher()
    # Run the count first, so that a bad query is still a clean 400 before the response starts.
    total = searcher.search(params.q, filters=params.filters, sort=params.sort, per_page=1,
                            seconds=current_app.config["SEARCH_SECONDS"],
                            facets=False, snippets=False, spelling=False, collapse=params.collapse).total
    batch = current_app.config["EXPORT_PAGE_SIZE"]
    kwargs = {"filters": params.filters, "sort": params.sort, "collapse": params.collapse}
    if rows_of == "quotes":
        columns, records = QUOTE_COLUMNS, searcher.iter_quotes(params.q, **kwargs)
    else:
        columns = EXPORT_COLUMNS
        records = ({col: getattr(hit, col) for col in columns} for hit in searcher.iter_hits(params.q, **kwargs))

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        for n, record in enumerate(records, 1):
            writer.writerow([_cell(record[col]) for col in columns])
            if n % batch == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="searchapp-{rows_of}.csv"'
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.get("/quotes/<path:quote_id>")
def quote(quote_id: str):
    found = get_searcher().quote(quote_id)
    if found is None:
        return json_error(404, f"no quote {quote_id[:80]!r} in the index")
    return jsonify(found)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
