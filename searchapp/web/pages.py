"""The HTML pages: search (with facets and a date histogram), an article, a speaker.

Views read the URL, call the library, and hand the templates plain values: ready-made URLs, labels
and segment lists. The templates only loop and branch over them; Jinja escapes every string.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, Iterable
from urllib.parse import quote, urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from searchapp.archive.identities import TYPE_FACETS
from searchapp.search import MAX_PAGE, Hit, Results
from searchapp.web import atom
from searchapp.web.params import FILTER_ORDER, get_searcher, parse_search
from searchapp.web.urls import quote_param, route_url, search_url, search_url_adding

bp = Blueprint("pages", __name__)

FACET_LABELS = {"people": "People", "places": "Places", "orgs": "Organisations", "sources": "Sources",
                "speakers": "Speakers", "period": "Date"}
FACET_NOTES = {"speakers": "quotes"}
ENTITY_TYPES = TYPE_FACETS  # identity type -> its facet
CHIP_LABELS = {"people": "Person", "places": "Place", "orgs": "Organisation", "sources": "Source",
               "speakers": "Speaker", "period": "Date"}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest"}
TITLE_FALLBACK_CHARS = 90
HISTOGRAM_STEPS = 10   # bar heights are CSS classes h0..h10 (the CSP forbids inline styles)
MAX_MONTH_BARS = 48    # a longer span is shown per year

# What the templates read in loops is a namespace, not a dict: Jinja tries getattr before [] and a
# dict fails it with an exception, some 400 times on a results page.
View = SimpleNamespace


# -- small formatters ----------------------------------------------------------------------------

def _date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso[:10]
    return f"{d.day} {d:%b %Y}"


def _period_label(period: str) -> str:
    if len(period) == 7:
        return dt.date(int(period[:4]), int(period[5:7]), 1).strftime("%b %Y")
    return period


def _shorten(text: str, limit: int = TITLE_FALLBACK_CHARS) -> str:
    text = " ".join(text.replace("…", " ").split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def safe_link(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL (fit for an href), else None (shown as text)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in url for c in "\r\n\t"):
        return url
    return None


def _search_page(q: str = "", filters: dict[str, list[str]] | None = None, sort: str | None = None,
                 page: int = 1) -> str:
    return search_url(route_url("pages.search"), q, filters, sort, page)


def _speaker_url(name: str) -> str:
    return f"{route_url('pages.home')}speaker/{quote(name, safe='')}"


def _article_url(article_id: str, q: str = "") -> str:
    url = f"{route_url('pages.home')}article/{quote(article_id, safe='')}"
    return url + ("?q=" + quote_param(q) if q else "")


def _names(field: str, values: Iterable[str]) -> list[dict[str, str]]:
    # a filter on the identity itself (f.people=...), not a query string that would be parsed again
    return [{"name": v, "url": _search_page("", {field: [v]}, None)} for v in values]


def _pagination(page: int, pages: int, url_for_page) -> dict[str, Any] | None:
    if pages <= 1 and page <= 1:
        return None
    last = min(pages, MAX_PAGE)
    window = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    items: list[dict[str, Any]] = []
    previous = 0
    for n in window:
        if n - previous > 1:
            items.append({"gap": True})
        items.append({"number": n, "url": url_for_page(n), "current": n == page})
        previous = n
    return {
        "links": items,
        "prev": url_for_page(page - 1) if page > 1 else None,
        "next": url_for_page(page + 1) if page < last else None,
        "page": page,
        "pages": pages,
    }


# -- search ------------------------------------------------------------------------------------------

def _lead_title(hit: Hit) -> str:
    """For an untitled article: the start of its body (stable, whatever the query matched)."""
    return _shorten(hit.lead or hit.snippet_text) or hit.id


def _hit_view(hit: Hit, q: str) -> View:
    quotes = [View(segments=qh.segments, speaker=qh.speaker, cue=qh.cue, kind=qh.kind,
                   speaker_url=_speaker_url(qh.speaker) if qh.speaker else None) for qh in hit.quotes]
    return View(
        id=hit.id,
        url=_article_url(hit.id, q),
        title_segments=hit.title_segments if hit.title.strip() else [],
        fallback_title="" if hit.title.strip() else _lead_title(hit),
        date=_date(hit.published),
        datetime=hit.published or "",
        publisher=hit.publisher,
        byline=hit.byline,
        dateline=hit.dateline,
        sources=hit.sources,
        speakers=[View(name=s, url=_speaker_url(s)) for s in hit.speakers],
        snippet=[] if quotes else hit.snippet,
        quotes=quotes,
        versions=[View(url=_article_url(v["id"], q), title=v["title"] or v["id"], date=_date(v["published"]),
                       publisher=v["publisher"]) for v in hit.versions],
    )


def _facet_views(res: Results, q: str, sort: str, base: str) -> list[View]:
    out = []
    for name in FILTER_ORDER:
        if name == "period" or not res.facets.get(name):
            continue
        active = set(res.filters.get(name, []))
        adding = search_url_adding(base, q, res.filters, sort, name)
        values = []
        for value, count in res.facets[name]:
            if value in active:
                filters = {k: [v for v in vs if not (k == name and v == value)] for k, vs in res.filters.items()}
                url = search_url(base, q, filters, sort)
            else:
                url = adding(value)
            values.append(View(value=value, count=f"{count:,}", active=value in active, url=url))
        out.append(View(name=name, label=FACET_LABELS[name], note=FACET_NOTES.get(name, ""), options=values))
    return out


def _fill_periods(histogram: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Put the empty months (or years) back between the first and the last, for an honest timeline."""
    if not histogram:
        return []
    counts = dict(histogram)
    first, last = histogram[0][0], histogram[-1][0]
    if len(first) == 7:
        y0, m0, y1, m1 = int(first[:4]), int(first[5:]), int(last[:4]), int(last[5:])
        span = (y1 - y0) * 12 + m1 - m0 + 1
        if span > MAX_MONTH_BARS:
            years: dict[str, int] = {}
            for period, c in histogram:
                years[period[:4]] = years.get(period[:4], 0) + c
            return _fill_periods(sorted(years.items()))
        out = []
        for i in range(span):
            y, m = divmod(m0 - 1 + i, 12)
            key = f"{y0 + y:04d}-{m + 1:02d}"
            out.append((key, counts.get(key, 0)))
        return out
    return [(str(y), counts.get(str(y), 0)) for y in range(int(first), int(last) + 1)]


