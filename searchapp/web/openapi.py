"""The API's OpenAPI 3 description (GET /api/openapi.json). The schemas of what the searches return are
generated from their result types (search/results.py `json_schema`), so the description cannot drift
from the JSON the API sends; the parameters are the ones web/params.py checks."""
from __future__ import annotations

from typing import Any

from searchapp.search import MAX_FILTER_CHARS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS
from searchapp.search.results import (EXPORT_COLUMNS, QUOTE_COLUMNS, ArticleQuote, ArticleView, Hit, QuoteHit, Results,
                                     Segment, json_schema)
from searchapp.web.params import ENTITIES_MAX, ENTITY_TYPES, PERIOD_PATTERN, PREFIX_MAX_CHARS, SUGGEST_MAX

RESULT_TYPES = (Results, Hit, QuoteHit, Segment, ArticleView, ArticleQuote)


def _param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
           where: str = "query", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema,
            **extra}


def _schema(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response whose body is JSON of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
                "responses": {"200": _json("The results", _schema("Results")),
                              "400": error_ref, "503": error_ref},
            }},
            "/api/articles/{id}": {"get": {
                "summary": "One article: text, metadata, entities, quotes, with the query words marked",
                "operationId": "article",
                "parameters": [_param("id", "The article id.", {"type": "string"}, required=True, where="path"),
                               _param("q", "A query whose words are marked in title_segments and body_segments.",
                                      {"type": "string"})],
                "responses": {"200": _json("The article", _schema("ArticleView")),
                              "404": error_ref, "503": error_ref},
            }},
            "/api/suggest": {"get": {
                "summary": "Names starting with a prefix (people, places, organisations, sources, speakers)",
                "operationId": "suggest",
                "parameters": [_param("prefix", "At least 2 characters; matches the start of any word of a name.",
                                      {"type": "string", "maxLength": PREFIX_MAX_CHARS}, required=True),
                               _param("limit", "How many names.",
                                      {"type": "integer", "minimum": 1, "maximum": SUGGEST_MAX, "default": 8})],
                "responses": {"200": _json("Names, most frequent first", _schema("Suggestions")),
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
                "responses": {"200": _json("Identities", _schema("Entities")),
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
                "responses": {"200": _json("The quote's provenance", {"type": "object"}),
                              "404": error_ref, "503": error_ref},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "operationId": "openapi",
                "responses": {"200": _json("OpenAPI 3 document", {"type": "object"})},
            }},
        },
        "components": {
            "responses": {"Error": _json("An error", _schema("Error"))},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["message", "status"],
                    "properties": {"message": {"type": "string"}, "status": {"type": "integer"}}}}},
                **{cls.__name__: json_schema(cls) for cls in RESULT_TYPES},
                "FacetValue": {"type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
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
