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

import threading
import time
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from searchapp.archive.duplicates import saved_groups
from searchapp.archive.quotes import Occurrence, group_quotes
from searchapp.archive.identities import FACET_TYPES, Identities
from searchapp.store import IndexStore
from searchapp.store import query as Q
from searchapp.store.ranking import Match, Overtime, Ranker, difference, intersect, member, union
from searchapp.store.fields import FIELD_ALIASES, PAIR_FIELDS
from searchapp.search import feedback, lead
from searchapp.search.facets import (cached, count_facets, identities_of, identity_names, speaker_name,
                                     tables_of, versions_of)
from searchapp.search.query import (QUOTE_FIELDS, UNKNOWN_FIELD, and_all, check_query_cost, parse,
                                    escape_phrase, expand_names, fields_of, filter_query, min_should_match, plain_words,
                                    searches_quotes, subqueries, with_filters)
from searchapp.search.request import QueryError, SearchRequest, SearchTimeout, check_filters, check_params
from searchapp.search.results import (ArticleQuote, ArticleView, Hit, QuoteGroups, QuoteGroupView, QuoteHit, Results,
                                     quote_key)
from searchapp.search.snippets import HIGHLIGHT_FIELDS, highlight_terms, segments_of, snippet_of, stored_spans
from searchapp.search.suggest import correction, names_starting

LEAD_CHARS = 200
QUOTE_HITS_CAP = 5000  # quote documents considered per query in speaker mode
FALLBACK_BELOW = 10  # a long query with fewer articles than this having every word also gets near misses