def _histogram_view(res: Results, q: str, sort: str, base: str) -> dict[str, Any] | None:
    periods = _fill_periods(res.histogram)
    if not periods:
        return None
    top = max(c for _, c in periods) or 1
    active = set(res.filters.get("period", []))
    others = {k: v for k, v in res.filters.items() if k != "period"}
    adding = search_url_adding(base, q, others, sort, "period")
    bars = []
    for period, count in periods:
        level = 0 if not count else max(1, round(count / top * HISTOGRAM_STEPS))
        label = _period_label(period)
        url = (search_url(base, q, others, sort) if period in active else adding(period)) \
            if count or period in active else None
        bars.append(View(period=period, label=label, count=count, level=level, active=period in active,
                         title=f"{label}: {count}", url=url))
    unit = "month" if len(periods[0][0]) == 7 else "year"
    return {"bars": bars, "first": bars[0].label, "last": bars[-1].label, "unit": unit,
            "wide": len(bars) > 24}


def _chips(filters: dict[str, list[str]], q: str, sort: str) -> list[dict[str, str]]:
    chips = []
    for name in FILTER_ORDER:
        for value in filters.get(name, []):
            rest = {k: [v for v in vs if not (k == name and v == value)] for k, vs in filters.items()}
            label = _period_label(value) if name == "period" else value
            chips.append({"facet": CHIP_LABELS[name], "value": label,
                          "remove_url": _search_page(q, rest, sort)})
    return chips


