"""Indexing: files -> readers -> enrichment -> index documents -> the store, on every core.

A full build runs one worker process per core. Each worker takes reading tasks (a file, or a range of
a large JSON-lines file) from a queue and does all the work for them: read, enrich, analyse and write
into its own Whoosh segment of the new generation. The parent only hands out tasks, shows progress,
and at the end commits the workers' segments together in one table of contents, after marking
duplicate ids (later copies) deleted. Nothing is serialised through a single writer.

`add` (insert or update by id) is usually small: workers prepare documents and the parent writes them
through one transactional writer on the live generation.

Every bad file or record is reported in the summary; none stops a build. So is an article indexed
without some of its extraction (an enrichment step over its time budget, say).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue
import shutil
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator

from searchapp.archive import duplicates, identities
from searchapp.article import Article
from searchapp.nlp.pipeline import Pipeline, default_pipeline, warm_up
from searchapp.readers import Skipped, printable
from searchapp.readers.dispatch import NotRead, Task, plan, read_task
from searchapp.store import GenerationWriter, IndexStore, article_record


@dataclass
class Report:
    indexed: int = 0
    updated: int = 0
    duplicates: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Files a folder walk did not read, and why (not an article format): reported, not a failure.
    not_read: list[Skipped] = field(default_factory=list)
    # Indexed, but without some extraction (``reason`` says which step and why).
    partial: list[Skipped] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    enriched: bool = True
    procs: int = 1
    # Where reading and enrichment ran when not in these processes (searchapp.cluster: "dask ...").
    cluster: str = ""

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["skipped"] = [{"where": s.where, "reason": s.reason} for s in self.skipped]
        out["partial"] = [{"where": s.where, "reason": s.reason} for s in self.partial]
        out["not_read"] = [{"where": s.where, "reason": s.reason} for s in self.not_read]
        out["articles_per_second"] = round(self.rate, 1)
        return out


@dataclass
class Progress:
    """What a progress display needs; the callback receives it after every task."""

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    articles: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)


ProgressCallback = Callable[[Progress], None]


def die_with_parent() -> None:
    """In a worker: be killed when the parent dies (even by kill -9), instead of working on as an orphan."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers notice the parent is gone between tasks
        pass


def default_procs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass
class Prepared:
    """One article ready for the writer: its id, index documents, where it was read (for reports) and
    what was left out of it."""

    id: str
    docs: list[dict]
    where: str
    notes: list[str]
    # The id an earlier version gave the same file's article (its bare file name), where it differs.
    legacy_id: str = ""

    def partial(self) -> Skipped | None:
        return partial(self.where, self.notes) if self.notes else None


def partial(where: str, notes: list[str]) -> Skipped:
    """The report's line for an article indexed without some of its extraction (``notes`` say which)."""
    return Skipped(where, "indexed without some extraction: " + "; ".join(notes))


def where(task: Task, article: Article) -> str:
    """Where an article was read, for reports: its file (and line) and its id."""
    return f"{article.origin or task.path}#{article.id}"


def enriched(task: Task, pipeline: Pipeline) -> Iterator[Article | Skipped]:
    """read -> enrich, for one task: each article (its ``notes`` say what was left out of it) or why
    not. The records of a task enriched already (`Task.enriched`) come as they are."""
    for item in read_task(task):
        if isinstance(item, Skipped) or task.enriched:
            yield item
            continue
        try:
            yield pipeline(item)
        except Exception as e:  # a step outside the limits (metadata) failed: the article is unusable
            yield Skipped(where(task, item), f"enrichment failed: {type(e).__name__}: {e}")


def unindexable(where: str, e: Exception) -> Skipped:
    return Skipped(where, f"could not be indexed: {type(e).__name__}: {e}")


class _Prepare:
    """read -> enrich -> index documents, for one task (one per process: models load once).
    Whatever goes wrong with one article costs that article (or the step), never the task."""

    def __init__(self, enrich: bool, backend, schema):
        self.pipeline: Pipeline = default_pipeline(enrich)
        self.backend, self.schema = backend, schema  # the index's own schema, which may be an older one
        warm_up(self.pipeline)  # models load now, not inside the first article's time budget

    def __call__(self, task: Task) -> Iterator[Prepared | Skipped]:
        for article in enriched(task, self.pipeline):
            if isinstance(article, Skipped):
                yield article
                continue
            place = where(task, article)
            try:
                docs = self.backend.documents(article, self.schema)
            except Exception as e:
                yield unindexable(place, e)
                continue
            yield Prepared(article.id, docs, place, list(article.notes), _legacy_id(task, article))


