"""What enrichment costs a build: `searchapp index build` of the Reuters SGML files, with and without it.

    python -m bench.enrichment                 # 2 rounds, alternating, the shared Reuters files
    python -m bench.enrichment --rounds 3 --data ../shared/data/reuters21578

Runs the real command line (`python -m searchapp index build DIR --index ... [--no-enrich]`) in a
subprocess per build, alternating with and without enrichment so that a busy machine slows both alike,
and reports the best wall time of each and their ratio. Targets (issues 3 and 4): people, places,
organisations and sources together must not make the build more than 2x slower, and quotes on top no
more than 1.5x slower than without them — this measures the whole enrichment stage against none.

Results: bench/results/enrichment.json and enrichment.md.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578"


def timed_build(data: Path, enrich: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="searchapp-enrich-") as work:
        cmd = [sys.executable, "-m", "searchapp", "index", "build", str(data), "--index", str(Path(work) / "ix")]
        if not enrich:
            cmd.append("--no-enrich")
        started = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if proc.returncode not in (0, 1):  # 1: a few non-article files were skipped, as expected
            raise RuntimeError(f"build failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"data not found: {args.data}")
    times: dict[str, list[float]] = {"with enrichment": [], "without enrichment": []}
    for r in range(args.rounds):
        for enrich in (True, False) if r % 2 == 0 else (False, True):
            label = "with enrichment" if enrich else "without enrichment"
            seconds = timed_build(args.data, enrich)
            log(f"round {r + 1}: {label}: {seconds:.1f} s")
            times[label].append(seconds)
    meta = machine()
    meta["finished"] = now_iso()
    best = {k: min(v) for k, v in times.items()}
    ratio = best["with enrichment"] / best["without enrichment"]
    result = {"meta": meta, "data": str(args.data), "rounds": args.rounds, "seconds": times, "best": best,
              "ratio": round(ratio, 2), "target_met": ratio <= 2.0}
    rows = [[k, fmt(best[k], 1), ", ".join(fmt(x, 1) for x in times[k])] for k in times]
    md = "\n".join([
        run_header("What enrichment costs `searchapp index build` of the Reuters files", meta),
        md_table(["build", "best wall s", "all rounds (s)"], rows), "",
        f"Ratio with/without: {ratio:.2f}x (target: at most 2x) → **{'met' if ratio <= 2 else 'not met'}**.",
    ])
    write_results("enrichment", result, md)
    print(md)


if __name__ == "__main__":
    main()
