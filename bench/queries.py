"""Query latency: the fixed query set (bench/queries.txt) against every engine, in one process.

    python -m bench.queries                               # Reuters
    python -m bench.queries --sizes reuters,100k,1m       # scaling (builds missing indexes first)
    python -m bench.queries --rounds 5 --engines searchapp,whoosh

Modes, each top 10 with stored id and title:

* ``search``: ranked top 10 only (searchapp: ``search(q, facets=False, snippets=False)``, which also
  counts every hit; the peers return the top 10 without a total, except tantivy, which counts by default);
* ``snippets``: plus a highlighted snippet per hit (searchapp ``snippets=True``; Whoosh
  ``hit.highlights("body")``; FTS5 ``snippet()``; tantivy ``SnippetGenerator``);
* ``facets`` (searchapp only): snippets plus facet counts and the date histogram, i.e. everything the
  search page shows.

Method: one warm-up pass over every query, mode and engine (it also loads searchapp's per-generation
tables), then ``--rounds`` timed rounds. The warm-up is timed apart and reported as the *first pass*:
each query's first run in the process, in the mode each engine runs first (``search``), when no
posting list it needs has been read yet by this process (the operating system may have the files
cached). In each round the queries come in a
new shuffled order and each query runs in every mode on every engine back to back, engines in
rotating order, so the background load of this shared machine falls on all engines alike. A query's
latency is the median of its rounds; p50/p95 are taken across queries. Ratios searchapp/peer are on
the queries both engines run: ``place:``/``person:`` queries are searchapp-only (the peers have no
entity fields) and are reported separately. searchapp reuses one `Searcher`/`IndexStore`, as the
web app does; each peer reuses one open searcher/connection.

Results: bench/results/queries.json and queries.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import (DEFAULT_SIZES, QUERIES_FILE, corpus_count, corpus_files, fmt, log, machine, md_table,
                          now_iso, parse_size, parse_sizes, percentile, ratio, run_header, write_results)
from bench.engines import ENGINES, PEERS, BenchQuery, load_queries
from bench.index import ensure_indexes, index_dir

MODES = ("search", "snippets", "facets")
DEFAULT_ENGINES = ("searchapp", "whoosh", "fts5", "tantivy")


def searchapp_variant(corpus: str, choice: str) -> str:
    """Which searchapp index the query benchmark uses: the enriched one on Reuters (what users get);
    on synthetic corpora the enriched one if it was built, else the one without enrichment (the
    synthetic JSONL already carries people and places)."""
    if choice == "enrich":
        return "searchapp"
    if choice == "noenrich":
        return "searchapp-noenrich"
    if parse_size(corpus) is None or ENGINES["searchapp"].exists(index_dir(corpus, "searchapp")):
        return "searchapp"
    return "searchapp-noenrich"


def run_corpus(corpus: str, queries: list[BenchQuery], engines: list[str], rounds: int,
               searchapp_choice: str) -> dict[str, Any]:
    corpus_files(corpus)
    variants = {e: (searchapp_variant(corpus, searchapp_choice) if e == "searchapp" else e) for e in engines}
    ensure_indexes(corpus, list(variants.values()))
    sessions = {e: ENGINES[v].open_session(index_dir(corpus, v)) for e, v in variants.items()}
    modes = {e: [m for m in MODES if m != "facets" or ENGINES[variants[e]].supports_facets] for e in engines}
    # samples[engine][mode][query index] -> [ms per round]; hits[engine][mode][query index] -> hits returned
    samples: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    first: dict = defaultdict(lambda: defaultdict(dict))  # the warm-up's times: [engine][mode][query index]
    hits: dict = defaultdict(lambda: defaultdict(dict))
    errors: dict = defaultdict(list)
    skipped: dict = defaultdict(set)

    def run(engine: str, mode: str, i: int, timed: bool) -> None:
        q = queries[i]
        session = sessions[engine]
        kwargs = {"snippets": mode != "search", "facets": mode == "facets"}
        started = time.perf_counter()
        try:
            n = session.search(q, **kwargs)
        except Exception as e:  # an engine error is a result, not a crash
            if not timed:
                errors[engine].append({"query": q.text, "mode": mode, "error": f"{type(e).__name__}: {e}"[:300]})
            return
        ms = (time.perf_counter() - started) * 1000
        if n is None:
            skipped[engine].add(i)
            return
        hits[engine][mode][i] = n
        if timed:
            samples[engine][mode][i].append(ms)
        else:
            first[engine][mode][i] = ms

    log(f"queries {corpus}: warm-up ({len(queries)} queries x {len(engines)} engines)")
    for i in range(len(queries)):
        for e in engines:
            for m in modes[e]:
                run(e, m, i, timed=False)
    order = list(range(len(queries)))
    for r in range(rounds):
        random.Random(r).shuffle(order)
        log(f"queries {corpus}: round {r + 1}/{rounds}")
        gc.collect()
        for k, i in enumerate(order):
            rotated = engines[k % len(engines):] + engines[:k % len(engines)]
            for m in MODES:
                for e in rotated:
                    if m in modes[e]:
                        run(e, m, i, timed=True)
    for s in sessions.values():
        s.close()

    shared = [i for i, q in enumerate(queries) if not q.entity_fields]
    entity = [i for i, q in enumerate(queries) if q.entity_fields]
    no_dates = [i for i in shared if queries[i].category != "date"]
    out: dict[str, Any] = {"corpus": corpus, "articles": corpus_count(corpus), "variants": variants,
                           "engines": {}, "errors": dict(errors)}
    for e in engines:
        per_mode = {}
        for m in modes[e]:
            med = {i: statistics.median(v) for i, v in samples[e][m].items()}
            per_mode[m] = {
                "per_query_ms": {queries[i].text: round(v, 3) for i, v in sorted(med.items())},
                "shared": _stats([med[i] for i in shared if i in med]),
                "shared_no_dates": _stats([med[i] for i in no_dates if i in med]),
                "entity": _stats([med[i] for i in entity if i in med]),
                "all": _stats(list(med.values())),
                "by_category": {c: _stats([med[i] for i in med if queries[i].category == c])
                                for c in dict.fromkeys(q.category for q in queries)},
                "zero_hit_queries": sum(1 for i, n in hits[e][m].items() if n == 0),
                "first_pass_shared": _stats([v for i, v in first[e][m].items() if i in shared]),
            }
        out["engines"][e] = {"index": variants[e], "modes": per_mode, "skipped_queries": len(skipped[e]),
                             "errors": len(errors[e])}
    return out


def _stats(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "p50_ms": round(percentile(values, 50), 3), "p95_ms": round(percentile(values, 95), 3),
            "mean_ms": round(statistics.fmean(values), 3) if values else None}


# -- the report ----------------------------------------------------------------------------------------

def _label(e: str, res: dict) -> str:
    return ENGINES[res["engines"][e]["index"]].label


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Ratios searchapp/peer (shared queries) per corpus and mode, and the targets."""
    out: dict[str, Any] = {"ratios": {}, "targets": {}}
    for res in results:
        eng = res["engines"]
        if "searchapp" not in eng:
            continue
        rat = out["ratios"][res["corpus"]] = {}
        for peer in PEERS:
            if peer not in eng:
                continue
            for m in ("search", "snippets"):
                a, b = eng["searchapp"]["modes"][m]["shared"], eng[peer]["modes"][m]["shared"]
                rat[f"{peer}/{m}"] = {"p50": round(ratio(a["p50_ms"], b["p50_ms"]), 3),
                                      "p95": round(ratio(a["p95_ms"], b["p95_ms"]), 3)}
            for m in ("search", "snippets"):
                a, b = eng["searchapp"]["modes"][m]["shared_no_dates"], eng[peer]["modes"][m]["shared_no_dates"]
                rat[f"{peer}/{m}/no_dates"] = {"p50": round(ratio(a["p50_ms"], b["p50_ms"]), 3),
                                               "p95": round(ratio(a["p95_ms"], b["p95_ms"]), 3)}
        w = rat.get("whoosh/snippets")
        if w and res["corpus"] == "reuters":
            out["targets"]["snippets_2x_faster_than_whoosh"] = {
                "p50_ratio": w["p50"], "p95_ratio": w["p95"], "met": w["p50"] <= 0.5 and w["p95"] <= 0.5}
    by_corpus = {r["corpus"]: r for r in results}
    base = by_corpus.get("reuters")
    for res in results:
        if base is None or res is base or "searchapp" not in res["engines"] or "searchapp" not in base["engines"]:
            continue
        # the shared queries: place:/person: mean nothing on a Reuters build without enrichment
        p_small = base["engines"]["searchapp"]["modes"]["snippets"]["shared"]["p95_ms"]
        p_big = res["engines"]["searchapp"]["modes"]["snippets"]["shared"]["p95_ms"]
        growth = ratio(p_big, p_small)
        out["targets"][f"p95_growth_{res['corpus']}_vs_reuters"] = {
            "reuters_p95_ms": p_small, f"{res['corpus']}_p95_ms": p_big, "ratio": round(growth, 2),
            "met": growth < 10 if res["corpus"] == "1m" else None}
    return out


