"""Indexing: files -> readers -> enrichment -> index documents -> the store, in parallel.

Worker processes read, enrich and analyse whole files (the CPU-heavy part); the parent process is
the single Whoosh writer and only stores what the workers prepared. With N cores this keeps N-1
workers and the writer busy. Every bad file or record is reported in the summary; none stops a build.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from searchapp.article import Article
from searchapp.nlp.pipeline import Pipeline, default_pipeline
from searchapp.readers import Skipped
from searchapp.readers.dispatch import read_file, walk
from searchapp.store import GenerationWriter, IndexStore
from searchapp.store.schema import article_documents, build_schema


@dataclass
class Report:
    indexed: int = 0
    updated: int = 0
    duplicates: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    enriched: bool = True
    procs: int = 1

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["skipped"] = [{"where": s.where, "reason": s.reason} for s in self.skipped]
        out["articles_per_second"] = round(self.rate, 1)
        return out


@dataclass
class Progress:
    """What a progress display needs; the callback receives it after every file."""

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    articles: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)


ProgressCallback = Callable[[Progress], None]


# -- worker side ------------------------------------------------------------------------------

_worker_state: dict[str, Any] = {}


def _init_worker(enrich: bool) -> None:
    _worker_state["pipeline"] = default_pipeline(enrich)
    _worker_state["schema"] = build_schema()


def _prepare_file(path: Path) -> tuple[Path, list[tuple[str, list[dict]]], list[Skipped]]:
    """Read, enrich and analyse one file: [(article id, its index documents)] and what was skipped."""
    pipeline: Pipeline = _worker_state["pipeline"]
    schema = _worker_state["schema"]
    prepared: list[tuple[str, list[dict]]] = []
    skipped: list[Skipped] = []
    for item in read_file(path):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        try:
            article = pipeline(item)
            prepared.append((article.id, article_documents(article, schema)))
        except Exception as e:  # an enrichment bug must cost one article, not the build
            skipped.append(Skipped(f"{path}#{item.id}", f"enrichment failed: {type(e).__name__}: {e}"))
    return path, prepared, skipped


def _prepared_files(files: list[Path], procs: int, enrich: bool) -> Iterable:
    if procs <= 1 or len(files) <= 1:
        _init_worker(enrich)
        for f in files:
            yield _prepare_file(f)
        return
    # Fork where available: workers start in milliseconds and share the loaded modules.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(procs, initializer=_init_worker, initargs=(enrich,)) as pool:
        yield from pool.imap(_prepare_file, files, chunksize=1)


def default_procs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _collect(paths: Iterable[str | os.PathLike], report: Report) -> list[Path]:
    files: list[Path] = []
    for item in walk(paths):
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            files.append(item)
    return files


def _run(writer: GenerationWriter, paths, *, enrich: bool, procs: int | None, replace: bool,
         progress: ProgressCallback | None) -> Report:
    report = Report(enriched=enrich, procs=procs or default_procs())
    start = time.monotonic()
    files = _collect(paths, report)
    report.files = len(files)
    state = Progress(files_total=len(files), bytes_total=sum(_size(f) for f in files), skipped=len(report.skipped))
    seen: set[str] = set()
    for path, prepared, skipped in _prepared_files(files, report.procs, enrich):
        report.skipped.extend(skipped)
        for article_id, docs in prepared:
            if article_id in seen:
                report.duplicates.append(f"{path}#{article_id}")
                continue
            seen.add(article_id)
            if replace:
                if writer.replace(article_id, docs):
                    report.updated += 1
            else:
                writer.add(docs)
            report.indexed += 1
        state.files_done += 1
        state.bytes_done += _size(path)
        state.articles = report.indexed
        state.skipped = len(report.skipped)
        if progress:
            progress(state)
    report.seconds = time.monotonic() - start
    return report


def build(store: IndexStore, paths: Iterable[str | os.PathLike], *, enrich: bool = True,
          procs: int | None = None, progress: ProgressCallback | None = None) -> Report:
    """Full rebuild into a new generation; the live index changes only if this returns."""
    started = time.time()
    with store.rebuild() as writer:
        report = _run(writer, list(paths), enrich=enrich, procs=procs, replace=False, progress=progress)
        writer.info = {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "paths": [str(p) for p in paths],
            **{k: v for k, v in report.to_json().items() if k != "skipped"},
            "skipped": len(report.skipped),
        }
    return report


def add(store: IndexStore, paths: Iterable[str | os.PathLike], *, enrich: bool = True,
        procs: int | None = None, progress: ProgressCallback | None = None) -> Report:
    """Insert or update articles by id in the live index, committed all at once."""
    with store.update() as writer:
        return _run(writer, list(paths), enrich=enrich, procs=procs, replace=True, progress=progress)


def delete(store: IndexStore, ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """Delete articles (and their quotes) by id: (deleted ids, ids not found)."""
    deleted, missing = [], []
    with store.update() as writer:
        for article_id in ids:
            (deleted if writer.delete(article_id) else missing).append(article_id)
    return deleted, missing


def extract(paths: Iterable[str | os.PathLike], *, enrich: bool = True) -> Iterable[Article | Skipped]:
    """Read and enrich without indexing (the `searchapp extract` command)."""
    pipeline = default_pipeline(enrich)
    for item in walk(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        for article in read_file(item):
            yield article if isinstance(article, Skipped) else pipeline(article)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
