"""Reading and enrichment on a Dask cluster (`--dask SCHEDULER`), for archives that two cores would
take days to enrich.

The machine that runs the command plans the reading tasks (`searchapp.readers.dispatch.plan`) and
hands them to the cluster's workers, one task (a file, or a range of a large JSON-lines file) each.
A worker reads and enriches it with the pipeline a build's worker process runs, and writes the
articles as one JSON-lines shard (the extraction contract) into a folder that it and this machine
share; what it skipped, and what it extracted without some step, comes back with the task's result.
`searchapp extract` prints the shards (or leaves them in ``--out``); `searchapp index build` indexes
them here, on this machine's cores, as they are (`Task.enriched`: no second enrichment).

A worker that dies loses nothing: the scheduler gives its tasks to another worker (a task that kills
three workers is reported as skipped: its file is what kills them), and a task that raises is run
again (``RETRIES``). A shard is written under a temporary name and renamed when complete, so a
task run twice leaves one whole shard.

Dask is optional (`pip install 'searchapp[dask]'`) and imported only here, only when asked for.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from searchapp.readers import Skipped
from searchapp.readers.dispatch import Task, split_task

# A task that raises (the shared folder briefly unwritable, say) is run again this many times.
RETRIES = 2
WAIT_FOR_WORKERS = 60
CONNECT_TIMEOUT = 30
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(tcp|tls)://[^\s/:]+(:\d+)?")


class SchedulerError(ValueError):
    """A ``--dask`` value that names no cluster, or a cluster that cannot be used; the message says why."""


def parse(scheduler: str) -> int | str:
    """``local:N`` -> N (worker processes of a cluster started here), or a scheduler's address."""
    value = scheduler.strip()
    if m := _LOCAL.fullmatch(value):
        workers = int(m.group(1))
        if not 1 <= workers <= 64:
            raise SchedulerError(f"local:N takes 1 to 64 workers, not {workers}")
        return workers
    if _ADDRESS.fullmatch(value):
        return value
    raise SchedulerError(f"{scheduler!r} is neither local:N (a cluster of N worker processes started "
                         f"here) nor a scheduler's address such as tcp://host:8786")


@contextlib.contextmanager
def connect(scheduler: str):
    """A `distributed.Client` of the cluster ``scheduler`` names (`parse`), closed on leaving; a local
    cluster has single-threaded worker processes, and stops with it."""
    target = parse(scheduler)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError("--dask needs Dask: pip install 'searchapp[dask]'") from None
    if isinstance(target, int):
        with LocalCluster(n_workers=target, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0") as local, Client(local) as client:
            yield client
        return
    try:
        client = Client(target, timeout=CONNECT_TIMEOUT)
    except OSError as e:
        raise SchedulerError(f"cannot reach the Dask scheduler at {target}: {e}") from None
    with client:
        if not workers(client):  # tasks would wait for one forever
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except TimeoutError:
                raise SchedulerError(f"the scheduler at {target} has no workers (waited "
                                     f"{WAIT_FOR_WORKERS} s)") from None
        yield client


@dataclass
class Shard:
    """What one task gave: its articles in ``path`` (JSON lines), how many, and for reports what was
    skipped and which articles lack some extraction (where, notes)."""

    number: int
    path: str
    articles: int
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)


# One pipeline per worker thread: the models load once, and a worker started with several threads
# (which enrichment, Python under one lock, gains nothing from) does not share a tagger among them.
_pipelines = threading.local()


def enrich_task(number: int, task: Task, enrich: bool, out_dir: str) -> Shard:
    """On a worker: read and enrich ``task`` into the shard ``out_dir/NNNNNN.jsonl``, with the time
    budgets of a build's processes. The pipeline (its models) loads once per worker process."""
    from searchapp import indexer
    from searchapp.budget import interruptible_thread
    from searchapp.nlp.pipeline import default_pipeline, warm_up

    loaded = _pipelines.__dict__
    pipeline = loaded.get(enrich)
    if pipeline is None:
        pipeline = loaded[enrich] = default_pipeline(enrich)
        warm_up(pipeline)
    final = Path(out_dir) / f"{number:06d}.jsonl"
    partial = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shard = Shard(number, str(final), 0)
    # tasks run in a thread of the worker, where the steps' time budgets need asking for
    with interruptible_thread(), open(partial, "wb") as out:
        for article in indexer.enriched(task, pipeline):
            if isinstance(article, Skipped):
                shard.skipped.append(article)
                continue
            try:
                line = json.dumps(article.to_json(), ensure_ascii=False).encode("utf-8") + b"\n"
            except (UnicodeEncodeError, ValueError) as e:  # no index could hold it either
                shard.skipped.append(indexer.unindexable(indexer.where(task, article), e))
                continue
            out.write(line)
            shard.articles += 1
            if article.notes:
                shard.notes.append((indexer.where(task, article), list(article.notes)))
    os.replace(partial, final)
    return shard


