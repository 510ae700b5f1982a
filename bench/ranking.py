"""Ranking quality on the TIME collection (423 TIME magazine articles of 1963, 42 queries, qrels).

    python -m bench.ranking

The TIME articles are written as JSONL into the work folder (bench/corpus.py) and every engine
indexes that file. Runs, each retrieving the top 1000 per query:

* ``searchapp (default)``: `Searcher.search(q)` as users get it: AND of the words, with searchapp's
  automatic ranked-OR fallback when no article has them all (pages of 100 up to 1000);
* ``searchapp (OR)``: an explicit ``w1 OR w2 OR ...`` of the query's words;
* ``plain Whoosh``, ``SQLite FTS5``, ``tantivy``: an OR of the query's words (their best mode).

The queries are upper case in the collection; they are lower-cased (as a user types), so that
words such as AND/OR/NOT are not read as operators. "The query's words" are its runs of letters
and digits. Metrics: MAP (average precision over all relevant documents in qrels), nDCG@10 (binary
gains) and P@10, averaged over the queries that have relevance judgments.

Results: bench/results/ranking.json and ranking.md.
"""
from __future__ import annotations

import argparse
import math
import re
from collections import defaultdict
from typing import Any

from bench.common import TIME_DIR, fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.engines import ENGINES
from bench.index import ensure_indexes, index_dir

CORPUS = "time"
DEPTH = 1000


def load_queries() -> dict[str, str]:
    out = {}
    for line in (TIME_DIR / "queries.tsv").read_text(encoding="latin-1").splitlines():
        if line.strip():
            qid, _, text = line.partition("\t")
            out[qid.strip()] = text.strip()
    return out


def load_qrels() -> dict[str, set[str]]:
    rel: dict[str, set[str]] = defaultdict(set)
    for line in (TIME_DIR / "qrels.trec").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and int(parts[3]) > 0:
            rel[parts[0]].add(str(int(parts[2])))
    return dict(rel)


def words(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"[a-z0-9]+", text.lower())))


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    found, total = 0, 0.0
    for k, doc in enumerate(ranked, 1):
        if doc in relevant:
            found += 1
            total += found / k
    return total / len(relevant) if relevant else 0.0


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def precision_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def evaluate(run: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, Any]:
    per_query = {}
    for qid, relevant in qrels.items():
        ranked = run.get(qid, [])
        per_query[qid] = {"ap": average_precision(ranked, relevant), "ndcg10": ndcg_at(ranked, relevant),
                          "p10": precision_at(ranked, relevant), "retrieved": len(ranked)}
    n = len(per_query)
    return {
        "map": round(sum(q["ap"] for q in per_query.values()) / n, 4),
        "ndcg10": round(sum(q["ndcg10"] for q in per_query.values()) / n, 4),
        "p10": round(sum(q["p10"] for q in per_query.values()) / n, 4),
        "queries": n,
        "zero_result_queries": sum(1 for q in per_query.values() if q["retrieved"] == 0),
        "mean_retrieved": round(sum(q["retrieved"] for q in per_query.values()) / n, 1),
        "per_query": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in q.items()}
                      for k, q in per_query.items()},
    }


def run_all() -> dict[str, Any]:
    queries, qrels = load_queries(), load_qrels()
    engines = ["searchapp", "whoosh", "fts5", "tantivy"]
    ensure_indexes(CORPUS, engines)
    to_docno = lambda doc_id: doc_id.removeprefix("time-")  # noqa: E731
    runs: dict[str, dict[str, list[str]]] = {}
    with ENGINES["searchapp"].open(index_dir(CORPUS, "searchapp")) as s:
        log("ranking: searchapp (default, then OR)")
        runs["searchapp (default: AND, OR fallback)"] = {
            qid: [to_docno(d) for d in s.ranked(text.lower(), DEPTH)] for qid, text in queries.items()}
        runs["searchapp (OR of the words)"] = {
            qid: [to_docno(d) for d in s.ranked_ids(words(text), DEPTH)] for qid, text in queries.items()}
    for name in ("whoosh", "fts5", "tantivy"):
        log(f"ranking: {name} (OR)")
        with ENGINES[name].open(index_dir(CORPUS, name)) as s:
            runs[f"{ENGINES[name].label} (OR)"] = {
                qid: [to_docno(d) for d in s.ranked_ids(words(text), DEPTH)] for qid, text in queries.items()}
    scores = {name: evaluate(run, qrels) for name, run in runs.items()}
    peers = {k: v["map"] for k, v in scores.items() if not k.startswith("searchapp")}
    best_peer = max(peers, key=peers.get)
    default = scores["searchapp (default: AND, OR fallback)"]["map"]
    target = {"searchapp_default_map": default, "best_peer": best_peer, "best_peer_map": peers[best_peer],
              "met": default >= peers[best_peer],
              "searchapp_or_map": scores["searchapp (OR of the words)"]["map"]}
    return {"scores": scores, "target": target}


def markdown(res: dict[str, Any], meta: dict[str, Any]) -> str:
    rows = [[name, s["map"], s["ndcg10"], s["p10"], s["zero_result_queries"], s["mean_retrieved"]]
            for name, s in res["scores"].items()]
    t = res["target"]
    return "\n".join([
        run_header("Ranking quality: TIME collection (42 queries, top 1000)", meta),
        md_table(["run", "MAP", "nDCG@10", "P@10", "queries with no results", "mean retrieved"], rows, digits=4),
        f"\nTarget *searchapp's default MAP at least as high as the best peer*: {fmt(t['searchapp_default_map'], 4)} vs "
        f"{fmt(t['best_peer_map'], 4)} ({t['best_peer']}) → **{'met' if t['met'] else 'not met'}**.",
        "\nQueries lower-cased; peers and `searchapp (OR)` get an OR of the query's words (runs of letters and digits).",
    ])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.parse_args(argv)
    meta = {**machine(), "started": now_iso()}
    res = run_all()
    meta["finished"] = now_iso()
    paths = write_results("ranking", {"meta": meta, **res}, markdown(res, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
