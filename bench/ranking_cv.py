"""Ranking parameters chosen honestly: cross-validation over TIME's queries.

    python -m bench.ranking_cv                 # 5 folds, the default grid
    python -m bench.ranking_cv --folds 7 --seed 2
    python -m bench.ranking_cv --proximity 0,0.5 --feedback 0,0.25,0.5 --lead 0   # the grid of 2026-12-07

BM25's k1 and b, the weight of the bonus for query words next to each other in an article
(searchapp.store.ranking.PROXIMITY), the weight of pseudo-relevance feedback for long queries
(RM3, searchapp.search.feedback.WEIGHT) and the bonus for query words in an article's lead
(searchapp.search.lead.WEIGHT) are chosen on some queries and measured on others. Every
(k1, b, proximity, feedback, lead) of the grid runs
every query once, as users search (`Searcher.search`: AND with the ranked-OR fallback, top 1000;
bench/ranking.py's measures); then, for each fold, the pair with the best mean average precision
on the other folds is measured on the fold's own queries. The cross-validated MAP and nDCG@10 are
the means over all queries, each scored by parameters chosen without it. Beside them, in the same
run: the textbook parameters (1.2, 0.75), the shipped ones (searchapp.store.ranking K1, B), the best
pair chosen on all queries (the optimistic figure, for comparison only), and the peers' scores
(plain Whoosh, SQLite FTS5, tantivy with an OR of the words; their own defaults, nothing tuned).

Results: bench/results/ranking_cv.json and ranking_cv.md.
"""
from __future__ import annotations

import argparse
import random
import statistics

from bench.common import machine, md_table, now_iso, run_header, write_results
from bench.engines import ENGINES
from bench.index import ensure_indexes, index_dir
from bench.ranking import CORPUS, DEPTH, average_precision, load_qrels, load_queries, ndcg_at, words

K1S = (0.6, 0.9, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0)
BS = (0.3, 0.5, 0.6, 0.75, 0.9)
# the defaults of the extras' options: the adjacent-pair bonus (searchapp.store.ranking.PROXIMITY),
# RM3's share of the score for long queries (searchapp.search.feedback.WEIGHT), the lead's bonus
# (searchapp.search.lead.WEIGHT)
PROXIMITY = (0.0,)
FEEDBACK = (0.0,)
LEAD = (0.0, 0.25, 0.5, 1.0)


def per_query(k1: float, b: float, prox: float, fb: float, ld: float, queries: dict[str, str],
              qrels: dict[str, set[str]]) -> dict[str, tuple[float, float]]:
    """qid -> (AP, nDCG@10) with BM25 at (k1, b), the pair bonus ``prox``, feedback ``fb`` and the lead's
    bonus ``ld``: a fresh store, so no score is cached."""
    from searchapp.search import Searcher, feedback, lead
    from searchapp.store import IndexStore, ranking

    saved = ranking.K1, ranking.B, ranking.PROXIMITY, feedback.WEIGHT, lead.WEIGHT
    ranking.K1, ranking.B, ranking.PROXIMITY, feedback.WEIGHT, lead.WEIGHT = k1, b, prox, fb, ld
    try:
        searcher = Searcher(IndexStore(index_dir(CORPUS, "searchapp")))
        out = {}
        for qid, relevant in qrels.items():
            ids: list[str] = []
            page = 1
            while len(ids) < DEPTH:
                res = searcher.search(queries[qid].lower(), page=page, per_page=100, facets=False, snippets=False,
                                      spelling=False)
                ids += [h.id.removeprefix("time-") for h in res.hits]
                if page >= res.pages or not res.hits:
                    break
                page += 1
            out[qid] = (average_precision(ids[:DEPTH], relevant), ndcg_at(ids, relevant))
        return out
    finally:
        ranking.K1, ranking.B, ranking.PROXIMITY, feedback.WEIGHT, lead.WEIGHT = saved


