"""What a fetched source lists (searchapp.ingest.listing): feeds of every dialect, sitemaps, sitemap
indexes, Google News sitemaps, OPML; XML bombs refused before anything expands them."""
import gzip

import pytest

from searchapp.ingest.listing import ListingError, read_listing
from bench.newssite import BILLION_LAUGHS, atom, opml, rss, sitemap, sitemap_index

ITEMS = [("https://news.example/a", "Alpha", "2024-05-01T10:00:00"),
         ("https://news.example/b", "Beta", "2024-05-02T10:00:00")]
RSS1 = """<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/"><title>R</title>
<link>https://news.example/</link><description>d</description></channel>
<item rdf:about="https://news.example/a"><title>Alpha</title><link>https://news.example/a</link></item>
<item rdf:about="https://news.example/b"><title>Beta</title><link>https://news.example/b</link></item></rdf:RDF>"""
RSS091 = """<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>https://news.example/</link>
<description>d</description><language>en</language>
<item><title>Alpha</title><link>https://news.example/a</link></item>
<item><title>Beta</title><link>https://news.example/b</link></item></channel></rss>"""


@pytest.mark.parametrize("document", [rss(ITEMS), atom(ITEMS), RSS1, RSS091], ids=["rss2", "atom", "rss1", "rss091"])
def test_feeds_of_every_dialect_list_their_links(document):
    listing = read_listing(document.encode(), url="https://news.example/feed")
    assert listing.kind == "feed"
    assert [i.url for i in listing.items] == ["https://news.example/a", "https://news.example/b"]


def test_feed_items_carry_their_dates_so_a_change_is_seen():
    listing = read_listing(rss(ITEMS).encode(), url="https://news.example/feed")
    assert all(i.updated for i in listing.items) and listing.items[0].updated != listing.items[1].updated


def test_relative_links_resolve_against_the_feed_url():
    doc = atom([("/2024/a", "A", "2024-05-01T10:00:00")])
    [item] = read_listing(doc.encode(), url="https://news.example/feeds/atom.xml").items
    assert item.url == "https://news.example/2024/a"


@pytest.mark.parametrize("news", [False, True])
def test_sitemaps_and_google_news_sitemaps(news):
    doc = sitemap([("https://news.example/a", "2024-05-01"), ("https://news.example/b", "2024-05-02")], news=news)
    listing = read_listing(doc.encode(), url="https://news.example/sitemap.xml")
    assert listing.kind == "sitemap"
    assert [(i.url, i.updated) for i in listing.items] == [("https://news.example/a", "2024-05-01"),
                                                           ("https://news.example/b", "2024-05-02")]


def test_sitemap_indexes_gzipped_sitemaps_and_opml_list_sources():
    index = read_listing(sitemap_index(["https://news.example/s1.xml.gz"]).encode(), url="https://news.example/i")
    assert (index.kind, index.sources) == ("sitemapindex", ["https://news.example/s1.xml.gz"])
    packed = gzip.compress(sitemap([("https://news.example/a", "2024-05-01")]).encode())
    assert [i.url for i in read_listing(packed, url="https://news.example/s1.xml.gz").items] == ["https://news.example/a"]
    lists = read_listing(opml(["https://a.example/rss", "https://b.example/atom"]).encode(), url="feeds.opml")
    assert (lists.kind, lists.sources) == ("opml", ["https://a.example/rss", "https://b.example/atom"])


def test_a_page_is_a_listing_of_itself():
    listing = read_listing(b"<!DOCTYPE html><html><body><p>Story</p></body></html>", url="https://news.example/a",
                           content_type="text/html")
    assert (listing.kind, [i.url for i in listing.items]) == ("page", ["https://news.example/a"])


def test_an_entity_expansion_bomb_is_refused_unexpanded():
    with pytest.raises(ListingError, match="declares entities"):
        read_listing(BILLION_LAUGHS.encode(), url="https://evil.example/feed")


def test_external_entities_are_refused():
    doc = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<rss version="2.0"><channel><title>&x;</title></channel></rss>')
    with pytest.raises(ListingError, match="refused"):
        read_listing(doc.encode(), url="https://evil.example/feed")


def test_a_gzipped_sitemap_bomb_is_refused(monkeypatch):
    from searchapp.ingest import listing

    monkeypatch.setattr(listing, "MAX_LISTING_BYTES", 1 << 20)
    with pytest.raises(ListingError, match="once decompressed"):
        read_listing(gzip.compress(b" " * (8 << 20)), url="https://evil.example/s.xml.gz")


def test_a_feed_in_another_charset_than_it_declares_is_still_read():
    doc = rss([("https://news.example/caf\u00e9", "Caf\u00e9 reopens", "2024-05-01T10:00:00")])
    listing = read_listing(doc.encode("latin-1"), url="https://news.example/feed")  # says utf-8: is latin-1
    assert [i.title for i in listing.items] == ["Caf\u00e9 reopens"]


@pytest.mark.parametrize("body", [b"just text, not a feed", b"<root><x/></root>", b"\x00\x01\x02binary"])
def test_what_is_no_listing_is_an_error(body):
    with pytest.raises(ListingError):
        read_listing(body, url="https://news.example/x")
