"""Peak memory and time of `index build` and `index add` on one hostile input at a time.

    python -m bench.memory                              # every case of bench/hostile.LARGE_CASES, enriched
    python -m bench.memory --cases prose-7.9mb-txt --no-enrich --rounds 1

Each case's file is generated (bench/hostile.py) into a temporary folder, then the real command runs
in a subprocess with one worker (`--procs 1`): `index build FILE`, and `index add FILE` into an index
that holds one small article. The peak is the largest resident set of any process of the command (the
worker, or the command itself), from getrusage(RUSAGE_CHILDREN) in a fresh intermediate process that
runs nothing else. Time is the command's wall time from start to exit, and its CPU time (user + system,
every process), each also per MiB over what the same command takes on one small article (Python
start-up, imports and model loading: about 2.5 s, which would swamp small inputs). Targets (issue #12):
at most 300 MB per worker; at most 10 s per MiB over the one-article command, judged on CPU time (this
machine is shared: its wall time swings with the other users' load), wall time shown beside it; every
input indexed (maybe without some extraction, said in the report) or skipped. Each command runs --rounds times (default 2): the highest peak and the
best time count (a busy machine slows a run, never speeds it up).

Results: bench/results/memory.json and memory.md. Exit code 1 if a target is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.hostile import GOOD_BODY, LARGE_CASES, MiB

PEAK_MB = 300
SECONDS_PER_MIB = 10.0
HANG_GUARD = 1800  # seconds; a case that takes this long has long missed its target anyway


def measure(argv: list[str]) -> dict:
    """Run ``argv`` in a fresh intermediate process: its peak RSS over every descendant, wall time, and
    CPU time (user + system) of every descendant."""
    probe = ("import json, resource, subprocess, sys, time\n"
             "t = time.monotonic()\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors='replace')\n"
             "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(json.dumps({'exit': p.returncode, 'seconds': time.monotonic() - t, 'stderr': p.stderr[-3000:],\n"
             "                  'cpu': ru.ru_utime + ru.ru_stime, 'peak_mb': ru.ru_maxrss / 1024}))\n")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=HANG_GUARD,
                         cwd=ROOT)
    return json.loads(out.stdout)


ONE_ARTICLE = ("one.txt", lambda p: p.write_text(GOOD_BODY.format("one")), ("indexed",))


def run_case(name: str, enrich: bool, rounds: int, baseline: dict | None = None) -> list[dict]:
    filename, write, expected = ONE_ARTICLE if name == "one-article" else LARGE_CASES[name]
    rows = []
    with tempfile.TemporaryDirectory(prefix="searchapp-memory-") as work:
        work_dir = Path(work)
        path = work_dir / filename
        write(path)
        size = path.stat().st_size
        flags = ["--procs", "1"] + ([] if enrich else ["--no-enrich"])
        seed = work_dir / "seed.jsonl"
        seed.write_text(json.dumps({"id": "seed", "body": GOOD_BODY.format("seed")}) + "\n")
        subprocess.run([sys.executable, "-m", "searchapp", "index", "build", str(seed), "--index",
                        str(work_dir / "add-ix"), "--no-enrich"], capture_output=True, check=True, cwd=ROOT)
        for command, index in (("build", work_dir / "build-ix"), ("add", work_dir / "add-ix")):
            report_path = work_dir / f"{command}.json"
            log(f"{name}: index {command} ({size / MiB:.1f} MiB{'' if enrich else ', no enrichment'}) ...")
            runs = []
            for r in range(rounds):
                if r and command == "build":
                    shutil.rmtree(index, ignore_errors=True)
                runs.append(measure([sys.executable, "-m", "searchapp", "index", command, str(path), "--index",
                                     str(index), "--report", str(report_path), *flags]))
            got = {"exit": max(g["exit"] for g in runs), "peak_mb": max(g["peak_mb"] for g in runs),
                   "seconds": min(g["seconds"] for g in runs), "cpu": min(g["cpu"] for g in runs),
                   "stderr": "".join(g["stderr"] for g in runs)}
            report = json.loads(report_path.read_text()) if report_path.exists() else {}
            outcome = ("skipped" if report.get("skipped") else "partial" if report.get("partial") else
                       "indexed" if report.get("indexed") else "failed")
            reasons = [s["reason"] for s in report.get("skipped", []) + report.get("partial", [])]
            rows.append({
                "case": name, "command": command, "enrich": enrich, "mib": round(size / MiB, 2),
                "exit": got["exit"], "peak_mb": round(got["peak_mb"], 1), "seconds": round(got["seconds"], 2),
                "seconds_per_mib": round(got["seconds"] / (size / MiB), 2), "cpu_seconds": round(got["cpu"], 2),
                "extra_seconds_per_mib": round((got["seconds"] - (baseline or {}).get(command, {}).get("seconds", 0))
                                               / (size / MiB), 2),
                "extra_cpu_per_mib": round((got["cpu"] - (baseline or {}).get(command, {}).get("cpu", 0))
                                           / (size / MiB), 2),
                "outcome": outcome,
                "expected": expected, "indexed": report.get("indexed"), "reasons": reasons[:3],
                "traceback": "Traceback" in got["stderr"],
            })
            log(f"  peak {rows[-1]['peak_mb']} MB, {rows[-1]['seconds']} s, CPU {rows[-1]['cpu_seconds']} s "
                f"({rows[-1]['extra_cpu_per_mib']} CPU s/MiB over one article), "
                f"{outcome}: {'; '.join(reasons[:2])[:200]}")
    return rows


def missed(row: dict) -> list[str]:
    out = []
    if row["peak_mb"] > PEAK_MB:
        out.append(f"peak {row['peak_mb']} MB > {PEAK_MB}")
    if row["extra_cpu_per_mib"] > SECONDS_PER_MIB:
        out.append(f"{row['extra_cpu_per_mib']} CPU s/MiB > {SECONDS_PER_MIB:g}")
    if row["outcome"] not in row["expected"] or row["traceback"] or row["exit"] not in (0, 1):
        out.append(f"{row['outcome']} (exit {row['exit']}), expected {' or '.join(row['expected'])}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(LARGE_CASES), help="comma-separated, from: " + ", ".join(LARGE_CASES))
    ap.add_argument("--enrich", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--rounds", type=int, default=2, help="runs of each command (best time, highest peak)")
    args = ap.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in LARGE_CASES]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    meta = machine()
    started = time.monotonic()
    base = run_case("one-article", args.enrich, args.rounds)
    baseline = {r["command"]: {"seconds": r["seconds"], "cpu": r["cpu_seconds"]} for r in base}
    rows = base + [row for case in cases for row in run_case(case, args.enrich, args.rounds, baseline)]
    meta.update(finished=now_iso(), minutes=round((time.monotonic() - started) / 60, 1))
    first = {"one-article"}
    table = md_table(["case", "command", "MiB", "peak MB", "wall s", "CPU s", "wall s/MiB over one article",
                      "CPU s/MiB over one article", "outcome", "target"],
                     [(r["case"], r["command"], r["mib"], r["peak_mb"], r["seconds"], r["cpu_seconds"],
                       "—" if r["case"] in first else r["extra_seconds_per_mib"],
                       "—" if r["case"] in first else r["extra_cpu_per_mib"], r["outcome"],
                       "—" if r["case"] in first else "; ".join(missed(r)) or "met") for r in rows])
    title = (f"Peak memory and time per hostile input ({'enriched' if args.enrich else 'no enrichment'}, one worker, "
             f"{args.rounds} round{'s' if args.rounds > 1 else ''})")
    markdown = run_header(title, meta) + "\n" + table + "\n"
    write_results("memory", {"meta": meta, "rounds": args.rounds,
                             "targets": {"peak_mb": PEAK_MB, "seconds_per_mib": SECONDS_PER_MIB}, "rows": rows}, markdown)
    print(markdown)
    for r in rows:
        print(f"{r['case']} {r['command']}: {fmt(r['reasons'])[:300]}", file=sys.stderr)
    return 1 if any(missed(r) for r in rows if r["case"] != "one-article") else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
