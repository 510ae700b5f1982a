"""Search: a query and options in, a `Results` object out. The CLI and the web both call `search()`.

- Query language: Whoosh's (AND by default, OR/NOT, "phrases", wildcards, fuzzy `lavrv~`, ranges),
  with friendly field names (`person:`, `place:`, `speaker:`, `date:2022`, ...; see FIELD_ALIASES).
- Ranking: BM25F over title (boosted) and body.
- A query naming a speaker searches quote documents: `speaker:Lavrov troops` matches Lavrov's own
  quotes that contain "troops", and the hit shows those quotes.
- A long query whose words never all meet falls back to ranked OR with a minimum number of words.
- Snippets come from the stored text and the character offsets kept in the postings: nothing is
  re-analysed per hit. Facet tables and the date histogram are built once per index generation.
"""
from __future__ import annotations

import bisect
import datetime as dt
import fnmatch
import itertools
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Iterable, Iterator

import numpy as np
from whoosh import query as Q
from whoosh.spelling import ListCorrector
from whoosh.support.levenshtein import damerau_levenshtein
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from searchapp.analysis import fold
from searchapp.store import IndexStore
from searchapp.store.ranking import Match, Ranker, column_values, difference, expand, intersect, member, union
from searchapp.store.schema import FACETS, FIELD_ALIASES, PAIR_FIELDS

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_CHARS = 1000
MAX_FILTER_CHARS = 300  # a name, a source or a period; longer is not one
SNIPPET_CHARS = 240
LEAD_CHARS = 200
QUOTE_HITS_CAP = 5000  # quote documents considered per query in speaker mode
FACET_LIMIT = 10
FALLBACK_BELOW = 10  # a long query with fewer articles than this having every word also gets near misses

_UNKNOWN_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")
_QUERY_FIELDS = sorted(set(FIELD_ALIASES))


class QueryError(ValueError):
    """The query (or a search parameter) cannot be used; the message says why, for the user."""


@dataclass
class Segment:
    text: str
    match: bool = False


@dataclass
class QuoteHit:
    text: str
    speaker: str | None
    cue: str | None
    segments: list[Segment]


@dataclass
class Hit:
    id: str
    title: str
    url: str
    path: str
    published: str | None
    publisher: str
    byline: str
    dateline: str
    people: list[str]
    places: list[str]
    orgs: list[str]
    sources: list[str]
    speakers: list[str]
    score: float
    title_segments: list[Segment]
    snippet: list[Segment]
    quotes: list[QuoteHit] = field(default_factory=list)
    lead: str = ""  # the start of the body: a label for untitled articles

    @property
    def snippet_text(self) -> str:
        return "".join(s.text for s in self.snippet)

    def to_json(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in HIT_SCALARS}
        for name in ("people", "places", "orgs", "sources", "speakers"):
            out[name] = list(getattr(self, name))
        out["title_segments"] = _segments_json(self.title_segments)
        out["snippet"] = _segments_json(self.snippet)
        out["snippet_text"] = self.snippet_text
        out["quotes"] = [{"text": q.text, "speaker": q.speaker, "cue": q.cue, "segments": _segments_json(q.segments)}
                         for q in self.quotes]
        return out


HIT_SCALARS = ("id", "title", "url", "path", "published", "publisher", "byline", "dateline", "score", "lead")


