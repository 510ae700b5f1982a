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
from whoosh.support.levenshtein import damerau_levenshtein
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

from searchapp.analysis import fold
from searchapp.archive import identities
from searchapp.archive.duplicates import saved_groups
from searchapp.archive.quotes import Occurrence, group_quotes
from searchapp.archive.identities import FACET_TYPES, TYPE_FACETS, Identities, Identity, name_tokens
from searchapp.store import IndexStore
from searchapp.store.lexicon import Lexicon
from searchapp.store.ranking import Match, Ranker, column_values, difference, intersect, member, union
from searchapp.store.schema import FACETS, FIELD_ALIASES, PAIR_FIELDS

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_CHARS = 1000
MAX_FILTER_CHARS = 300  # a name, a source or a period; longer is not one
SUGGEST_WORDS = 8  # words a spelling correction looks at
MAX_QUERY_WORDS = 64  # words in a query, after parsing (a headline has 10, a pasted paragraph 100)
MAX_QUERY_PATTERNS = 6  # wildcards and fuzzy words in a query
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
    # The other versions of this story (syndicated and near copies), earliest first: id, title,
    # published, publisher. Empty for a story with one version.
    versions: list[dict[str, Any]] = field(default_factory=list)

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
        out["versions"] = [dict(v) for v in self.versions]
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
    # Copies of one story are one hit unless collapse is off: ``total`` then counts stories, and
    # ``articles`` every matching article, copies included.
    collapse: bool = True
    articles: int = 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every segment and costs more than the search.
        out = {name: getattr(self, name) for name in
               ("query", "sort", "page", "per_page", "total", "articles", "suggestion", "mode", "took_ms")}
        out["counting"] = "stories" if self.collapse else "articles"
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


