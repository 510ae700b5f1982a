""""Did you mean": how often the correction offered for a misspelt query is the query meant.

    python -m bench.spelling --index bench/work/reuters/searchapp
    python -m bench.spelling --index DIR --edits 2 --seed 3

The misspellings are made here from the benchmark's real queries (bench/queries.txt): in each query
made of plain words, one word of five letters or more gets ``--edits`` random edits (a letter
deleted, inserted, replaced, or two neighbours swapped), so that it is no word of the index. The
query meant is the original. For each misspelt query the search runs as users run it (with
spelling); the outcome is:

* right: the suggestion is the original query, or the same search (letter case aside, and words with
  one stem: "current accounts" for "current account");
* wrong: another suggestion (and whether it finds anything: a suggestion must never find nothing);
* none: no suggestion.

Also timed, in the same run: the misspelt query (with its suggestion) against the original, so that
an unknown word is seen to cost no more than a known one. The seed changes which words and edits.
Results: bench/results/spelling.json and spelling.md.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

from bench.common import QUERIES_FILE, fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.engines import load_queries

LETTERS = "abcdefghijklmnopqrstuvwxyz"
PLAIN = re.compile(r"[a-z]+( [a-z]+)*")


def misspell(word: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(1, len(word))  # people rarely get the first letter wrong
        kind = rng.choice(("delete", "insert", "replace", "swap"))
        if kind == "delete":
            word = word[:i] + word[i + 1:]
        elif kind == "insert":
            word = word[:i] + rng.choice(LETTERS) + word[i:]
        elif kind == "replace":
            word = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1:]
        elif i < len(word) - 1:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        else:
            word = word[:i - 1] + word[i] + word[i - 1]
    return word


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="a searchapp index of the Reuters files")
    ap.add_argument("--edits", type=int, default=1, choices=(1, 2))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from searchapp.search import Searcher
    from searchapp.store import IndexStore

    searcher = Searcher(IndexStore(args.index))
    rng = random.Random(args.seed)
    with searcher.store.searcher() as s:
        def known(word: str) -> bool:
            return any(s.doc_frequency(f, t) for t in s.analyze("body", word, query=True) for f in ("title", "body"))

        def same(a: str, b: str) -> bool:  # the same search: the same words once analysed ("account(s)")
            return s.analyze("body", a.lower(), query=True) == s.analyze("body", b, query=True)

        cases = []
        for bq in load_queries(QUERIES_FILE):
            if not PLAIN.fullmatch(bq.text):
                continue
            words = bq.text.split()
            long = [i for i, w in enumerate(words) if len(w) >= 5]
            if not long or searcher.search(bq.text, per_page=1, facets=False, snippets=False).total == 0:
                continue
            i = rng.choice(long)
            for _ in range(20):
                typo = misspell(words[i], args.edits, rng)
                if typo != words[i] and not known(typo):
                    break
            else:
                continue
            cases.append((bq.text, " ".join(words[:i] + [typo] + words[i + 1:])))
    log(f"{len(cases)} misspelt queries")
    outcomes = {"right": 0, "wrong": 0, "none": 0}
    empty_suggestions, rows, times = 0, [], {"misspelt": [], "original": []}
    for original, typo in cases:
        for name, q in (("original", original), ("misspelt", typo)) if rng.random() < 0.5 else \
                (("misspelt", typo), ("original", original)):
            start = time.perf_counter()
            res = searcher.search(q)
            times[name].append((time.perf_counter() - start) * 1000)
            if name == "misspelt":
                got = res.suggestion
        outcome = "none" if got is None else "right" if same(got, original) else "wrong"
        outcomes[outcome] += 1
        if got is not None and searcher.search(got, per_page=1, facets=False, snippets=False).total == 0:
            empty_suggestions += 1
        if outcome != "right":
            rows.append((typo, original, got or "—"))
    n = len(cases)
    accuracy = outcomes["right"] / n if n else 0.0
    meta = {**machine(), "index": str(args.index), "edits": args.edits, "seed": args.seed, "finished": now_iso()}
    summary = [("misspelt queries", n), ("right", outcomes["right"]), ("wrong", outcomes["wrong"]),
               ("no suggestion", outcomes["none"]), ("accuracy (right / all)", accuracy),
               ("suggestions that find nothing", empty_suggestions),
               ("misspelt query, median ms (with its suggestion)", statistics.median(times["misspelt"])),
               ("original query, median ms", statistics.median(times["original"]))]
    markdown = (run_header(f"Did you mean: {args.edits} edit(s) a query, seed {args.seed}", meta) + "\n"
                + md_table(["measure", "value"], summary, digits=3) + "\n\nNot right:\n\n"
                + md_table(["misspelt", "meant", "suggested"], rows[:60]) + "\n")
    write_results(f"spelling-{args.edits}", {**meta, "outcomes": outcomes, "accuracy": accuracy, "cases": cases,
                                             "empty_suggestions": empty_suggestions, "times_ms": times,
                                             "not_right": rows}, markdown)
    print(markdown)
    print(f"accuracy {fmt(accuracy, 3)} on {n}; suggestions finding nothing: {empty_suggestions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
