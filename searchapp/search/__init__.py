"""Search: a request in, typed results out. The CLI and the web both call `Searcher`.

Where each part lives: `request` (the parameters and their checks), `query` (the query language, its
cost, names and filters as queries), `facets` (tables built once per index generation, and counting
over a result set), `snippets` (highlighting from stored offsets), `suggest` ("Did you mean", names
as you type), `results` (the typed results, each with one `to_json`), `searcher` (the search itself).
"""
from searchapp.search.request import (MAX_FILTER_CHARS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS, QueryError,
                                      SearchRequest, SearchTimeout, check_filters, check_params)
from searchapp.search.results import Hit, QuoteGroups, QuoteGroupView, QuoteHit, Results, Segment
from searchapp.search.searcher import Searcher, search, warm

__all__ = ["MAX_FILTER_CHARS", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY_CHARS", "SORTS", "QueryError", "SearchRequest",
           "SearchTimeout", "check_filters",
           "check_params", "Hit", "QuoteGroups", "QuoteGroupView", "QuoteHit", "Results", "Segment", "Searcher",
           "search", "warm"]
