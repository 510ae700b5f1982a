"""What enrichment costs a build of the Reuters SGML files: none, everything but quotes, everything.

    python -m bench.enrichment                 # 2 rounds, the shared Reuters files
    python -m bench.enrichment --rounds 3 --data ../shared/data/reuters21578

Each build is `searchapp.indexer.build(...)` (what `searchapp index build DIR` runs, on every core)
into a fresh folder. The variants alternate within a round, so a busy machine slows them alike; the
best time of each counts. "Without quotes" is the default pipeline minus its quotes step. Targets:
people, places, organisations and sources must not make the build more than 2x slower than no
enrichment (issue 3); quotes no more than 1.5x slower than the same build without them (issue 4).

Results: bench/results/enrichment.json and enrichment.md.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578"
VARIANTS = ("no enrichment", "enrichment without quotes", "full enrichment")


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the build's workers, once it
    has waited for them)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_build(data: Path, variant: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (every process of the build) and articles of one build."""
    from searchapp import indexer
    from searchapp.nlp.pipeline import Pipeline, default_pipeline
    from searchapp.store import IndexStore

    def without_quotes(enrich: bool) -> Pipeline:
        return Pipeline([s for s in default_pipeline(enrich).steps if getattr(s, "name", "") != "quotes"])

    original = indexer.default_pipeline
    if variant == "enrichment without quotes":
        indexer.default_pipeline = without_quotes  # the workers are forked: they inherit this pipeline
    try:
        with tempfile.TemporaryDirectory(prefix="searchapp-enrich-") as work:
            started, cpu = time.perf_counter(), _cpu()
            report = indexer.build(IndexStore(Path(work) / "ix"), [data], enrich=variant != "no enrichment")
            return time.perf_counter() - started, _cpu() - cpu, report.indexed
    finally:
        indexer.default_pipeline = original


def model_costs() -> dict[str, float]:
    """In a fresh process: building the entity step (loads nothing), then loading the model (first use)."""
    code = ("import json, time; t0 = time.perf_counter(); from searchapp.nlp.entities import EntityStep, model; "
            "t1 = time.perf_counter(); EntityStep(); t2 = time.perf_counter(); model(); t3 = time.perf_counter(); "
            "print(json.dumps({'import_s': t1 - t0, 'step_ms': 1000 * (t2 - t1), 'model_load_s': t3 - t2}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"data not found: {args.data}")
    meta = machine()
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    articles = 0
    for r in range(args.rounds):
        for variant in VARIANTS if r % 2 == 0 else tuple(reversed(VARIANTS)):
            seconds, cpu_s, articles = timed_build(args.data, variant)
            log(f"round {r + 1}: {variant}: {seconds:.1f} s, {cpu_s:.1f} CPU s ({articles:,} articles)")
            times[variant].append(seconds)
            cpu[variant].append(cpu_s)
    costs = model_costs()
    meta["finished"] = now_iso()
    best = {k: min(v) for k, v in times.items()}
    best_cpu = {k: min(v) for k, v in cpu.items()}
    entities_ratio = best["full enrichment"] / best["no enrichment"]
    quotes_ratio = best["full enrichment"] / best["enrichment without quotes"]
    cpu_ratio = best_cpu["full enrichment"] / best_cpu["no enrichment"]
    result = {"meta": meta, "data": str(args.data), "articles": articles, "rounds": args.rounds, "seconds": times,
              "cpu_seconds": cpu, "best_cpu": best_cpu, "full_vs_none_cpu": round(cpu_ratio, 2), "model": costs,
              "best": best, "full_vs_none": round(entities_ratio, 2), "quotes_vs_without": round(quotes_ratio, 2),
              "targets_met": {"enrichment <= 2x": entities_ratio <= 2.0, "quotes <= 1.5x": quotes_ratio <= 1.5}}
    rows = [[v, fmt(best[v], 1), fmt(articles / best[v], 0), ", ".join(fmt(x, 1) for x in times[v]),
             fmt(best_cpu[v], 1), ", ".join(fmt(x, 1) for x in cpu[v])] for v in VARIANTS]
    md = "\n".join([
        run_header("What enrichment costs a build of the Reuters files", meta),
        md_table(["build", "best wall s", "articles/s", "all rounds (s)", "best CPU s", "all rounds (CPU s)"], rows), "",
        f"- Whole enrichment stage vs none: {entities_ratio:.2f}x (target: at most 2x) → "
        f"**{'met' if entities_ratio <= 2 else 'not met'}**.",
        f"- The same in CPU seconds, every process of the build: {cpu_ratio:.2f}x.",
        f"- Quotes (full vs without quotes): {quotes_ratio:.2f}x (target: at most 1.5x) → "
        f"**{'met' if quotes_ratio <= 1.5 else 'not met'}**.",
        f"- The entity model, in a fresh process: `EntityStep()` {costs['step_ms']:.2f} ms (it loads nothing), "
        f"the model's first load {costs['model_load_s']:.2f} s (after {costs['import_s']:.2f} s of imports).",
    ])
    write_results("enrichment", result, md)
    print(md)


if __name__ == "__main__":
    main()
