"""Ingest throughput: `searchapp ingest` of a local feed of 1,000 articles, then a re-run.

    python -m bench.ingest                      # 1,000 items, no enrichment, a fresh index
    python -m bench.ingest --items 300 --enrich

A news site on 127.0.0.1 (bench/newssite.py, the one the tests use) serves an RSS feed and its
articles, generated; the round is `searchapp.ingest.run.Round` (what the command runs) with no delay
between requests (a real site gets one second). Measured: the first round (fetch, keep as WARC, one
`index add`), articles/s, and how the time splits into fetching and indexing; then a second round,
which should fetch nothing but a 304 for the feed. Loopback only: a real site's latency and our own
per-host delay dominate real runs.

Results: bench/results/ingest.json and ingest.md.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.newssite import Site, article, prose, rss

TOPICS = ["harbour", "tram", "library", "orchard", "ferry", "bridge", "school", "market", "museum", "stadium"]


def run_round(index: Path, feed: str, enrich: bool) -> tuple[dict, float, float]:
    """(summary, seconds of the whole round, seconds of its index add)."""
    from searchapp import indexer
    from searchapp.ingest.fetch import Fetcher, Policy
    from searchapp.ingest.run import Round
    from searchapp.ingest.state import State
    from searchapp.store import IndexStore

    spent = {"index": 0.0}
    add, build = indexer.add, indexer.build

    def timed(fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent["index"] += time.perf_counter() - start
        return wrapper

    indexer.add, indexer.build = timed(add), timed(build)
    state = State.beside(index)
    try:
        start = time.perf_counter()
        summary = Round(IndexStore(index), state, Fetcher(Policy(delay=0)), enrich=enrich).run([feed])
        total = time.perf_counter() - start
    finally:
        indexer.add, indexer.build = add, build
        state.close()
    return summary.to_json(), total, spent["index"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--enrich", action="store_true", help="with people, places, sources and quotes")
    args = parser.parse_args(argv)
    meta = {**machine(), "started": now_iso(), "items": args.items, "enrich": args.enrich}
    site = Site()
    try:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        items = []
        for n in range(args.items):
            topic = TOPICS[n % len(TOPICS)]
            url = site.add(f"/news/{n}", article(f"{topic.title()} plan {n} approved", f"{topic} {n}",
                                                 extra=prose(n)))
            items.append((url, f"Story {n}", "2024-05-06T08:00:00"))
        feed = site.add("/feed.xml", rss(items), content_type="application/rss+xml")
        with tempfile.TemporaryDirectory() as tmp:
            index = Path(tmp) / "ix"
            log(f"first round: {args.items} articles")
            first, first_s, first_index_s = run_round(index, feed, args.enrich)
            requests_before = len(site.log)
            log("second round")
            second, second_s, _ = run_round(index, feed, args.enrich)
            second_requests = len(site.log) - requests_before
    finally:
        site.close()
    result = {
        "meta": {**meta, "finished": now_iso()},
        "first": {"seconds": first_s, "index_seconds": first_index_s, "fetch_seconds": first_s - first_index_s,
                  "new": first["new"], "failed": first["failed"], "requests": first["requests"],
                  "articles_per_second": first["new"] / first_s if first_s else 0.0},
        "second": {"seconds": second_s, "new": second["new"], "unchanged": second["unchanged"],
                   "requests": second_requests, "not_modified": second["sources"][0]["not_modified"]},
    }
    f, s = result["first"], result["second"]
    table = md_table(
        ["round", "articles new", "requests", "seconds", "articles/s", "fetching s", "indexing s"],
        [["first", f["new"], f["requests"], fmt(f["seconds"]), fmt(f["articles_per_second"], 1),
          fmt(f["fetch_seconds"]), fmt(first_index_s)],
         ["re-run", s["new"], s["requests"], fmt(s["seconds"]), "—", "—", "—"]])
    markdown = (run_header(f"Ingest: a local feed of {args.items} articles "
                           f"({'with' if args.enrich else 'without'} enrichment)", result["meta"])
                + "\n" + table + "\n\nThe re-run's requests: robots.txt and the feed "
                + ("(304 Not Modified)." if s["not_modified"] else "(the feed changed?).") + "\n")
    write_results("ingest", result, markdown)
    print(markdown)
    return 0 if f["failed"] == 0 and s["new"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
