"""Whoosh, a local Xapian database and 2 Xapian shards on the same files and queries, in one run (#14).

    python -m bench.backends [--data DIR] [--enrich] [--procs N]
    python -m bench.backends --size 1m        # a synthetic corpus (bench/synth.py), made on first use


Builds each index in a temporary folder (the shards: two xapian-tcpsrv processes on 127.0.0.1 over
temporary databases, bench/cluster.py), runs the 230 bench queries (bench/queries.txt, every one an AND
of its parts) with snippets and facets, once to warm and once timed, and compares with Whoosh: the same
totals, and the overlap of the top 10 (|A & B| / max(|A|, |B|); 1 when both are empty). Whoosh is built
twice: the second build is the baseline of what a rebuild alone changes in the top 10 (equal scores are
ordered by document number). Writes bench/results/backends.{json,md}; with ``--size``, the synthetic
corpus of that size (its JSON lines carry their people and places, so nothing is enriched), Whoosh built
once, and bench/results/backends-SIZE.{json,md}.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.cluster import Cluster, available
from bench.common import corpus_files, md_table, now_iso, parse_size, percentile, write_results
from bench.engines import load_queries

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "reuters21578"
# "whoosh-again": a second Whoosh build of the same files, the baseline. Equal scores are ranked by
# document number, and the build's workers take the files in an order that differs from build to build,
# so even two Whoosh builds do not always agree on the top 10 of a query with many ties.
BACKENDS = ("whoosh", "whoosh-again", "xapian", "xapian-2-shards")


def _store(backend: str, tmp: Path, clusters: list):
    from searchapp.store import IndexStore

    if backend.startswith("whoosh"):
        return IndexStore(tmp / backend)
    if backend == "xapian":
        return IndexStore(tmp / backend, backend="xapian")
    clusters.append(Cluster(int(backend.split("-")[1]), tmp / (backend + "-cluster")))
    return IndexStore(tmp / backend, backend="xapian", shards=clusters[-1].addresses)


def disk_bytes(*folders: Path) -> int:
    return sum(p.stat().st_size for folder in folders for p in Path(folder).rglob("*") if p.is_file())


def run_backend(backend: str, files: list[Path], queries, tmp: Path, clusters: list, enrich: bool,
                procs: int | None) -> dict:
    from searchapp import indexer
    from searchapp.search import Searcher

    store = _store(backend, tmp, clusters)
    started = time.perf_counter()
    report = indexer.build(store, files, enrich=enrich, procs=procs)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    searcher = Searcher(store)
    first = []
    for q in queries:  # the first pass, cold: tables, per-document arrays, term postings, lexicons
        t = time.perf_counter()
        searcher.search(q.text, facets=True, snippets=True)
        first.append((time.perf_counter() - t) * 1000)
    first_pass_s = time.perf_counter() - started
    results, times = [], []
    for q in queries:
        started = time.perf_counter()
        res = searcher.search(q.text, facets=True, snippets=True)
        times.append((time.perf_counter() - started) * 1000)
        results.append({"total": res.total, "top": [h.id for h in res.hits]})
    on_disk = disk_bytes(store.root, *([clusters[-1].root] if backend.endswith("shards") else []))
    return {"backend": backend, "indexed": report.indexed, "build_s": build_s, "disk_mb": on_disk / 2**20,
            "first_pass_s": first_pass_s, "first_p50_ms": percentile(first, 50), "first_p95_ms": percentile(first, 95),
            "first_query_ms": first[0], "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "results": results}


def overlap(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return len(set(a) & set(b)) / max(len(a), len(b))


def compare(base: dict, other: dict, queries) -> dict:
    same_total = [x["total"] == y["total"] for x, y in zip(base["results"], other["results"])]
    overlaps = [overlap(x["top"], y["top"]) for x, y in zip(base["results"], other["results"])]
    differ = [{"query": q.text, "totals": [x["total"], y["total"]], "overlap": o}
              for q, x, y, o, same in zip(queries, base["results"], other["results"], overlaps, same_total)
              if not same or o < 1]
    return {"queries": len(queries), "same_total": sum(same_total), "mean_overlap": sum(overlaps) / len(overlaps),
            "min_overlap": min(overlaps), "identical_top10": sum(o == 1 for o in overlaps), "differ": differ}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the Reuters-21578 folder (reut2-*.sgm)")
    ap.add_argument("--enrich", action="store_true", help="extract names and quotes (slower build)")
    ap.add_argument("--procs", type=int, default=None)
    ap.add_argument("--size", default=None, help="a synthetic corpus instead of Reuters: 100k, 1m, ...")
    ap.add_argument("--backends", default=None,
                    help="a comma-separated subset of " + ",".join(BACKENDS) + " (to try one; the issue's figures "
                    "are all in one run)")
    args = ap.parse_args(argv)
    if args.size is not None and parse_size(args.size) is None:
        ap.error(f"--size: {args.size!r} is no size like 100k or 1m")
    files = corpus_files(args.size) if args.size else sorted(args.data.glob("reut2-*.sgm"))
    if not files:
        print(f"no reut2-*.sgm in {args.data}", file=sys.stderr)
        return 2
    backends = [b for b in BACKENDS if not (args.size and b == "whoosh-again")]  # a rebuild at 1M costs 45 min
    if args.backends:
        chosen = [b.strip() for b in args.backends.split(",") if b.strip()]
        if unknown := [b for b in chosen if b not in BACKENDS]:
            ap.error(f"--backends: unknown {', '.join(unknown)} (known: {', '.join(BACKENDS)})")
        backends = [b for b in BACKENDS if b in chosen]
    if (why := available()) is not None:
        print(why, file=sys.stderr)
        return 2
    queries = load_queries(ROOT / "bench" / "queries.txt")
    runs, clusters = [], []
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        try:
            for backend in backends:
                runs.append(run_backend(backend, files, queries, Path(tmp), clusters, args.enrich, args.procs))
                r = runs[-1]
                print(f"{backend}: built {r['indexed']} in {r['build_s']:.1f} s; first query {r['first_query_ms']:.0f} ms, "
                      f"first pass {r['first_pass_s']:.1f} s (p50 {r['first_p50_ms']:.1f} ms p95 {r['first_p95_ms']:.1f} ms); "
                      f"warm p50 {r['p50_ms']:.1f} ms p95 {r['p95_ms']:.1f} ms", file=sys.stderr, flush=True)
        finally:
            for cluster in clusters:
                cluster.stop()
    comparisons = {r["backend"]: compare(runs[0], r, queries) for r in runs[1:]}  # against the first (Whoosh)
    if [r["backend"] for r in runs[-2:]] == ["xapian", "xapian-2-shards"] and len(runs) > 2:
        comparisons["xapian-2-shards vs xapian"] = compare(runs[-2], runs[-1], queries)
    corpus = f"{args.size} synthetic articles" if args.size else "Reuters-21578"
    rows = [[r["backend"], r["indexed"], r["build_s"], r["disk_mb"], r["first_query_ms"], r["first_p50_ms"],
             r["first_p95_ms"], r["p50_ms"], r["p95_ms"]] for r in runs]
    eq_rows = [[name, f"{c['same_total']}/{c['queries']}", c["mean_overlap"], c["min_overlap"],
                f"{c['identical_top10']}/{c['queries']}"] for name, c in comparisons.items()]
    md = (f"# Backends on {corpus} ({now_iso()}, enrich={args.enrich})\n\n"
          "`python -m bench.backends" + (" --enrich" if args.enrich else "") + (f" --size {args.size}" if args.size else "")
          + "`: build, then the 230 bench "
          "queries with snippets and facets, a first pass (cold: the first query also reads the per-document arrays) "
          "then warm. whoosh-again: the same build again, the baseline (equal scores "
          "are ranked by document number, which the build's worker processes order differently each time)\n\n"
          + md_table(["backend", "articles", "build s", "on disk MB", "first query ms", "first pass p50 ms",
                     "first pass p95 ms", "warm p50 ms", "warm p95 ms"], rows) + "\n\n"
          f"Against {runs[0]['backend']} (or as named): same totals, top-10 overlap (mean, min), identical top 10\n\n"
          + md_table(["backend", "same total", "mean overlap", "min overlap", "identical top 10"], eq_rows, 3))
    data = {"runs": [{k: v for k, v in r.items() if k != "results"} for r in runs], "comparisons": comparisons,
            "enrich": args.enrich, "size": args.size, "at": now_iso()}
    name = "backends" + (f"-{args.size}" if args.size else "") + (f"-only-{'+'.join(backends)}" if args.backends else "")
    jpath, mpath = write_results(name, data, md)
    print(md)
    print(f"written: {jpath} {mpath}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
