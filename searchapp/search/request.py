"""What a search is asked: its parameters, checked, with messages that name them."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from searchapp.store.fields import FACETS, FIELD_ALIASES

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_CHARS = 1000
MAX_FILTER_CHARS = 300  # a name, a source or a period; longer is not one


class SearchTimeout(Exception):
    """The search ran out of time before it had anything to show (the web answers 503, Retry-After)."""

    def __init__(self, seconds: float):
        super().__init__(f"the search was stopped after {seconds:g} seconds, before it found anything to "
                         f"show; the server is busy or the query asks a lot: try again, or a simpler query")
        self.seconds = seconds


class QueryError(ValueError):
    """The query (or a search parameter) cannot be used; the message says why, for the user."""


def check_params(page: Any = 1, per_page: Any = 10, sort: Any = "relevance") -> tuple[int, int, str]:
    """Validate paging and sort parameters (from a URL or the command line) with messages naming them."""
    def as_int(name: str, value: Any, low: int, high: int) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise QueryError(f"parameter '{name}' must be a whole number, not {str(value)[:40]!r}") from None
        if not low <= number <= high:
            raise QueryError(f"parameter '{name}' must be between {low} and {high}, not {number}")
        return number

    if sort not in SORTS:
        raise QueryError(f"parameter 'sort' must be one of {', '.join(SORTS)}, not {str(sort)[:40]!r}")
    return as_int("page", page, 1, MAX_PAGE), as_int("limit", per_page, 1, MAX_PER_PAGE), sort


def check_filters(filters: dict[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """Facet filters: {facet name: [exact values]}, plus 'period' ("2022" or "2022-02")."""
    out: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        canonical = FIELD_ALIASES.get(name, name)
        if canonical not in FACETS and canonical != "period":
            raise QueryError(f"unknown filter {name!r}; filters: {', '.join(FACETS + ('period',))}")
        vals = [v for v in values if isinstance(v, str) and v.strip()]
        if any(len(v) > MAX_FILTER_CHARS for v in vals):
            raise QueryError(f"filter {name!r}: a value may be at most {MAX_FILTER_CHARS} characters long")
        if canonical == "period":
            for v in vals:
                m = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2}))?", v)
                if not m or not 1 <= int(m.group(1)) <= 9998 or not 1 <= int(m.group(2) or 1) <= 12:
                    raise QueryError(f"filter 'period' must be a year or month like 2022 or 2022-02, not {v[:40]!r}")
        if vals:
            out.setdefault(canonical, []).extend(vals)
    return out


@dataclass(frozen=True)
class SearchRequest:
    """One search, checked: what `Searcher.run` takes. Build it with `SearchRequest.checked` (a
    QueryError names the bad parameter)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: bool = True  # facet counts and the date histogram
    snippets: bool = True  # highlighted titles and snippets
    spelling: bool = True  # a "Did you mean" when nothing is found
    collapse: bool = True  # the copies of one story as one hit
    seconds: float | None = None  # a deadline: stop after this long and return what there is

    @classmethod
    def checked(cls, q: str | None = "", *, filters: dict[str, Iterable[str]] | None = None, sort: Any = "relevance",
                page: Any = 1, per_page: Any = 10, seconds: float | None = None, **flags: bool) -> "SearchRequest":
        page, per_page, sort = check_params(page, per_page, sort)
        q = (q or "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
        unknown = set(flags) - {"facets", "snippets", "spelling", "collapse"}
        if unknown:
            raise TypeError(f"unknown search option(s): {', '.join(sorted(unknown))}")
        return cls(q=q, filters=check_filters(filters), sort=sort, page=page, per_page=per_page, seconds=seconds,
                   **{k: bool(v) for k, v in flags.items()})

    def deadline(self) -> float | None:
        """The time.monotonic() at which a search started now must stop."""
        return time.monotonic() + self.seconds if self.seconds else None