@bp.get("/", endpoint="home")
@bp.get("/search")
def search():
    per_page = current_app.config["PER_PAGE"]
    params = parse_search(request.args, per_page=per_page)
    searcher = get_searcher()
    res = searcher.search(params.q, **params.search_kwargs())
    g.search_ms = res.took_ms
    q, sort = params.q, params.sort
    browsing = not q or q == "*"
    noun = "article" if res.total == 1 else "articles"
    count_label = f"{res.total:,} {noun}"
    if res.collapse and res.articles != res.total:  # copies of one story shown as one
        count_label = f"{res.total:,} {'story' if res.total == 1 else 'stories'} ({res.articles:,} articles)"
    return render_template(
        "search.html",
        q=q,
        query=q,
        count_label=count_label,
        first_page_url=_search_page(q, params.filters, sort),
        browsing=browsing,
        results=res,
        filters=params.filters,
        hidden_filters=[{"name": f"f.{k}", "value": v} for k in FILTER_ORDER for v in params.filters.get(k, [])],
        sort=sort if params.sort_given else "",
        first_number=(res.page - 1) * res.per_page + 1,
        hits=[_hit_view(h, q) for h in res.hits],
        facets=_facet_views(res, q, sort, route_url("pages.search")),
        histogram=_histogram_view(res, q, sort, route_url("pages.search")),
        chips=_chips(params.filters, q, sort),
        clear_url=_search_page(q, None, sort),
        sorts=[{"key": k, "label": SORT_LABELS[k], "active": k == sort, "url": _search_page(q, params.filters, k)}
               for k in SORT_LABELS],
        suggestion_url=_search_page(res.suggestion, params.filters, None) if res.suggestion else None,
        pagination=_pagination(res.page, res.pages, lambda n: _search_page(q, params.filters, sort, n)),
        export_url=search_url(route_url("api.export_csv"), q, params.filters, sort),
        atom_url=search_url(route_url("pages.search_atom"), q, params.filters),
        json_url=search_url(route_url("api.search"), q, params.filters, sort, res.page),
    )


@bp.get("/search.atom")
def search_atom():
    """The search as an Atom feed, newest first (a feed reader's subscription to it)."""
    params = parse_search(request.args)
    res = get_searcher().search(params.q, filters=params.filters, sort="newest",
                                per_page=current_app.config["FEED_SIZE"], facets=False, spelling=False,
                                collapse=params.collapse, seconds=current_app.config["SEARCH_SECONDS"])
    body = atom.feed(res, title=f"searchapp: {params.q or 'latest articles'}", self_url=request.url,
                     page_url=search_url(url_for("pages.search", _external=True), params.q, params.filters),
                     article_url=lambda i: url_for("pages.article", article_id=i, _external=True))
    return current_app.response_class(body, mimetype="application/atom+xml")


ALERTS_SHOWN = 10  # saved searches whose new hits the /alerts page works out
ALERT_HITS = 1000  # newest hits of each it looks at


@bp.get("/alerts")
def alerts():
    """The saved searches (`searchapp alerts add`) and what each matches that it has not reported yet."""
    from searchapp.alerts import Alerts

    searcher = get_searcher()
    saved_searches = Alerts(searcher.store.root)
    chosen = request.args.get("name", "")
    views = []
    # A page's cost is bounded: what is new among each search's newest hits, for the first searches
    # listed (or the one asked for); the others link to their own page.
    for n, s in enumerate(saved_searches.list()):
        shown = s.name == chosen if chosen else n < ALERTS_SHOWN
        new = saved_searches.pending(s, searcher, limit=ALERT_HITS) if shown else None
        views.append({"name": s.name, "query": s.query, "last_run": s.last_run, "new": new,
                      "url": _search_page(s.query, None, "newest"),
                      "new_url": url_for("pages.alerts", name=s.name)})
    return render_template("alerts.html", alerts=views, chosen=chosen,
                           article_url=lambda i: url_for("pages.article", article_id=i))


# -- article -------------------------------------------------------------------------------------------

@bp.get("/article/<path:article_id>")
def article(article_id: str):
    q = request.args.get("q", "").strip()
    found = get_searcher().article(article_id, q)
    if found is None:
        abort(404, description="There is no article with this id in the index.")
    link = safe_link(found.url)
    entities = [
        {"label": FACET_LABELS[name], "names": _names(name, getattr(found, name))}
        for name in ("people", "places", "orgs", "sources") if getattr(found, name)
    ]
    quotes = [{"text": qt.text, "cue": qt.cue, "speaker": qt.speaker, "kind": qt.kind,
               "mention": (qt.mention or {}).get("text") if qt.speaker else None,
               "speaker_url": _speaker_url(qt.speaker) if qt.speaker else None}
              for qt in found.quotes]
    has_title = bool(found.title.strip())
    return render_template(
        "article.html",
        q=q,
        query=q,
        article=found,
        title_segments=found.title_segments if has_title else [],
        fallback_title="" if has_title else (_shorten(found.body) or found.id),
        date=_date(found.published),
        link=link,
        url_text=found.url if not link else "",
        entities=entities,
        speakers=[{"name": s, "url": _speaker_url(s)} for s in found.speakers],
        quotes=quotes,
        back_url=_search_page(q) if q else None,
        json_url=url_for("api.article", article_id=found.id, q=q or None),
    )


