"""What a query process holds: peak memory of a fresh process that opens an index and answers the
benchmark queries (top 10 with snippets, and facets where an engine has them), for searchapp and the
peers, one subprocess per engine, in one run.

    python -m bench.query_memory [--sizes reuters,100k] [--engines searchapp,whoosh,tantivy] [--rounds 2]

Issue #18's target: a searchapp query process at 100k articles holds no more than plain Whoosh's.
The peak is the subprocess's own ``ru_maxrss`` (``os.wait4``), taken after opening the index and every
query; best (lowest) of ``--rounds`` rounds, engines alternating.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from bench.common import QUERIES_FILE, log, machine, md_table, now_iso, parse_sizes, run_header, write_results
from bench.engines import ENGINES, load_queries
from bench.index import ensure_indexes, index_dir
from bench.queries import searchapp_variant

DEFAULT_ENGINES = ("searchapp", "whoosh", "tantivy")


def _child(engine: str, variant: str, corpus: str) -> None:
    """Subprocess body: open, answer every query once (snippets, facets where supported), print counts."""
    eng = ENGINES[variant]
    session = eng.open_session(index_dir(corpus, variant))
    answered = 0
    for q in load_queries(QUERIES_FILE):
        try:
            n = session.search(q, snippets=True, facets=eng.supports_facets)
        except Exception:  # an engine's error is not this benchmark's subject
            n = None
        answered += n is not None
    session.close()
    print(json.dumps({"answered": answered}))


def measure(engine: str, corpus: str) -> dict[str, Any]:
    variant = searchapp_variant(corpus, "auto") if engine == "searchapp" else engine
    proc = subprocess.Popen([sys.executable, "-m", "bench.query_memory", "--child", engine, variant, corpus],
                            stdout=subprocess.PIPE, env=os.environ.copy())
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{engine} on {corpus}: exit status {status}")
    return {"engine": engine, "variant": variant, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), **json.loads(out.decode().strip().splitlines()[-1])}


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="reuters")
    ap.add_argument("--engines", default=",".join(DEFAULT_ENGINES))
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    rows, results = [], []
    for corpus in parse_sizes(args.sizes):
        variants = [searchapp_variant(corpus, "auto") if e == "searchapp" else e for e in engines]
        ensure_indexes(corpus, variants)
        best: dict[str, dict[str, Any]] = {}
        for r in range(args.rounds):
            for e in (engines if r % 2 == 0 else engines[::-1]):
                log(f"query memory {corpus}: {e} (round {r + 1}/{args.rounds})")
                m = measure(e, corpus)
                if e not in best or m["peak_rss_mb"] < best[e]["peak_rss_mb"]:
                    best[e] = m
        base = best.get("whoosh", {}).get("peak_rss_mb")
        for e in engines:
            m = {**best[e], "corpus": corpus}
            m["vs_whoosh"] = round(m["peak_rss_mb"] / base, 2) if base else None
            results.append(m)
            rows.append([corpus, e, m["variant"], m["peak_rss_mb"], m["vs_whoosh"], m["answered"], m["cpu_s"]])
    table = md_table(["corpus", "engine", "index", "peak MB", "x plain Whoosh", "queries answered", "CPU s"], rows)
    meta = machine()
    write_results("query_memory", {"when": now_iso(), "machine": meta, "results": results},
                  run_header("Query-process memory", meta) + table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
