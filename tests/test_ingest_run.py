"""`searchapp ingest` end to end (searchapp.ingest.run and the command): a real site on 127.0.0.1, a
real index on disk. New items are indexed once, a re-run fetches nothing new, an updated article
replaces its old version, and each hostile source fails alone with its reason."""
import json
import signal
import subprocess
import sys
import threading

import pytest

from searchapp.ingest.fetch import Fetcher, Policy
from searchapp.ingest.run import Round
from searchapp.ingest.state import State
from searchapp.search import Searcher
from searchapp.store import IndexStore
from bench.newssite import BILLION_LAUGHS, article, atom, huge_feed, opml, rss, sitemap, sitemap_index

TOPICS = ["harbour", "tram", "library", "orchard"]


def ingest(tmp_path, sources, **kw):
    store = IndexStore(tmp_path / "ix")
    state = State.beside(store.root)
    try:
        return Round(store, state, Fetcher(Policy(delay=0, timeout=1.0)), enrich=False, procs=1, **kw).run(sources)
    finally:
        state.close()


def ids(tmp_path) -> set[str]:
    hits = Searcher(IndexStore(tmp_path / "ix")).search("*", per_page=100, facets=False, collapse=False).hits
    return {h.id for h in hits}


def search(tmp_path, query):
    return Searcher(IndexStore(tmp_path / "ix")).search(query, facets=False, collapse=False)


def news_site(site, topics=TOPICS, day="2024-05-06T08:00:00"):
    items = []
    for topic in topics:
        url = site.add(f"/news/{topic}", article(f"{topic.title()} plan approved", topic))
        items.append((url, f"{topic.title()} plan", day))
    return site.add("/feed.xml", rss(items), content_type="application/rss+xml")


def test_new_items_are_indexed_once_and_a_rerun_fetches_nothing_new(site, tmp_path):
    feed = news_site(site)
    first = ingest(tmp_path, [feed])
    [s] = first.sources
    assert (s.kind, s.new, s.updated, s.unchanged, s.failed) == ("feed", 4, 0, 0, [])
    assert ids(tmp_path) == {f"{site.url}/news/{t}" for t in TOPICS}  # URLs are the ids
    assert search(tmp_path, "orchard").total == 1
    site.log.clear()
    second = ingest(tmp_path, [feed])
    assert second.sources[0].not_modified and second.sources[0].new == 0 and not second.crawl
    assert site.requests() == [("/robots.txt", 200), ("/feed.xml", 304)]  # no article fetched again
    assert search(tmp_path, "orchard").total == 1


def test_an_updated_article_replaces_its_old_version(site, tmp_path):
    feed = news_site(site)
    ingest(tmp_path, [feed])
    site.add("/news/tram", article("Tram plan approved", "tram", day="Thursday"))  # new text, new ETag
    site.add("/feed.xml", rss([(f"{site.url}/news/{t}", t, "2024-05-09T08:00:00" if t == "tram" else
                                "2024-05-06T08:00:00") for t in TOPICS]), content_type="application/rss+xml")
    site.log.clear()
    summary = ingest(tmp_path, [feed])
    [s] = summary.sources
    assert (s.new, s.updated, s.unchanged) == (0, 1, 3)
    assert [p for p, _ in site.requests("/news/")] == ["/news/tram"]  # only the article whose date moved
    assert search(tmp_path, "thursday").total == 1 and search(tmp_path, "tram").total == 1
    assert len(ids(tmp_path)) == 4


def test_an_article_listed_again_with_the_same_bytes_is_unchanged(site, tmp_path):
    feed = news_site(site)
    ingest(tmp_path, [feed])
    site.add("/feed.xml", rss([(f"{site.url}/news/{t}", t, "2024-05-10T08:00:00") for t in TOPICS]),
             content_type="application/rss+xml")
    s = ingest(tmp_path, [feed]).sources[0]
    assert (s.new, s.updated, s.unchanged) == (0, 0, 4)


