"""Natural queries: what each engine does with text people really type (hit count, or the error).

    python -m bench.natural                 # on the Reuters indexes (built first if missing)
    python -m bench.natural --corpus 100k

Each query goes unchanged to the engine's own query parser, as a search box would pass it:
searchapp ``search(q)``, plain Whoosh ``MultifieldParser(["title", "body"])``, FTS5 ``MATCH ?``,
tantivy ``index.parse_query(q, ["title", "body"], conjunction_by_default=True)``. The cell is the
total number of hits, or the exception the engine raised. searchapp's notices (such as its
OR fallback) are listed under the table.

Results: bench/results/natural.json and natural.md.
"""
from __future__ import annotations

import argparse
from typing import Any

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.engines import ENGINES
from bench.index import ensure_indexes, index_dir

NATURAL_QUERIES = ("U.S. trade deficit", "AT&T", "can't", "3-for-2 stock split", '"unbalanced quote',
                   "gold OR", "c++", "zürich")
ENGINE_ORDER = ("searchapp", "whoosh", "fts5", "tantivy")


def run(corpus: str) -> dict[str, Any]:
    ensure_indexes(corpus, list(ENGINE_ORDER))
    table: dict[str, dict[str, Any]] = {q: {} for q in NATURAL_QUERIES}
    notices: dict[str, list[str]] = {}
    for name in ENGINE_ORDER:
        with ENGINES[name].open(index_dir(corpus, name)) as session:
            for q in NATURAL_QUERIES:
                try:
                    table[q][name] = {"hits": session.count(q)}
                except Exception as e:
                    table[q][name] = {"error": f"{type(e).__name__}: {str(e).strip()}"[:200]}
                if name == "searchapp":
                    try:
                        res = session.searcher.search(q, facets=False, snippets=False)
                        if res.notices or res.suggestion:
                            notices[q] = res.notices + ([f"did you mean: {res.suggestion}"] if res.suggestion else [])
                    except Exception:
                        pass
    return {"corpus": corpus, "queries": table, "searchapp_notices": notices}


def markdown(res: dict[str, Any], meta: dict[str, Any]) -> str:
    def cell(v: dict[str, Any]) -> str:
        if "error" in v:
            return "error: " + fmt(v["error"][:90])
        return fmt(v["hits"])

    rows = [[f"`{q}`"] + [cell(res["queries"][q][e]) for e in ENGINE_ORDER] for q in NATURAL_QUERIES]
    parts = [run_header(f"Natural queries ({res['corpus']}): total hits, or the error raised", meta),
             md_table(["query"] + [ENGINES[e].label for e in ENGINE_ORDER], rows)]
    if res["searchapp_notices"]:
        parts.append("\nsearchapp notices:\n")
        for q, ns in res["searchapp_notices"].items():
            parts.append(f"- `{q}`: " + "; ".join(ns))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="reuters")
    args = ap.parse_args(argv)
    meta = {**machine(), "started": now_iso()}
    log(f"natural queries on {args.corpus}")
    res = run(args.corpus)
    meta["finished"] = now_iso()
    paths = write_results("natural", {"meta": meta, **res}, markdown(res, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
