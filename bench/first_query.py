"""The first query of a fresh process: how long from opening the index to the first results, and a
`searchapp search` from the shell, end to end.

    python -m bench.first_query --index bench/work/reuters/searchapp
    python -m bench.first_query --index DIR --rounds 5 --query "coffee brazil" --query "person:Reagan"

Each measurement is a new Python process (nothing cached but the operating system's file cache, which
the warm-up pass fills: this is the first query of a server or a shell command, not of a cold disk).
Two ways to get the search tables are timed in the same run, per query, alternating:

* ``saved``: the tables the last commit wrote (``TABLES-<toc>.pickle``), as every index built now has;
* ``built``: the tables built from the index's posting lists, as an index written before there were
  saved tables does (the peer: what every first query cost before).

And ``shell``: the wall time of ``searchapp search QUERY --index DIR`` (interpreter start, imports,
opening, tables, the query, printing). A query's figure is the median of its rounds.

Results: bench/results/first_query.json and first_query.md.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results

DEFAULT_QUERIES = ("coffee brazil", "person:Reagan", "oil prices place:Kuwait", "speaker:Volcker")

CHILD = r"""
import json, sys, time
mode, index, q = sys.argv[1:4]
t0 = time.perf_counter()
from searchapp.store import IndexStore
from searchapp.search import Searcher
from searchapp.search import facets
t1 = time.perf_counter()
store = IndexStore(index)
searcher = Searcher(store)
if mode == "built":  # what an index without saved tables costs: built from the posting lists
    facets.load_tables = lambda path: (_ for _ in ()).throw(OSError("not saved"))
    facets.save_tables = lambda path, tables: None  # nor saved for the next process
res = searcher.search(q)
t2 = time.perf_counter()
res2 = searcher.search(q)
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "first": t2 - t1, "second": t3 - t2, "total": res.total}))
"""


def child(mode: str, index: Path, q: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(index), q], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def shell(index: Path, q: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "searchapp", "search", q, "--index", str(index)], capture_output=True,
                   check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="a searchapp index folder")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--query", action="append", help="a query (repeatable; default: four kinds)")
    args = ap.parse_args(argv)
    queries = args.query or list(DEFAULT_QUERIES)
    child("saved", args.index, queries[0])  # the file cache, as a server or a shell command meets it
    runs: dict[str, dict[str, list]] = {q: {"saved": [], "built": [], "shell": [], "second": [], "imports": []}
                                        for q in queries}
    totals = {}
    for r in range(args.rounds):
        for q in queries:
            for mode in (("saved", "built") if r % 2 == 0 else ("built", "saved")):
                m = child(mode, args.index, q)
                runs[q][mode].append(m["first"])
                if mode == "saved":
                    runs[q]["second"].append(m["second"])
                    runs[q]["imports"].append(m["imports"])
                totals[q] = m["total"]
            runs[q]["shell"].append(shell(args.index, q))
        log(f"round {r + 1}/{args.rounds} done")
    med = {q: {k: statistics.median(v) for k, v in d.items()} for q, d in runs.items()}
    rows = [(q, totals[q], med[q]["saved"] * 1000, med[q]["built"] * 1000, med[q]["built"] / med[q]["saved"],
             med[q]["second"] * 1000, med[q]["imports"] * 1000, med[q]["shell"] * 1000) for q in queries]
    meta = {**machine(), "index": str(args.index), "rounds": args.rounds, "finished": now_iso()}
    table = md_table(["query", "hits", "first query, saved tables (ms)", "built tables (ms)", "built/saved",
                      "second query (ms)", "imports (ms)", "`searchapp search` (ms)"], rows, digits=1)
    markdown = run_header("First query of a fresh process", meta) + "\n" + table + "\n"
    write_results("first_query", {**meta, "runs": runs, "medians": med, "totals": totals}, markdown)
    print(markdown)
    print("slowest first query with saved tables:", fmt(max(m["saved"] for m in med.values()) * 1000, 1), "ms;",
          "slowest `searchapp search`:", fmt(max(m["shell"] for m in med.values()) * 1000, 1), "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
