"""Indexing benchmark: a full build from the JSONL corpus, per engine and corpus size.

    python -m bench.index                                # Reuters (~18k articles), every engine
    python -m bench.index --sizes reuters,100k           # add the synthetic 100k corpus
    python -m bench.index --sizes 1m --engines searchapp-noenrich,whoosh,fts5,tantivy

Each build runs in its own subprocess (``python -m bench.index --one ENGINE --corpus NAME``), so
its memory is its own: the parent reports wall time, articles/s, CPU time (user+system of the whole
process tree, from ``os.wait4``), peak RSS of the largest process of the tree (``ru_maxrss`` from
``wait4``), the peak of the summed RSS of the tree (sampled from /proc every 0.2 s; pages shared
after fork are counted once per process) and the index size on disk.

Engines: searchapp (``build(..., enrich=True, procs=2)``), searchapp-noenrich (``enrich=False``),
whoosh (plain, default single-process writer), whoosh-procs2 (plain, Whoosh's own 2-process writer),
fts5, tantivy (default writer threads). The indexes
stay in bench/work/indexes/<corpus>/<engine> for the query benchmarks.
Results: bench/results/index.json and index.md.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import (DEFAULT_SIZES, ROOT, corpus_count, corpus_files, fmt, index_root, log, machine,
                          md_table, now_iso, parse_sizes, ratio, run_header, write_results)
from bench.engines import ENGINES

ALL_ENGINES = ("searchapp", "searchapp-noenrich", "whoosh", "whoosh-procs2", "fts5", "tantivy")


def index_dir(corpus: str, engine: str) -> Path:
    return index_root(corpus) / engine


# -- process-tree memory ---------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(x) for x in f.read().split())
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kb(p)
        stack.extend(_children(p))
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; ``peak_kb`` is the maximum seen."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()


# -- one measured build ----------------------------------------------------------------------------

@contextlib.contextmanager
def build_lock(corpus: str, engine: str):
    """One build of an index at a time, even across benchmark processes (a second one would delete the
    first one's files); a second benchmark waits, and says so."""
    path = index_root(corpus) / f".{engine}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"index {corpus}/{engine}: another benchmark is building it; waiting")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


def measured_build(engine: str, corpus: str, procs: int = 2, timeout: float | None = None) -> dict[str, Any]:
    """Build ``engine``'s index of ``corpus`` in a subprocess and measure it."""
    with build_lock(corpus, engine):
        return _measured_build(engine, corpus, procs, timeout)


def _measured_build(engine: str, corpus: str, procs: int, timeout: float | None) -> dict[str, Any]:
    files = corpus_files(corpus)
    out_dir = index_dir(corpus, engine)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    info_file = out_dir.parent / f".{engine}.build.json"
    info_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.index", "--one", engine, "--corpus", corpus, "--procs", str(procs),
           "--info", str(info_file)]
    log(f"index {corpus}/{engine}: building ({len(files)} JSONL file(s))")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"building {engine} on {corpus} failed (exit code {proc.returncode})")
    info = json.loads(info_file.read_text())
    info_file.unlink(missing_ok=True)
    articles = info["articles"]
    result = {
        "engine": engine,
        "corpus": corpus,
        "articles": articles,
        "wall_s": round(wall, 2),
        "build_s": round(info["seconds"], 2),  # inside the subprocess: without interpreter start and imports
        "articles_per_s": round(articles / info["seconds"], 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(sampler.peak_kb / 1024, 1),
        "index_mb": round(info["index_bytes"] / (1 << 20), 1),
        **{k: info[k] for k in ("procs", "skipped", "duplicates") if k in info},
    }
    log(f"index {corpus}/{engine}: {articles:,} articles in {info['seconds']:.1f} s "
        f"({result['articles_per_s']:,.0f}/s), {result['index_mb']} MB, peak {result['peak_rss_mb']} MB")
    return result


def ensure_indexes(corpus: str, engines: list[str], procs: int = 2) -> None:
    """Build the indexes that are missing (for the query benchmarks), without measuring them."""
    for name in engines:
        if not ENGINES[name].exists(index_dir(corpus, name)):
            with build_lock(corpus, name):
                if not ENGINES[name].exists(index_dir(corpus, name)):  # built meanwhile by another run?
                    _measured_build(name, corpus, procs, None)


def _one(engine: str, corpus: str, procs: int, info_path: Path) -> None:
    """Subprocess body: the build itself."""
    eng = ENGINES[engine]
    if hasattr(eng, "procs"):
        eng.procs = procs
    out = index_dir(corpus, engine)
    info = eng.build(corpus_files(corpus, create=False), out)
    info["index_bytes"] = eng.size(out)
    info_path.write_text(json.dumps(info, default=str))


# -- the report --------------------------------------------------------------------------------------

def markdown(runs: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    parts = [run_header("Indexing: full build from JSONL", meta)]
    for corpus in dict.fromkeys(r["corpus"] for r in runs):
        rows = [r for r in runs if r["corpus"] == corpus]
        base = next((r for r in rows if r["engine"] == "whoosh"), None)
        parts.append(f"### {corpus} ({rows[0]['articles']:,} articles)\n")
        parts.append(md_table(
            ["engine", "articles/s", "build s", "wall s", "CPU s", "index MB", "peak RSS MB (largest process)",
             "peak RSS MB (sum of tree)", "articles/s vs plain Whoosh"],
            [[ENGINES[r["engine"]].label + (f" ({r['procs']} procs)" if r.get("procs") else ""),
              r["articles_per_s"], r["build_s"], r["wall_s"], r["cpu_s"], r["index_mb"], r["peak_rss_mb"],
              r["peak_tree_rss_mb"], ratio(r["articles_per_s"], base["articles_per_s"]) if base else None]
             for r in rows]))
        sa = next((r for r in rows if r["engine"] == "searchapp"), None)
        mp = next((r for r in rows if r["engine"] == "whoosh-procs2"), None)
        if sa and base:
            x = ratio(sa["articles_per_s"], base["articles_per_s"])
            parts.append(f"\nTarget *indexing with enrichment at least as fast as plain Whoosh without enrichment*: "
                         f"{fmt(x)}x → **{'met' if x >= 1 else 'not met'}**.\n")
            cpu = ratio(sa["cpu_s"], base["cpu_s"])
            parts.append(f"Target *a build with enrichment at most 1.5x plain Whoosh's CPU time*: {fmt(cpu)}x → "
                         f"**{'met' if cpu <= 1.5 else 'not met'}**.\n")
        if sa and mp:
            x = ratio(sa["articles_per_s"], mp["articles_per_s"])
            parts.append(f"Target *on both cores, at least as fast as plain Whoosh with procs=2*: {fmt(x)}x → "
                         f"**{'met' if x >= 1 else 'not met'}**.\n")
    parts.append("\nbuild s: the build inside its subprocess; wall s adds interpreter start and imports. CPU s: "
                 "user+system of the whole process tree. The machine is shared with other CPU-heavy work, "
                 "so compare ratios within one run.\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(DEFAULT_SIZES),
                    help="comma-separated corpora: reuters, 100k, 1m, ... (default: reuters)")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES), help=f"comma-separated, from {', '.join(ALL_ENGINES)}")
    ap.add_argument("--procs", type=int, default=2, help="searchapp worker processes (default 2)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--info", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        _one(args.one, args.corpus, args.procs, Path(args.info))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise SystemExit(f"--engines: unknown {', '.join(unknown)}; known: {', '.join(ALL_ENGINES)}")
    sizes = parse_sizes(args.sizes)
    meta = {**machine(), "started": now_iso()}
    runs = []
    for corpus in sizes:
        corpus_files(corpus)
        log(f"corpus {corpus}: {corpus_count(corpus):,} articles")
        for engine in engines:
            runs.append(measured_build(engine, corpus, args.procs))
    meta["finished"] = now_iso()
    paths = write_results("index", {"meta": meta, "runs": runs}, markdown(runs, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