# -- speaker -------------------------------------------------------------------------------------------

@bp.get("/speaker/<path:name>")
def speaker(name: str):
    """What one person said, each quote once (its repeats grouped), the most recently repeated first."""
    q = request.args.get("q", "").strip()
    per_page = current_app.config["SPEAKER_PER_PAGE"]
    page = request.args.get("page", "").strip() or 1
    searcher = get_searcher()
    canonical = searcher.canonical_name("person", name)
    if canonical is not None and canonical != name:  # any alias ("Volcker") -> the person's page
        return redirect(url_for("pages.speaker", name=canonical, q=q or None, page=request.args.get("page") or None))
    found = searcher.quote_groups(name, q, page=page, per_page=per_page)
    if not found.total and not q and found.page == 1:
        abort(404, description="No quotes by this person are in the index.")

    def page_url(n: int) -> str:
        args = {"q": q or None, "page": n if n > 1 else None}
        return url_for("pages.speaker", name=name, **args)

    quotes = [View(segments=g.segments, kind=g.kind, summary=g.summary, url=_quote_url(g.id), repeats=g.articles,
                   latest_url=_article_url(g.latest.article_id, q),
                   latest_date=_date(g.latest.published.isoformat() if g.latest.published else None),
                   latest_datetime=g.latest.published.isoformat() if g.latest.published else "",
                   latest_publisher=g.latest.publisher) for g in found.groups]
    return render_template(
        "speaker.html",
        name=name,
        q=q,
        found=found,
        quotes=quotes,
        person_url=_search_page("", {"people": [name]}, None),
        all_url=url_for("pages.speaker", name=name),
        pagination=_pagination(found.page, found.pages, page_url),
    )


def _quote_url(quote_id: str) -> str:
    return f"{route_url('pages.home')}quote/{quote(quote_id, safe='@')}"


@bp.get("/quote/<path:quote_id>")
def quote_page(quote_id: str):
    """One quote's provenance: every article that carries it, in time order, each version's wording
    compared with the first."""
    found = get_searcher().quote(quote_id)
    if found is None:
        abort(404, description="No such quote in the index.")
    versions = [View(article_url=_article_url(o["article"]), article=o["article"], publisher=o["publisher"],
                     date=_date(o["published"]), marks=o["diff"]["marks"],
                     changes=[View(op=c["op"], reference=c["reference"], version=c["version"])
                              for c in o["diff"]["changes"]]) for o in found["occurrences"]]
    return render_template("quote.html", quote=found, versions=versions,
                           speaker_url=_speaker_url(found["speaker"]))


# -- identities ------------------------------------------------------------------------------------

@bp.get("/entities")
def entities():
    """The archive's identities of one type, most articles first, each a link to its search."""
    type_ = request.args.get("type", "").strip() or "person"
    if type_ not in ENTITY_TYPES:
        abort(400, description=f"parameter 'type' must be one of {', '.join(ENTITY_TYPES)}, not {type_[:40]!r}")
    rows = get_searcher().entities(type_, limit=current_app.config.get("ENTITIES_PER_PAGE", 200))
    facet = ENTITY_TYPES[type_]
    items = [View(name=r["name"], aliases=r["aliases"][:12], more_aliases=max(0, len(r["aliases"]) - 12),
                  articles=r["articles"], url=_search_page("", {facet: [r["name"]]}, None)) for r in rows]
    tabs = [View(label=FACET_LABELS[f], url=url_for("pages.entities", type=t), current=t == type_)
            for t, f in ENTITY_TYPES.items()]
    return render_template("entities.html", items=items, tabs=tabs, label=FACET_LABELS[facet])
