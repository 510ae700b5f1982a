"""The JSON API through Flask's test client, against the enriched seed index."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from searchapp.web import SECURITY_HEADERS, create_app

LAVROV = "000_92132aacbd1f3e76"
FIXTURE_ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"


@pytest.fixture(scope="module")
def app(seed_index):
    return create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:500])
    assert response.content_type == "application/json", url
    return response.get_json()


def error_of(client, url: str, status: int = 400) -> str:
    body = get_json(client, url, status)
    assert set(body) == {"error"} and body["error"]["status"] == status, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


# -- /api/search -------------------------------------------------------------------------------------------

def test_search_returns_results_json(client):
    data = get_json(client, "/api/search?q=lavrov")
    assert {"query", "filters", "sort", "page", "per_page", "total", "pages", "hits", "facets", "histogram",
            "suggestion", "notices", "mode", "took_ms"} <= set(data)
    assert data["total"] == 1 and data["pages"] == 1 and data["mode"] == "articles"
    hit = data["hits"][0]
    assert hit["id"] == LAVROV
    assert any(seg["match"] and seg["text"].lower() == "lavrov" for seg in hit["snippet"])
    assert "Lavrov" in hit["snippet_text"]
    assert "Sergey Lavrov" in hit["people"]
    assert {f["value"] for f in data["facets"]["people"]} >= {"Sergey Lavrov"}
    assert all(set(f) == {"value", "count"} for f in data["facets"]["places"])


def test_search_everything_defaults_to_newest(client, seed_index):
    articles = seed_index.stats()["articles"]
    data = get_json(client, "/api/search?limit=100")
    assert data["total"] == articles == len(data["hits"]) and data["sort"] == "newest"
    dated = [h["published"] for h in data["hits"] if h["published"]]
    assert dated == sorted(dated, reverse=True)
    assert sum(b["count"] for b in data["histogram"]) == len(dated)  # the seed article has no date
    assert get_json(client, "/api/search?q=lavrov")["sort"] == "relevance"


def test_search_filters_sort_and_paging(client, seed_index):
    articles = seed_index.stats()["articles"]
    data = get_json(client, "/api/search?f.people=Sergey+Lavrov")
    assert data["total"] == 1 and data["filters"] == {"people": ["Sergey Lavrov"]}
    data = get_json(client, "/api/search?f.person=Sergey+Lavrov&f.places=Moscow")
    assert data["total"] == 1 and data["filters"] == {"people": ["Sergey Lavrov"], "places": ["Moscow"]}
    data = get_json(client, "/api/search?f.period=2022-02")
    ids = [h["id"] for h in data["hits"]]
    assert {"fx-coffee", "fx-xss"} <= set(ids) and "fx-harbour" not in ids and data["total"] == len(ids)
    assert all(h["published"].startswith("2022-02") for h in data["hits"])
    oldest = [h["published"] for h in get_json(client, "/api/search?f.period=2022&sort=oldest")["hits"]]
    newest = [h["published"] for h in get_json(client, "/api/search?f.period=2022&sort=newest")["hits"]]
    assert len(oldest) >= 2 and oldest == sorted(oldest) and newest == oldest[::-1]
    page2 = get_json(client, "/api/search?limit=1&page=2&sort=oldest")
    assert page2["per_page"] == 1 and page2["page"] == 2 and page2["pages"] == articles and len(page2["hits"]) == 1
    page1 = get_json(client, "/api/search?limit=1&page=1&sort=oldest")
    assert page1["hits"][0]["published"] <= page2["hits"][0]["published"]
    assert get_json(client, "/api/search?f.people=")["total"] == articles  # an empty filter value is ignored


def test_search_flags(client):
    data = get_json(client, "/api/search?q=lavrov&facets=0&snippets=0")
    assert data["facets"] == {} and data["histogram"] == []
    assert not any(seg["match"] for seg in data["hits"][0]["snippet"])
    data = get_json(client, "/api/search?q=lavrov&facets=1&snippets=true")
    assert data["facets"] and any(seg["match"] for seg in data["hits"][0]["snippet"])


def test_search_speaker_mode_returns_quotes(client):
    data = get_json(client, "/api/search?q=speaker:Lavrov")
    assert data["mode"] == "quotes" and data["total"] == 1
    quotes = data["hits"][0]["quotes"]
    assert quotes and all(q["speaker"] == "Sergey Lavrov" for q in quotes)


def test_search_suggestion_and_notices(client):
    assert get_json(client, "/api/search?q=Lavorv")["suggestion"].lower() == "lavrov"
    assert any("unknown field" in n for n in get_json(client, "/api/search?q=colour:red")["notices"])


@pytest.mark.parametrize("query, name", [
    ("page=-1", "page"), ("page=0", "page"), ("page=abc", "page"), ("page=1.5", "page"), ("page=100000", "page"),
    ("limit=1000000000", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"),
    ("sort=bogus", "sort"), ("f.bogus=1", "f.bogus"), ("f.period=last-week", "f.period"),
    ("f.period=2022-13", "f.period"), ("f.period=2022-00", "f.period"), ("f.period=0000", "f.period"),
    ("f.period=9999-12", "f.period"), ("sort=", "sort"), ("sort=%20", "sort"),
    ("facets=2", "facets"), ("snippets=maybe", "snippets"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, query, name):
    message = error_of(client, "/api/search?q=lavrov&" + query)
    assert f"'{name}'" in message, message


def test_overlong_query_is_400(client):
    assert "limit is 1000" in error_of(client, "/api/search?q=" + "x" * 1001)


@pytest.mark.parametrize("q", ['"unclosed', "(", ")", "AND", "title:", "date:[2022 to", "date:nonsense", "a~9",
                               "*wild", "?", "lavrov^", "person:\"\"", "NOT", "id:", "\\", "f:", "a:b:c",
                               "'><img src=x onerror=alert(1)>", "中文 العربية", "\x00", "date:[1 to 2]"])
def test_odd_queries_never_500(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400), (q, response.status_code)
    assert response.content_type == "application/json"


# -- /api/articles -----------------------------------------------------------------------------------------

def test_article(client):
    data = get_json(client, f"/api/articles/{LAVROV}?q=troops")
    assert data["id"] == LAVROV and "Lavrov" in data["body"]
    assert any(s["match"] and s["text"] == "troops" for s in data["body_segments"])
    assert "".join(s["text"] for s in data["body_segments"]) == data["body"]
    assert any(q["speaker"] == "Sergey Lavrov" and q["cue"] for q in data["quotes"])
    assert "Moscow" in data["places"]
    plain = get_json(client, f"/api/articles/{LAVROV}")
    assert not any(s["match"] for s in plain["body_segments"])


def test_unknown_article_and_traversal_are_404_json(client):
    for url in ("/api/articles/nope", "/api/articles/../../etc/passwd", "/api/articles/..%2F..%2Fetc%2Fpasswd",
                f"/api/articles/{LAVROV}%23q0", "/api/articles/"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["status"] == 404
        assert b"root:" not in response.data


# -- /api/suggest ------------------------------------------------------------------------------------------

def test_suggest(client):
    data = get_json(client, "/api/suggest?prefix=lav")
    assert data["prefix"] == "lav"
    people = [s for s in data["suggestions"] if s["field"] == "people"]
    assert people[0]["name"] == "Sergey Lavrov" and people[0]["query"] == 'person:"Sergey Lavrov"'
    assert any(s["field"] == "speakers" and s["query"] == 'speaker:"Sergey Lavrov"' for s in data["suggestions"])
    counts = [s["count"] for s in data["suggestions"]]
    assert counts == sorted(counts, reverse=True)
    assert get_json(client, "/api/suggest?prefix=mosc")["suggestions"][0]["query"] == 'place:"Moscow"'
    assert get_json(client, "/api/suggest?prefix=l")["suggestions"] == []
    assert get_json(client, "/api/suggest")["suggestions"] == []
    assert len(get_json(client, "/api/suggest?prefix=s&limit=1")["suggestions"]) <= 1
    assert "'prefix'" in error_of(client, "/api/suggest?prefix=" + "a" * 101)
    assert "'limit'" in error_of(client, "/api/suggest?prefix=la&limit=0")
    assert "'limit'" in error_of(client, "/api/suggest?prefix=la&limit=x")


# -- /api/export.csv ---------------------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("page_size", [100, 1, 3])
def test_export_returns_every_hit(seed_index, page_size):
    client = create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True,
                         "EXPORT_PAGE_SIZE": page_size}).test_client()
    for query in ("", "q=said", "f.period=2022", "q=speaker:Lavrov", "q=nothingmatchesthis"):
        total = get_json(client, "/api/search?" + query)["total"]
        response = client.get("/api/export.csv?" + query)
        rows = read_csv(response)
        assert len(rows) == total == int(response.headers["X-Total-Count"]), query
        assert len({r["id"] for r in rows}) == len(rows)


def test_export_columns_and_values(client):
    response = client.get("/api/export.csv?q=lavrov")
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == "id,title,published,publisher,url,people,places,orgs,sources,speakers,score"
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == LAVROV
    assert "Sergey Lavrov" in row["people"].split("; ")
    assert float(row["score"]) > 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(client.get("/api/export.csv").get_data(as_text=True)))}
    assert rows["fx-xss"]["url"] == "javascript:alert('url')"     # data, not a link
    assert rows["fx-coffee"]["published"].startswith("2022-02-03")


def test_export_neutralises_spreadsheet_formulas():
    from searchapp.web.api import _cell

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell("+1") == "'+1" and _cell("@cmd") == "'@cmd" and _cell("-2") == "'-2"
    assert _cell(["a", "b"]) == "a; b" and _cell(None) == "" and _cell(1.5) == 1.5 and _cell("plain") == "plain"


def test_export_bad_parameters_are_400_json(client):
    assert "'sort'" in error_of(client, "/api/export.csv?sort=nope")
    assert "'f.bogus'" in error_of(client, "/api/export.csv?f.bogus=x")


def test_total_matches_the_hits_for_field_queries(client):
    # Quote documents carry the article's date and quote text; they must not count as articles.
    for q in ("date:2022", "quote:deaf"):
        data = get_json(client, f"/api/search?q={q}")
        assert data["total"] == len(data["hits"]), (q, data["total"], [h["id"] for h in data["hits"]])


# -- /api/openapi.json -------------------------------------------------------------------------------------

def test_openapi(client):
    response = client.get("/api/openapi.json")
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/search", "/api/articles/{id}", "/api/suggest", "/api/entities", "/api/export.csv",
                                  "/api/quotes/{id}",
                                  "/api/openapi.json"}
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "sort", "page", "limit", "facets", "snippets", "f.people", "f.period"} <= names
    try:
        from openapi_spec_validator import validate
    except ImportError:  # pragma: no cover - optional
        return
    validate(spec)


def _violations(value, schema, components, where="$") -> list[str]:
    """Where ``value`` breaks an OpenAPI 3.0 schema (the keywords the description uses)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if value is None:
        return [] if schema.get("nullable") or not schema else [f"{where}: null"]
    kind = schema.get("type")
    checks = {"string": lambda v: isinstance(v, str), "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "boolean": lambda v: isinstance(v, bool), "array": lambda v: isinstance(v, list),
              "object": lambda v: isinstance(v, dict)}
    if kind and not checks[kind](value):
        return [f"{where}: {type(value).__name__} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    out = []
    if kind == "array":
        for i, item in enumerate(value):
            out += _violations(item, schema.get("items", {}), components, f"{where}[{i}]")
    if kind == "object":
        props = schema.get("properties")
        if props is not None:
            out += [f"{where}: {k!r} is not described" for k in value if k not in props
                    and schema.get("additionalProperties") is False]
            out += [f"{where}: {k!r} is missing" for k in schema.get("required", []) if k not in value]
            for k, v in value.items():
                if k in props:
                    out += _violations(v, props[k], components, f"{where}.{k}")
        elif isinstance(schema.get("additionalProperties"), dict):
            for k, v in value.items():
                out += _violations(v, schema["additionalProperties"], components, f"{where}.{k}")
    return out


def test_the_openapi_description_is_what_the_api_sends(client):
    """The result schemas are generated from the result types; every key the API sends is described, every
    described key is sent, each of the right type (articles and quote mode, facets, snippets, an article
    with quotes and marks)."""
    spec = get_json(client, "/api/openapi.json")
    components = spec["components"]["schemas"]
    for url in ("/api/search?q=moscow", "/api/search?q=speaker:Truss", "/api/search?q=&f.period=2022",
                "/api/search?q=zzxqwv+blorfing", "/api/search?q=moscow&facets=0&snippets=0&collapse=0"):
        data = get_json(client, url)
        assert data["hits"] or "zzxqwv" in url, url
        assert not _violations(data, components["Results"], components), (url, _violations(data, components["Results"], components))
    article = get_json(client, "/api/search?q=speaker:Truss")["hits"][0]["id"]
    data = get_json(client, f"/api/articles/{article}?q=troops")
    assert data["quotes"] and not _violations(data, components["ArticleView"], components)
    # the check itself sees a key the description lacks, a wrong type and a missing key
    assert _violations({**data, "extra": 1}, components["ArticleView"], components)
    assert _violations({**data, "quotes": "x"}, components["ArticleView"], components)
    assert _violations({k: v for k, v in data.items() if k != "body"}, components["ArticleView"], components)


def test_the_openapi_period_pattern_is_what_the_filter_accepts():
    from searchapp.search import QueryError, check_filters
    from searchapp.web.params import PERIOD_PATTERN

    def accepted(value):
        try:
            check_filters({"period": [value]})
            return True
        except QueryError:
            return False

    assert PERIOD_PATTERN.startswith("^") and PERIOD_PATTERN.endswith("$")
    pattern = re.compile(PERIOD_PATTERN[1:-1])  # fullmatch: ECMA-262's ^...$ (Python's $ allows a final \n)
    values = [f"{y:04d}" for y in range(10000)] + [f"{y:04d}-{m:02d}" for y in (0, 1, 1987, 9998, 9999)
                                                   for m in range(100)]
    values += ["87", "02022", "2022-2", "2022-002", "2022/02", "２０２２", "2022\n"]
    assert [v for v in values if bool(pattern.fullmatch(v)) != accepted(v)] == []  # (an empty value is ignored)


# -- errors, headers, the index ----------------------------------------------------------------------------

def test_json_errors_for_unknown_paths_and_methods(client):
    assert error_of(client, "/api/nope", 404)
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_500_is_json_under_api_and_a_page_elsewhere(seed_index, monkeypatch):
    from searchapp.search import Searcher

    app = create_app({"INDEX_DIR": str(seed_index.root)})
    app.logger.disabled = True

    def boom(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Searcher, "search", boom)
    client = app.test_client()
    response = client.get("/api/search?q=x")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500 and "boom" not in response.get_data(as_text=True)
    page = client.get("/search?q=x")
    assert page.status_code == 500 and page.mimetype == "text/html" and b"Something went wrong" in page.data


def test_security_headers(client):
    for url in ("/api/search?q=lavrov", "/api/nope", "/api/search?page=x", "/api/export.csv", "/api/openapi.json"):
        response = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (url, name)
        response.close()


def test_server_timing_gives_the_app_time_and_the_search_share(client):
    from bench.web import server_ms

    for url in ("/api/search?q=lavrov", "/search?q=lavrov"):
        header = client.get(url).headers["Server-Timing"]
        metrics = dict(m.strip().split(";dur=") for m in header.split(","))
        assert set(metrics) == {"app", "search"}, header
        assert 0 < float(metrics["search"]) <= float(metrics["app"]) == server_ms(header)
    assert set(dict(m.strip().split(";dur=") for m in client.get("/api/openapi.json").headers["Server-Timing"]
                    .split(","))) == {"app"}


def test_xss_text_is_returned_as_json_data(client):
    response = client.get("/api/articles/fx-xss")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["title"].startswith("<script>")


def test_missing_index_is_503_json(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "nothing"), "TESTING": True}).test_client()
    for url in ("/api/search?q=x", "/api/articles/x", "/api/suggest?prefix=lav", "/api/export.csv?q=x"):
        message = error_of(client, url, 503)
        assert "index" in message and "searchapp index build" in message


