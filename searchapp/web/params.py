"""What a request asks for: a search URL's parameters read and checked (a QueryError names the bad
one), and the library the request asks it of."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from searchapp.search import QueryError, Searcher, check_filters, check_params
from searchapp.store import IndexStore

# The facet filters a URL may carry, in display order: ``f.people=Sergey Lavrov`` (repeatable).
FILTER_PREFIX = "f."
# What check_filters accepts for f.period, as the OpenAPI document's pattern (tests check they agree).
PERIOD_PATTERN = "^(?!0000|9999)[0-9]{4}(-(0[1-9]|1[0-2]))?$"
SUGGEST_MAX = 20  # names per /api/suggest
PREFIX_MAX_CHARS = 100
ENTITY_TYPES = ("person", "place", "org", "source")
ENTITIES_MAX = 1000  # identities per /api/entities page
FILTER_ORDER = ("people", "places", "orgs", "sources", "speakers", "period")


def get_store() -> IndexStore:
    return current_app.extensions["searchapp"]


def get_searcher() -> Searcher:
    return Searcher(get_store())


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
                "collapse": self.collapse, "seconds": current_app.config["SEARCH_SECONDS"]}


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