class Searcher:
    """Search over one `IndexStore`. Cheap to create; all caches live in the store per generation."""

    def __init__(self, store: IndexStore):
        self.store = store
        store.set_warmer(warm)

    # Facet tables (once per generation) ---------------------------------------------------------

    def _tables(self, searcher) -> dict[str, Any]:
        return tables_of(self.store, searcher)

    def identities(self, searcher) -> Identities:
        """The archive's identities for ``searcher``'s generation (loaded once)."""
        return identities_of(self.store, searcher)

    # The search ---------------------------------------------------------------------------------

    def search(self, q: str, *, filters: dict[str, Iterable[str]] | None = None, sort: str = "relevance",
               page: Any = 1, per_page: Any = 10, seconds: float | None = None, **flags: bool) -> Results:
        """``run(SearchRequest.checked(q, ...))``; flags: facets, snippets, spelling, collapse."""
        return self.run(SearchRequest.checked(q, filters=filters, sort=sort, page=page, per_page=per_page,
                                              seconds=seconds, **flags))

    def run(self, request: SearchRequest) -> Results:
        """One search. With a deadline (``request.seconds``), a search that runs out of time returns the
        hits it has (``partial``, with a notice), or raises SearchTimeout if it has none yet."""
        started = time.perf_counter()
        deadline = request.deadline()
        q, filters = request.q, request.filters
        res = Results(query=q, filters=filters, sort=request.sort, page=request.page, per_page=request.per_page,
                      collapse=request.collapse)
        for name in UNKNOWN_FIELD.findall(q):
            if name.lower() not in FIELD_ALIASES:
                res.notices.append(f"unknown field {name!r} was searched as words; fields are: "
                                   + ", ".join(sorted(set(FIELD_ALIASES))))
        with self.store.searcher() as s:
            tables = self._tables(s)
            user_q = self._user_query(s, q, res)
            if user_q is None:
                res.took_ms = (time.perf_counter() - started) * 1000
                return res
            quote_mode = searches_quotes(user_q)
            if quote_mode:
                res.mode = "quotes"
                user_q = parse(s, q, ["quote"]) if q != "*" else user_q
            user_q = expand_names(user_q, tables)
            ranker = self._ranker(s, deadline)
            try:
                if quote_mode:
                    self._quote_search(s, ranker, user_q, filters, res, tables, request)
                else:
                    full_q = with_filters(user_q, filters, tables)
                    self._article_search(s, ranker, full_q, user_q, res, tables, request)
            except Overtime:
                raise SearchTimeout(request.seconds or 0) from None
            if request.spelling and res.complete < FALLBACK_BELOW and q and q != "*" and not _passed(deadline):
                try:
                    res.suggestion = correction(s, ranker, tables, q, self._finds, res.complete)
                except Overtime:
                    pass  # no time for a suggestion: the answer (nothing found) stands
        res.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return res

    def _user_query(self, s, q: str, res: Results) -> Q.Query | None:
        if not q or q == "*":
            return Q.Every()
        parsed = parse(s, q, ["title", "body"])
        if isinstance(parsed, Q.Nothing):
            res.notices.append("the query has no searchable words (only stop words or operators)")
            return None
        leaves = list(parsed.leaves())
        check_query_cost(leaves)
        if any(isinstance(leaf, Q.Phrase) and leaf.slop > 1 and s.has_field(PAIR_FIELDS.get(leaf.field, ""))
               for leaf in leaves):
            res.notices.append('a proximity search ("..."~N) finds the articles having all its words')
        return parsed

    def _ranker(self, s, deadline: float | None = None) -> Ranker:
        return cached(self.store.cache(s), "ranker", lambda: Ranker(s)).using(s, deadline)

    def _select(self, ranker: Ranker, full_q, user_q, res: Results, tables) -> tuple[Match, np.ndarray]:
        """The matching articles (with the ranked-OR fallback for long queries that match nothing)."""
        match = ranker.evaluate(full_q)
        docs = difference(match.docs, tables["quote_docs"], ranker.size)
        res.complete = len(docs)
        words = plain_words(user_q, quoted='"' in res.query)
        if len(docs) < FALLBACK_BELOW and len(words) >= 3:
            match, docs = self._fallback(ranker, full_q, user_q, words, docs, res, tables)
        if words and res.sort == "relevance":
            stems = [t for w in words
                     if (t := next((t.text for t in w.leaves() if isinstance(t, Q.Term) and t.field == "body"), None))]
            bonus = ranker.proximity(stems)
            if bonus:
                match = Match(match.docs, match.scores + bonus)
            match = feedback.expand(ranker, match, docs, stems)
            match = lead.boost(ranker, match, docs, stems)
        return match, docs

    def _article_search(self, s, ranker: Ranker, full_q, user_q, res: Results, tables, request: SearchRequest) -> None:
        match, docs = self._select(ranker, full_q, user_q, res, tables)
        res.articles = len(docs)
        if res.collapse:
            docs = ranker.collapse(match, docs, tables["group_of"], res.sort)
        res.total = len(docs)
        top = ranker.top(match, docs, res.page * res.per_page, res.sort)[(res.page - 1) * res.per_page:]
        marks = highlight_terms(ranker, user_q) if request.snippets else {}
        for docnum, score in top:
            if _out_of_time(ranker, res, len(top)):
                break
            res.hits.append(self._hit(s, docnum, score, marks, tables if res.collapse else None))
        if request.facets and not _out_of_time(ranker, res, len(top)):
            res.facets, res.histogram = count_facets(tables, docs)

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
            for clause in subqueries(full_q):
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
        for clause in subqueries(user_q):
            (quote_part if fields_of(clause) <= QUOTE_FIELDS else article_part).append(clause)
        speaker_filters = {"speakers": filters["speakers"]} if "speakers" in filters else {}
        article_filters = {k: v for k, v in filters.items() if k != "speakers"}
        quote_q = with_filters(and_all(quote_part) if quote_part else Q.Every(), speaker_filters, tables)
        match = ranker.evaluate(quote_q)
        qdocs = intersect(match.docs, tables["quote_docs"], ranker.size)
        if article_part or article_filters:
            articles = ranker.evaluate(with_filters(and_all(article_part) if article_part else Q.Every(),
                                                     article_filters, tables)).docs
            parents = tables["quote_parents"][qdocs]
            qdocs = qdocs[(parents >= 0) & member(np.maximum(parents, 0), articles, ranker.size)]
        return match, qdocs

    def _quote_search(self, s, ranker: Ranker, user_q, filters, res: Results, tables, request: SearchRequest) -> None:
        match, qdocs = self._quote_matches(ranker, user_q, filters, tables)
        full_q = user_q
        groups = group_by_article(ranker.top(match, qdocs, len(qdocs), res.sort), tables["quote_parents"])
        res.articles = len(groups)
        if res.collapse:
            groups = collapse_articles(groups, tables["group_of"])
        res.total = res.complete = len(groups)
        articles = list(groups)[(res.page - 1) * res.per_page: res.page * res.per_page]
        marks = highlight_terms(ranker, full_q) if request.snippets else {}
        for article in articles:
            if _out_of_time(ranker, res, len(articles)):
                break
            hit = self._hit(s, article, groups[article][0][1], {}, tables if res.collapse else None)
            for qnum, _ in groups[article][:3]:
                stored = s.stored(qnum)
                text = stored.get("quote", "")
                hit.quotes.append(QuoteHit(text=text, speaker=speaker_name(self.identities(s), stored),
                                           kind=stored.get("quote_kind") or "direct",
                                           cue=stored.get("cue"),
                                           segments=segments_of(text, stored_spans(stored, marks, "quote"))))
            if hit.quotes:
                hit.snippet = hit.quotes[0].segments
            res.hits.append(hit)
        if request.facets and not _out_of_time(ranker, res, len(articles)):
            # Speakers count quotes; every other facet (and the histogram) counts articles.
            article_docs = np.array(sorted(groups), dtype=np.int32)
            res.facets, res.histogram = count_facets(tables, article_docs)
            res.facets["speakers"] = count_facets(tables, qdocs)[0]["speakers"]

    def quote_mode(self, q: str) -> bool:
        """Whether ``q`` searches quotes (it names a speaker, a quote's words or kind), as `search` would
        decide, without running it; a QueryError if it cannot be read."""
        request = SearchRequest.checked(q)
        if request.q in ("", "*"):
            return False
        with self.store.searcher() as s:
            return searches_quotes(parse(s, request.q, ["title", "body"]))

    def iter_hits(self, q: str, *, filters: dict[str, Iterable[str]] | None = None,
                  sort: str = "relevance", collapse: bool = True) -> Iterator[Hit]:
        """Every hit of a query, in order, without snippets (for exports): one evaluation, no paging;
        one per story unless ``collapse`` is off."""
        with self.store.searcher() as s:
            for docnum, score, _ in self._ordered(s, q, filters, sort, collapse):
                yield self._hit(s, docnum, score, {})

    def _quotes_of(self, s, tables) -> tuple[Callable[[int], list[int]], np.ndarray]:
        """(article docnum -> its live quote documents in order, the articles that have quotes), from
        the quote-parent table, sorted once per generation."""
        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            parents = tables["quote_parents"]
            quotes = np.flatnonzero(parents >= 0)
            quotes = quotes[np.argsort(parents[quotes], kind="stable")]
            owners = parents[quotes]
            return quotes, owners, np.unique(owners)

        quotes, owners, articles = cached(self.store.cache(s), "quotes_of", build)

        def of(docnum: int) -> list[int]:
            lo, hi = np.searchsorted(owners, docnum, "left"), np.searchsorted(owners, docnum, "right")
            return [q for q in quotes[lo:hi].tolist() if not s.is_deleted(q)]

        return of, articles

    def iter_quotes(self, q: str, *, filters: dict[str, Iterable[str]] | None = None,
                    sort: str = "relevance", collapse: bool = True) -> Iterator[dict[str, Any]]:
        """One row per quote of every hit (a speaker query: the quotes that match; otherwise all the
        article's quotes), with where the quote was first seen and in how many articles: the quote
        export. Its cost grows with its rows: each speaker's quotes are grouped once."""
        with self.store.searcher() as s:
            tables, ids = self._tables(s), self.identities(s)
            by_speaker: dict[str, dict[tuple[str, str], Any]] = {}
            quotes_of, with_quotes = self._quotes_of(s, tables)
            # Only the hits with quotes are ordered and read: at 1M articles without any, exporting
            # the quotes of everything read every article (minutes), then ordered them all (8 s).
            for docnum, _, qnums in self._ordered(s, q, filters, sort, collapse, among=with_quotes):
                if qnums is None:
                    qnums = quotes_of(docnum)
                    if not qnums:
                        continue
                article = s.stored(docnum)
                for qnum in qnums:
                    stored = s.stored(qnum)
                    speaker = speaker_name(ids, stored)
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
        groups, _ = quote_occurrences(s, tables, ids, qdocs)
        return {(o.article_id, o.text): g for g in groups for o in g.occurrences}

    def _speaker_quote_docs(self, s, tables, speaker: str, q: str = "") -> tuple[Q.Query, np.ndarray]:
        """(the query, the quote documents): what ``speaker`` said, with the words ``q`` if any (at
        most QUOTE_HITS_CAP quotes)."""
        who = filter_query("speakers", speaker, tables)  # the identity itself, not a query string
        user_q = who
        if q.strip():
            words = parse(s, q, ["quote"])
            check_query_cost(list(words.leaves()))
            user_q = Q.And((who, expand_names(words, tables)))
        _, qdocs = self._quote_matches(self._ranker(s), user_q, {}, tables)
        return user_q, qdocs[:QUOTE_HITS_CAP]

    def _ordered(self, s, q: str, filters, sort: str, collapse: bool,
                 among: np.ndarray | None = None) -> Iterator[tuple[int, float, list | None]]:
        """(article docnum, score, its matching quote docnums in a speaker query or None), in order;
        ``among``: only these articles (sorted docnums), kept after copies of one story collapse."""
        _, _, sort = check_params(1, 1, sort)
        filters = check_filters(filters)
        q = (q or "").strip()
        res = Results(query=q, filters=filters, sort=sort, page=1, per_page=1)
        tables = self._tables(s)
        user_q = self._user_query(s, q, res)
        if user_q is None:
            return
        ranker = self._ranker(s)
        if searches_quotes(user_q):
            quote_q = expand_names(parse(s, q, ["quote"]), tables)
            match, qdocs = self._quote_matches(ranker, quote_q, filters, tables)
            groups = group_by_article(ranker.top(match, qdocs, len(qdocs), sort), tables["quote_parents"])
            if collapse:
                groups = collapse_articles(groups, tables["group_of"])
            for article, quotes in groups.items():
                yield article, quotes[0][1], sorted(qnum for qnum, _ in quotes)
        else:
            user_q = expand_names(user_q, tables)
            match, docs = self._select(ranker, with_filters(user_q, filters, tables), user_q, res, tables)
            if collapse:
                docs = ranker.collapse(match, docs, tables["group_of"], sort)
            if among is not None:
                docs = docs[np.isin(docs, among, assume_unique=True)]
            for docnum, score in ranker.top(match, docs, len(docs), sort):
                yield docnum, score, None

    def _hit(self, s, docnum: int, score: float, marks: dict[str, set[str]], tables=None) -> Hit:
        """One result; with ``tables`` (results collapsed), the other versions of its story too."""
        stored = s.stored(docnum)
        names = identity_names(self.identities(s), stored)
        versions = versions_of(tables, docnum) if tables is not None else []
        title = stored.get("title", "")
        body = stored.get("body", "")
        snippet = snippet_of(body, stored_spans(stored, marks, "body"))
        published = stored.get("published")
        return Hit(
            id=stored.get("id", ""), title=title, url=stored.get("url", ""), path=stored.get("path", ""),
            published=published.isoformat() if published else None,
            publisher=stored.get("publisher", ""), byline=stored.get("byline", ""),
            dateline=stored.get("dateline", ""),
            people=names["people"], places=names["places"], orgs=names["orgs"],
            sources=names["sources"], speakers=names["speakers"],
            score=round(float(score or 0.0), 4),
            title_segments=segments_of(title, stored_spans(stored, marks, "title")), snippet=snippet,
            lead=body[:LEAD_CHARS], versions=versions,
        )

    def _finds(self, q: str) -> int:
        """The articles having every word of ``q``."""
        try:
            return self.search(q, per_page=1, facets=False, snippets=False, spelling=False).complete
        except QueryError:
            return 0

    # Single articles ---------------------------------------------------------------------------

    def article(self, article_id: str, q: str = "") -> ArticleView | None:
        """One article with everything stored about it, its quotes, and the query words marked."""
        with self.store.searcher() as s:
            docnum = s.docnum("id", article_id)
            if docnum is None:
                return None
            stored = s.stored(docnum)
            if stored.get("kind") != "article":
                return None
            quotes = []
            ids = self.identities(s)
            names = identity_names(ids, stored)
            for qnum in s.docnums("parent", article_id):
                qf = s.stored(qnum)
                if qf.get("kind") == "quote":
                    start, end = qf.get("span") or (0, 0)
                    quotes.append(ArticleQuote(text=qf.get("quote", ""), start=start, end=end,
                                               kind=qf.get("quote_kind") or "direct", speaker=speaker_name(ids, qf),
                                               mention=qf.get("mention"), cue=qf.get("cue")))
            quotes.sort(key=lambda x: x.start)
            marks = self._query_marks(s, q)
            body = stored.get("body", "")
            published = stored.get("published")
            return ArticleView(
                id=stored.get("id", ""), title=stored.get("title", ""), url=stored.get("url", ""),
                path=stored.get("path", ""), published=published.isoformat() if published else None,
                byline=stored.get("byline", ""), publisher=stored.get("publisher", ""),
                dateline=stored.get("dateline", ""), body=body,
                people=names["people"], places=names["places"], orgs=names["orgs"], sources=names["sources"],
                speakers=names["speakers"], quotes=quotes,
                title_segments=segments_of(stored.get("title", ""), stored_spans(stored, marks, "title")),
                body_segments=segments_of(body, stored_spans(stored, marks, "body")),
            )

    def _query_marks(self, s, q: str) -> dict[str, set[str]]:
        """The terms to mark in one article for query ``q`` (in any of the text fields)."""
        if not q.strip():
            return {}
        try:
            parsed = parse(s, q, ["title", "body"])
        except QueryError:
            return {}
        terms = set().union(*highlight_terms(self._ranker(s), parsed).values())
        return {f: terms for f in HIGHLIGHT_FIELDS}

    def warm(self) -> None:
        """Load the live generation's tables now rather than at the first request (`searchapp serve`)."""
        with self.store.searcher() as s:
            warm(self.store, s)

    def suggest_names(self, prefix: str, limit: int = 8) -> list[dict[str, Any]]:
        """Names (people, places, orgs, speakers) starting with ``prefix``, most frequent first."""
        if len(prefix.strip()) < 2:
            return []
        with self.store.searcher() as s:
            return names_starting(self._tables(s), prefix, limit)

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
        query = f'speaker:"{escape_phrase(name)}"' + (f" {q}" if q.strip() else "")
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
            groups, where = quote_occurrences(s, tables, self.identities(s), qdocs)
            groups.sort(key=lambda g: (max(o.order() for o in g.occurrences), g.id), reverse=True)
            out.total, out.quotes = len(groups), len(where)
            out.articles = len({o.article_id for g in groups for o in g.occurrences})
            marks = highlight_terms(ranker, user_q)
            for g in groups[(page - 1) * per_page: page * per_page]:
                first = g.first
                qnum = where[(first.article_id, first.text)]
                stored = s.stored(qnum)
                out.groups.append(QuoteGroupView(
                    id=quote_key(first.article_id, (stored.get("span") or (0, 0))[0]), speaker=name,
                    segments=segments_of(first.text, stored_spans(stored, marks, "quote")),
                    summary=g.summary(), first=first, articles=len(g.articles),
                    latest=max(g.occurrences, key=lambda o: o.order()),
                    kind=stored.get("quote_kind") or "direct"))
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
            stored = next((f for f in map(s.stored, s.docnums("parent", article_id))
                           if (f.get("span") or (None,))[0] == int(offset)), None)
            speaker = speaker_name(ids, stored) if stored is not None else None
            if speaker is None:
                return None
            group = self._speaker_groups(s, tables, ids, speaker).get((article_id, stored.get("quote", "")))
        if group is None:
            return None
        out = group.to_json()
        out["id"], out["speaker"] = quote_id, speaker
        return out