def test_sitemap_indexes_google_news_sitemaps_atom_opml_and_article_urls(site, tmp_path):
    pages = {t: site.add(f"/p/{t}", article(t.title(), t)) for t in TOPICS + ["bridge", "ferry"]}
    site.add("/s1.xml", sitemap([(pages["harbour"], "2024-05-01")]), content_type="application/xml")
    site.add("/s2.xml", sitemap([(pages["tram"], "2024-05-01")], news=True), content_type="application/xml")
    index = site.add("/sitemap_index.xml", sitemap_index([site.url + "/s1.xml", site.url + "/s2.xml"]),
                     content_type="application/xml")
    atom_feed = site.add("/atom.xml", atom([(pages["library"], "L", "2024-05-01T00:00:00")]),
                         content_type="application/atom+xml")
    lists = tmp_path / "feeds.opml"
    lists.write_text(opml([atom_feed]))
    from searchapp.ingest.command import expand

    summary = ingest(tmp_path, [index, *expand((str(lists),)), pages["orchard"]])
    assert {s.url: (s.kind, s.new) for s in summary.sources} == {
        index: ("sitemapindex", 0), site.url + "/s1.xml": ("sitemap", 1), site.url + "/s2.xml": ("sitemap", 1),
        atom_feed: ("feed", 1), pages["orchard"]: ("page", 1)}
    assert ids(tmp_path) == {pages[t] for t in TOPICS}
    # a new article in a sitemap of the (unchanged) index is found on the next run
    site.add("/s1.xml", sitemap([(pages["harbour"], "2024-05-01"), (pages["bridge"], "2024-05-02")]),
             content_type="application/xml")
    site.log.clear()
    again = {s.url: s for s in ingest(tmp_path, [index]).sources}
    assert (again[site.url + "/s1.xml"].new, again[site.url + "/s1.xml"].unchanged) == (1, 1)
    assert again[site.url + "/s2.xml"].not_modified
    assert [p for p, _ in site.requests("/p/")] == ["/p/bridge"]


def test_hostile_sources_each_fail_alone_with_their_reason(site, tmp_path):
    good = news_site(site, ["harbour", "tram"])
    site.add("/private/secret", article("Secret", "secret"))
    site.add("/bad/article-404", "gone", status=404, content_type="text/plain")
    mixed = site.add("/mixed.xml", rss([(site.url + "/private/secret", "S", "2024-05-06T08:00:00"),
                                        (site.url + "/bad/article-404", "G", "2024-05-06T08:00:00"),
                                        (site.url + "/news/harbour", "H", "2024-05-06T08:00:00")]),
                     content_type="application/rss+xml")
    cafe = site.add("/news/cafe", article("Caf\u00e9 plan", "caf\u00e9").encode("latin-1"))  # says utf-8
    wrong_charset = site.add("/latin1.xml", rss([(cafe, "Caf\u00e9", "2024-05-06T08:00:00")]).encode("latin-1"),
                             content_type="application/rss+xml; charset=utf-8")
    hostile = {
        site.add("/bomb.xml", BILLION_LAUGHS, content_type="application/rss+xml"): "declares entities",
        site.add("/huge.xml", huge_feed(200), content_type="application/rss+xml"): "size cap",
        site.add("/loop", status=302, headers=[("Location", "/loop2")], etag=False): "redirect loop",
        site.add("/missing.xml", "no", status=404, content_type="text/plain"): "HTTP 404",
        site.add("/broken.xml", "no", status=500, content_type="text/plain"): "HTTP 500",
        site.add("/stall.xml", stall=True): "timed out",
        site.add("/image.xml", b"\x89PNG", content_type="image/png"): "content type 'image/png'",
    }
    site.add("/loop2", status=302, headers=[("Location", "/loop")], etag=False)
    summary = ingest(tmp_path, [*hostile, good, mixed, wrong_charset])
    by_url = {s.url: s for s in summary.sources}
    for url, reason in hostile.items():
        [(where, why)] = by_url[url].failed
        assert where == url and reason in why and url in why, (url, why)
    assert by_url[good].new == 2 and not by_url[good].failed
    failed = dict(by_url[mixed].failed)
    assert "disallowed by" in failed[site.url + "/private/secret"]
    assert "HTTP 404" in failed[site.url + "/bad/article-404"]
    assert by_url[wrong_charset].new == 1 and search(tmp_path, "caf\u00e9").total == 1
    assert ids(tmp_path) == {site.url + "/news/harbour", site.url + "/news/tram", cafe}  # nothing lost
    # the failed article is tried again next run, and the rest is not fetched again
    site.add("/bad/article-404", article("Back", "comeback"))
    site.log.clear()
    again = ingest(tmp_path, [mixed])
    assert again.sources[0].not_modified and again.sources[0].new == 1
    assert search(tmp_path, "comeback").total == 1