def _legacy_id(task: Task, article: Article) -> str:
    old = printable(task.path.stem) if task.format in ("txt", "html") else ""
    return old if old != article.id else ""


def _archive_finalizers(writer: GenerationWriter, corrections) -> None:
    """After each commit, what needs the whole archive (searchapp.archive) is brought up to date."""
    from searchapp.search import facets

    # in this order: the search tables are built from the identities and the groups
    writer.finalizers += [identities.finalizer(corrections, writer.previous_dir),
                          duplicates.finalizer(writer.previous_dir), facets.finalizer()]


def _plan(paths, report: Report) -> list[Task]:
    tasks = []
    for item in plan(paths):
        if isinstance(item, NotRead):
            report.not_read.append(item)
        elif isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            tasks.append(item)
    report.files = len({t.path for t in tasks})
    return tasks


# -- full build: one segment per worker ---------------------------------------------------------

RECORDS_DIR = ".records"  # in the new generation while it is built; gone before it serves


class SpilledRecords:
    """The records (searchapp.store.article_record) of a build's kept articles, in walk order, read
    back from the files the workers wrote them to. A rebuild's duplicate groups need every article's
    text once; held in the parent they were a gigabyte or more per million articles."""

    def __init__(self, spans: list[tuple[int, str, int, int]], skip: set[tuple[int, int]]):
        self._spans = spans  # (task number, file, start, end), in task order
        self._skip = skip  # (task number, article's place in its task): later copies of an id

    def __iter__(self) -> Iterator[dict[str, Any]]:
        files: dict[str, Any] = {}
        try:
            for number, path, start, end in self._spans:
                f = files.get(path) or files.setdefault(path, open(path, "rb"))
                f.seek(start)
                n = 0
                while f.tell() < end:
                    record = pickle.load(f)
                    if (number, n) not in self._skip:
                        yield record
                    n += 1
        finally:
            for f in files.values():
                f.close()


def _segment_worker(backend, index_dir: str, enrich: bool, limitmb: int, tasks, results) -> None:
    """Worker process: index tasks into a private segment of the new generation until told to stop.
    The kept articles' records go to a file of the worker's own (SpilledRecords), not to the parent."""
    die_with_parent()
    parent = os.getppid()
    spill = None
    try:
        writer = backend.segment_writer(index_dir, limitmb)
        prepare = _Prepare(enrich, backend, writer.schema)
        spill_path = os.path.join(index_dir, RECORDS_DIR, f"records-{os.getpid()}.pickle")
        spill = open(spill_path, "ab")
        while (job := tasks.get()) is not None:
            if os.getppid() != parent:
                os._exit(1)
            number, task = job
            articles, skipped, partial = [], [], []
            start = spill.tell()
            for item in prepare(task):
                if isinstance(item, Skipped):
                    skipped.append(item)
                    continue
                first = writer.docnum
                try:
                    writer.add_documents(item.docs)
                except Exception as e:  # nothing of the article was written (AllOrNothing)
                    skipped.append(unindexable(item.where, e))
                    continue
                articles.append((item.id, first, len(item.docs)))
                pickle.dump(article_record(item.docs[0]), spill, protocol=pickle.HIGHEST_PROTOCOL)
                if item.notes:
                    partial.append(item.partial())
            spill.flush()
            results.put(("task", number, os.getpid(), articles, skipped, partial, (spill_path, start, spill.tell())))
        results.put(("segment", os.getpid(), backend.finish_segment(writer)))
    except BaseException as e:  # report, so the parent can abort the build cleanly
        results.put(("error", os.getpid(), f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))
    finally:
        if spill is not None:
            spill.close()


Stage = Callable[[list[Task], Report], list[Task]]


