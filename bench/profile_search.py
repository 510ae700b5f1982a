"""Profile searchapp's query path with cProfile over the whole query set (Reuters by default).

    python -m bench.profile_search                      # snippets, facets and the web page
    python -m bench.profile_search --modes snippets --top 40
    python -m bench.profile_search --exclude date --name profile-nodate   # the typical query, without date ranges

Modes: ``snippets`` = ``Searcher.search(q, facets=False, snippets=True)``; ``facets`` = ``search(q)``
with snippets and facets (what the page asks for); ``page`` = ``GET /search?q=`` through Flask's test
client (the view, the library call and template rendering, without HTTP). Each mode runs the query set
once to warm up (facet tables, caches), then ``--repeat`` times under the profiler.

Output: bench/results/<name>.md (top functions by own time and by cumulative time, per mode; name
``profile`` unless ``--name``), <name>.json, and <name>-<mode>.prof for ``python -m pstats`` or snakeviz.
``--exclude`` leaves query categories out (e.g. ``date``, whose range queries dominate the total).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from bench.common import QUERIES_FILE, RESULTS, fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.engines import load_queries
from bench.index import ensure_indexes, index_dir

MODES = ("snippets", "facets", "page")


def _runner(mode: str, index: Path) -> Callable[[str], Any]:
    if mode == "page":
        from searchapp.web import create_app

        client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()

        def page(q: str):
            resp = client.get("/search?q=" + quote(q, safe=""))
            if resp.status_code != 200:
                raise RuntimeError(f"/search?q={q} -> HTTP {resp.status_code}")
            return resp

        return page
    from searchapp.search import Searcher
    from searchapp.store import IndexStore

    searcher = Searcher(IndexStore(index))
    facets = mode == "facets"
    return lambda q: searcher.search(q, facets=facets, snippets=True)


def _short(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name
    parts = Path(path).parts
    for anchor in ("searchapp", "whoosh", "flask", "jinja2", "werkzeug"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[i:])}:{line}({name})"
    return f"{Path(path).name}:{line}({name})"


def profile_mode(mode: str, queries: list[str], index: Path, repeat: int, top: int, name: str) -> dict[str, Any]:
    run = _runner(mode, index)
    for q in queries:  # warm-up
        run(q)
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    for _ in range(repeat):
        for q in queries:
            run(q)
    prof.disable()
    wall = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(RESULTS / f"{name}-{mode}.prof"))
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = stats.total_tt
    rows = []
    for func, (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": _short(func), "calls": nc, "own_s": round(tt, 4), "cum_s": round(ct, 4),
                     "own_pct": round(100 * tt / total, 1), "cum_pct": round(100 * ct / total, 1)})
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    by_cum = sorted((r for r in rows if "searchapp/" in r["function"] or "whoosh/" in r["function"]
                     or r["function"].startswith(("flask/", "jinja2/"))), key=lambda r: -r["cum_s"])[:top]
    n = repeat * len(queries)
    return {"mode": mode, "queries": len(queries), "repeat": repeat, "calls": n, "wall_s": round(wall, 2),
            "profiled_s": round(total, 2), "ms_per_query_profiled": round(1000 * total / n, 2),
            "top_own": by_own, "top_cumulative": by_cum}


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    excluded = f", without the {', '.join(meta['excluded'])} queries" if meta.get("excluded") else ""
    parts = [run_header(f"Profile of searchapp's query path (cProfile, {meta['corpus']}{excluded})", meta),
             "Times are under the profiler (slower than unprofiled); shares of the total are what matter.\n"]
    for r in results:
        parts.append(f"### {r['mode']}: {r['calls']} calls, {fmt(r['ms_per_query_profiled'])} ms per query under the profiler\n")
        parts.append("By own time:\n")
        parts.append(md_table(["function", "calls", "own s", "own %", "cum s", "cum %"],
                              [[f"`{x['function']}`", x["calls"], x["own_s"], x["own_pct"], x["cum_s"], x["cum_pct"]]
                               for x in r["top_own"]]))
        parts.append("\nBy cumulative time (searchapp, whoosh, flask, jinja2 functions):\n")
        parts.append(md_table(["function", "calls", "cum s", "cum %", "own s"],
                              [[f"`{x['function']}`", x["calls"], x["cum_s"], x["cum_pct"], x["own_s"]]
                               for x in r["top_cumulative"]]))
        parts.append("")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="reuters")
    ap.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, from {', '.join(MODES)}")
    ap.add_argument("--repeat", type=int, default=1, help="profiled passes over the query set (default 1)")
    ap.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    ap.add_argument("--queries", default=str(QUERIES_FILE))
    ap.add_argument("--exclude", default="", help="comma-separated query categories to leave out (e.g. date)")
    ap.add_argument("--name", default="profile", help="result file name (default: profile)")
    ap.add_argument("--searchapp-index", choices=("enrich", "noenrich"), default="enrich",
                    help="which searchapp build to profile (default: the enriched one)")
    args = ap.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            raise SystemExit(f"--modes: unknown {m!r}; known: {', '.join(MODES)}")
    variant = "searchapp" if args.searchapp_index == "enrich" else "searchapp-noenrich"
    ensure_indexes(args.corpus, [variant])
    index = index_dir(args.corpus, variant)
    excluded = [c.strip() for c in args.exclude.split(",") if c.strip()]
    queries = [q.text for q in load_queries(Path(args.queries)) if q.category not in excluded]
    meta = {**machine(), "started": now_iso(), "corpus": args.corpus, "excluded": excluded, "index": variant}
    results = []
    for m in modes:
        log(f"profile: {m}")
        results.append(profile_mode(m, queries, index, args.repeat, args.top, args.name))
    meta["finished"] = now_iso()
    paths = write_results(args.name, {"meta": meta, "results": results}, markdown(results, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