def quote_occurrences(s, tables, ids: Identities, qdocs: np.ndarray) -> tuple[list, dict[tuple[str, str], int]]:
    """The quote documents ``qdocs`` as occurrences grouped into quotes; and (article id, text) -> the
    quote document, for their offsets and marks."""
    articles: dict[int, dict[str, Any]] = {}
    occurrences, where = [], {}
    for qnum in qdocs.tolist():
        stored = s.stored(qnum)
        parent = int(tables["quote_parents"][qnum])
        art = articles.get(parent)
        if art is None:
            art = articles[parent] = s.stored(parent)
        text = stored.get("quote", "")
        occurrences.append(Occurrence(art.get("id", ""), text, speaker_name(ids, stored),
                                      art.get("published"), art.get("publisher", "")))
        where.setdefault((art.get("id", ""), text), qnum)
    return group_quotes(occurrences), where


def collapse_articles(groups: dict[int, list], group_of: np.ndarray) -> dict[int, list]:
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


def warm(store: IndexStore, searcher) -> None:
    """Build a new index generation's tables before it serves (the store calls this in the background
    and keeps answering from the previous generation meanwhile)."""
    cache = store.cache(searcher)
    tables = tables_of(store, searcher)
    tables["name_words"]  # noqa: B018 - the name tables (field queries), read now
    tables["identities"].warm()
    ranker = cached(cache, "ranker", lambda: Ranker(searcher)).using(searcher)
    ranker.live  # noqa: B018 - computed now rather than by the first search
    ranker.dates()
    for fieldname in HIGHLIGHT_FIELDS:
        ranker.lengths(fieldname)
    # Spelling and fuzzy words: their deletion indexes are built beside, not before, the swap, so an
    # `index add` is searchable as soon as its tables are ready.
    lexicons = [ranker.lexicon(fieldname) for fieldname in ("title", "body")]
    threading.Thread(target=lambda: [lex.warm() for lex in lexicons], daemon=True, name="searchapp-lexicon").start()


def _passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _out_of_time(ranker: Ranker, res: Results, wanted: int) -> bool:
    """The deadline passed while the page was being made: keep what there is, and say so once."""
    if not _passed(ranker.deadline):
        return False
    if not res.partial:
        res.partial = True
        res.notices.append(f"the search ran out of time: {len(res.hits)} of the {wanted} results of this page "
                           f"are shown{', without facets' if res.hits or wanted else ''}; try again in a moment")
    return True


def group_by_article(ranked: list[tuple[int, float]], quote_parents: np.ndarray) -> dict[int, list]:
    """Ranked quote documents grouped under their article's docnum, best article first."""
    groups: dict[int, list[tuple[int, float]]] = {}
    for docnum, score in ranked:
        article = int(quote_parents[docnum])
        if article >= 0:
            groups.setdefault(article, []).append((docnum, score))
    return groups


def search(store: IndexStore, q: str, **kwargs) -> Results:
    """Convenience: ``search(store, "speaker:Lavrov", page=1)``."""
    return Searcher(store).search(q, **kwargs)
