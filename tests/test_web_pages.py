"""The HTML pages through Flask's test client: search, facets, chips, paging, sorting, article,
speaker, errors, and escaping of everything that comes from an article or a query.

Most tests use a small index of synthetic articles written here (explicit people, places and quotes,
built without enrichment so the expectations do not depend on the entity models); the did-you-mean
test uses the enriched `seed_index`.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchapp.web import create_app

FIXTURE_ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"

# -- synthetic articles (also used by test_web_browser.py) ---------------------------------------------

PEOPLE = [
    ("Maria Keller", "Trade Minister"),
    ("Tomás Rivera", "port director"),
    ("Hannah Osei", "central bank governor"),
    ("Lena Vogt", "energy commissioner"),
    ("David Okafor", "union leader"),
    ("Priya Raman", "an analyst at Northbridge Capital,"),
]
PLACES = ["Rotterdam", "Hamburg", "Lisbon", "Santos", "Nairobi", "Oslo"]
PUBLISHERS = ["Harbour Gazette", "Example Wire", "Coastline Times"]
EDITORS = ["Sam Hart", "Ines Duarte", "Kofi Mensah"]
# Months after January 2021 of the 26 articles, in order: uneven, with gaps, so the histogram says something.
MONTHS = [0, 1, 1, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 8, 8, 8, 9, 10, 12, 13, 13, 14, 15, 15, 16, 18]

# (title, body, quotes, orgs, sources): {place}, {place2}, {p0}/{r0} (first person, role), {p1}/{r1}
STORIES = [
    ("{place} port expands container terminal as trade rebounds",
     "{PLACE} - The Harbour Board in {place} approved a 1.2 billion euro expansion of its container terminal "
     "on Monday, betting that trade through northern Europe will keep recovering.\n\n"
     "\"{q0},\" {r0} {p0} said at a news conference in {place}.\n\n"
     "Shipping volumes rose for a third straight month, according to figures from the Harbour Board. "
     "Dockworkers warned that automation could cut jobs, and {p1} said the union would study the plans.\n\n",
     ["We are building for the next twenty years of trade, not the next twenty months"],
     ["Harbour Board"], ["Harbour Board"]),
    ("Coffee prices climb as frost hits growers near {place}",
     "{PLACE} - Coffee futures rose to their highest level in a year after frost damaged plantations near "
     "{place}, traders said.\n\n"
     "\"{q0},\" said {p0}, {r0} who follows soft commodities.\n\n"
     "Exporters in {place2} said shipments would be delayed by several weeks while growers assess the damage.\n\n",
     ["The market had priced in a good harvest, and the frost took that away overnight"],
     ["Northbridge Capital"], ["Northbridge Capital", "Coffee Exporters Council"]),
    ("{place} braces for a winter energy price spike, Commission warns",
     "{PLACE} - The European Commission warned on Tuesday that gas and power prices could spike this winter "
     "unless storage sites are filled faster.\n\n"
     "\"{q0},\" {r0} {p0} told reporters in {place}.\n\n"
     "Utilities in {place2} have already raised tariffs twice this year. \"{q1},\" {p1} said.\n\n",
     ["Storage is the cheapest insurance we can buy before the cold arrives",
      "Households cannot absorb another increase of this size"],
     ["European Commission"], ["European Commission"]),
    ("Dockworkers in {place} vote to strike over automation",
     "{PLACE} - Dockworkers at the port of {place} voted to strike next month over plans to automate "
     "cranes at the container terminal.\n\n"
     "\"{q0},\" {r0} {p0} said after the vote.\n\n"
     "The Harbour Board said talks would continue. {p1} declined to comment on the timetable.\n\n",
     ["Nobody voted against new cranes; we voted against losing a thousand jobs without a plan"],
     ["Dockworkers Union", "Harbour Board"], ["Dockworkers Union"]),
    ("Central bank in {place} holds rates and signals patience on inflation",
     "{PLACE} - The central bank kept its main interest rate unchanged on Thursday and said it would wait "
     "for clearer signs that inflation is easing before cutting.\n\n"
     "\"{q0},\" {r0} {p0} said at a press conference in {place}.\n\n"
     "Markets in {place2} barely moved after the decision, which economists had widely expected.\n\n",
     ["We would rather be late by a month than wrong for a year"],
     ["Central Bank"], ["Central Bank"]),
    ("Ferry operators add routes between {place} and {place2}",
     "{PLACE} - Two ferry operators announced new daily routes between {place} and {place2} for the summer "
     "season, citing strong bookings.\n\n"
     "\"{q0},\" {r0} {p0} said, adding that the new ferry terminal would open in June.\n\n"
     "Travel agents said prices for the crossing had risen by about a tenth since last year.\n\n",
     ["Passengers are back, and they want to travel by sea again"],
     ["Harbour Board"], ["Harbour Board"]),
]


def synthetic_articles(n: int = 26) -> list[dict]:
    """``n`` (at most 26) news-like articles with explicit entities, quotes and dates (Jan 2021 to Jul 2022,
    later ids are newer), all containing the word "reporting"; the 5th has no title."""
    out = []
    for i in range(n):
        title_t, body_t, quotes, orgs, sources = STORIES[i % len(STORIES)]
        place, place2 = PLACES[(i + i // len(STORIES)) % len(PLACES)], PLACES[(i + 2) % len(PLACES)]
        if place2 == place:
            place2 = PLACES[(i + 3) % len(PLACES)]
        (p0, r0), (p1, r1) = PEOPLE[(i + i // len(STORIES)) % len(PEOPLE)], PEOPLE[(i + 3) % len(PEOPLE)]
        if p1 == p0:
            p1, r1 = PEOPLE[(i + 4) % len(PEOPLE)]
        fill = {"place": place, "PLACE": place.upper(), "place2": place2, "p0": p0, "r0": r0, "p1": p1, "r1": r1,
                "q0": quotes[0], "q1": quotes[-1]}
        editor = EDITORS[i % len(EDITORS)]
        body = body_t.format(**fill) + f"Reporting by {p1.split()[0]} Correspondent; editing by {editor}"
        quote_list = []
        for k, text in enumerate(quotes[:2]):
            start = body.index(text)
            speaker = p0 if k == 0 else p1
            quote_list.append({"text": text, "start": start, "end": start + len(text), "speaker": speaker,
                               "mention": None, "cue": "told" if "told" in body[start:start + len(text) + 12] else "said"})
        year, month = divmod(MONTHS[i], 12)
        day = 3 + 6 * MONTHS[:i].count(MONTHS[i])
        out.append({
            "id": f"syn-{i + 1:03d}",
            "title": "" if i == 4 else title_t.format(**fill),
            "body": body,
            "published": f"{2021 + year}-{month + 1:02d}-{day:02d}T09:30:00Z",
            "byline": f"{p1.split()[0]} Correspondent",
            "publisher": PUBLISHERS[i % len(PUBLISHERS)],
            "url": f"https://news.example.org/{2021 + year}/{month + 1:02d}/syn-{i + 1:03d}",
            "people": [p0, p1],
            "places": [place, place2],
            "orgs": list(orgs),
            "sources": list(sources),
            "quotes": quote_list,
        })
    return out


def write_synthetic(folder: Path, n: int = 26) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "synthetic.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in synthetic_articles(n)), encoding="utf-8")
    return path


def build_synthetic_index(root: Path, extra: list[Path] = ()) -> Path:
    """An index of the synthetic articles (+ ``extra`` paths), without enrichment. Returns its folder."""
    from searchapp import indexer
    from searchapp.store import IndexStore

    data = write_synthetic(root / "articles")
    store = IndexStore(root / "index")
    report = indexer.build(store, [data, *extra], enrich=False, procs=1)
    assert report.indexed >= 26 and not report.skipped, report.skipped
    return store.root


# -- fixtures ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synth_index(tmp_path_factory) -> Path:
    return build_synthetic_index(tmp_path_factory.mktemp("web-pages"), [FIXTURE_ARTICLES])


@pytest.fixture(scope="module")
def client(synth_index):
    # The synthetic articles are written from a few templates: many are near copies of one another,
    # which these tests count one by one (tests/test_search_versions.py tests collapsing).
    app = create_app({"INDEX_DIR": str(synth_index), "TESTING": True, "COLLAPSE": False})
    return app.test_client()


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == status, (url, response.status_code, response.data[:500])
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


def hrefs(text: str, css_class: str) -> list[str]:
    """The (unescaped) href of every <a> with ``css_class``."""
    out = []
    for m in re.finditer(r'<a\b[^>]*>', text):
        tag = m.group(0)
        if re.search(rf'class="[^"]*\b{re.escape(css_class)}\b', tag):
            href = re.search(r'href="([^"]*)"', tag)
            if href:
                out.append(html.unescape(href.group(1)))
    return out


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def hit_count(text: str) -> int:
    return text.count('<li class="hit">')


# -- the search page ---------------------------------------------------------------------------------------

def test_home_lists_latest_articles_with_box_and_help(client):
    text = page(client, "/")
    assert 'name="q"' in text and 'role="search"' in text
    assert "<details" in text and "Search syntax" in text
    assert "Latest articles" in text
    assert hit_count(text) == 10
    # newest first when browsing: the last synthetic article (2023-02) comes first
    first = hrefs(text, "hit-title") or re.findall(r'<h2 class="hit-title"><a href="([^"]+)"', text)
    assert first and first[0].startswith("/article/syn-026")


def test_search_highlights_matches_and_shows_metadata(client):
    text = page(client, "/search?q=frost")
    assert "<mark>frost</mark>" in text.lower() or "<mark>Frost</mark>" in text
    assert re.search(r"<strong class=\"total\">\d+ articles?</strong>", text)
    assert " ms</span>" in text                                   # time taken
    assert "Northbridge Capital" in text                           # sources
    assert 'class="tag tag-speaker" href="/speaker/' in text     # speakers link to their page
    assert re.search(r'<time datetime="20\d\d-\d\d-\d\dT[^"]*">\d{1,2} \w{3} 20\d\d</time>', text)
    assert "Coastline Times" in text or "Harbour Gazette" in text or "Example Wire" in text


def test_words_are_shown_as_written(client):
    text = page(client, "/search?q=coffee+prices")
    assert re.search(r"<mark>Coffee</mark>", text)                # original case kept in the snippet/title


def test_untitled_article_shows_the_start_of_its_body(client):
    text = page(client, "/search?q=id:syn-005")
    assert hit_count(text) == 1
    title = re.search(r'<span class="untitled">([^<]+)</span>', text).group(1)
    assert title.startswith("NAIROBI - The central bank kept")
    assert len(html.unescape(title)) <= 91


def test_pagination_links(client):
    text = page(client, "/search?q=reporting")
    assert re.search(r"<strong class=\"total\">2\d articles</strong>", text)
    assert hit_count(text) == 10
    assert 'aria-current="page">1<' in text
    nxt = hrefs(text, "page-next")
    assert nxt and params(nxt[0])["page"] == ["2"] and params(nxt[0])["q"] == ["reporting"]
    numbers = hrefs(text, "page-number")
    assert {params(u)["page"][0] for u in numbers} == {"2", "3"}
    text2 = page(client, nxt[0])
    assert 'aria-current="page">2<' in text2 and hit_count(text2) == 10
    assert hrefs(text2, "page-prev")
    assert re.search(r'<ol class="hits" start="11">', text2)
    text3 = page(client, "/search?q=reporting&page=3")
    assert 1 <= hit_count(text3) <= 10 and not hrefs(text3, "page-next")
    # beyond the last page: a message and a way back, not an error
    beyond = page(client, "/search?q=reporting&page=9")
    assert "no results on this page" in beyond


def test_sort_links_and_order(client):
    text = page(client, "/search?q=reporting")
    links = {params(u).get("sort", ["relevance"])[0]: u for u in hrefs(text, "sort-option")}
    assert set(links) == {"newest", "oldest"}                      # relevance is the active one
    newest = page(client, links["newest"])
    oldest = page(client, links["oldest"])
    first_newest = re.findall(r'<h2 class="hit-title"><a href="/article/([^"?]+)', newest)[0]
    first_oldest = re.findall(r'<h2 class="hit-title"><a href="/article/([^"?]+)', oldest)[0]
    assert (first_newest, first_oldest) == ("syn-026", "syn-001")
    assert '<span class="sort-option active" aria-current="true">Newest</span>' in newest
    # the chosen sort survives paging and a new query from the box
    assert all(params(u)["sort"] == ["newest"] for u in hrefs(newest, "page-number"))
    assert '<input type="hidden" name="sort" value="newest">' in newest


def test_bad_sort_and_page_are_400_pages(client):
    for url, word in (("/search?q=x&sort=bogus", "sort"), ("/search?q=x&page=abc", "page"),
                      ("/search?q=x&page=-1", "page"), ("/search?q=x&f.bogus=1", "f.bogus")):
        text = page(client, url, 400)
        assert f"parameter &#39;{word}&#39;" in text, url


def test_facets_link_to_filters_and_chips_remove_them(client):
    text = page(client, "/search?q=reporting")
    people = hrefs(text, "facet-link")
    keller = [u for u in people if params(u).get("f.people") == ["Maria Keller"]]
    assert keller, people
    assert params(keller[0])["q"] == ["reporting"] and "page" not in params(keller[0])
    total_before = int(re.search(r'<strong class="total">(\d+)', text).group(1))
    # the count shown beside the value is the number of hits once filtered
    shown = re.search(r'Maria Keller</span><span class="facet-count">(\d+)<', text)
    filtered = page(client, keller[0])
    total_after = int(re.search(r'<strong class="total">(\d+)', filtered).group(1))
    assert total_after == int(shown.group(1)) < total_before
    # the chip, and its removal link
    assert '<span class="chip-facet">Person</span> <span class="chip-value">Maria Keller</span>' in filtered
    remove = hrefs(filtered, "chip")
    assert len(remove) == 1 and "f.people" not in params(remove[0]) and params(remove[0])["q"] == ["reporting"]
    # the filter rides along with a new query typed in the box
    assert '<input type="hidden" name="f.people" value="Maria Keller">' in filtered
    # the active facet value is marked and links back to the unfiltered search
    active = re.search(r'<a class="facet-link active" href="([^"]+)"', filtered)
    assert active and "f.people" not in params(html.unescape(active.group(1)))
    # recounted: every hit now mentions Maria Keller in the people facet with the full count
    assert re.search(rf'Maria Keller</span><span class="facet-count">{total_after}<', filtered)


def test_two_filters_two_chips_and_clear_all(client):
    text = page(client, "/search?q=reporting&f.people=Maria+Keller&f.places=Rotterdam")
    assert text.count('class="chip"') == 2
    assert "Clear all" in text
    clear = re.search(r'<a class="chips-clear" href="([^"]+)"', text).group(1)
    assert params(html.unescape(clear)) == {"q": ["reporting"]}


def test_filter_aliases_and_unknown_values(client):
    text = page(client, "/search?f.person=Maria+Keller")          # an alias of people
    assert '<span class="chip-value">Maria Keller</span>' in text
    none = page(client, "/search?f.people=Nobody+At+All")
    assert "No articles match" in none and "with these filters" in none


def test_histogram_bars_filter_by_period(client):
    text = page(client, "/search?q=reporting")
    bars = hrefs(text, "histogram-bar")
    assert len(bars) >= 15
    assert text.count('class="histogram-bar histogram-empty"') == 2      # Jan and Jun 2022: no articles
    periods = [params(u)["f.period"][0] for u in bars]
    assert all(re.fullmatch(r"\d{4}-\d\d", p) for p in periods)
    assert re.search(r'class="histogram-fill h10"', text)
    month = page(client, "/search?q=reporting&f.period=2021-03")
    assert '<span class="chip-facet">Date</span> <span class="chip-value">Mar 2021</span>' in month
    assert re.search(r'<strong class="total">1 article</strong>', month)
    assert "style=" not in text                                    # CSP: no inline styles


def test_bad_period_is_400(client):
    text = page(client, "/search?f.period=last-week", 400)
    assert "f.period" in text


def test_speaker_query_shows_quotes(client):
    text = page(client, '/search?q=speaker:"David Okafor"')
    assert "with matching quotes" in text
    assert '<blockquote class="quote">' in text
    assert 'href="/speaker/David%20Okafor"' in text


def test_notice_for_unknown_field(client):
    text = page(client, "/search?q=colour:red")
    assert 'class="notice"' in text and "unknown field" in text


def test_unreadable_query_is_a_400_page_with_the_message(client, monkeypatch):
    from searchapp.search import QueryError, Searcher

    def broken(self, *a, **k):
        raise QueryError("could not read the query 'x': something")

    monkeypatch.setattr(Searcher, "search", broken)
    text = page(client, "/search?q=x", 400)
    assert "We could not read that search" in text and "could not read the query" in text
    assert 'value="x"' in text                                      # the query is kept in the box
    assert "<details class=\"syntax\" id=\"syntax-help\" open>" in text


def test_long_query_is_a_400_not_a_500(client):
    text = page(client, "/search?q=" + "a" * 1200, 400)
    assert "limit is 1000" in text


def test_did_you_mean_with_enriched_people(seed_index):
    client = create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True}).test_client()
    text = page(client, "/search?q=Lavorv")
    m = re.search(r'Did you mean <a href="([^"]+)" class="suggestion">([^<]+)</a>', text)
    assert m, text[:2000]
    assert m.group(2).lower() == "lavrov"
    assert params(html.unescape(m.group(1)))["q"][0].lower() == "lavrov"
    assert "Sergey Lavrov" in page(client, html.unescape(m.group(1)))


def test_did_you_mean_with_a_body_word(client):
    text = page(client, "/search?q=harbuor")
    m = re.search(r'Did you mean <a href="[^"]+" class="suggestion">([^<]+)</a>', text)
    assert m and m.group(1).lower() == "harbour"


# -- the article page --------------------------------------------------------------------------------------

def test_article_page_highlights_and_links(client):
    text = page(client, "/article/syn-001?q=container")
    assert "<mark>container</mark>" in text
    assert "Results for <q>container</q>" in text                  # the way back
    # entities link to searches
    assert 'href="/search?f.people=Maria+Keller"' in text  # exact filters, not query strings
    assert 'href="/search?f.places=Rotterdam"' in text
    assert 'href="/search?f.orgs=Harbour+Board"' in text
    assert 'href="/search?f.sources=Harbour+Board"' in text
    # quotes with their speaker (linked) and cue
    assert "We are building for the next twenty years of trade" in text
    assert re.search(r'<a class="speaker-link" href="/speaker/Maria%20Keller">Maria Keller</a>\s*<span class="cue">said</span>', text)
    # metadata and the original link (http)
    assert '<a href="https://news.example.org/2021/01/syn-001" rel="noopener noreferrer nofollow">' in text
    assert "Harbour Gazette" in text and "By " in text


def test_article_body_without_query_has_no_marks(client):
    text = page(client, "/article/syn-002")
    assert "<mark>" not in text


def test_unknown_article_and_traversal_are_404(client):
    for url in ("/article/nope", "/article/../../etc/passwd", "/article/..%2F..%2Fetc%2Fpasswd",
                "/article/%2Fetc%2Fpasswd", "/article/syn-001%23q0", "/article/"):
        text = page(client, url, 404)
        assert "root:" not in text


# -- the speaker page --------------------------------------------------------------------------------------

def test_speaker_page_lists_quotes_most_recent_first(client):
    text = page(client, "/speaker/Maria%20Keller")
    assert "<h1>Maria Keller</h1>" in text
    dates = re.findall(r'<li class="quote-group">.*?<time[^>]*>([^<]+)</time>', text, re.S)
    assert len(dates) >= 3
    parsed = [dt.datetime.strptime(d, "%d %b %Y") for d in dates]
    assert parsed == sorted(parsed, reverse=True)
    assert re.search(r"<strong>\d+ quotes</strong>.* in \d+ articles", text)
    assert 'action="/speaker/Maria%20Keller"' in text               # the search-within box
    assert re.search(r'<p class="provenance"><a href="/quote/[^"]+@\d+">(first )?reported by ', text)


def test_speaker_page_search_within(client):
    text = page(client, "/speaker/Maria%20Keller?q=trade")
    assert "<mark>trade</mark>" in text
    everything = page(client, "/speaker/Maria%20Keller")
    assert 1 <= text.count('class="quote-group"') < everything.count('class="quote-group"')
    assert all("<mark>trade</mark>" in item for item in text.split('<li class="quote-group">')[1:])
    assert "Show all" in text
    nothing = page(client, "/speaker/Maria%20Keller?q=zebra")
    assert "None of Maria Keller’s quotes match" in nothing


def test_unknown_speaker_is_404(client):
    page(client, "/speaker/Nobody%20Known", 404)


# -- escaping ----------------------------------------------------------------------------------------------

XSS_QUERY = '"><img src=x onerror=alert(1)>'


def test_xss_article_is_shown_as_text(client):
    text = page(client, "/article/fx-xss")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Markup in a headline" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<img" not in text
    # a javascript: URL is never a link
    assert 'href="javascript:' not in text.lower()
    assert "javascript:alert(&#39;url&#39;)" in text


def test_xss_query_is_escaped_everywhere(client):
    from urllib.parse import quote

    for url in ("/search?q=" + quote(XSS_QUERY), "/article/fx-xss?q=" + quote(XSS_QUERY),
                "/search?q=body&f.people=" + quote(XSS_QUERY)):
        text = page(client, url)
        assert "<img" not in text and "<script>" not in text, url
        assert "onerror=alert(1)&gt;" in text, url


def test_xss_article_in_results(client):
    text = page(client, "/search?q=markup")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text


def test_security_headers_on_pages_and_errors(client):
    for url, status in (("/", 200), ("/article/nope", 404), ("/search?page=x", 400), ("/static/app.css", 200)):
        response = client.get(url)
        assert response.status_code == status
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()


def test_templates_have_no_inline_script_or_style(client):
    for url in ("/", "/search?q=reporting", "/article/syn-001?q=trade", "/speaker/Maria%20Keller", "/nope"):
        text = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), url
        tags = re.findall(r"<[a-zA-Z][^>]*>", text)
        assert not [t for t in tags if re.search(r"\son[a-z]+\s*=", t)], url
        assert not [t for t in tags if re.search(r"\sstyle\s*=", t)] and "<style" not in text, url


def test_missing_index_is_a_503_page(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    text = page(client, "/", 503)
    assert "No search index has been built yet" in text


@given(q=st.text(max_size=12), sort=st.sampled_from([None, "newest", "relevance"]),
       filters=st.dictionaries(st.sampled_from(["people", "places", "period", "sources"]),
                               st.lists(st.text(max_size=8), max_size=3), max_size=3),
       name=st.sampled_from(["people", "places", "orgs", "period"]), value=st.text(max_size=8))
def test_facet_links_built_once_per_facet_equal_search_url(q, sort, filters, name, value):
    from searchapp.web.urls import search_url, search_url_adding

    added = {k: list(v) for k, v in filters.items()}
    added.setdefault(name, []).append(value)
    assert search_url_adding("/search", q, filters, sort, name)(value) == search_url("/search", q, added, sort)


def test_speaker_page_alias_redirects_to_the_person(client):
    response = client.get("/speaker/Keller")
    assert response.status_code == 302 and response.headers["Location"].endswith("/speaker/Maria%20Keller")


def test_entities_page_lists_names_with_links(seed_index):
    client = create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True}).test_client()
    text = page(client, "/entities?type=place")
    assert "<h1>Places in the archive</h1>" in text
    assert re.search(r'<a href="/search\?f\.places=United(%20|\+)Kingdom">United Kingdom</a>', text)
    assert "Britain" in text  # an alias, listed
    page(client, "/entities?type=planet", 400)
