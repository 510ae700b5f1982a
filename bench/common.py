"""Shared plumbing for the benchmarks: folders, corpora, statistics, result files and tables.

Folders (both git-ignored):

* ``bench/work/`` (or ``$SEARCHAPP_BENCH_WORK``): generated corpora (JSONL) and every engine's indexes.
* ``bench/results/``: one ``<name>.json`` (all numbers) and ``<name>.md`` (tables) per benchmark.

Corpora are named ``reuters`` (the shared Reuters-21578 files, ~18,000 articles), ``time`` (the TIME
test collection, for ranking) and ``<N>k`` / ``<N>m`` (synthetic news, e.g. ``100k``, ``1m``; see
synth.py). Each is a list of JSONL files with searchapp's Article fields, which every engine indexes.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent  # the project root
BENCH = ROOT / "bench"
WORK = Path(os.environ.get("SEARCHAPP_BENCH_WORK", BENCH / "work"))
RESULTS = Path(os.environ.get("SEARCHAPP_BENCH_RESULTS", BENCH / "results"))
SHARED = Path(os.environ.get("SEARCHAPP_SHARED_DATA", ROOT.parent / "shared" / "data"))
REUTERS_DIR = SHARED / "reuters21578"
TIME_DIR = SHARED / "time"
QUERIES_FILE = BENCH / "queries.txt"

DEFAULT_SIZES = ("reuters",)


class BenchError(RuntimeError):
    """A benchmark cannot run (missing data, missing engine); the message says what to do."""


# -- corpora --------------------------------------------------------------------------------------

def parse_size(name: str) -> int | None:
    """'100k' -> 100000, '1m' -> 1000000, '2500' -> 2500; None for a named corpus ('reuters')."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", name.strip().lower())
    if not m:
        return None
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)])


def corpus_dir(name: str) -> Path:
    return WORK / "corpora" / (name if parse_size(name) is None else f"synth-{name.lower()}")


def corpus_files(name: str, *, create: bool = True) -> list[Path]:
    """The JSONL files of a corpus, generated on first use (Reuters is read once with searchapp's reader)."""
    folder = corpus_dir(name)
    done = folder / "DONE"
    if not done.exists():
        if not create:
            raise BenchError(f"corpus {name!r} not generated yet (run `python -m bench.corpus {name}`)")
        from bench import corpus

        corpus.make(name)
    return sorted(folder.glob("*.jsonl"))


def corpus_count(name: str) -> int:
    """Articles in a corpus (from its DONE marker)."""
    info = json.loads((corpus_dir(name) / "DONE").read_text())
    return int(info["articles"])


def iter_articles(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """The JSON objects of JSONL files, in order."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def parse_published(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def index_root(corpus: str) -> Path:
    return WORK / "indexes" / corpus_dir(corpus).name


# -- statistics -----------------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolation percentile (numpy's default), ``p`` in 0..100; NaN for no values."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def fmt(x: Any, digits: int = 2) -> str:
    """A table cell: numbers rounded, thousands separated, NaN/None as an em dash."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if x != x:  # NaN
            return "—"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], digits: int = 2) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(fmt(c, digits) for c in row) + " |")
    return "\n".join(out)


# -- the machine and the run ------------------------------------------------------------------------

def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    try:
        import whoosh

        out["whoosh"] = whoosh.versionstring()
    except ImportError:
        pass
    try:
        from importlib.metadata import version

        out["tantivy"] = version("tantivy")
        out["searchapp"] = version("searchapp")
    except Exception:
        pass
    return out


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def searchapp_changes() -> list[str]:
    """Uncommitted changes under searchapp/ (the code measured may differ from the commit named)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", "searchapp"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line[3:] for line in out.splitlines() if line.strip()]


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "versions": versions(),
        "commit": git_commit(),
        "searchapp_uncommitted": searchapp_changes(),
    }


def run_header(title: str, meta: dict[str, Any]) -> str:
    v = meta.get("versions", {})
    load = meta.get("loadavg", [])
    dirty = meta.get("searchapp_uncommitted")
    commit = (meta.get("commit") or "?") + (f" + uncommitted changes in {len(dirty)} searchapp file(s)" if dirty else "")
    return (f"## {title}\n\n"
            f"{meta.get('finished', '')} · commit {commit} · {meta.get('cpus')} CPUs, "
            f"load average {load[0] if load else '?'} at the start · Python {v.get('python')}, "
            f"whoosh-reloaded {v.get('whoosh')}, tantivy {v.get('tantivy')}, SQLite {v.get('sqlite')}\n")


def write_results(name: str, data: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """bench/results/<name>.json (every number) and <name>.md (the tables)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    jpath, mpath = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    jpath.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    mpath.write_text(markdown.rstrip() + "\n")
    return jpath, mpath


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def parse_sizes(text: str) -> list[str]:
    sizes = [s.strip().lower() for s in text.split(",") if s.strip()]
    for s in sizes:
        if s != "reuters" and parse_size(s) is None:
            raise SystemExit(f"--sizes: {s!r} is neither 'reuters' nor a size like 100k or 1m")
    return sizes