def test_a_new_index_is_served_without_restarting(tmp_path):
    from searchapp import indexer
    from searchapp.store import IndexStore

    client = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True}).test_client()
    assert client.get("/api/search").status_code == 503
    report = indexer.build(IndexStore(tmp_path / "ix"), [FIXTURE_ARTICLES], enrich=False, procs=1)
    assert get_json(client, "/api/search")["total"] == report.indexed >= 3


# -- /api/entities and identities ------------------------------------------------------------------

def test_entities_lists_identities_most_articles_first(client):
    data = get_json(client, "/api/entities?type=person&limit=50")
    rows = data["entities"]
    assert rows and all(set(r) == {"name", "type", "aliases", "articles"} and r["type"] == "person" for r in rows)
    assert [r["articles"] for r in rows] == sorted((r["articles"] for r in rows), reverse=True)
    assert "Sergey Lavrov" in {r["name"] for r in rows}
    places = {r["name"]: r for r in get_json(client, "/api/entities?type=place&limit=200")["entities"]}
    assert {"UK", "Britain"} <= set(places["United Kingdom"]["aliases"])
    assert "type" in error_of(client, "/api/entities?type=planet")
    assert "limit" in error_of(client, "/api/entities?limit=0")


def test_field_queries_and_filters_accept_any_alias(client):
    def ids(url):
        return sorted(h["id"] for h in get_json(client, url)["hits"])

    uk = ids("/api/search?q=place:%22United%20Kingdom%22&limit=100")
    assert uk and ids("/api/search?q=place:UK&limit=100") == uk == ids("/api/search?q=place:Britain&limit=100")
    assert ids("/api/search?q=*&f.places=Britain&limit=100") == uk
    assert ids("/api/search?q=person:Lavrov") == ids('/api/search?q=person:"Sergey Lavrov"') == [LAVROV]
    assert ids("/api/search?q=speaker:Lavrov") == [LAVROV]


