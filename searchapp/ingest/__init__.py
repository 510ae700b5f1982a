"""Live news in: feeds, sitemaps, OPML lists and article URLs, fetched politely and indexed.

`fetch` (one polite HTTP client: robots.txt, per-host delay, conditional GET, limits), `listing`
(what a fetched source lists: a feed, a sitemap or sitemap index, an OPML list, or a page), `state`
(the SQLite file beside the index: sources, seen URLs, cache headers, runs), `crawl` (fetched pages
kept as a WARC file, which the ordinary readers and `index add` take), `run` (one round over the
sources, and its summary).
"""
