"""What grouping duplicates holds and costs, alone: one fresh process per run groups a corpus's articles
(searchapp.archive.duplicates.DuplicateIndex, as a rebuild's finalizer does) and reports its peak RSS
and time.

    python -m bench.duplicates_memory --sizes 100k,200k          # features in files, as a build keeps them
    python -m bench.duplicates_memory --sizes 100k --in-memory   # the features in memory, for comparison
    cd OLD_TREE && python -m bench.duplicates_memory --sizes 100k --in-memory   # an older searchapp's
    (this file copied into OLD_TREE/bench/; `python -m` reads the current folder first, so run it there)

Results: bench/results/duplicates_memory.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

from bench.common import corpus_files, iter_articles, md_table, now_iso, parse_sizes, write_results


def _child(size: str, in_memory: bool) -> None:
    """In the fresh process: group every article of the corpus, print the figures as JSON."""
    from searchapp.archive.duplicates import DuplicateIndex

    def records():
        for a in iter_articles(corpus_files(size)):
            yield {k: a.get(k) for k in ("id", "title", "body", "published", "publisher")}

    with tempfile.TemporaryDirectory(prefix="bench-duplicates-") as spill:
        started = time.perf_counter()
        index = DuplicateIndex() if in_memory else DuplicateIndex(spill=spill)  # (an older searchapp has no spill)
        index.add(records())
        seconds = time.perf_counter() - started
        groups = len(index.groups())
    print(json.dumps({"articles": len(index), "groups": groups, "seconds": seconds,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100k", help="corpora: reuters, 100k, 200k, 1m ...")
    ap.add_argument("--in-memory", action="store_true", help="keep the features in memory (no files)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.in_memory)
        return 0
    rows, runs = [], []
    for size in parse_sizes(args.sizes):
        corpus_files(size)  # made now if missing, not inside the measured process
        cmd = [sys.executable, "-m", "bench.duplicates_memory", "--child", size] + (["--in-memory"] if args.in_memory else [])
        out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        out["size"] = size
        runs.append(out)
        rows.append([size, out["articles"], out["groups"], out["seconds"], out["peak_mb"]])
        print(f"{size}: {out['articles']} articles, {out['groups']} groups, {out['seconds']:.1f} s, "
              f"peak {out['peak_mb']:.0f} MB", file=sys.stderr)
    where = "in memory" if args.in_memory else "in files (as a build)"
    md = (f"# Duplicate groups alone ({now_iso()}, features {where})\n\n"
          f"`python -m bench.duplicates_memory --sizes {args.sizes}{' --in-memory' if args.in_memory else ''}`: "
          "one fresh process per corpus groups every article; peak RSS of that process\n\n"
          + md_table(["corpus", "articles", "groups", "seconds", "peak MB"], rows, 1))
    write_results("duplicates_memory" + ("-in-memory" if args.in_memory else ""),
                  {"runs": runs, "in_memory": args.in_memory, "at": now_iso()}, md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