def test_suggestions_say_what_they_count(client):
    data = get_json(client, "/api/suggest?prefix=lavr")
    units = {(s["field"], s["unit"]) for s in data["suggestions"] if s["name"] == "Sergey Lavrov"}
    assert units == {("people", "articles"), ("speakers", "quotes")}
    speaker = next(s for s in data["suggestions"] if s["field"] == "speakers" and s["name"] == "Sergey Lavrov")
    assert speaker["count"] == 6  # his quotes in the seed article (3 reported, 3 quoted), not quotes and articles added


def test_seed_article_names_and_quotes(client):
    article = get_json(client, f"/api/articles/{LAVROV}")
    assert "Foreign, Commonwealth & Development Office" in article["orgs"]
    assert {"Sergey Lavrov", "Elizabeth Truss"} <= set(article["people"])
    truss = get_json(client, "/api/search?q=speaker:Truss%20troops")
    assert [h["id"] for h in truss["hits"]] == [LAVROV]
    assert any("troops" in q["text"] for q in article["quotes"] if q["speaker"] == "Elizabeth Truss")
    assert LAVROV in [h["id"] for h in get_json(client, "/api/search?q=place:Moscow")["hits"]]


def test_a_search_out_of_time_is_a_503_with_retry_after(seed_index):
    slow = create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True, "SEARCH_SECONDS": 1e-9,
                       "RETRY_AFTER": 7}).test_client()
    response = slow.get("/api/search?q=troops")
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert "stopped after" in response.get_json()["error"]["message"]
    page = slow.get("/search?q=troops")
    assert page.status_code == 503 and page.headers["Retry-After"] == "7"
    assert b"The search took too long" in page.data
    export = slow.get("/api/export.csv?q=troops")
    assert export.status_code == 503
