"""What collapsing copies of one story costs a query: the 230 bench queries, top 10 with snippets and
facets, with results collapsed (the default) and not, alternating query by query in one run.

    python -m bench.versions --index DIR        # an enriched index of the Reuters files

Results: bench/results/versions.json and versions.md.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import (QUERIES_FILE, fmt, machine, md_table, now_iso, percentile, ratio, run_header,
                          write_results)
from bench.engines import load_queries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from searchapp.search import QueryError, Searcher
    from searchapp.store import IndexStore

    meta = machine()
    searcher = Searcher(IndexStore(args.index))
    queries = [q.text for q in load_queries(QUERIES_FILE)]
    for q in queries:  # warm: tables, postings
        for collapse in (True, False):
            try:
                searcher.search(q, collapse=collapse)
            except QueryError:
                pass
    times: dict[bool, list[float]] = {True: [], False: []}
    merged = 0
    for r in range(args.rounds):
        for q in queries:
            for collapse in ((True, False) if r % 2 == 0 else (False, True)):
                started = time.perf_counter()
                try:
                    res = searcher.search(q, collapse=collapse)
                except QueryError:
                    continue
                times[collapse].append((time.perf_counter() - started) * 1000)
                if collapse and r == 0:
                    merged += res.articles - res.total
    meta["finished"] = now_iso()
    stats = {k: {"p50": percentile(v, 50), "p95": percentile(v, 95)} for k, v in times.items()}
    result = {"meta": meta, "queries": len(queries), "rounds": args.rounds, "collapsed": stats[True],
              "not_collapsed": stats[False], "p50_ratio": ratio(stats[True]["p50"], stats[False]["p50"]),
              "p95_ratio": ratio(stats[True]["p95"], stats[False]["p95"]), "copies_merged": merged}
    md = "\n".join([
        run_header("What collapsing copies costs a query", meta),
        md_table(["results", "p50 ms", "p95 ms"], [["one per story (default)", fmt(stats[True]["p50"]), fmt(stats[True]["p95"])],
                                                   ["every article", fmt(stats[False]["p50"]), fmt(stats[False]["p95"])]]),
        "",
        f"- Collapsed vs not: p50 {result['p50_ratio']:.2f}x, p95 {result['p95_ratio']:.2f}x "
        f"({len(queries)} queries x {args.rounds} rounds; {merged:,} copies merged over the queries' first pages' totals).",
    ])
    write_results("versions", result, md)
    print(md)


if __name__ == "__main__":
    main()