def markdown(results: list[dict[str, Any]], summ: dict[str, Any], meta: dict[str, Any]) -> str:
    parts = [run_header("Query latency (top 10)", meta),
             f"{meta['queries']} queries from bench/queries.txt, {meta['rounds']} timed rounds after a warm-up; "
             "a query's latency is the median of its rounds, p50/p95 are across queries. "
             "*Shared* = the queries every engine runs (no `place:`/`person:`).\n"]
    for res in results:
        eng = res["engines"]
        parts.append(f"### {res['corpus']} ({res['articles']:,} articles)\n")
        rows = []
        for e in eng:
            for m, st in eng[e]["modes"].items():
                sh, en = st["shared"], st["entity"]
                rat = ({"p50": None, "p95": None} if e == "searchapp" or "searchapp" not in eng else
                       {"p50": ratio(eng["searchapp"]["modes"][m]["shared"]["p50_ms"], sh["p50_ms"]) if m in eng["searchapp"]["modes"] else None,
                        "p95": ratio(eng["searchapp"]["modes"][m]["shared"]["p95_ms"], sh["p95_ms"]) if m in eng["searchapp"]["modes"] else None})
                rows.append([_label(e, res), m, sh["p50_ms"], sh["p95_ms"], sh["mean_ms"],
                             en["p50_ms"] if en["n"] else None, en["p95_ms"] if en["n"] else None,
                             rat["p50"], rat["p95"], st["zero_hit_queries"]])
        parts.append(md_table(["engine", "mode", "p50 ms (shared)", "p95 ms (shared)", "mean ms (shared)",
                               "p50 ms (place/person)", "p95 ms (place/person)",
                               "searchapp/this p50", "searchapp/this p95", "zero-hit queries"], rows))
        parts.append("")
        cats = list(next(iter(eng.values()))["modes"]["snippets"]["by_category"])
        parts.append("p50 / p95 ms by category, top 10 with snippets:\n")
        parts.append(md_table(["category"] + [_label(e, res) for e in eng],
                              [[c] + [_cat(eng[e]["modes"]["snippets"]["by_category"][c]) for e in eng] for c in cats]))
        parts.append("\nFirst pass (each query's first run in the process, top 10 without snippets) beside the "
                     "warm median of the timed rounds, shared queries:\n")
        parts.append(md_table(["engine", "first pass p50 ms", "first pass p95 ms", "warm p50 ms", "warm p95 ms",
                               "first/warm p95"],
                              [[_label(e, res), fp["p50_ms"], fp["p95_ms"], w["p50_ms"], w["p95_ms"],
                                ratio(fp["p95_ms"], w["p95_ms"])]
                               for e in eng for fp, w in [(eng[e]["modes"]["search"].get("first_pass_shared"),
                                                           eng[e]["modes"]["search"]["shared"])]
                               if fp is not None]))  # results written before the first pass was timed
        errs = {e: n for e, v in eng.items() if (n := v["errors"])}
        if errs:
            parts.append(f"\nErrors during the warm-up: {errs} (see queries.json).")
        parts.append("")
    t = summ["targets"]
    lines = ["### Targets\n"]
    if "snippets_2x_faster_than_whoosh" in t:
        x = t["snippets_2x_faster_than_whoosh"]
        lines.append(f"- Top 10 with snippets at Reuters size at least 2x faster than plain Whoosh (ratio <= 0.5): "
                     f"p50 {fmt(x['p50_ratio'])}, p95 {fmt(x['p95_ratio'])} → **{'met' if x['met'] else 'not met'}**.")
    rr = summ["ratios"].get("reuters", {})
    if "whoosh/snippets/no_dates" in rr:
        x = rr["whoosh/snippets/no_dates"]
        lines.append(f"- The same without the 25 date-range queries: p50 {fmt(x['p50'])}, p95 {fmt(x['p95'])}.")
    for peer in ("fts5", "tantivy"):
        if f"{peer}/snippets" in rr:
            x = rr[f"{peer}/snippets"]
            lines.append(f"- searchapp / {ENGINES[peer].label}, top 10 with snippets: p50 {fmt(x['p50'])}, p95 {fmt(x['p95'])}.")
    for k, v in t.items():
        if k.startswith("p95_growth_"):
            size = k.split("_")[2]
            verdict = "" if v["met"] is None else f" → **{'met' if v['met'] else 'not met'}** (target < 10x at 1m)"
            lines.append(f"- searchapp p95 (snippets, shared queries) at {size} vs Reuters: {fmt(v['ratio'])}x "
                         f"({fmt(v[f'{size}_p95_ms'])} ms vs {fmt(v['reuters_p95_ms'])} ms){verdict}.")
    parts.append("\n".join(lines))
    parts.append("\nPeers skip the place:/person: queries (no entity fields). Date ranges are an SQL filter on an "
                 "UNINDEXED column for FTS5 and a date range query for tantivy.")
    return "\n".join(parts)


