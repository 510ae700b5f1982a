"""Every Reuters-size benchmark in one go, then bench/results/summary.md.

    python -m bench.run_all                  # corpora, index, queries, natural, ranking, web, profile
    python -m bench.run_all --skip-index     # reuse the indexes of a previous run (no indexing numbers)
    python -m bench.run_all --only queries,ranking

Each benchmark runs as its own subprocess (``python -m bench.<name> ...``); one that fails is reported
in the summary and the others still run. summary.md starts with the issue's targets (met / not met,
as ratios measured in the same run) followed by every benchmark's tables. About 10 minutes on the
2-core machine; most of it is the searchapp build with enrichment.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from bench.common import RESULTS, ROOT, fmt, log, machine, md_table, now_iso, write_results

STEPS: dict[str, list[str]] = {
    "corpus": ["bench.corpus", "reuters", "time"],
    "index": ["bench.index", "--sizes", "reuters"],
    "queries": ["bench.queries", "--sizes", "reuters", "--rounds", "3"],
    "natural": ["bench.natural"],
    "ranking": ["bench.ranking"],
    "web": ["bench.web", "--clients", "16", "--duration", "15", "--rounds", "3"],
    "profile": ["bench.profile_search", "--modes", "snippets,facets,page", "--top", "15"],
    "profile-nodate": ["bench.profile_search", "--modes", "snippets,facets,page", "--top", "15",
                       "--exclude", "date", "--name", "profile-nodate"],
}
SECTIONS = ("index", "queries", "natural", "ranking", "web")


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"  # name may be "1m/queries": a scaling run kept in its own folder
    return json.loads(path.read_text()) if path.exists() else None


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("**met**" if met else "**not met**")


def targets() -> list[list[Any]]:
    """[target, measured, verdict] rows from the latest result files."""
    rows: list[list[Any]] = []
    q = _load("queries")
    t = (q or {}).get("summary", {}).get("targets", {})
    x = t.get("snippets_2x_faster_than_whoosh")
    rows.append(["Top 10 with snippets at Reuters size >= 2x faster than plain Whoosh (searchapp/Whoosh <= 0.5)",
                 f"p50 {fmt(x['p50_ratio'])}, p95 {fmt(x['p95_ratio'])}" if x else "not measured",
                 _verdict(x["met"]) if x else "—"])
    rr = (q or {}).get("summary", {}).get("ratios", {}).get("reuters", {})
    nd = rr.get("whoosh/snippets/no_dates")
    if nd:
        rows.append(["The same without the 25 date-range queries (for information)",
                     f"p50 {fmt(nd['p50'])}, p95 {fmt(nd['p95'])}", _verdict(nd["p50"] <= 0.5 and nd["p95"] <= 0.5)])
    for peer, label in (("fts5", "SQLite FTS5"), ("tantivy", "tantivy")):
        y = rr.get(f"{peer}/snippets")
        rows.append([f"searchapp / {label}, top 10 with snippets (for information)",
                     f"p50 {fmt(y['p50'])}, p95 {fmt(y['p95'])}" if y else "not measured", "—"])
    growth = t.get("p95_growth_1m_vs_reuters")
    where = ""
    if not growth:  # the scaling run of the README, kept in results/1m/
        scaled = _load("1m/queries")
        growth = (scaled or {}).get("summary", {}).get("targets", {}).get("p95_growth_1m_vs_reuters")
        where = f" (results/1m/, {scaled['meta'].get('finished', '')[:16]})" if growth else ""
    rows.append(["p95 (snippets) at 1M articles < 10x p95 at Reuters size",
                 f"{fmt(growth['ratio'])}x: {fmt(growth['1m_p95_ms'])} ms vs {fmt(growth['reuters_p95_ms'])} ms{where}"
                 if growth else "not run (optional: see README, scaling)",
                 _verdict(growth["met"]) if growth else "—"])
    ix = _load("index")
    if ix:
        by = {r["engine"]: r for r in ix["runs"] if r["corpus"] == "reuters"}
        if "searchapp" in by and "whoosh" in by:
            x = by["searchapp"]["articles_per_s"] / by["whoosh"]["articles_per_s"]
            rows.append(["Indexing with enrichment >= plain Whoosh without enrichment (articles/s)",
                         f"{fmt(by['searchapp']['articles_per_s'])} vs {fmt(by['whoosh']['articles_per_s'])}/s = {fmt(x)}x",
                         _verdict(x >= 1)])
            cpu = by["searchapp"]["cpu_s"] / by["whoosh"]["cpu_s"]
            rows.append(["A build with enrichment <= 1.5x plain Whoosh's CPU time (issue 18)",
                         f"{fmt(by['searchapp']['cpu_s'])} vs {fmt(by['whoosh']['cpu_s'])} CPU s = {fmt(cpu)}x",
                         _verdict(cpu <= 1.5)])
        if "searchapp" in by and "whoosh-procs2" in by:
            x = by["searchapp"]["articles_per_s"] / by["whoosh-procs2"]["articles_per_s"]
            rows.append(["On both cores, at least as fast as plain Whoosh with procs=2 (issue 18)",
                         f"{fmt(by['searchapp']['articles_per_s'])} vs {fmt(by['whoosh-procs2']['articles_per_s'])}/s"
                         f" = {fmt(x)}x", _verdict(x >= 1)])
    rk = _load("ranking")
    if rk:
        t2 = rk["target"]
        rows.append(["TIME MAP (searchapp default) >= best peer",
                     f"{fmt(t2['searchapp_default_map'], 4)} vs {fmt(t2['best_peer_map'], 4)} ({t2['best_peer']}); "
                     f"searchapp with OR: {fmt(t2['searchapp_or_map'], 4)}", _verdict(t2["met"])])
    web = _load("web")
    if web:
        seq = web.get("sequential")
        if seq:
            rows.append(["Search page (time in the app) vs bare top-10 library search at the median <= 2x",
                         f"{fmt(seq['page_vs_bare_p50'])}x ({fmt(seq['page_app']['p50_ms'])} ms vs "
                         f"{fmt(seq['bare']['p50_ms'])} ms); with the loopback round trip "
                         f"{fmt(seq['page_round_trip_vs_bare_p50'])}x",
                         _verdict(seq["page_vs_bare_p50"] <= 2)])
        errors = sum(v["errors"] for v in web["load"].values())
        rows.append(["Web under load: zero errors", f"{errors} errors", _verdict(errors == 0)])
    return rows


def profile_digest(name: str, title: str, limit: int = 8) -> str:
    prof = _load(name)
    if not prof:
        return ""
    parts = [f"## {title} (full tables in {name}.md)\n"]
    for r in prof["results"]:
        parts.append(f"**{r['mode']}** ({fmt(r['ms_per_query_profiled'])} ms per query under cProfile), "
                     "by own time, then searchapp functions by cumulative time:\n")
        parts.append(md_table(["function", "calls", "own %", "cum %"],
                              [[f"`{x['function']}`", x["calls"], x["own_pct"], x["cum_pct"]] for x in r["top_own"][:limit]]))
        parts.append("")
        parts.append(md_table(["function", "calls", "cum %", "own %"],
                              [[f"`{x['function']}`", x["calls"], x["cum_pct"], x["own_pct"]]
                               for x in r["top_cumulative"] if x["function"].startswith("searchapp/")][:limit]))
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help=f"comma-separated steps, from {', '.join(STEPS)}")
    ap.add_argument("--skip-index", action="store_true", help="reuse existing indexes (skip the indexing benchmark)")
    ap.add_argument("--summary-only", action="store_true", help="only rewrite summary.md from the latest results")
    args = ap.parse_args(argv)
    steps = [s.strip() for s in args.only.split(",")] if args.only else list(STEPS)
    if args.summary_only:
        steps = []
    if args.skip_index and "index" in steps:
        steps.remove("index")
    meta = {**machine(), "started": now_iso()}
    started = time.monotonic()
    status: dict[str, Any] = {}
    previous = _load("summary")
    if args.summary_only and previous:  # keep the run's own header facts
        meta, status = previous["meta"], previous["steps"]
    for step in steps:
        if step not in STEPS:
            raise SystemExit(f"--only: unknown step {step!r}; steps: {', '.join(STEPS)}")
        log(f"run_all: {step}")
        t0 = time.monotonic()
        rc = subprocess.run([sys.executable, "-m", *STEPS[step]], cwd=ROOT, stdout=subprocess.DEVNULL).returncode
        status[step] = {"exit_code": rc, "seconds": round(time.monotonic() - t0, 1)}
        log(f"run_all: {step} done in {status[step]['seconds']:.0f} s (exit code {rc})")
    if not args.summary_only:
        meta["finished"] = now_iso()
        meta["minutes"] = round((time.monotonic() - started) / 60, 1)
    total = (meta.get("minutes") or sum(v["seconds"] for v in status.values()) / 60) * 60
    parts = [f"# Benchmark summary\n\n{meta.get('finished', '')} · commit {meta['commit']}"
             + (f" + uncommitted changes in {len(meta['searchapp_uncommitted'])} searchapp file(s)"
                if meta["searchapp_uncommitted"] else "")
             + f" · {meta['cpus']} CPUs, load average {meta['loadavg'][0]} at the start · "
             f"`python -m bench.run_all` took {total / 60:.1f} min\n",
             "The machine is shared with other CPU-heavy work: absolute times are noisy, ratios measured "
             "in the same run are what count.\n",
             "## Targets\n", md_table(["target", "measured", "verdict"], targets()), ""]
    failed = {k: v for k, v in status.items() if v["exit_code"] != 0}
    if failed:
        parts.append("**Failed steps:** " + ", ".join(f"{k} (exit code {v['exit_code']})" for k, v in failed.items())
                     + " — their sections below may be from an earlier run.\n")
    parts.append(md_table(["step", "seconds", "exit code"], [[k, v["seconds"], v["exit_code"]] for k, v in status.items()]))
    parts.append("")
    for name in SECTIONS:
        path = RESULTS / f"{name}.md"
        if path.exists():
            parts.append(path.read_text())
    parts.append(profile_digest("profile", "Profile, all queries"))
    parts.append(profile_digest("profile-nodate", "Profile without the date-range queries"))
    md = "\n".join(parts)
    write_results("summary", {"meta": meta, "steps": status, "targets": targets()}, md)
    log(f"run_all: wrote {RESULTS / 'summary.md'} ({total / 60:.1f} min)")


if __name__ == "__main__":
    main()