def build(store: IndexStore, paths: Iterable[str | os.PathLike], *, enrich: bool = True,
          procs: int | None = None, progress: ProgressCallback | None = None,
          corrections: str | os.PathLike | None = None, stage: Stage | None = None) -> Report:
    """Full rebuild into a new generation; the live index changes only if this returns.

    ``corrections``: the archivist's corrections file for the identities (searchapp.archive.identities);
    without it, the previous generation's carry over. ``stage``: reading and enrichment done elsewhere
    (`searchapp.cluster`), with the write lock held: it takes the reading tasks, reports what it
    skipped, and returns tasks of enriched records (`Task.enriched`) that are indexed as they are."""
    paths = list(paths)
    started_at = time.time()
    report = Report(enriched=enrich)
    start = time.monotonic()
    with store.rebuild() as writer:
        _archive_finalizers(writer, corrections)
        spill_dir = writer.index_dir / RECORDS_DIR
        spill_dir.mkdir()
        writer.finalizers.append(lambda commit: shutil.rmtree(spill_dir, ignore_errors=True))  # the last
        tasks = _plan(paths, report)
        if stage is not None:
            tasks = stage(tasks, report)
        report.procs = max(1, min(procs or default_procs(), len(tasks)))
        state = Progress(files_total=len(tasks), bytes_total=sum(t.size for t in tasks),
                         skipped=len(report.skipped))
        enrich_here = enrich and not all(t.enriched for t in tasks)  # no models to load for shards
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        task_q, result_q = ctx.Queue(), ctx.Queue()
        for job in enumerate(tasks):
            task_q.put(job)
        for _ in range(report.procs):
            task_q.put(None)
        # The store's writer memory is the build's, shared by its workers: each with the whole of it
        # held twice as much at 1M articles.
        worker_mb = max(32, store.writer_memory_mb // report.procs)
        workers = [ctx.Process(target=_segment_worker, daemon=True,
                               args=(store.backend, str(writer.index_dir), enrich_here, worker_mb,
                                     task_q, result_q))
                   for _ in range(report.procs)]
        for w in workers:
            w.start()
        try:
            placed: dict[int, tuple[int, list, tuple]] = {}  # task number -> (worker pid, articles, spill span)
            segments: dict[int, Any] = {}  # worker pid -> its finished segment
            pending = report.procs
            while pending:
                try:
                    msg = result_q.get(timeout=1.0)
                except queue.Empty:
                    dead = [w for w in workers if w.exitcode not in (None, 0)]
                    if dead:
                        raise RuntimeError(f"indexing worker {dead[0].pid} died (exit code {dead[0].exitcode})")
                    continue
                kind = msg[0]
                if kind == "error":
                    raise RuntimeError(f"indexing worker {msg[1]} failed: {msg[2]}")
                if kind == "segment":
                    segments[msg[1]] = msg[2]
                    pending -= 1
                    continue
                _, number, pid, articles, skipped, partial, span = msg
                placed[number] = (pid, articles, span)
                report.skipped.extend(skipped)
                report.partial.extend(partial)
                state.files_done += 1
                state.bytes_done += tasks[number].size
                state.articles += len(articles)
                state.skipped += len(skipped)
                if progress:
                    progress(state)
            for w in workers:
                w.join()
        except BaseException:
            for w in workers:
                if w.is_alive():
                    w.kill()
            raise
        writer.added = _resolve_duplicates(tasks, placed, segments, report)
        # The archive's steps run when the with-block ends: the articles' ids and places, a tuple per
        # article (about 200 MB of a 1M build), must not be held through them.
        placed.clear()
        writer.complete = True
        writer.commit_segments([s for s in segments.values() if s is not None])
        report.seconds = time.monotonic() - start
        writer.info = {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started_at)),
            "paths": [printable(str(p)) for p in paths],
            **{k: v for k, v in report.to_json().items() if k not in ("skipped", "not_read")},
            "skipped": len(report.skipped),
            "not_read": len(report.not_read),
        }
    return report


def _resolve_duplicates(tasks: list[Task], placed: dict, segments: dict, report: Report) -> SpilledRecords:
    """Keep the first copy of each id in walk order; mark later copies deleted in their segment.
    Returns the records of the articles kept."""
    seen: set[str] = set()
    spans, skip = [], set()
    for number in range(len(tasks)):
        if number not in placed:
            continue
        pid, articles, (path, start, end) = placed[number]
        spans.append((number, path, start, end))
        for n, (article_id, first, count) in enumerate(articles):
            if article_id in seen:
                report.duplicates.append(printable(f"{tasks[number].source or tasks[number].path}#{article_id}"))
                for docnum in range(first, first + count):
                    segments[pid].delete_document(docnum)
                skip.add((number, n))
                continue
            seen.add(article_id)
            report.indexed += 1
    return SpilledRecords(spans, skip)


