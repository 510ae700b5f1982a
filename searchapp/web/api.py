"""The JSON API (mounted under /api): the search page's data, for scripts and search-as-you-type.

Every error is JSON, ``{"error": {"message": ..., "status": 4xx}}``: a bad parameter is a 400 whose
message names it, an unknown article a 404, a missing index a 503.
"""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, is_dataclass
from typing import Any, Iterator

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, stream_with_context

from searchapp.search import MAX_FILTER_CHARS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS, QueryError
from searchapp.web.errors import http_error, json_error
from searchapp.web.params import get_searcher, parse_flag, parse_search

bp = Blueprint("api", __name__)

# What check_filters accepts for f.period, as the OpenAPI document's pattern (tests check they agree).
PERIOD_PATTERN = "^(?!0000|9999)[0-9]{4}(-(0[1-9]|1[0-2]))?$"
# The query-language field for each kind of name: a suggestion becomes ``person:"Sergey Lavrov"``.
NAME_FIELDS = {"people": "person", "places": "place", "orgs": "org", "sources": "source", "speakers": "speaker"}
SUGGEST_MAX = 20
PREFIX_MAX_CHARS = 100
EXPORT_COLUMNS = ("id", "title", "published", "publisher", "url", "people", "places", "orgs", "sources",
                  "speakers", "score")
QUOTE_COLUMNS = ("quote", "speaker", "cue", "article", "url", "published", "publisher", "first_seen",
                 "first_publisher", "first_article", "versions")


# Errors raised inside these views; the app's handlers do the same for URLs no view matched.
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(500)
def _api_http_error(e):
    return http_error(e)


def name_query(field: str, name: str) -> str:
    """``person:"Sergey Lavrov"``: a phrase search for one name in one field."""
    return f'{NAME_FIELDS.get(field, field)}:"{name.replace(chr(34), " ")}"'


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


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
    return jsonify(_plain(found))


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


ENTITY_TYPES = ("person", "place", "org", "source")
ENTITIES_MAX = 1000


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


# -- the OpenAPI description ---------------------------------------------------------------------

def _param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
           where: str = "query", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema,
            **extra}