def _cat(st: dict) -> str:
    return f"{fmt(st['p50_ms'])} / {fmt(st['p95_ms'])}" if st["n"] else "skipped"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(DEFAULT_SIZES), help="comma-separated: reuters, 100k, 1m, ...")
    ap.add_argument("--engines", default=",".join(DEFAULT_ENGINES))
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    ap.add_argument("--searchapp-index", choices=("auto", "enrich", "noenrich"), default="auto",
                    help="which searchapp build to query (auto: enriched on Reuters; on synthetic corpora the "
                         "enriched one if built, else without enrichment)")
    ap.add_argument("--queries", default=str(QUERIES_FILE))
    ap.add_argument("--render", metavar="JSON", help="only rewrite the summary and tables of an earlier queries.json")
    args = ap.parse_args(argv)
    if args.render:
        data = json.loads(Path(args.render).read_text())
        summ = summary(data["results"])
        paths = write_results("queries", {**data, "summary": summ}, markdown(data["results"], summ, data["meta"]))
        print(paths[1].read_text())
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in DEFAULT_ENGINES:
            raise SystemExit(f"--engines: unknown {e!r}; known: {', '.join(DEFAULT_ENGINES)}")
    queries = load_queries(Path(args.queries))
    meta = {**machine(), "started": now_iso(), "queries": len(queries), "rounds": args.rounds}
    results = [run_corpus(c, queries, engines, args.rounds, args.searchapp_index) for c in parse_sizes(args.sizes)]
    meta["finished"] = now_iso()
    summ = summary(results)
    paths = write_results("queries", {"meta": meta, "summary": summ, "results": results},
                          markdown(results, summ, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