def peers(queries: dict[str, str], qrels: dict[str, set[str]]) -> dict[str, dict[str, tuple[float, float]]]:
    out = {}
    for name in ("whoosh", "fts5", "tantivy"):
        with ENGINES[name].open(index_dir(CORPUS, name)) as s:
            out[ENGINES[name].label] = {
                qid: (average_precision(r := [d.removeprefix("time-") for d in s.ranked_ids(words(queries[qid]), DEPTH)],
                                        rel), ndcg_at(r, rel)) for qid, rel in qrels.items()}
    return out


def mean(scores: dict[str, tuple[float, float]], qids, i: int) -> float:
    return statistics.fmean(scores[q][i] for q in qids)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)

    def weights(text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in text.split(","))

    for name, default in (("proximity", PROXIMITY), ("feedback", FEEDBACK), ("lead", LEAD)):
        ap.add_argument(f"--{name}", type=weights, default=default,
                        help=f"the {name} weights of the grid, comma-separated (default: {','.join(map(str, default))})")
    args = ap.parse_args(argv)
    from searchapp.search import feedback, lead
    from searchapp.store import ranking

    ensure_indexes(CORPUS, ["searchapp", "whoosh", "fts5", "tantivy"])
    queries, qrels = load_queries(), load_qrels()
    grid = {(k1, b, x, f, ld): per_query(k1, b, x, f, ld, queries, qrels)
            for k1 in K1S for b in BS for x in args.proximity for f in args.feedback for ld in args.lead}
    qids = sorted(qrels)
    random.Random(args.seed).shuffle(qids)
    folds = [qids[i::args.folds] for i in range(args.folds)]
    chosen: dict[str, tuple[float, float]] = {}
    fold_rows = []
    for n, test in enumerate(folds, 1):
        train = [q for q in qids if q not in test]
        best = max(grid, key=lambda p: (mean(grid[p], train, 0), -p[2], -p[3], -p[4], -abs(p[0] - 1.2), -abs(p[1] - 0.75)))
        for q in test:
            chosen[q] = grid[best][q]
        fold_rows.append((n, len(test), *best, mean(grid[best], train, 0), mean(grid[best], test, 0),
                          mean(grid[best], test, 1)))
    everything = max(grid, key=lambda p: mean(grid[p], qids, 0))
    shipped = (ranking.K1, ranking.B, ranking.PROXIMITY, feedback.WEIGHT, lead.WEIGHT)
    runs = {"searchapp, cross-validated (k1, b, proximity, feedback, lead chosen on the other folds)": chosen,
            "searchapp, textbook BM25 (1.2, 0.75, no extras)": grid.get((1.2, 0.75, 0.0, 0.0, 0.0))
            or per_query(1.2, 0.75, 0.0, 0.0, 0.0, queries, qrels),
            f"searchapp, shipped {shipped}": grid.get(shipped) or per_query(*shipped, queries, qrels),
            f"searchapp, best on all queries {everything} (optimistic)": grid[everything]}
    runs.update({f"{name} (OR of the words)": s for name, s in peers(queries, qrels).items()})
    rows = [(name, mean(s, qids, 0), mean(s, qids, 1)) for name, s in runs.items()]
    meta = {**machine(), "folds": args.folds, "seed": args.seed, "queries": len(qids), "finished": now_iso()}
    markdown = (run_header(f"Ranking chosen by {args.folds}-fold cross-validation on TIME ({len(qids)} queries)", meta)
                + "\n" + md_table(["run", "MAP", "nDCG@10"], rows, digits=4) + "\n\nFolds:\n\n"
                + md_table(["fold", "queries", "k1", "b", "proximity", "feedback", "lead", "MAP on the other folds",
                            "MAP on this fold",
                            "nDCG@10 on this fold"], fold_rows, digits=4) + "\n")
    write_results("ranking_cv", {**meta, "runs": {k: dict(v) for k, v in runs.items()}, "folds": fold_rows,
                                 "grid": {",".join(map(str, p)): [mean(s, qids, 0), mean(s, qids, 1)]
                                          for p, s in grid.items()}},
                  markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