# -- add / update: prepared in workers, written by one transactional writer ---------------------

_worker_prepare: dict[str, _Prepare] = {}


def _init_prepare(enrich: bool, backend, schema) -> None:
    die_with_parent()
    _worker_prepare["p"] = _Prepare(enrich, backend, schema)


def _prepare_task(task: Task) -> list:
    return list(_worker_prepare["p"](task))


def _prepared(tasks: list[Task], procs: int, enrich: bool, backend, schema) -> Iterator[tuple[Task, list]]:
    """Index documents for ``schema``: the live index's own, which may be older than the backend's newest."""
    if procs <= 1 or len(tasks) <= 1:
        prepare = _Prepare(enrich, backend, schema)
        for task in tasks:
            yield task, list(prepare(task))
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(procs, initializer=_init_prepare, initargs=(enrich, backend, schema)) as pool:
        yield from zip(tasks, pool.imap(_prepare_task, tasks))


def add(store: IndexStore, paths: Iterable[str | os.PathLike], *, enrich: bool = True,
        procs: int | None = None, progress: ProgressCallback | None = None,
        corrections: str | os.PathLike | None = None) -> Report:
    """Insert or update articles by id in the live index, committed all at once (with the identities
    of the whole archive updated from its names, no rebuild)."""
    report = Report(enriched=enrich)
    start = time.monotonic()
    with store.update() as writer:
        _archive_finalizers(writer, corrections)
        tasks = _plan(list(paths), report)
        report.procs = max(1, min(procs or default_procs(), len(tasks)))
        state = Progress(files_total=len(tasks), bytes_total=sum(t.size for t in tasks),
                         skipped=len(report.skipped))
        seen: set[str] = set()
        for task, items in _prepared(tasks, report.procs, enrich, store.backend, writer.schema):
            _write_task(writer, task, items, report, seen)
            del items  # the documents of the last task must not live on through the commit
            state.files_done += 1
            state.bytes_done += task.size
            state.articles = report.indexed
            state.skipped = len(report.skipped)
            if progress:
                progress(state)
    report.seconds = time.monotonic() - start
    return report


def _write_task(writer: GenerationWriter, task: Task, items: list, report: Report, seen: set[str]) -> None:
    items.reverse()
    while items:
        item = items.pop()  # each article's documents go as soon as they are written
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        if item.id in seen:
            report.duplicates.append(printable(f"{task.path}#{item.id}"))
            continue
        try:
            existed = writer.replace(item.id, item.docs)
        except Exception as e:  # nothing of it was written, and its old version stays
            report.skipped.append(unindexable(item.where, e))
            continue
        if not existed and item.legacy_id:
            existed = writer.delete_moved(item.legacy_id, item.docs[0]["path"])
        seen.add(item.id)
        report.updated += int(existed)
        report.indexed += 1
        if item.notes:
            report.partial.append(item.partial())


def delete(store: IndexStore, ids: Iterable[str], *,
           corrections: str | os.PathLike | None = None) -> tuple[list[str], list[str]]:
    """Delete articles (and their quotes) by id: (deleted ids, ids not found)."""
    deleted, missing = [], []
    with store.update() as writer:
        _archive_finalizers(writer, corrections)
        for article_id in ids:
            (deleted if writer.delete(article_id) else missing).append(article_id)
    return deleted, missing


def extract(paths: Iterable[str | os.PathLike], *, enrich: bool = True) -> Iterator[Article | Skipped]:
    """Read and enrich without indexing (the `searchapp extract` command). An article's ``notes`` say
    what was left out of it."""
    pipeline = default_pipeline(enrich)
    warm_up(pipeline)
    for task in plan(paths):
        if isinstance(task, Skipped):
            yield task
        else:
            yield from enriched(task, pipeline)


__all__ = ["Report", "Progress", "Prepared", "build", "add", "delete", "extract", "GenerationWriter"]