def openapi_spec() -> dict[str, Any]:
    q = _param("q", "The query, in the full query language: words (all must match), \"phrases\", OR, NOT, "
                    "wild*, fuzzy~, field:value (person, place, org, source, speaker, quote, title, author, "
                    "date), date:2022 or date:[2022-02-01 to 2022-02-28]. Empty: every article.",
               {"type": "string", "maxLength": MAX_QUERY_CHARS})
    filters = [_param(f"f.{name}", f"Only hits with this {label} (exact value; repeatable, all must match).",
                      {"type": "array", "items": {"type": "string", "maxLength": MAX_FILTER_CHARS}},
                      style="form", explode=True)
               for name, label in (("people", "person"), ("places", "place"), ("orgs", "organisation"),
                                   ("sources", "source"), ("speakers", "speaker"))]
    filters.append(_param("f.period", "Only hits published in this year or month: 2022 or 2022-02 (years 0001 "
                          "to 9998).", {"type": "array", "items": {"type": "string", "pattern": PERIOD_PATTERN}},
                          style="form", explode=True))
    sort = _param("sort", "Order of the hits. Default (without the parameter): relevance, or newest when q is "
                          "empty.",
                  {"type": "string", "enum": list(SORTS)})
    page = _param("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})
    limit = _param("limit", "Hits per page.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10})
    flag = {"type": "integer", "enum": [0, 1], "default": 1}
    collapse = _param("collapse", "Copies of one story (syndicated, near copies) as one hit with its other "
                                  "versions (1), or every article (0); totals count stories or articles.", flag)
    error_ref = {"$ref": "#/components/responses/Error"}
    segment = {"type": "object", "properties": {"text": {"type": "string"}, "match": {"type": "boolean"}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "searchapp API",
            "version": "1",
            "description": "Full-text search over news articles, with facets on people, places, organisations, "
                           "sources and speakers, and who said what. Errors are JSON: "
                           "{\"error\": {\"message\": ..., \"status\": ...}}.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": {"get": {
                "summary": "Search articles (or quotes, when the query names a speaker)",
                "operationId": "search",
                "parameters": [q, *filters, sort, page, limit,
                               _param("facets", "Count facets and the date histogram (1) or not (0).", flag),
                               _param("snippets", "Highlighted snippets (1) or the lead only (0).", flag),
                               collapse],
                "responses": {"200": {"description": "The results",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}}},
                              "400": error_ref, "503": error_ref},
            }},
            "/api/articles/{id}": {"get": {
                "summary": "One article: text, metadata, entities, quotes, with the query words marked",
                "operationId": "article",
                "parameters": [_param("id", "The article id.", {"type": "string"}, required=True, where="path"),
                               _param("q", "A query whose words are marked in title_segments and body_segments.",
                                      {"type": "string"})],
                "responses": {"200": {"description": "The article",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Article"}}}},
                              "404": error_ref, "503": error_ref},
            }},
            "/api/suggest": {"get": {
                "summary": "Names starting with a prefix (people, places, organisations, sources, speakers)",
                "operationId": "suggest",
                "parameters": [_param("prefix", "At least 2 characters; matches the start of any word of a name.",
                                      {"type": "string", "maxLength": PREFIX_MAX_CHARS}, required=True),
                               _param("limit", "How many names.",
                                      {"type": "integer", "minimum": 1, "maximum": SUGGEST_MAX, "default": 8})],
                "responses": {"200": {"description": "Names, most frequent first",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Suggestions"}}}},
                              "400": error_ref, "503": error_ref},
            }},
            "/api/entities": {"get": {
                "summary": "The archive's identities (one per person, place, organisation, source), most articles first",
                "operationId": "entities",
                "parameters": [_param("type", "Only identities of this type.",
                                      {"type": "string", "enum": list(ENTITY_TYPES)}),
                               _param("limit", "How many identities.",
                                      {"type": "integer", "minimum": 1, "maximum": ENTITIES_MAX, "default": 50}),
                               _param("offset", "How many to skip.",
                                      {"type": "integer", "minimum": 0, "maximum": 1_000_000, "default": 0})],
                "responses": {"200": {"description": "Identities",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entities"}}}},
                              "400": error_ref, "503": error_ref},
            }},
            "/api/export.csv": {"get": {
                "summary": "Every hit of a search as CSV (streamed)",
                "operationId": "exportCsv",
                "parameters": [q, *filters, sort, collapse,
                               _param("rows", "One row per article (articles) or per quote of every hit (quotes).",
                                      {"type": "string", "enum": ["articles", "quotes"], "default": "articles"})],
                "responses": {"200": {
                    "description": f"CSV with the columns {', '.join(EXPORT_COLUMNS)} (rows=quotes: "
                                   f"{', '.join(QUOTE_COLUMNS)}); list columns are joined with '; '. Every hit, "
                                   f"streamed.",
                    "headers": {"X-Total-Count": {"description": "The number of hits", "schema": {"type": "integer"}}},
                    "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "400": error_ref, "503": error_ref},
            }},
            "/api/quotes/{id}": {"get": {
                "summary": "One quote and every article that carries it, in time order, with each version's "
                           "wording compared with the first (truncated, altered, spliced)",
                "operationId": "quote",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "description": "The quote's id, as the speaker page links it (article id@offset)",
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The quote's provenance",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": error_ref, "503": error_ref},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "responses": {"Error": {"description": "An error",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["message", "status"],
                    "properties": {"message": {"type": "string"}, "status": {"type": "integer"}}}}},
                "Segment": segment,
                "FacetValue": {"type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
                "Hit": {"type": "object", "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"},
                    "published": {"type": "string", "nullable": True}, "publisher": {"type": "string"},
                    "byline": {"type": "string"}, "dateline": {"type": "string"},
                    **{n: {"type": "array", "items": {"type": "string"}}
                       for n in ("people", "places", "orgs", "sources", "speakers")},
                    "score": {"type": "number"},
                    "title_segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
                    "snippet": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
                    "snippet_text": {"type": "string"},
                    "quotes": {"type": "array", "items": {"type": "object", "properties": {
                        "text": {"type": "string"}, "speaker": {"type": "string", "nullable": True},
                        "cue": {"type": "string", "nullable": True},
                        "kind": {"type": "string", "enum": ["direct", "indirect", "mixed"]},
                        "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}}}},
                    "versions": {"type": "array", "description": "the story's other versions, earliest first",
                                 "items": {"type": "object", "properties": {
                                     "id": {"type": "string"}, "title": {"type": "string"},
                                     "published": {"type": "string", "nullable": True},
                                     "publisher": {"type": "string"}}}},
                }},
                "Results": {"type": "object", "properties": {
                    "query": {"type": "string"},
                    "filters": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                    "sort": {"type": "string", "enum": list(SORTS)},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "total": {"type": "integer", "description": "hits: stories, or articles with collapse=0"},
                    "articles": {"type": "integer", "description": "matching articles, copies included"},
                    "counting": {"type": "string", "enum": ["stories", "articles"]},
                    "pages": {"type": "integer"},
                    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                    "facets": {"type": "object", "additionalProperties": {
                        "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                    "histogram": {"type": "array", "items": {"type": "object", "properties": {
                        "period": {"type": "string"}, "count": {"type": "integer"}}}},
                    "suggestion": {"type": "string", "nullable": True},
                    "notices": {"type": "array", "items": {"type": "string"}},
                    "mode": {"type": "string", "enum": ["articles", "quotes"]},
                    "took_ms": {"type": "number"},
                    "partial": {"type": "boolean", "description": "the search ran out of time: fewer hits, or no "
                                                                  "facets, than asked for (a notice says which)"},
                }},
                "Article": {"type": "object", "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"},
                    "published": {"type": "string", "nullable": True}, "byline": {"type": "string"},
                    "publisher": {"type": "string"}, "dateline": {"type": "string"}, "body": {"type": "string"},
                    **{n: {"type": "array", "items": {"type": "string"}}
                       for n in ("people", "places", "orgs", "sources", "speakers")},
                    "quotes": {"type": "array", "items": {"type": "object", "properties": {
                        "text": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
                        "speaker": {"type": "string", "nullable": True}, "cue": {"type": "string", "nullable": True},
                        "kind": {"type": "string", "enum": ["direct", "indirect", "mixed"]},
                        "mention": {"type": "object", "nullable": True}}}},
                    "title_segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
                    "body_segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
                }},
                "Suggestions": {"type": "object", "properties": {
                    "prefix": {"type": "string"},
                    "suggestions": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "field": {"type": "string"}, "count": {"type": "integer"},
                        "unit": {"type": "string", "enum": ["articles", "quotes"],
                                 "description": "what count counts: a speaker's quotes, anyone else's articles"},
                        "query": {"type": "string"}}}}}},
                "Entities": {"type": "object", "properties": {
                    "type": {"type": "string"},
                    "entities": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "type": {"type": "string"},
                        "aliases": {"type": "array", "items": {"type": "string"}},
                        "articles": {"type": "integer"}}}}}},
            },
        },
    }
