"""The polite HTTP client (searchapp.ingest.fetch) against a real server on 127.0.0.1."""
import gzip

import pytest

from searchapp.ingest.fetch import FetchError, Fetcher, Policy
from bench.newssite import huge_feed

MiB = 1 << 20


def fetcher(**policy) -> Fetcher:
    return Fetcher(Policy(**{"delay": 0, "timeout": 1.0, **policy}))


def test_a_page_is_fetched_with_our_user_agent_after_robots_txt(site):
    url = site.add("/a", "<html>hello</html>")
    response = fetcher(user_agent="searchapp-test/1 (+mailto:x@example.invalid)").get(url, max_bytes=MiB)
    assert (response.status, response.body, response.content_type) == (200, b"<html>hello</html>", "text/html")
    assert [p for p, _, _ in site.log] == ["/robots.txt", "/a"]
    assert {ua for _, _, ua in site.log} == {"searchapp-test/1 (+mailto:x@example.invalid)"}


def test_conditional_get_gives_304_for_an_unchanged_page(site):
    url = site.add("/a", "<html>hello</html>")
    f = fetcher()
    first = f.get(url, max_bytes=MiB)
    again = f.get(url, max_bytes=MiB, etag=first.header("ETag"))
    assert again.not_modified and again.body == b""
    assert site.requests("/a") == [("/a", 200), ("/a", 304)]


def test_robots_txt_is_obeyed(site):
    url = site.add("/private/a", "<html>secret</html>")
    with pytest.raises(FetchError, match="disallowed by .*/robots.txt"):
        fetcher().get(url, max_bytes=MiB)
    assert site.requests("/private") == []  # never asked for


@pytest.mark.parametrize("status, allowed", [(404, True), (500, False)])
def test_a_missing_robots_txt_allows_all_an_unreachable_one_nothing(site, status, allowed):
    site.add("/robots.txt", "oops", status=status, content_type="text/plain")
    url = site.add("/a", "<html>hello</html>")
    if allowed:
        assert fetcher().get(url, max_bytes=MiB).status == 200
    else:
        with pytest.raises(FetchError, match=r"robots.txt unreachable \(HTTP 500\)"):
            fetcher().get(url, max_bytes=MiB)
        assert site.requests("/a") == []


def test_redirects_are_followed_and_bounded(site):
    site.add("/old", status=301, headers=[("Location", "/newer")], etag=False)
    site.add("/newer", status=302, headers=[("Location", site.url + "/new")], etag=False)
    site.add("/new", "<html>moved</html>")
    response = fetcher().get(site.url + "/old", max_bytes=MiB)
    assert response.url == site.url + "/new" and response.body == b"<html>moved</html>"
    site.add("/loop1", status=302, headers=[("Location", "/loop2")], etag=False)
    site.add("/loop2", status=302, headers=[("Location", "/loop1")], etag=False)
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher().get(site.url + "/loop1", max_bytes=MiB)
    for i in range(10):
        site.add(f"/hop{i}", status=307, headers=[("Location", f"/hop{i + 1}")], etag=False)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher().get(site.url + "/hop0", max_bytes=MiB)


@pytest.mark.parametrize("status", [404, 500, 503])
def test_http_errors_say_their_status(site, status):
    url = site.add("/x", "no", status=status, content_type="text/plain")
    with pytest.raises(FetchError, match=f"{url}: HTTP {status}"):
        fetcher().get(url, max_bytes=MiB)


def test_a_response_past_the_size_cap_is_abandoned_while_streaming(site):
    url = site.add("/huge.xml", huge_feed(200), content_type="application/rss+xml")  # 200 MB, generated
    with pytest.raises(FetchError, match="over the 2 MiB size cap"):
        fetcher().get(url, max_bytes=2 * MiB)


def test_a_declared_length_past_the_cap_is_refused_before_reading(site):
    url = site.add("/big.html", b"x" * (3 * MiB))
    with pytest.raises(FetchError, match="3.0 MiB, over the 1 MiB size cap"):
        fetcher().get(url, max_bytes=MiB)


def test_a_gzip_bomb_is_refused_at_the_cap_of_what_it_inflates_to(site):
    bomb = gzip.compress(b"\0" * (64 * MiB))  # 64 MiB in about 64 KiB
    url = site.add("/bomb.html", bomb, headers=[("Content-Encoding", "gzip")])
    with pytest.raises(FetchError, match="over the 1 MiB size cap"):
        fetcher().get(url, max_bytes=MiB)
    small = site.add("/small.html", gzip.compress(b"<html>ok</html>"), headers=[("Content-Encoding", "gzip")])
    assert fetcher().get(small, max_bytes=MiB).body == b"<html>ok</html>"


def test_a_server_that_stalls_times_out(site):
    url = site.add("/stall", stall=True)
    with pytest.raises(FetchError, match="timed out"):
        fetcher(timeout=0.5).get(url, max_bytes=MiB)


def test_content_types_are_checked(site):
    url = site.add("/photo", b"\x89PNG....", content_type="image/png")
    with pytest.raises(FetchError, match="content type 'image/png'"):
        fetcher().get(url, max_bytes=MiB, accept=("text/html",))


def test_only_http_urls_are_fetched():
    with pytest.raises(FetchError, match=r"^file:///etc/passwd: not an http\(s\) URL$"):
        fetcher().get("file:///etc/passwd", max_bytes=MiB)


@pytest.mark.parametrize("robots, wait", [("User-agent: *\nAllow: /\n", 5.0),
                                          ("User-agent: *\nCrawl-delay: 7\n", 7.0),
                                          ("User-agent: *\nCrawl-delay: 3600\n", 60.0)])
def test_each_host_waits_its_turn_and_a_sites_crawl_delay_wins(site, monkeypatch, robots, wait):
    """The waits the fetcher asks for, on a clock that moves only when it sleeps (no real time read)."""
    from searchapp.ingest import fetch

    clock, waits = [1000.0], []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(fetch, "_clock", lambda: clock[0])
    monkeypatch.setattr(fetch, "_sleep", sleep)
    site.add("/robots.txt", robots, content_type="text/plain")
    urls = [site.add(f"/{n}", "<html>x</html>") for n in range(3)]
    f = fetcher(delay=5.0)
    for url in urls:
        f.get(url, max_bytes=MiB)
    assert waits == [wait] * 3  # robots.txt went first; each page then waited for the request before it
