"""The index build with reading and enrichment on a Dask cluster: 2 workers against 1, on the Reuters
SGML files, with the plain multiprocessing build beside them.

    python -m bench.dask_build                 # 2 rounds, the shared Reuters files
    python -m bench.dask_build --rounds 3 --data ../shared/data/reuters21578

Each build is what `searchapp index build FILES --dask local:N` runs (`searchapp.cluster.build`: a
LocalCluster of N single-threaded worker processes started for it, then the shards indexed here by N
processes), into a fresh folder; the plain build is `searchapp index build FILES` (2 processes). The
variants alternate within a round (the order reversed every other round), so a busy machine slows
them alike; the best time of each counts. Wall time covers everything a user waits for: the
cluster's start, its models' loading, reading and enrichment, and the indexing of the shards. The
cluster stage ends when its last task is done. CPU time is the whole process tree's (the cluster's
workers and the build's processes are children of this one), so CPU time over wall time says how
many cores a build had: on a machine that others share, fewer than it asked for. Target (issue 14):
2 workers at least 1.7x as fast as 1 on two cores.

Results: bench/results/dask_build.json and dask_build.md.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REUTERS_DIR, fmt, log, machine, md_table, now_iso, run_header, write_results

VARIANTS = ("dask local:1", "dask local:2", "plain, 2 processes")
TARGET = 1.7


def timed_build(files: list[Path], variant: str) -> dict:
    from searchapp import cluster, indexer
    from searchapp.store import IndexStore

    stage_end = []
    with tempfile.TemporaryDirectory(prefix="searchapp-dask-bench-") as work:
        store = IndexStore(Path(work) / "ix")
        cpu = _cpu()
        started = time.perf_counter()
        if variant.startswith("dask "):
            report = cluster.build(store, files, variant.split()[1],
                                   cluster_progress=lambda p: stage_end.append(time.perf_counter()))
        else:
            report = indexer.build(store, files, procs=2)
        seconds = time.perf_counter() - started
        cpu = _cpu() - cpu
    return {"seconds": seconds, "cluster_s": stage_end[-1] - started if stage_end else None, "cpu_s": cpu,
            "indexed": report.indexed, "skipped": len(report.skipped), "loadavg": round(os.getloadavg()[0], 2)}


def _cpu() -> float:
    """CPU seconds of this process and its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REUTERS_DIR)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    files = sorted(args.data.glob("reut2-*.sgm"))
    if not files:
        sys.exit(f"no Reuters files (reut2-*.sgm) in {args.data}")
    meta = machine()
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for r in range(args.rounds):
        for variant in VARIANTS if r % 2 == 0 else tuple(reversed(VARIANTS)):
            result = timed_build(files, variant)
            log(f"round {r + 1}: {variant}: {result['seconds']:.1f} s ({result['indexed']:,} articles, "
                f"load average {result['loadavg']})")
            runs[variant].append(result)
    meta["finished"] = now_iso()
    meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    best = {v: min(runs[v], key=lambda x: x["seconds"]) for v in VARIANTS}
    speedup = best["dask local:1"]["seconds"] / best["dask local:2"]["seconds"]
    vs_plain = best["dask local:2"]["seconds"] / best["plain, 2 processes"]["seconds"]
    indexed = {r["indexed"] for v in VARIANTS for r in runs[v]}
    result = {"meta": meta, "data": str(args.data), "files": len(files), "rounds": args.rounds, "runs": runs,
              "best_seconds": {v: best[v]["seconds"] for v in VARIANTS}, "speedup_2_vs_1": round(speedup, 2),
              "dask2_vs_plain": round(vs_plain, 2), "same_articles": len(indexed) == 1,
              "target_met": speedup >= TARGET}
    rows = [[v, fmt(best[v]["seconds"], 1), fmt(best[v]["cluster_s"], 1),
             fmt(best[v]["indexed"] / best[v]["seconds"], 0), fmt(best[v]["cpu_s"], 0),
             fmt(best[v]["cpu_s"] / best[v]["seconds"], 2),
             ", ".join(f"{x['seconds']:.1f} (load {x['loadavg']})" for x in runs[v])] for v in VARIANTS]
    md = "\n".join([
        run_header(f"Index build with enrichment on a Dask cluster: {len(files)} Reuters files, "
                   f"{best['dask local:2']['indexed']:,} articles", meta),
        md_table(["build", "best wall s", "of it on the cluster, s", "articles/s", "CPU s", "cores used",
                  "all rounds: s (load average after)"], rows), "",
        f"- 2 workers against 1: **{speedup:.2f}x** (target: at least {TARGET}x on two cores) → "
        f"**{'met' if speedup >= TARGET else 'not met'}**.",
        f"- 2 Dask workers against the plain build on 2 processes: {vs_plain:.2f}x the time.",
        f"- Every build indexed the same number of articles: {'yes' if len(indexed) == 1 else f'no: {sorted(indexed)}'}.",
        f"- Load average at the start {meta['loadavg'][0]}, at the end {meta['loadavg_end'][0]} "
        f"(other work on the machine counts in it).",
    ])
    write_results("dask_build", result, md)
    print(md)


if __name__ == "__main__":  # the cluster's worker processes import this module again
    main()