def _segments_json(segments: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": seg.text, "match": seg.match} for seg in segments]


@dataclass
class Results:
    query: str
    filters: dict[str, list[str]]
    sort: str
    page: int
    per_page: int
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[tuple[str, int]] = field(default_factory=list)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    mode: str = "articles"
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every segment and costs more than the search.
        out = {name: getattr(self, name) for name in
               ("query", "sort", "page", "per_page", "total", "suggestion", "mode", "took_ms")}
        out["filters"] = {k: list(v) for k, v in self.filters.items()}
        out["notices"] = list(self.notices)
        out["pages"] = self.pages
        out["hits"] = [h.to_json() for h in self.hits]
        out["facets"] = {k: [{"value": v, "count": c} for v, c in vs] for k, vs in self.facets.items()}
        out["histogram"] = [{"period": p, "count": c} for p, c in self.histogram]
        return out


# -- parameters ---------------------------------------------------------------------------------

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


# -- the search ---------------------------------------------------------------------------------

class Searcher:
    """Search over one `IndexStore`. Cheap to create; all caches live in the store per generation."""

    def __init__(self, store: IndexStore):
        self.store = store
        store.set_warmer(warm)

    # Query parsing ------------------------------------------------------------------------------

    def _parser(self, schema, fields: list[str], group=None):
        kwargs = {"group": group} if group is not None else {}
        parser = MultifieldParser(fields, schema, **kwargs)
        aliases: dict[str, list[str]] = {}
        for alias, target in FIELD_ALIASES.items():
            if alias != target:
                aliases.setdefault(target, []).append(alias)
        parser.add_plugin(FieldAliasPlugin(aliases))
        parser.add_plugin(FuzzyTermPlugin())
        return parser

    def parse(self, schema, text: str, fields: list[str], group=None) -> Q.Query:
        try:
            return self._parser(schema, fields, group).parse(text)
        except Exception as e:  # Whoosh raises many kinds; the user needs one clear sentence
            raise QueryError(f"could not read the query {text[:80]!r}: {e}") from None

    # Facet tables (once per generation) ---------------------------------------------------------

    def _tables(self, searcher) -> dict[str, Any]:
        return _cached(self.store.cache(searcher), "tables", lambda: _build_tables(searcher))

    # The search ---------------------------------------------------------------------------------

    def search(self, q: str, *, filters: dict[str, Iterable[str]] | None = None, sort: str = "relevance",
               page: Any = 1, per_page: Any = 10, facets: bool = True, snippets: bool = True) -> Results:
        started = time.perf_counter()
        page, per_page, sort = check_params(page, per_page, sort)
        filters = check_filters(filters)
        q = (q or "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
        res = Results(query=q, filters=filters, sort=sort, page=page, per_page=per_page)
        for name in _UNKNOWN_FIELD.findall(q):
            if name.lower() not in FIELD_ALIASES:
                res.notices.append(f"unknown field {name!r} was searched as words; fields are: "
                                   + ", ".join(sorted(set(FIELD_ALIASES))))
        with self.store.searcher() as s:
            tables = self._tables(s)
            user_q = self._user_query(s, q, res)
            if user_q is None:
                res.took_ms = (time.perf_counter() - started) * 1000
                return res
            quote_mode = bool(QUOTE_MODE_FIELDS & _fields_of(user_q))
            if quote_mode:
                res.mode = "quotes"
                user_q = self.parse(s.schema, q, ["quote"]) if q != "*" else user_q
            user_q = _expand_names(user_q, tables)
            if quote_mode:
                self._quote_search(s, user_q, filters, res, tables, facets, snippets)
            else:
                full_q = _with_filters(user_q, filters, tables)
                self._article_search(s, full_q, user_q, res, tables, facets, snippets)
            if not res.total and q and q != "*":
                res.suggestion = self._suggest(s, tables, q)
        res.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return res

    def _user_query(self, s, q: str, res: Results) -> Q.Query | None:
        if not q or q == "*":
            return Q.Every()
        parsed = self.parse(s.schema, q, ["title", "body"])
        if parsed is Q.NullQuery:
            res.notices.append("the query has no searchable words (only stop words or operators)")
            return None
        if any(isinstance(leaf, Q.Phrase) and leaf.slop > 1 and PAIR_FIELDS.get(leaf.fieldname) in s.schema
               for leaf in ([parsed] if parsed.is_leaf() else parsed.leaves())):
            res.notices.append('a proximity search ("..."~N) finds the articles having all its words')
        return parsed

    def _ranker(self, s) -> Ranker:
        return _cached(self.store.cache(s), "ranker", lambda: Ranker(s)).using(s)

    def _select(self, ranker: Ranker, full_q, user_q, res: Results, tables) -> tuple[Match, np.ndarray]:
        """The matching articles (with the ranked-OR fallback for long queries that match nothing)."""
        match = ranker.evaluate(full_q)
        docs = difference(match.docs, tables["quote_docs"], ranker.size)
        words = _plain_words(user_q, quoted='"' in res.query)
        if len(docs) < FALLBACK_BELOW and len(words) >= 3:
            match, docs = self._fallback(ranker, full_q, user_q, words, docs, res, tables)
        return match, docs

    def _article_search(self, s, full_q, user_q, res: Results, tables, facets: bool, snippets: bool) -> None:
        ranker = self._ranker(s)
        match, docs = self._select(ranker, full_q, user_q, res, tables)
        res.total = len(docs)
        top = ranker.top(match, docs, res.page * res.per_page, res.sort)[(res.page - 1) * res.per_page:]
        marks = _highlight_terms(s, user_q) if snippets else {}
        for docnum, score in top:
            res.hits.append(self._hit(s, docnum, score, marks))
        if facets:
            res.facets, res.histogram = _count_facets(tables, docs)

    def _fallback(self, ranker: Ranker, full_q, user_q, words, all_words: np.ndarray, res: Results, tables):
        """Few or no articles have every word: add those having enough of them, and say so. BM25 alone
        ranks the articles with every word high (a bonus for them lowered MAP on TIME)."""
        need = min_should_match(len(words))
        counts = np.zeros(ranker.size, dtype=np.int16)
        scores = []
        for word in words:
            m = ranker.evaluate(word)
            counts[m.docs] += 1
            scores += m.scores
        docs = difference(np.flatnonzero(counts >= need).astype(np.int32), tables["quote_docs"], ranker.size)
        if full_q is not user_q:  # the filters still apply
            for clause in _subqueries(full_q):
                if clause is not user_q:
                    docs = intersect(docs, ranker.evaluate(clause).docs, ranker.size)
        if len(docs) > len(all_words):
            res.notices.append(f"{'No' if not len(all_words) else 'Only ' + str(len(all_words))} "
                               f"{'article contains' if len(all_words) < 2 else 'articles contain'} all "
                               f"{len(words)} words; also showing articles with at least {need} of them.")
        docs = union([docs, all_words], ranker.size)
        return Match(docs, scores), docs

    def _quote_matches(self, ranker: Ranker, user_q, filters, tables) -> tuple[Match, np.ndarray]:
        """Quote documents matching a speaker query. Clauses about the quote itself (its words, speaker,
        date) are matched on quote documents; clauses and filters about the article (place:, person:,
        f.places ...) on articles, keeping the quotes of the articles that match."""
        quote_part, article_part = [], []
        for clause in _subqueries(user_q):
            (quote_part if _fields_of(clause) <= QUOTE_FIELDS else article_part).append(clause)
        speaker_filters = {"speakers": filters["speakers"]} if "speakers" in filters else {}
        article_filters = {k: v for k, v in filters.items() if k != "speakers"}
        quote_q = _with_filters(_and(quote_part) if quote_part else Q.Every(), speaker_filters, tables)
        match = ranker.evaluate(quote_q)
        qdocs = intersect(match.docs, tables["quote_docs"], ranker.size)
        if article_part or article_filters:
            articles = ranker.evaluate(_with_filters(_and(article_part) if article_part else Q.Every(),
                                                     article_filters, tables)).docs
            parents = tables["quote_parents"][qdocs]
            qdocs = qdocs[(parents >= 0) & member(np.maximum(parents, 0), articles, ranker.size)]
        return match, qdocs

    def _quote_search(self, s, user_q, filters, res: Results, tables, facets: bool, snippets: bool) -> None:
        ranker = self._ranker(s)
        match, qdocs = self._quote_matches(ranker, user_q, filters, tables)
        full_q = user_q
        groups = _group_quotes(ranker.top(match, qdocs, len(qdocs), res.sort), tables["quote_parents"])
        res.total = len(groups)
        articles = list(groups)[(res.page - 1) * res.per_page: res.page * res.per_page]
        marks = _highlight_terms(s, full_q) if snippets else {}
        for article in articles:
            hit = self._hit(s, article, groups[article][0][1], {})
            for qnum, _ in groups[article][:3]:
                stored = s.stored_fields(qnum)
                text = stored.get("quote", "")
                hit.quotes.append(QuoteHit(text=text, speaker=(stored.get("speakers") or [None])[0],
                                           cue=stored.get("cue"),
                                           segments=_segments(text, _stored_spans(stored, marks, "quote"))))
            if hit.quotes:
                hit.snippet = hit.quotes[0].segments
            res.hits.append(hit)
        if facets:
            # Speakers count quotes; every other facet (and the histogram) counts articles.
            article_docs = np.array(sorted(groups), dtype=np.int32)
            res.facets, res.histogram = _count_facets(tables, article_docs)
            res.facets["speakers"] = _count_facets(tables, qdocs)[0]["speakers"]

    def iter_hits(self, q: str, *, filters: dict[str, Iterable[str]] | None = None,
                  sort: str = "relevance") -> Iterator[Hit]:
        """Every hit of a query, in order, without snippets (for exports): one evaluation, no paging."""
        _, _, sort = check_params(1, 1, sort)
        filters = check_filters(filters)
        q = (q or "").strip()
        res = Results(query=q, filters=filters, sort=sort, page=1, per_page=1)
        with self.store.searcher() as s:
            tables = self._tables(s)
            user_q = self._user_query(s, q, res)
            if user_q is None:
                return
            ranker = self._ranker(s)
            if QUOTE_MODE_FIELDS & _fields_of(user_q):
                quote_q = _expand_names(self.parse(s.schema, q, ["quote"]), tables)
                match, qdocs = self._quote_matches(ranker, quote_q, filters, tables)
                groups = _group_quotes(ranker.top(match, qdocs, len(qdocs), sort), tables["quote_parents"])
                ordered = [(a, quotes[0][1]) for a, quotes in groups.items()]
            else:
                user_q = _expand_names(user_q, tables)
                match, docs = self._select(ranker, _with_filters(user_q, filters, tables), user_q, res, tables)
                ordered = ranker.top(match, docs, len(docs), sort)
            for docnum, score in ordered:
                yield self._hit(s, docnum, score, {})

    def _hit(self, s, docnum: int, score: float, marks: dict[str, set[str]]) -> Hit:
        stored = s.stored_fields(docnum)
        title = stored.get("title", "")
        body = stored.get("body", "")
        snippet = _snippet(body, _stored_spans(stored, marks, "body"))
        published = stored.get("published")
        return Hit(
            id=stored.get("id", ""), title=title, url=stored.get("url", ""), path=stored.get("path", ""),
            published=published.isoformat() if published else None,
            publisher=stored.get("publisher", ""), byline=stored.get("byline", ""),
            dateline=stored.get("dateline", ""),
            people=stored.get("people", []), places=stored.get("places", []), orgs=stored.get("orgs", []),
            sources=stored.get("sources", []), speakers=stored.get("speakers", []),
            score=round(float(score or 0.0), 4),
            title_segments=_segments(title, _stored_spans(stored, marks, "title")), snippet=snippet,
            lead=body[:LEAD_CHARS],
        )

    def _suggest(self, s, tables, q: str) -> str | None:
        """A corrected query when some plain words are not in the index ("Did you mean ...?").

        Names (people, places, organisations, speakers) are tried first, in the case the articles
        write them; then the body vocabulary. Field names and operators are left alone."""
        reader = s.reader()
        analyzer = s.schema["body"].analyzer
        corrected, changed = q, False
        for m in _PLAIN_WORD.finditer(q):
            word = m.group(0)
            if word in ("AND", "OR", "NOT", "TO") or len(word) < 3:
                continue
            terms = [t.text for t in analyzer(word, mode="query")]
            if not terms or any(reader.doc_frequency(f, t) for f in ("title", "body") for t in terms):
                continue
            best = None
            # The closest first (one edit, then two), names before ordinary words.
            names = tables["name_corrector"]
            for maxdist in (1, 2):
                cands = names.suggest(fold(word), limit=1, maxdist=maxdist) if names else []
                if cands:
                    best = _as_written(cands[0], tables, word)
                    break
                cands = s.suggest("body", fold(word), limit=1, maxdist=maxdist)
                if cands:
                    best = _surface(s, cands[0])
                    break
            if best and best.lower() != word.lower():
                corrected = corrected[:m.start()] + best + corrected[m.end():] if corrected == q else \
                    re.sub(rf"(?<![\w:]){re.escape(word)}(?![\w:])", best, corrected, count=1)
                changed = True
        return corrected if changed else None

    # Single articles ---------------------------------------------------------------------------

    def article(self, article_id: str, q: str = "") -> dict[str, Any] | None:
        """One article with everything stored about it, its quotes, and the query words marked."""
        with self.store.searcher() as s:
            docnum = s.document_number(id=article_id)
            if docnum is None:
                return None
            stored = s.stored_fields(docnum)
            if stored.get("kind") != "article":
                return None
            quotes = []
            for qnum in s.document_numbers(parent=article_id):
                qf = s.stored_fields(qnum)
                if qf.get("kind") == "quote":
                    start, end = qf.get("span") or (0, 0)
                    quotes.append({"text": qf.get("quote", ""), "start": start, "end": end,
                                   "speaker": (qf.get("speakers") or [None])[0],
                                   "mention": qf.get("mention"), "cue": qf.get("cue")})
            quotes.sort(key=lambda x: x["start"])
            marks = self._query_marks(s, q)
            body = stored.get("body", "")
            published = stored.get("published")
            return {
                "id": stored.get("id"), "title": stored.get("title", ""), "url": stored.get("url", ""),
                "path": stored.get("path", ""), "published": published.isoformat() if published else None,
                "byline": stored.get("byline", ""), "publisher": stored.get("publisher", ""),
                "dateline": stored.get("dateline", ""), "body": body,
                "people": stored.get("people", []), "places": stored.get("places", []),
                "orgs": stored.get("orgs", []), "sources": stored.get("sources", []),
                "speakers": stored.get("speakers", []), "quotes": quotes,
                "title_segments": _segments(stored.get("title", ""), _stored_spans(stored, marks, "title")),
                "body_segments": _segments(body, _stored_spans(stored, marks, "body")),
            }

    def _query_marks(self, s, q: str) -> dict[str, set[str]]:
        """The terms to mark in one article for query ``q`` (in any of the text fields)."""
        if not q.strip():
            return {}
        try:
            parsed = self.parse(s.schema, q, ["title", "body"])
        except QueryError:
            return {}
        terms = set().union(*_highlight_terms(s, parsed).values())
        return {f: terms for f in HIGHLIGHT_FIELDS}

    def suggest_names(self, prefix: str, limit: int = 8) -> list[dict[str, Any]]:
        """Names (people, places, orgs, speakers) starting with ``prefix``, most frequent first."""
        prefix = prefix.strip()
        if len(prefix) < 2:
            return []
        with self.store.searcher() as s:
            tables = self._tables(s)
        low = prefix.lower()
        out = []
        for facet, (values, counts) in tables["name_index"].items():
            for i, v in enumerate(values):
                if v.lower().startswith(low) or any(w.lower().startswith(low) for w in v.split()[1:]):
                    out.append({"name": v, "field": facet, "count": counts[i]})
        out.sort(key=lambda x: (-x["count"], x["name"]))
        return out[:limit]

    def speaker_quotes(self, name: str, q: str = "", page: Any = 1, per_page: Any = 20) -> Results:
        """Everything one person said, newest first (the speaker page)."""
        query = f'speaker:"{_escape_phrase(name)}"' + (f" {q}" if q.strip() else "")
        return self.search(query, sort="newest", page=page, per_page=per_page)


# -- helpers ------------------------------------------------------------------------------------

def _escape_phrase(text: str) -> str:
    return text.replace('"', " ")


def _fields_of(q: Q.Query) -> set[str]:
    out = set()
    for sub in q.leaves() if not q.is_leaf() else [q]:
        name = getattr(sub, "fieldname", None)
        if name:
            out.add(name)
    return out


def _subqueries(q: Q.Query) -> list[Q.Query]:
    return list(q.subqueries) if isinstance(q, Q.And) else [q]


QUOTE_FIELDS = {"quote", "speakers", "f_speakers", "published"}  # what quote documents carry, beside ids
QUOTE_MODE_FIELDS = {"quote", "speakers"}  # a query naming these searches quotes, not articles


def _and(clauses: list[Q.Query]) -> Q.Query:
    return clauses[0] if len(clauses) == 1 else Q.And(clauses)


def _with_filters(user_q: Q.Query, filters: dict[str, list[str]], tables) -> Q.Query:
    clauses = [user_q]
    for name, values in filters.items():
        if name == "period":
            for v in values:
                start, end = _period_range(v)
                clauses.append(Q.ConstantScoreQuery(Q.DateRange("published", start, end), 0.0))
        else:
            for v in values:
                clauses.append(Q.ConstantScoreQuery(Q.Term("f_" + name, v), 0.0))
    return clauses[0] if len(clauses) == 1 else Q.And(clauses)


def _period_range(period: str) -> tuple[dt.datetime, dt.datetime]:
    year = int(period[:4])
    if len(period) == 4:
        return dt.datetime(year, 1, 1), dt.datetime(year, 12, 31, 23, 59, 59)
    month = int(period[5:7])
    nxt = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return dt.datetime(year, month, 1), nxt - dt.timedelta(seconds=1)


def min_should_match(words: int) -> int:
    """How many of a long query's words an article needs in the ranked-OR fallback: two, or a quarter
    of them for very long queries (MAP on TIME: 0.685 with this rule, 0.689 with one word)."""
    return max(2, math.ceil(words / 4))


def _expand_names(q: Q.Query, tables) -> Q.Query:
    """`person:Lavrov` -> the exact names that contain the word (f_people:"Sergey Lavrov" OR ...).

    Phrases match names containing the words in order; wildcards and fuzzy words match name words."""
    fieldname = getattr(q, "fieldname", None)
    if fieldname not in FACETS:
        return q.apply(lambda sub: _expand_names(sub, tables)) if not q.is_leaf() else q
    words, tokens = tables["name_words"][fieldname]
    values = tables["facets"][fieldname]
    if isinstance(q, Q.Term):
        vids = words.get(q.text, set())
    elif isinstance(q, Q.Phrase):
        seq = tuple(q.words)
        sets = [words.get(w, set()) for w in seq]
        vids = set.intersection(*sets) if sets else set()
        vids = {v for v in vids if any(tokens[v][i:i + len(seq)] == seq for i in range(len(tokens[v])))}
    elif isinstance(q, (Q.Prefix, Q.Wildcard, Q.FuzzyTerm, Q.Regex)):
        matcher = _word_matcher(q)
        vids = set().union(*(ids for w, ids in words.items() if matcher(w)))
    else:
        return q
    if not vids:
        return Q.NullQuery
    return Q.Or([Q.Term("f_" + fieldname, values[v]) for v in sorted(vids)])


def _word_matcher(q):
    if isinstance(q, Q.Prefix):
        return lambda w: w.startswith(q.text)
    if isinstance(q, Q.Wildcard):
        rx = re.compile(fnmatch.translate(q.text))
        return lambda w: bool(rx.match(w))
    if isinstance(q, Q.FuzzyTerm):
        return lambda w: w[:q.prefixlength] == q.text[:q.prefixlength] and \
            damerau_levenshtein(w, q.text, q.maxdist) <= q.maxdist
    rx = re.compile(q.text)
    return lambda w: bool(rx.match(w))


_CACHE_LOCK = threading.Lock()


def _cached(cache: dict[str, Any], key: str, build):
    """cache[key], built once: concurrent requests wait for the one build instead of each doing it."""
    value = cache.get(key)
    if value is None:
        with _CACHE_LOCK:
            lock = cache.setdefault(key + ".lock", threading.Lock())
        with lock:
            value = cache.get(key)
            if value is None:
                value = cache[key] = build()
    return value


def warm(store: IndexStore, searcher) -> None:
    """Build a new index generation's tables before it serves (the store calls this in the background
    and keeps answering from the previous generation meanwhile)."""
    cache = store.cache(searcher)
    _cached(cache, "tables", lambda: _build_tables(searcher))
    ranker = _cached(cache, "ranker", lambda: Ranker(searcher)).using(searcher)
    ranker.live  # noqa: B018 - computed now rather than by the first search
    ranker.dates()
    for fieldname in HIGHLIGHT_FIELDS:
        ranker.lengths(fieldname)


def _group_quotes(ranked: list[tuple[int, float]], quote_parents: np.ndarray) -> dict[int, list]:
    """Ranked quote documents grouped under their article's docnum, best article first."""
    groups: dict[int, list[tuple[int, float]]] = {}
    for docnum, score in ranked:
        article = int(quote_parents[docnum])
        if article >= 0:
            groups.setdefault(article, []).append((docnum, score))
    return groups


def _plain_words(q: Q.Query, quoted: bool) -> list[Q.Query]:
    """The per-word clauses of a plain AND query (each an OR over the default fields); [] otherwise.
    ``quoted``: the query text has a double quote, so its phrases are the user's own."""
    return list(q.subqueries) if _is_plain_and(q, quoted) else []


def _is_plain_and(q: Q.Query, quoted: bool) -> bool:
    """Words typed one after the other (a hyphenated compound, which the parser makes a phrase, counts
    as one word): no operators, quoted phrases, wildcards or fields, which say the user wants exactly
    what they typed."""
    if not isinstance(q, Q.And):
        return False
    stack = list(q.subqueries)
    while stack:
        node = stack.pop()
        if isinstance(node, (Q.Not, Q.MultiTerm)) or (quoted and isinstance(node, Q.Phrase)) \
                or getattr(node, "fieldname", "body") not in ("title", "body"):
            return False
        stack.extend(node.children())
    return True


def _build_tables(s) -> dict[str, Any]:
    """Per-generation tables: facet values, docnum -> facet value and month ids, quote docnums, name index."""
    reader = s.reader()
    doccount = reader.doc_count_all()
    quote_docs = set(s.docs_for_query(Q.Term("kind", "quote")))
    quote_parents = np.full(doccount, -1, dtype=np.int32)  # quote docnum -> its article's; -1 elsewhere
    facets: dict[str, Any] = {}
    name_index: dict[str, tuple[list[str], list[int]]] = {}
    name_words: dict[str, tuple[dict[str, set[int]], list[tuple[str, ...]]]] = {}
    for name in FACETS:
        fname = "f_" + name
        values: list[str] = []
        counts: list[int] = []
        # docnum -> value ids, a value repeated as often as its weight (an article's f_speakers weight
        # is its number of quotes).
        by_doc: dict[int, list[int]] = {}
        if fname in reader.indexed_field_names():
            for term in reader.lexicon(fname):
                vid = len(values)
                values.append(term.decode("utf-8"))
                m = reader.postings(fname, term)
                n = 0
                while m.is_active():
                    by_doc.setdefault(m.id(), []).extend([vid] * (int(m.weight()) or 1))
                    n += 1
                    m.next()
                counts.append(n)
        facets[name] = (values, by_doc)
        name_index[name] = (values, counts)
        # word -> ids of the names containing it, and each name's words: `person:Lavrov` and
        # `person:"Sergey Lavrov"` are answered from these (the name fields themselves are not indexed).
        analyzer = s.schema[name].analyzer
        words: dict[str, set[int]] = {}
        tokens: list[tuple[str, ...]] = []
        for vid, value in enumerate(values):
            toks = tuple(t.text for t in analyzer(value))
            tokens.append(toks)
            for w in toks:
                words.setdefault(w, set()).add(vid)
        name_words[name] = (words, tokens)
    # An article's quotes are written right after it (indexer and store keep that order through merges),
    # so a quote's article is the nearest article before it. Checked on a sample against `parent`.
    last_article = -1
    is_deleted = reader.is_deleted
    for docnum in range(doccount):
        if docnum in quote_docs:
            quote_parents[docnum] = last_article
        elif not is_deleted(docnum):
            last_article = docnum
    placed = np.flatnonzero(quote_parents >= 0)
    for qnum in placed[:: max(1, len(placed) // 20)].tolist():
        if s.stored_fields(qnum).get("parent") != s.stored_fields(int(quote_parents[qnum])).get("id"):
            raise RuntimeError("index documents are out of order: quote and article do not match")
    months: dict[int, str] = {}
    if reader.has_column("published"):
        from whoosh.util.times import long_to_datetime

        for docnum, raw in enumerate(column_values(reader, "published")):
            if raw:
                try:
                    months[docnum] = long_to_datetime(raw).strftime("%Y-%m")
                except (OverflowError, ValueError):  # the column's "no date" default
                    pass
    all_words = sorted({w for words, _ in name_words.values() for w in words})
    return {"facets": {name: values for name, (values, _) in facets.items()}, "tally": Tally(facets, months, doccount),
            "quote_docs": np.array(sorted(quote_docs), dtype=np.int32), "quote_parents": quote_parents,
            "name_index": name_index, "name_words": name_words, "name_corrector": ListCorrector(all_words) if all_words else None}


class Tally:
    """Every facet and the month of every document in one table, so that counting them for a result set
    is a few array operations whatever its size: document ``d``'s value ids are
    ``ids[start[d]:start[d + 1]]`` (a value repeated as often as its weight); each facet's values, and
    then the months, have consecutive ids, in alphabetical order within a facet."""

    def __init__(self, facets: dict[str, tuple[list[str], dict[int, list[int]]]], months: dict[int, str],
                 doccount: int):
        self.labels: list[str] = []
        self.bounds: list[int] = []  # first id of each facet, then of the months, then the end
        per_doc: list[list[int]] = [[] for _ in range(doccount)]
        for values, by_doc in facets.values():
            base = len(self.labels)
            self.bounds.append(base)
            self.labels += values
            for docnum, vids in by_doc.items():
                per_doc[docnum].extend(base + v for v in vids)
        self.bounds.append(len(self.labels))
        month_ids = {m: len(self.labels) + i for i, m in enumerate(sorted(set(months.values())))}
        self.labels += sorted(month_ids)
        self.bounds.append(len(self.labels))
        for docnum, month in months.items():
            per_doc[docnum].append(month_ids[month])
        self.start = np.zeros(doccount + 1, dtype=np.int64)
        np.cumsum([len(v) for v in per_doc], out=self.start[1:])
        self.ids = np.fromiter(chain.from_iterable(per_doc), dtype=np.int32, count=int(self.start[-1]))

    def count(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value ids, their counts) over ``docs`` (docnums), ids ascending."""
        d = np.asarray(docs, dtype=np.int64)
        starts = self.start[d]
        lens = self.start[d + 1] - starts
        total = int(lens.sum())
        if not total:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # Positions in ``ids`` of every value of every document: each document's run, end to end.
        ends = np.cumsum(lens)
        values = self.ids[np.repeat(starts - ends + lens, lens) + np.arange(total)]
        if total * 8 < len(self.labels):
            return np.unique(values, return_counts=True)
        counts = np.bincount(values, minlength=len(self.labels))
        present = np.flatnonzero(counts)
        return present, counts[present]


def _count_facets(tables, docs: np.ndarray) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, int]]]:
    """The top values of every facet over ``docs``, and their hits per month (or per year over long
    spans). Speakers count quotes: over articles through their f_speakers weights, over quote documents
    one each. Ties list in alphabetical order."""
    tally: Tally = tables["tally"]
    ids, counts = tally.count(docs)
    cuts = np.searchsorted(ids, tally.bounds)
    facets: dict[str, list[tuple[str, int]]] = {}
    for i, name in enumerate(FACETS):
        vid, c = ids[cuts[i]:cuts[i + 1]], counts[cuts[i]:cuts[i + 1]]
        if len(c) > FACET_LIMIT:  # the values above the 10th count, then the first of those tied with it
            tenth = np.partition(c, len(c) - FACET_LIMIT)[len(c) - FACET_LIMIT]
            above = np.flatnonzero(c > tenth)
            keep = np.concatenate((above, np.flatnonzero(c == tenth)[:FACET_LIMIT - len(above)]))
            vid, c = vid[keep], c[keep]
        order = np.lexsort((vid, -c))  # by count, then alphabetically
        facets[name] = [(tally.labels[v], int(n)) for v, n in zip(vid[order].tolist(), c[order].tolist())]
    lo, hi = cuts[len(FACETS)], cuts[len(FACETS) + 1]
    months = [(tally.labels[v], n) for v, n in zip(ids[lo:hi].tolist(), counts[lo:hi].tolist())]
    if len(months) > 36:  # long spans read better by year
        years: Counter = Counter()
        for m, c in months:
            years[m[:4]] += c
        months = list(years.items())
    return facets, sorted(months)


HIGHLIGHT_FIELDS = ("title", "body", "quote")


def _highlight_terms(s, q: Q.Query) -> dict[str, set[str]]:
    """The indexed terms of the query, per highlightable field (wildcards and fuzzy terms expanded)."""
    out: dict[str, set[str]] = {}
    reader = s.reader()
    for leaf in ([q] if q.is_leaf() else q.leaves()):
        fieldname = getattr(leaf, "fieldname", None)
        if fieldname not in HIGHLIGHT_FIELDS:
            continue
        if isinstance(leaf, Q.Term):
            texts = [leaf.text]
        elif isinstance(leaf, Q.Phrase):
            texts = list(leaf.words)
        elif isinstance(leaf, (Q.Wildcard, Q.Prefix, Q.FuzzyTerm, Q.Regex, Q.Variations)):
            texts = [b.decode("utf-8") for b in itertools.islice(expand(leaf, reader), 50)]
        else:
            continue
        out.setdefault(fieldname, set()).update(texts)
    return out


def _stored_spans(stored: dict[str, Any], marks: dict[str, set[str]], fieldname: str) -> list[tuple[int, int]]:
    """(start, end) of the marked terms in a stored field, from the offsets stored at indexing time."""
    terms = marks.get(fieldname)
    if not terms:
        return []
    offsets = stored.get("offsets", {}).get(fieldname, {})
    spans: list[tuple[int, int]] = []
    for term in terms:
        flat = offsets.get(term)
        if flat:
            spans.extend(zip(flat[::2], flat[1::2]))
    spans.sort()
    return spans


def _segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for start, end in spans:
        if start < pos or end > len(text):
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], True))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> list[Segment]:
    """The window of ``text`` with the most matches (the lead when nothing matched), cut at words."""
    if not text:
        return []
    if not spans:
        end = _cut_right(text, width)
        return [Segment(text[:end] + ("…" if end < len(text) else ""))]
    # The window starting at each match that holds the most matches. Spans are words, sorted and
    # never overlapping, so their ends are sorted too and each count is one bisection.
    ends = [e for _, e in spans]
    best_start, best_count = spans[0][0], 0
    for i, (start, _) in enumerate(spans):
        count = bisect.bisect_right(ends, start + width, i) - i
        if count > best_count:
            best_start, best_count = start, count
    begin = _cut_left(text, max(0, best_start - width // 4))
    end = _cut_right(text, min(len(text), begin + width))
    window = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    segs = _segments(text[begin:end], window)
    if begin > 0:
        segs.insert(0, Segment("…"))
    if end < len(text):
        segs.append(Segment("…"))
    return segs


def _cut_left(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    nl = text.rfind("\n", 0, pos + 1)
    if nl >= 0 and pos - nl < 60:
        return nl + 1
    sp = text.find(" ", pos)
    return sp + 1 if 0 <= sp < pos + 30 else pos


def _cut_right(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    sp = text.rfind(" ", 0, pos)
    return sp if sp > pos - 30 else pos


def _surface(s, stem: str) -> str | None:
    """A word as an article writes it, for an indexed stem: read one article that has it."""
    try:
        m = s.reader().postings("body", stem.encode("utf-8"))
        text = s.stored_fields(m.id()).get("body", "")
    except Exception:
        return None
    for t in s.schema["body"].analyzer(text, chars=True, removestops=True):
        if t.text == stem:
            return text[t.startchar:t.endchar].lower()
    return None


_PLAIN_WORD = re.compile(r"(?<![\w:])[^\W\d_][\w'’]*(?![\w:])")


def _as_written(folded: str, tables, typed: str) -> str:
    """The suggested name word as the articles write it ("Lavorv" -> "Lavrov"); lower case stays lower."""
    if typed.islower():
        return folded
    for values, _ in tables["name_index"].values():
        for value in values:
            for w in value.split():
                if fold(w) == folded:
                    return w
    return folded.capitalize() if typed[:1].isupper() else folded


def search(store: IndexStore, q: str, **kwargs) -> Results:
    """Convenience: ``search(store, "speaker:Lavrov", page=1)``."""
    return Searcher(store).search(q, **kwargs)