def check_query_cost(leaves: list[Q.Query]) -> None:
    """What bounds a query's cost before it runs: its words (every field's, phrases' words counted)
    and its fuzzy words and wildcards, each of which stands for up to MAX_EXPANSION terms."""
    # each word is searched in several fields (title, body): count it once
    words = len({w for leaf in leaves for w in (leaf.words if isinstance(leaf, Q.Phrase) else [getattr(leaf, "text", leaf)])})
    if words > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {words} words; the limit is {MAX_QUERY_WORDS}")
    multi = len({leaf.text for leaf in leaves if isinstance(leaf, Q.MultiTerm)})
    if multi > MAX_QUERY_PATTERNS:
        raise QueryError(f"the query has {multi} wildcards or fuzzy words; the limit is {MAX_QUERY_PATTERNS}")


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
        return _tables_of(self.store, searcher)

    def identities(self, searcher) -> Identities:
        """The archive's identities for ``searcher``'s generation (loaded once)."""
        return _identities_of(self.store, searcher)

    # The search ---------------------------------------------------------------------------------

    def search(self, q: str, *, filters: dict[str, Iterable[str]] | None = None, sort: str = "relevance",
               page: Any = 1, per_page: Any = 10, facets: bool = True, snippets: bool = True,
               spelling: bool = True, collapse: bool = True) -> Results:
        started = time.perf_counter()
        page, per_page, sort = check_params(page, per_page, sort)
        filters = check_filters(filters)
        q = (q or "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
        res = Results(query=q, filters=filters, sort=sort, page=page, per_page=per_page, collapse=collapse)
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
            if spelling and not res.total and q and q != "*":
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
        leaves = [parsed] if parsed.is_leaf() else list(parsed.leaves())
        check_query_cost(leaves)
        if any(isinstance(leaf, Q.Phrase) and leaf.slop > 1 and PAIR_FIELDS.get(leaf.fieldname) in s.schema
               for leaf in leaves):
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
        res.articles = len(docs)
        if res.collapse:
            docs = ranker.collapse(match, docs, tables["group_of"], res.sort)
        res.total = len(docs)
        top = ranker.top(match, docs, res.page * res.per_page, res.sort)[(res.page - 1) * res.per_page:]
        marks = _highlight_terms(ranker, user_q) if snippets else {}
        for docnum, score in top:
            res.hits.append(self._hit(s, docnum, score, marks, tables if res.collapse else None))
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
        res.articles = len(groups)
        if res.collapse:
            groups = _collapse_articles(groups, tables["group_of"])
        res.total = len(groups)
        articles = list(groups)[(res.page - 1) * res.per_page: res.page * res.per_page]
        marks = _highlight_terms(ranker, full_q) if snippets else {}
        for article in articles:
            hit = self._hit(s, article, groups[article][0][1], {}, tables if res.collapse else None)
            for qnum, _ in groups[article][:3]:
                stored = s.stored_fields(qnum)
                text = stored.get("quote", "")
                hit.quotes.append(QuoteHit(text=text, speaker=_speaker_name(self.identities(s), stored),
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
                  sort: str = "relevance", collapse: bool = True) -> Iterator[Hit]:
        """Every hit of a query, in order, without snippets (for exports): one evaluation, no paging;
        one per story unless ``collapse`` is off."""
        with self.store.searcher() as s:
            for docnum, score, _ in self._ordered(s, q, filters, sort, collapse):
                yield self._hit(s, docnum, score, {})

    def iter_quotes(self, q: str, *, filters: dict[str, Iterable[str]] | None = None,
                    sort: str = "relevance", collapse: bool = True) -> Iterator[dict[str, Any]]:
        """One row per quote of every hit (a speaker query: the quotes that match; otherwise all the
        article's quotes), with where the quote was first seen and in how many articles: the quote
        export. Its cost grows with its rows: each speaker's quotes are grouped once."""
        with self.store.searcher() as s:
            tables, ids = self._tables(s), self.identities(s)
            by_speaker: dict[str, dict[tuple[str, str], Any]] = {}
            for docnum, _, qnums in self._ordered(s, q, filters, sort, collapse):
                article = s.stored_fields(docnum)
                if qnums is None:  # only quote documents have a parent
                    qnums = sorted(s.document_numbers(parent=article.get("id", "")))
                for qnum in qnums:
                    stored = s.stored_fields(qnum)
                    speaker = _speaker_name(ids, stored)
                    text = stored.get("quote", "")
                    group = None
                    if speaker is not None:
                        if speaker not in by_speaker:
                            by_speaker[speaker] = self._speaker_groups(s, tables, ids, speaker)
                        group = by_speaker[speaker].get((article.get("id", ""), text))
                    published = article.get("published")
                    first = group.first if group is not None else None
                    yield {"quote": text, "speaker": speaker, "cue": stored.get("cue"),
                           "article": article.get("id", ""), "url": article.get("url", ""),
                           "published": published.isoformat() if published else None,
                           "publisher": article.get("publisher", ""),
                           "first_seen": first.published.isoformat() if first and first.published else None,
                           "first_publisher": first.publisher if first else "",
                           "first_article": first.article_id if first else "",
                           "versions": len(group.articles) if group is not None else 1}

    def _speaker_groups(self, s, tables, ids: Identities, speaker: str) -> dict[tuple[str, str], Any]:
        """(article id, quote text) -> its quote group, for every quote of one speaker."""
        _, qdocs = self._speaker_quote_docs(s, tables, speaker)
        groups, _ = _quote_groups(s, tables, ids, qdocs)
        return {(o.article_id, o.text): g for g in groups for o in g.occurrences}

    def _speaker_quote_docs(self, s, tables, speaker: str, q: str = "") -> tuple[Q.Query, np.ndarray]:
        """(the query, the quote documents): what ``speaker`` said, with the words ``q`` if any (at
        most QUOTE_HITS_CAP quotes)."""
        user_q = self.parse(s.schema, f'speaker:"{_escape_phrase(speaker)}"' + (f" {q}" if q.strip() else ""),
                            ["quote"])
        check_query_cost([user_q] if user_q.is_leaf() else list(user_q.leaves()))
        user_q = _expand_names(user_q, tables)
        _, qdocs = self._quote_matches(self._ranker(s), user_q, {}, tables)
        return user_q, qdocs[:QUOTE_HITS_CAP]

    def _ordered(self, s, q: str, filters, sort: str, collapse: bool) -> Iterator[tuple[int, float, list | None]]:
        """(article docnum, score, its matching quote docnums in a speaker query or None), in order."""
        _, _, sort = check_params(1, 1, sort)
        filters = check_filters(filters)
        q = (q or "").strip()
        res = Results(query=q, filters=filters, sort=sort, page=1, per_page=1)
        tables = self._tables(s)
        user_q = self._user_query(s, q, res)
        if user_q is None:
            return
        ranker = self._ranker(s)
        if QUOTE_MODE_FIELDS & _fields_of(user_q):
            quote_q = _expand_names(self.parse(s.schema, q, ["quote"]), tables)
            match, qdocs = self._quote_matches(ranker, quote_q, filters, tables)
            groups = _group_quotes(ranker.top(match, qdocs, len(qdocs), sort), tables["quote_parents"])
            if collapse:
                groups = _collapse_articles(groups, tables["group_of"])
            for article, quotes in groups.items():
                yield article, quotes[0][1], sorted(qnum for qnum, _ in quotes)
        else:
            user_q = _expand_names(user_q, tables)
            match, docs = self._select(ranker, _with_filters(user_q, filters, tables), user_q, res, tables)
            if collapse:
                docs = ranker.collapse(match, docs, tables["group_of"], sort)
            for docnum, score in ranker.top(match, docs, len(docs), sort):
                yield docnum, score, None

    def _hit(self, s, docnum: int, score: float, marks: dict[str, set[str]], tables=None) -> Hit:
        """One result; with ``tables`` (results collapsed), the other versions of its story too."""
        stored = s.stored_fields(docnum)
        names = _identity_names(self.identities(s), stored)
        versions = _versions(tables, docnum) if tables is not None else []
        title = stored.get("title", "")
        body = stored.get("body", "")
        snippet = _snippet(body, _stored_spans(stored, marks, "body"))
        published = stored.get("published")
        return Hit(
            id=stored.get("id", ""), title=title, url=stored.get("url", ""), path=stored.get("path", ""),
            published=published.isoformat() if published else None,
            publisher=stored.get("publisher", ""), byline=stored.get("byline", ""),
            dateline=stored.get("dateline", ""),
            people=names["people"], places=names["places"], orgs=names["orgs"],
            sources=names["sources"], speakers=names["speakers"],
            score=round(float(score or 0.0), 4),
            title_segments=_segments(title, _stored_spans(stored, marks, "title")), snippet=snippet,
            lead=body[:LEAD_CHARS], versions=versions,
        )

    def _suggest(self, s, tables, q: str) -> str | None:
        """A corrected query that finds something ("Did you mean ...?"), or None.

        Each unknown plain word (at most SUGGEST_WORDS of them) is replaced by the nearest known one
        within two edits, names first (in the case the articles write them), then the body's words,
        the most frequent first; if that finds nothing, known words with a neighbour one edit away
        in ten times as many articles are tried too ("prises" -> "prices"). A correction is offered
        only when it finds articles. Candidates come from the lexicons' deletion indexes
        (store/lexicon.py): an unknown word costs a few look-ups, never a walk of the vocabulary."""
        ranker = self._ranker(s)
        body: Lexicon = ranker.lexicon("body")
        title: Lexicon = ranker.lexicon("title")
        names: Lexicon = tables["name_lexicon"]
        analyzer = s.schema["body"].analyzer
        unknown, known = [], []
        for m in itertools.islice((m for m in _PLAIN_WORD.finditer(q)
                                   if m.group(0) not in ("AND", "OR", "NOT", "TO") and len(m.group(0)) >= 3),
                                  SUGGEST_WORDS):
            stems = [t.text for t in analyzer(m.group(0), mode="query")]
            if not stems:
                continue
            if any(t in body or t in title for t in stems):
                known.append((m, stems[0]))
            else:
                unknown.append((m, stems[0]))
        fixes: dict[tuple[int, int], str] = {}
        for m, stem in unknown:
            word = m.group(0)
            # typing rarely gets the first letter wrong: candidates that keep it first
            cands = names.near(fold(word), 2, prefix=1, limit=1)
            best = _as_written(cands[0], tables, word) if cands else None
            if best is None:
                cands = body.near(stem, 2, prefix=1, limit=1) or body.near(stem, 2, limit=1)
                best = _spelt_as(s, cands[0], word) if cands else None
            if best and best.lower() != word.lower():
                fixes[m.span()] = best
        candidate = _replaced(q, fixes) if fixes else None
        if candidate and self._finds(candidate):
            return candidate
        for m, stem in known:  # a real word typed for another ("prises" for "prices")
            freq = body.frequency(stem)
            near = [t for t in body.near(stem, 1, prefix=1, limit=3) if t != stem and body.frequency(t) >= 10 * max(freq, 1)]
            surface = _spelt_as(s, near[0], m.group(0)) if near else None
            if surface:
                fixes[m.span()] = surface
        candidate = _replaced(q, fixes) if fixes else None
        return candidate if candidate and candidate != q and self._finds(candidate) else None

    def _finds(self, q: str) -> bool:
        try:
            return self.search(q, per_page=1, facets=False, snippets=False, spelling=False).total > 0
        except QueryError:
            return False

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
            ids = self.identities(s)
            names = _identity_names(ids, stored)
            for qnum in s.document_numbers(parent=article_id):
                qf = s.stored_fields(qnum)
                if qf.get("kind") == "quote":
                    start, end = qf.get("span") or (0, 0)
                    quotes.append({"text": qf.get("quote", ""), "start": start, "end": end,
                                   "speaker": _speaker_name(ids, qf),
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
                "people": names["people"], "places": names["places"],
                "orgs": names["orgs"], "sources": names["sources"],
                "speakers": names["speakers"], "quotes": quotes,
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
        terms = set().union(*_highlight_terms(self._ranker(s), parsed).values())
        return {f: terms for f in HIGHLIGHT_FIELDS}

    def suggest_names(self, prefix: str, limit: int = 8) -> list[dict[str, Any]]:
        """Names (people, places, orgs, speakers) starting with ``prefix``, most frequent first."""
        prefix = prefix.strip()
        if len(prefix) < 2:
            return []
        with self.store.searcher() as s:
            tables = self._tables(s)
        low = fold(prefix)
        out = []
        for facet, (values, counts) in tables["name_index"].items():
            unit = "quotes" if facet == "speakers" else "articles"
            keys, vids = tables["suggest_index"][facet]
            found: set[int] = set()
            at = bisect.bisect_left(keys, low)
            while at < len(keys) and keys[at].startswith(low):
                found.add(vids[at])
                at += 1
            for i in found:
                out.append({"name": values[i], "field": facet, "count": counts[i], "unit": unit})
        out.sort(key=lambda x: (-x["count"], x["name"]))
        return out[:limit]

    def entities(self, type_: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """The archive's identities, most articles first: {"name", "type", "aliases", "articles"} (the
        articles counted now, over the live index)."""
        with self.store.searcher() as s:
            tables = self._tables(s)
        rows = []
        for facet, type_of in FACET_TYPES.items():
            if type_ not in (None, type_of):
                continue
            values, counts = tables["name_index"][facet]
            for ident, n in zip(tables["facet_identities"][facet], counts):
                rows.append({**ident.to_json(), "articles": n})
        rows.sort(key=lambda r: (-r["articles"], r["type"], r["name"]))
        return rows[offset:offset + limit]

    def duplicate_groups(self) -> list:
        """The live index's groups of copies of one story (searchapp.archive.duplicates.Group)."""
        with self.store.searcher() as s:
            return saved_groups(self.store, s)

    def canonical_name(self, type_: str, name: str) -> str | None:
        """The name of the identity ``name`` stands for (any alias), if it names exactly one."""
        with self.store.searcher() as s:
            ident = self.identities(s).resolve(type_, name)
        return ident.name if ident is not None else None

    def speaker_quotes(self, name: str, q: str = "", page: Any = 1, per_page: Any = 20) -> Results:
        """Everything one person said, newest first, as articles."""
        query = f'speaker:"{_escape_phrase(name)}"' + (f" {q}" if q.strip() else "")
        return self.search(query, sort="newest", page=page, per_page=per_page)

    def quote_groups(self, name: str, q: str = "", page: Any = 1, per_page: Any = 20) -> QuoteGroups:
        """What one person said, each quote once (its versions in every article grouped,
        searchapp.archive.quotes), the most recently repeated first (the speaker page)."""
        page, per_page, _ = check_params(page, per_page)
        out = QuoteGroups(speaker=name, query=q.strip(), page=page, per_page=per_page)
        with self.store.searcher() as s:
            tables = self._tables(s)
            user_q, qdocs = self._speaker_quote_docs(s, tables, name, q)
            ranker = self._ranker(s)
            groups, where = _quote_groups(s, tables, self.identities(s), qdocs)
            groups.sort(key=lambda g: (max(o.order() for o in g.occurrences), g.id), reverse=True)
            out.total, out.quotes = len(groups), len(where)
            out.articles = len({o.article_id for g in groups for o in g.occurrences})
            marks = _highlight_terms(ranker, user_q)
            for g in groups[(page - 1) * per_page: page * per_page]:
                first = g.first
                qnum = where[(first.article_id, first.text)]
                stored = s.stored_fields(qnum)
                out.groups.append(QuoteGroupView(
                    id=_quote_key(first.article_id, (stored.get("span") or (0, 0))[0]), speaker=name,
                    segments=_segments(first.text, _stored_spans(stored, marks, "quote")),
                    summary=g.summary(), first=first, articles=len(g.articles),
                    latest=max(g.occurrences, key=lambda o: o.order())))
        return out

    def quote(self, quote_id: str) -> dict[str, Any] | None:
        """One quote and its provenance: every article that carries it, in time order, each version's
        wording compared with the first (GET /api/quotes/<id>, the quote page). ``quote_id`` names the
        first occurrence (`article id@offset`), as the speaker page links it."""
        article_id, sep, offset = quote_id.rpartition("@")
        if not sep or not offset.isdigit():
            return None
        with self.store.searcher() as s:
            tables = self._tables(s)
            ids = self.identities(s)
            stored = next((f for f in map(s.stored_fields, s.document_numbers(parent=article_id))
                           if (f.get("span") or (None,))[0] == int(offset)), None)
            speaker = _speaker_name(ids, stored) if stored is not None else None
            if speaker is None:
                return None
            group = self._speaker_groups(s, tables, ids, speaker).get((article_id, stored.get("quote", "")))
        if group is None:
            return None
        out = group.to_json()
        out["id"], out["speaker"] = quote_id, speaker
        return out


# -- helpers ------------------------------------------------------------------------------------

@dataclass
class QuoteGroupView:
    id: str  # the first occurrence: "article id@offset"
    speaker: str
    segments: list[Segment]
    summary: str  # "first reported by <publisher> on <date>, repeated in N articles"
    first: Occurrence
    articles: int
    latest: Occurrence


@dataclass
class QuoteGroups:
    speaker: str
    query: str
    page: int
    per_page: int
    total: int = 0  # distinct quotes
    quotes: int = 0  # quotes in all (every version in every article)
    articles: int = 0
    groups: list[QuoteGroupView] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0


def _quote_key(article_id: str, offset: int) -> str:
    return f"{article_id}@{offset}"


def _quote_groups(s, tables, ids: Identities, qdocs: np.ndarray) -> tuple[list, dict[tuple[str, str], int]]:
    """The quote documents ``qdocs`` as occurrences grouped into quotes; and (article id, text) -> the
    quote document, for their offsets and marks."""
    articles: dict[int, dict[str, Any]] = {}
    occurrences, where = [], {}
    for qnum in qdocs.tolist():
        stored = s.stored_fields(qnum)
        parent = int(tables["quote_parents"][qnum])
        art = articles.get(parent)
        if art is None:
            art = articles[parent] = s.stored_fields(parent)
        text = stored.get("quote", "")
        occurrences.append(Occurrence(art.get("id", ""), text, _speaker_name(ids, stored),
                                      art.get("published"), art.get("publisher", "")))
        where.setdefault((art.get("id", ""), text), qnum)
    return group_quotes(occurrences), where


def _collapse_articles(groups: dict[int, list], group_of: np.ndarray) -> dict[int, list]:
    """Quote hits grouped by article (best first), one article per story: the first of its versions."""
    seen: set[int] = set()
    out = {}
    for article, quotes in groups.items():
        g = int(group_of[article])
        if g >= 0:
            if g in seen:
                continue
            seen.add(g)
        out[article] = quotes
    return out


def _version(stored: dict[str, Any]) -> dict[str, Any]:
    published = stored.get("published")
    return {"id": stored.get("id", ""), "title": stored.get("title", ""),
            "published": published.isoformat() if published else None, "publisher": stored.get("publisher", "")}


def _versions(tables, docnum: int, limit: int = 20) -> list[dict[str, Any]]:
    """The other versions of a hit's story, earliest first (at most ``limit``; read once per generation)."""
    g = int(tables["group_of"][docnum])
    if g < 0:
        return []
    return [dict(v) for d, v in tables["group_members"][g] if d != docnum][:limit]


def _identity_names(ids: Identities, stored: dict[str, Any]) -> dict[str, list[str]]:
    """An article's stored names as the archive's identities name them, each under its identity's type
    ("Reagan" -> people "Ronald Reagan"; "Chrysler" typed as a person -> orgs "Chrysler Corp"); names
    that are no one's are left out."""
    out: dict[str, dict[str, None]] = {name: {} for name in FACETS}
    for facet in FACETS:
        for raw in stored.get(facet) or ():
            ident = ids.of(facet, raw)
            if ident is not None:
                target = "speakers" if facet == "speakers" else TYPE_FACETS[ident.type]
                out[target].setdefault(ident.name, None)
    return {name: list(values) for name, values in out.items()}


def _speaker_name(ids: Identities, stored: dict[str, Any]) -> str | None:
    """A quote document's speaker, as the identities name the person (None for no one)."""
    raw = (stored.get("speakers") or [None])[0]
    ident = ids.of("speakers", raw) if raw else None
    return ident.name if ident is not None else None


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
                clauses.append(Q.ConstantScoreQuery(_filter_query(name, v, tables), 0.0))
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
    """`person:Lavrov` -> every indexed name of the identities it names (f_people:"Sergey Lavrov" OR
    f_people:"Lavrov" ...). A name or alias typed whole is that identity alone (`person:Reagan` =
    `person:"Ronald Reagan"`, `place:UK` = `place:Britain`); otherwise the identities with a name
    containing the words (in order, for a phrase). Wildcards and fuzzy words match name words."""
    fieldname = getattr(q, "fieldname", None)
    if fieldname not in FACETS:
        return q.apply(lambda sub: _expand_names(sub, tables)) if not q.is_leaf() else q
    words, entries = tables["name_words"][fieldname]
    kept: list[Identity] = tables["facet_identities"][fieldname]
    if isinstance(q, (Q.Term, Q.Phrase)):
        seq = (q.text,) if isinstance(q, Q.Term) else tuple(q.words)
        exact = _exact_identities(tables, fieldname, seq)
        if exact is not None:
            return _identity_query(fieldname, exact)
        sets = [words.get(w, set()) for w in seq]
        vids = set.intersection(*sets) if sets else set()
        if len(seq) > 1:
            vids = {v for toks, v in entries if v in vids
                    and any(toks[i:i + len(seq)] == seq for i in range(len(toks)))}
    elif isinstance(q, (Q.Prefix, Q.Wildcard, Q.FuzzyTerm, Q.Regex)):
        matcher = _word_matcher(q)
        vids = set().union(*(ids for w, ids in words.items() if matcher(w)))
    else:
        return q
    return _identity_query(fieldname, [kept[v] for v in sorted(vids)])


def _exact_identities(tables, fieldname: str, words: tuple[str, ...]) -> list[Identity] | None:
    """The identities one of whose names is exactly ``words`` (a place also by the gazetteer's name
    for it: `place:Britain`), or None."""
    type_ = FACET_TYPES.get(fieldname, "person")
    ids: Identities = tables["identities"]
    found = ids.lookup(type_, words)
    if not found and type_ == "place":
        from searchapp.nlp.gazetteer import canonical_place

        canonical = canonical_place(" ".join(words))
        found = ids.lookup(type_, name_tokens(canonical)) if canonical else []
    if fieldname == "speakers":
        found = [i for i in found if "speakers" in i.members]
    return found or None


def _identity_query(fieldname: str, idents: list[Identity]) -> Q.Query:
    terms = [Q.Term("f_" + facet, raw) for ident in idents for facet, raws in ident.members.items()
             if (facet == "speakers") == (fieldname == "speakers") for raw in raws]
    return Q.Or(terms) if terms else Q.NullQuery


def _filter_query(name: str, value: str, tables) -> Q.Query:
    """A facet filter: the identity the value names (any alias), else the indexed name itself."""
    ident = tables["identities"].resolve(FACET_TYPES.get(name, "person"), value)
    if ident is not None:
        query = _identity_query(name, [ident])
        if query is not Q.NullQuery:
            return query
    return Q.Term("f_" + name, value)


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


def _identities_of(store: IndexStore, searcher) -> Identities:
    return _cached(store.cache(searcher), "identities", lambda: identities.for_searcher(store, searcher))


def _tables_of(store: IndexStore, searcher) -> dict[str, Any]:
    return _cached(store.cache(searcher), "tables",
                   lambda: _build_tables(searcher, _identities_of(store, searcher), saved_groups(store, searcher)))


def warm(store: IndexStore, searcher) -> None:
    """Build a new index generation's tables before it serves (the store calls this in the background
    and keeps answering from the previous generation meanwhile)."""
    cache = store.cache(searcher)
    _tables_of(store, searcher)
    ranker = _cached(cache, "ranker", lambda: Ranker(searcher)).using(searcher)
    ranker.live  # noqa: B018 - computed now rather than by the first search
    ranker.dates()
    for fieldname in HIGHLIGHT_FIELDS:
        ranker.lengths(fieldname)
    # Spelling and fuzzy words: their deletion indexes are built beside, not before, the swap, so an
    # `index add` is searchable as soon as its tables are ready.
    lexicons = [ranker.lexicon(fieldname) for fieldname in ("title", "body")]
    threading.Thread(target=lambda: [lex.warm() for lex in lexicons], daemon=True, name="searchapp-lexicon").start()


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


def _build_tables(s, ids: Identities, dup_groups: list | None = None) -> dict[str, Any]:
    """Per-generation tables: facet values (identities), docnum -> facet value and month ids, quote
    docnums, name index."""
    reader = s.reader()
    doccount = reader.doc_count_all()
    quote_docs = set(s.docs_for_query(Q.Term("kind", "quote")))
    quote_parents = np.full(doccount, -1, dtype=np.int32)  # quote docnum -> its article's; -1 elsewhere
    indexed = set(reader.indexed_field_names())

    def postings(facet: str, raw: str) -> list[tuple[int, int]]:
        """(docnum, weight) of one indexed name (an article's f_speakers weight is its quote count)."""
        fname = "f_" + facet
        if fname not in indexed or (fname, raw) not in reader:
            return []
        m = reader.postings(fname, raw)
        out = []
        while m.is_active():
            out.append((m.id(), int(m.weight()) or 1))
            m.next()
        return out

    facets: dict[str, Any] = {}
    name_index: dict[str, tuple[list[str], list[int]]] = {}
    name_words: dict[str, tuple[dict[str, set[int]], list[tuple[tuple[str, ...], int]]]] = {}
    facet_ids: dict[str, list[Identity]] = {}
    suggest_index: dict[str, tuple[list[str], list[int]]] = {}
    for name in FACETS:
        # A facet's values are the identities of its type; an identity's documents are those of every
        # name it has (in any name field: "Chrysler" typed as a person in a headline counts for the
        # company). Speakers are people, counted by their quotes.
        type_ = FACET_TYPES.get(name, "person")
        idents = sorted((i for i in ids.of_type(type_) if name != "speakers" or "speakers" in i.members),
                        key=lambda i: i.name)
        values: list[str] = []
        counts: list[int] = []
        kept: list[Identity] = []
        by_doc: dict[int, list[int]] = {}
        for ident in idents:
            docs: dict[int, int] = {}
            for facet, raws in ident.members.items():
                if (facet == "speakers") != (name == "speakers"):
                    continue
                for raw in raws:
                    for docnum, weight in postings(facet, raw):
                        docs[docnum] = docs.get(docnum, 0) + weight if name == "speakers" else 1
            if not docs:
                continue
            vid = len(values)
            values.append(ident.name)
            kept.append(ident)
            # one number, one meaning: a speaker's quotes, anyone else's articles
            counts.append(sum(d in quote_docs for d in docs) if name == "speakers" else len(docs))
            for docnum, weight in docs.items():
                by_doc.setdefault(docnum, []).extend([vid] * weight)
        facets[name] = (values, by_doc)
        name_index[name] = (values, counts)
        facet_ids[name] = kept
        # word -> ids of the identities with a name or alias containing it, and every such name's words
        # with its identity: `person:Lavrov`, `person:"Sergey Lavrov"` are answered from these (the name
        # fields themselves are not indexed).
        analyzer = s.schema[name].analyzer
        words: dict[str, set[int]] = {}
        entries: list[tuple[tuple[str, ...], int]] = []
        for vid, ident in enumerate(kept):
            for alias in (ident.name, *ident.aliases):
                toks = tuple(t.text for t in analyzer(alias))
                entries.append((toks, vid))
                for w in toks:
                    words.setdefault(w, set()).add(vid)
        name_words[name] = (words, entries)
        # folded names and aliases, and each of their words after the first, sorted: a prefix typed in
        # the search box finds its names by bisection
        prefixes = sorted({(key, vid) for vid, ident in enumerate(kept) for alias in (ident.name, *ident.aliases)
                           for key in [fold(alias), *(fold(w) for w in alias.split()[1:])]})
        suggest_index[name] = ([k for k, _ in prefixes], [v for _, v in prefixes])
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
    word_counts: Counter = Counter()
    for name, (words, _) in name_words.items():
        counts = name_index[name][1]
        for w, vids in words.items():
            word_counts[fold(w)] += sum(counts[v] for v in vids)
    all_words = sorted(word_counts)
    # docnum -> its story's group (syndicated and near copies, searchapp.archive.duplicates), -1 for none
    group_of = np.full(doccount, -1, dtype=np.int32)
    group_members: list[list[tuple[int, dict[str, Any]]]] = []  # (docnum, what a hit shows of it)
    for group in dup_groups or ():
        members = [d for d in (s.document_number(id=i) for i in group.ids) if d is not None]
        if len(members) > 1:
            group_of[members] = len(group_members)
            group_members.append([(d, _version(s.stored_fields(d))) for d in members])  # earliest first
    return {"facets": {name: values for name, (values, _) in facets.items()}, "tally": Tally(facets, months, doccount),
            "group_of": group_of, "group_members": group_members,
            "quote_docs": np.array(sorted(quote_docs), dtype=np.int32), "quote_parents": quote_parents,
            "name_index": name_index, "name_words": name_words, "identities": ids, "facet_identities": facet_ids,
            "suggest_index": suggest_index,
            "name_lexicon": Lexicon(all_words, [word_counts[w] for w in all_words])}


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


def _highlight_terms(ranker: Ranker, q: Q.Query) -> dict[str, set[str]]:
    """The indexed terms of the query, per highlightable field (wildcards and fuzzy terms expanded)."""
    out: dict[str, set[str]] = {}
    for leaf in ([q] if q.is_leaf() else q.leaves()):
        fieldname = getattr(leaf, "fieldname", None)
        if fieldname not in HIGHLIGHT_FIELDS:
            continue
        if isinstance(leaf, Q.Term):
            texts = [leaf.text]
        elif isinstance(leaf, Q.Phrase):
            texts = list(leaf.words)
        elif isinstance(leaf, (Q.Wildcard, Q.Prefix, Q.FuzzyTerm, Q.Regex, Q.Variations)):
            texts = [b.decode("utf-8") for b in ranker.expansions(leaf)[:50]]
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


_PLAIN_WORD = re.compile(r"(?<![\w:])[^\W\d_][\w'’]*(?![\w:])")


def _spelt_as(s, stem: str, typed: str, articles: int = 5) -> str | None:
    """How the articles write ``stem``, in the form closest to what was typed ("prises" -> "prices",
    not "price"): read a few articles that have it."""
    forms: Counter = Counter()
    try:
        m = s.reader().postings("body", stem.encode("utf-8"))
        while m.is_active() and len(forms) < 12 and articles:
            text = s.stored_fields(m.id()).get("body", "")
            forms.update(text[t.startchar:t.endchar].lower()
                         for t in s.schema["body"].analyzer(text, chars=True, removestops=True) if t.text == stem)
            articles -= 1
            m.next()
    except Exception:  # a stem the body does not have (a title word): no form to show
        return None
    typed = fold(typed)
    return min(forms, key=lambda f: (damerau_levenshtein(f, typed, 9), -forms[f], f)) if forms else None


def _replaced(q: str, fixes: dict[tuple[int, int], str]) -> str:
    out, pos = [], 0
    for (start, end), word in sorted(fixes.items()):
        out += [q[pos:start], word]
        pos = end
    return "".join(out) + q[pos:]


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