@pytest.mark.parametrize("per_file", [1, 100])  # the failure is traced to its page in any of the WARC files
def test_an_article_without_text_fails_alone(site, tmp_path, monkeypatch, per_file):
    from searchapp.ingest import crawl

    monkeypatch.setattr(crawl, "RECORDS_PER_FILE", per_file)
    good = site.add("/news/good", article("Good", "harbour"))
    empty = site.add("/news/empty", "<!DOCTYPE html><html><head><title></title></head><body></body></html>")
    also = site.add("/news/also", article("Also good", "tram"))
    feed = site.add("/f.xml", rss([(u, "x", "2024-05-06T00:00:00") for u in (good, empty, also)]),
                    content_type="application/rss+xml")
    summary = ingest(tmp_path, [feed])
    [s] = summary.sources
    assert len(summary.crawl) == (3 if per_file == 1 else 1)
    assert s.new == 2 and [u for u, _ in s.failed] == [empty] and "no extractable text" in s.failed[0][1]
    with State.beside(tmp_path / "ix").db as db:
        assert db.execute("SELECT status FROM pages WHERE url = ?", (empty,)).fetchone() == ("failed",)


def test_a_stop_request_ends_the_round_between_articles_and_keeps_what_was_fetched(site, tmp_path):
    feed = news_site(site)
    stop = threading.Event()
    site.on_request = lambda path: stop.set() if path == "/news/tram" else None  # "Ctrl-C" while it is fetched
    summary = ingest(tmp_path, [feed], stop=stop)
    assert summary.stopped and summary.sources[0].new == 2
    assert ids(tmp_path) == {f"{site.url}/news/harbour", f"{site.url}/news/tram"}
    site.on_request = None
    site.log.clear()
    rest = ingest(tmp_path, [feed]).sources[0]  # the feed is read again (its round was cut short)
    assert (rest.new, rest.unchanged) == (2, 2)
    assert sorted(p for p, _ in site.requests("/news/")) == ["/news/library", "/news/orchard"]


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "searchapp", "ingest", *map(str, args)], capture_output=True,
                          text=True, timeout=600, **kw)


def test_the_command_reports_per_source_and_exits_by_outcome(site, tmp_path):
    feed = news_site(site, ["harbour"])
    missing = site.url + "/nothing.xml"
    ix = tmp_path / "ix"
    first = run_cli(feed, "--index", ix, "--delay", "0", "--no-enrich", "--procs", "1", "--json")
    assert first.returncode == 0, first.stderr
    assert f"{feed} (feed): 1 new, 0 updated, 0 unchanged, 0 failed" in first.stderr
    assert json.loads(first.stdout)["new"] == 1
    second = run_cli(feed, missing, "--index", ix, "--delay", "0", "--no-enrich")
    assert second.returncode == 1
    assert f"{feed} (feed) (not modified): 0 new" in second.stderr and f"failed {missing}: HTTP 404" in second.stderr
    assert (ix / "ingest.sqlite3").is_file() and list((ix / "ingest").glob("*.warc.gz"))
    usage = run_cli(tmp_path / "no-such.opml", "--index", ix)
    assert usage.returncode == 2 and "no such file" in usage.stderr


def test_watch_polls_until_ctrl_c(site, tmp_path):
    feed = news_site(site, ["harbour"])
    proc = subprocess.Popen([sys.executable, "-m", "searchapp", "ingest", feed, "--index", tmp_path / "ix",
                             "--delay", "0", "--no-enrich", "--procs", "1", "--watch", "0.1"],
                            stderr=subprocess.PIPE, text=True)
    try:
        rounds = 0
        for line in proc.stderr:
            if line.startswith("ingest:"):
                rounds += 1
                if rounds == 2:  # a second round ran by itself
                    proc.send_signal(signal.SIGINT)
                    break
        assert proc.wait(timeout=600) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert [p for p, s in site.requests("/feed.xml")] == ["/feed.xml", "/feed.xml"]
    assert site.requests("/feed.xml")[1][1] == 304


def test_each_round_runs_the_saved_searches(site, tmp_path):
    """`ingest` (each round of --watch) reports what saved searches newly match, as JSON lines."""
    from searchapp.alerts import Alerts

    ix = tmp_path / "ix"
    first = run_cli(news_site(site, ["harbour"]), "--index", ix, "--delay", "0", "--no-enrich", "--procs", "1")
    assert first.returncode == 0, first.stderr
    Alerts(ix).add("trams", "tram", Searcher(IndexStore(ix)))
    feed = news_site(site, ["harbour", "tram"])
    second = run_cli(feed, "--index", ix, "--delay", "0", "--no-enrich", "--procs", "1")
    assert second.returncode == 0, second.stderr
    [row] = [json.loads(line) for line in second.stdout.splitlines()]
    assert row["alert"] == "trams" and row["id"] == f"{site.url}/news/tram" and "1 new hit" in second.stderr
    quiet = run_cli(feed, "--index", ix, "--delay", "0", "--no-enrich", "--procs", "1", "--no-alerts")
    assert quiet.returncode == 0 and quiet.stdout == ""