def run(client, tasks: list[Task], out_dir: str | os.PathLike, *, enrich: bool = True,
        progress=None) -> Iterator[Shard | Skipped]:
    """Every task on the cluster (`enrich_task`); yields each one's `Shard` in task order, or a
    `Skipped` for a task that failed for good (after `RETRIES`, or when workers kept dying on it).
    ``progress``: an `searchapp.indexer.Progress` callback, after every task done, in any order."""
    from dask.distributed import as_completed

    from searchapp.indexer import Progress

    out = str(Path(out_dir).absolute())
    futures = client.map(enrich_task, range(len(tasks)), tasks, enrich=enrich, out_dir=out,
                         retries=RETRIES, pure=False)
    state = Progress(files_total=len(tasks), bytes_total=sum(t.size for t in tasks))
    done: dict[int, Shard | Skipped] = {}
    number_of = {f.key: n for n, f in enumerate(futures)}
    following = 0
    try:
        for future in as_completed(futures):
            n = number_of[future.key]
            done[n] = _outcome(future, tasks[n])
            state.files_done += 1
            state.bytes_done += tasks[n].size
            if isinstance(done[n], Shard):
                state.articles += done[n].articles
                state.skipped += len(done[n].skipped)
            else:
                state.skipped += 1
            if progress:
                progress(state)
            while following in done:
                yield done.pop(following)
                following += 1
    finally:
        client.cancel(futures)
    for left in Path(out).glob(".*.jsonl.*.tmp"):  # what workers that died had half written
        left.unlink(missing_ok=True)


def _outcome(future, task: Task) -> Shard | Skipped:
    from distributed import KilledWorker

    try:
        shard = future.result()
    except KilledWorker:
        return Skipped(str(task.path), "every worker that read it died (a crash in a parser, or out of memory)")
    except Exception as e:
        return Skipped(str(task.path), f"failed on the cluster: {type(e).__name__}: {e}")
    if shard.articles and not Path(shard.path).is_file():
        raise SchedulerError(f"the workers wrote {shard.path}, which this machine cannot see: give a "
                             f"folder that it and the workers share")
    return shard


def workers(client) -> int:
    return len(client.scheduler_info().get("workers", {}))


# -- the commands ---------------------------------------------------------------------------------

def extract(paths: Iterable[str | os.PathLike], scheduler: str, *, out: str | os.PathLike | None = None,
            enrich: bool = True) -> Iterator[Shard | Skipped]:
    """`searchapp extract --dask`: each task's `Shard` in walk order, or why a file was not read (as
    `searchapp.indexer.extract` says it: `NotRead`, `Skipped`). With ``out`` the shards stay there;
    without, in a temporary folder that goes when the iteration ends (read each shard as it comes)."""
    from searchapp.readers.dispatch import plan

    tasks = []
    for item in plan(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            tasks.append(item)
    with _shard_folder(out, None) as folder, connect(scheduler) as client:
        yield from run(client, tasks, folder, enrich=enrich)


def build(store, paths: Iterable[str | os.PathLike], scheduler: str, *, enrich: bool = True,
          procs: int | None = None, progress=None, cluster_progress=None,
          corrections: str | os.PathLike | None = None, shards: str | os.PathLike | None = None):
    """`searchapp index build --dask`: the tasks read and enriched on the cluster into shards (in
    ``shards``, kept; by default a temporary folder in the index folder, removed after), then indexed
    here as they are, by `searchapp.indexer.build` (``procs`` processes; for ``local:N``, N). The
    report is the build's, with what the cluster skipped and extracted partly."""
    from searchapp import indexer

    target = parse(scheduler)
    if procs is None and isinstance(target, int):
        procs = target  # local:N is N processes of this machine, for both stages

    with contextlib.ExitStack() as stack:
        def on_cluster(tasks: list[Task], report) -> list[Task]:
            # made with the write lock held, after the build cleared what a killed one left; kept
            # until the build has read the shards
            folder = stack.enter_context(_shard_folder(shards, store.root))
            enriched: list[Task] = []
            with connect(scheduler) as client:
                report.cluster = f"dask {scheduler} ({workers(client)} workers)"
                for result in run(client, tasks, folder, enrich=enrich, progress=cluster_progress):
                    if isinstance(result, Skipped):
                        report.skipped.append(result)
                        continue
                    report.skipped.extend(result.skipped)
                    report.partial.extend(indexer.partial(where, notes) for where, notes in result.notes)
                    if result.articles:
                        shard = Task(Path(result.path), format="jsonl", enriched=True,
                                     source=str(tasks[result.number].path))
                        for item in split_task(shard):
                            (report.skipped if isinstance(item, Skipped) else enriched).append(item)
            return enriched

        return indexer.build(store, paths, enrich=enrich, procs=procs, progress=progress,
                             corrections=corrections, stage=on_cluster)


@contextlib.contextmanager
def _shard_folder(path: str | os.PathLike | None, inside: Path | None):
    if path is not None:
        Path(path).mkdir(parents=True, exist_ok=True)
        yield Path(path)
        return
    # In the index folder its name is one the next build clears, should this one be killed.
    folder = Path(tempfile.mkdtemp(prefix=".build-shards-" if inside else "searchapp-shards-", dir=inside))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
