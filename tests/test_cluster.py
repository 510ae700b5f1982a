"""Reading and enrichment on a real Dask cluster (searchapp.cluster): two single-threaded worker
processes on 127.0.0.1, started once for the module; the results compared with the plain build's."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp import cluster, indexer
from searchapp.cli import main
from searchapp.search import Searcher
from searchapp.store import IndexStore
from tests.conftest import FIXTURES, SEEDS, shared_data

INPUTS = [SEEDS, FIXTURES / "articles", FIXTURES / "syndicated"]


def _dask():
    try:
        from dask import distributed
    except ImportError:
        reason = "Dask is not installed (pip install -e '.[test]' brings it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"cluster tests cannot run under CI: {reason}")
        pytest.skip(reason)
    return distributed


@pytest.fixture(scope="module")
def scheduler():
    """The address of a real 2-worker cluster (processes, one thread each), as a user gives it."""
    distributed = _dask()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0") as local, distributed.Client(local) as client:
        client.wait_for_workers(2)
        yield local.scheduler_address


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _inputs(tmp_path: Path) -> Path:
    """A folder with good articles, a bad JSON line, an empty file, a duplicate id and a README."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Harbour plan approved\n\nThe council approved the harbour plan on "
                                     "Monday, Mayor Anna Berg said.")
    (folder / "empty.txt").write_text("")
    (folder / "notes.md").write_text("not an article")
    lines = [json.dumps({"id": "dup", "title": "First", "body": "The first copy of the story."}),
             "{not json",
             json.dumps({"id": "dup", "title": "Second", "body": "A later copy under the same id."}),
             json.dumps({"id": "other", "title": "Other", "body": "Another story, Reuters reported."})]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _summary(report) -> dict:
    """What a build reports, without its times and order of arrival."""
    return {"indexed": report.indexed, "files": report.files, "duplicates": sorted(report.duplicates),
            "skipped": sorted(map(str, report.skipped)), "not_read": sorted(map(str, report.not_read)),
            "partial": sorted(map(str, report.partial))}


def _results(store: IndexStore, queries: list[str]) -> dict:
    """Per query: the total of stories, and of articles with every article's id and score (up to 100
    hits; past that, the scores). Which copy of a story stands for it is the best ranked, and of
    copies ranked the same (a filter alone ranks all alike) the first in the index, which depends on
    which process wrote which: so the ids are compared with every article shown."""
    searcher = Searcher(store)
    out = {}
    for q in queries:
        stories = searcher.search(q, per_page=100).total
        res = searcher.search(q, per_page=100, collapse=False)
        hits = sorted((round(h.score, 6), h.id) for h in res.hits)
        out[q] = (stories, res.total, hits if res.total <= 100 else [s for s, _ in hits])
    return out


def _stats(store: IndexStore) -> tuple:
    stats = store.stats()
    return stats["articles"], stats["quotes"]


# -- usage ------------------------------------------------------------------------------------------

def test_a_dask_value_that_names_no_cluster_is_bad_usage():
    assert cluster.parse("local:2") == 2
    assert cluster.parse("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("local", "local:0", "local:two", "10.0.0.5:8786", "http://host:8786", ""):
        with pytest.raises(cluster.SchedulerError):
            cluster.parse(bad)
    for command in (["extract", SEEDS], ["index", "build", SEEDS]):
        res = run(*command, "--dask", "locl:2")
        assert res.exit_code == 2
        assert "--dask" in res.output and "local:N" in res.output
    res = run("extract", SEEDS, "--out", "x")
    assert res.exit_code == 2 and "--dask" in res.output
    assert "--dask" in run("index", "build", "--help").output and "--out" in run("extract", "--help").output


def test_a_scheduler_without_workers_or_out_of_reach_is_said_so(monkeypatch, tmp_path):
    distributed = _dask()
    monkeypatch.setattr(cluster, "WAIT_FOR_WORKERS", 1)
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address="127.0.0.1:0") as empty:
        res = run("index", "build", SEEDS, "--index", tmp_path / "ix", "--dask", empty.scheduler_address)
        assert res.exit_code == 2 and "has no workers" in res.output
        address = empty.scheduler_address
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    res = run("extract", SEEDS, "--dask", address)  # closed now
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.output
    assert not IndexStore(tmp_path / "ix").exists()


def test_time_budgets_interrupt_a_worker_thread_that_asks():
    """A Dask worker runs tasks in a thread, where no SIGALRM arrives: its steps keep their budgets."""
    from searchapp.budget import OverBudget, interruptible_thread, time_limit

    outcome = []

    def task() -> None:
        with interruptible_thread():
            try:
                with time_limit(0.05):
                    n = 0
                    while n < 3 * 10 ** 7:  # seconds of work, well past the budget
                        n += 1
                outcome.append("ran to its end")
            except OverBudget as e:
                outcome.append(str(e))
            try:
                with time_limit(5):  # a block that ends within its budget: nothing is raised later
                    pass
                sum(range(10 ** 6))
            except OverBudget:
                outcome.append("raised after the block")

    worker = threading.Thread(target=task)
    worker.start()
    worker.join()
    assert outcome == ["over its 0.05 s budget"]


# -- extraction -------------------------------------------------------------------------------------

def test_extract_on_the_cluster_gives_the_articles_extract_gives(scheduler, tmp_path):
    inputs = [*INPUTS, _inputs(tmp_path)]
    plain = run("extract", *inputs)
    on_cluster = run("extract", *inputs, "--dask", scheduler)
    assert plain.exit_code == on_cluster.exit_code == 1  # the bad line and the empty file
    assert on_cluster.stdout == plain.stdout and len(plain.stdout.splitlines()) == 11
    assert sorted(on_cluster.stderr.splitlines()) == sorted(plain.stderr.splitlines())
    assert "feed.jsonl:2: invalid JSON" in on_cluster.stderr and "not read" in on_cluster.stderr

    out = tmp_path / "shards"
    kept = run("extract", *inputs, "--dask", scheduler, "--out", out)
    assert kept.exit_code == 1 and kept.stdout == ""
    shards = sorted(out.glob("*.jsonl"))
    assert "".join(p.read_text() for p in shards) == plain.stdout
    assert not list(out.glob(".*"))  # no partial shard left behind


# -- the index build --------------------------------------------------------------------------------

QUERIES = ["Lavrov", "speaker:Truss troops", "harbour", "coffee OR cocoa", "person:Lavrov", "story", "dup"]


def test_a_build_on_the_cluster_indexes_what_the_plain_build_does(scheduler, tmp_path):
    inputs = [*INPUTS, _inputs(tmp_path)]
    plain = IndexStore(tmp_path / "plain")
    expected = indexer.build(plain, inputs, procs=2)
    dask = IndexStore(tmp_path / "dask")
    got = cluster.build(dask, inputs, scheduler)
    assert _summary(got) == _summary(expected)
    assert got.skipped and got.duplicates and got.not_read  # the bad line, the empty file; "dup"; notes.md
    assert got.cluster == f"dask {scheduler} (2 workers)"
    assert _stats(dask) == _stats(plain)
    assert _results(dask, QUERIES) == _results(plain, QUERIES)
    assert [p.name for p in dask.root.iterdir() if p.name.startswith(".build")] == []  # shards removed


def test_index_build_dask_local_2_from_the_command_line(tmp_path):
    _dask()
    plain = run("index", "build", SEEDS, "--index", tmp_path / "plain")
    res = run("index", "build", SEEDS, "--index", tmp_path / "dask", "--dask", "local:2",
              "--report", tmp_path / "report.json")
    assert plain.exit_code == res.exit_code == 0, res.output
    assert "read and enriched on dask local:2 (2 workers)" in res.stderr
    assert "enriched: 100%" in res.stderr and "indexed: 100%" in res.stderr and "skipped: 0" in res.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["indexed"] == 1 and report["cluster"] == "dask local:2 (2 workers)"
    dask, ref = IndexStore(tmp_path / "dask"), IndexStore(tmp_path / "plain")
    assert _results(dask, QUERIES) == _results(ref, QUERIES)
    assert _results(dask, ["Lavrov"])["Lavrov"][:2] == (1, 1)


def test_kept_shards_index_the_same(scheduler, tmp_path):
    """--enriched-dir keeps what the workers wrote: the articles, once, in walk order."""
    shards = tmp_path / "shards"
    res = run("index", "build", *INPUTS, "--index", tmp_path / "ix", "--dask", scheduler, "--enriched-dir", shards)
    assert res.exit_code == 0, res.output
    plain = run("extract", *INPUTS)
    assert "".join(p.read_text() for p in sorted(shards.glob("*.jsonl"))) == plain.stdout


def test_a_build_of_reuters_files_on_the_cluster_searches_the_same(scheduler, tmp_path):
    data = shared_data("reuters21578")
    files = [data / "reut2-000.sgm", data / "reut2-001.sgm"]
    plain = IndexStore(tmp_path / "plain")
    expected = indexer.build(plain, files, procs=2)
    dask = IndexStore(tmp_path / "dask")
    got = cluster.build(dask, files, scheduler)
    assert got.indexed == expected.indexed > 1900
    assert _summary(got) == _summary(expected)
    assert _stats(dask) == _stats(plain)
    queries = ["oil prices", "coffee", "person:Reagan", "place:Brazil", "speaker:Volcker", "\"stock split\"",
               "gold OR silver", "cocoa NOT brazil", "date:1987-03", "bank"]
    assert _results(dask, queries) == _results(plain, queries)


# -- a worker dies ----------------------------------------------------------------------------------

def _generated(folder: Path, files: int = 4, articles: int = 40) -> list[Path]:
    """JSON-lines files of seed-like articles, each file a task of some seconds' enrichment."""
    text = (SEEDS / "000_92132aacbd1f3e76.txt").read_text()
    paragraphs = [p for p in text.split("\n") if p.strip()]
    folder.mkdir()
    paths = []
    for f in range(files):
        lines = []
        for i in range(articles):
            k = (f * articles + i) % len(paragraphs)
            body = "\n\n".join(paragraphs[k:] + paragraphs[:k])
            lines.append(json.dumps({"id": f"gen-{f}-{i}", "title": f"Talks in Moscow, part {i}", "body": body}))
        path = folder / f"part-{f}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


class KillOnce:
    """A worker plugin that kills its worker's process, once in the whole cluster (the marker file
    says whether it has), while a task of it is executing and some shard is half written: as the
    kernel's OOM killer or a lost machine would, with no chance to clean up."""

    def __init__(self, marker: str, shards: str):
        self.marker, self.shards = marker, shards

    def transition(self, key, start, finish, **kwargs):
        if finish != "executing":
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        threading.Thread(target=self._kill_when_writing, args=(fd,), daemon=True).start()

    def _kill_when_writing(self, fd: int) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for tmp in Path(self.shards).glob(".*.tmp"):
                try:
                    size = tmp.stat().st_size
                except FileNotFoundError:
                    continue
                if size:
                    os.write(fd, f"killed {os.getpid()} with {tmp.name} at {size} bytes".encode())
                    os._exit(1)
            time.sleep(0.002)
        os.write(fd, b"no shard was being written")


def test_a_worker_killed_mid_task_loses_no_article(scheduler, tmp_path):
    distributed = _dask()
    paths = _generated(tmp_path / "in")
    plain = IndexStore(tmp_path / "plain")
    expected = indexer.build(plain, paths, procs=2)
    marker, shards = tmp_path / "killed", tmp_path / "shards"
    shards.mkdir()
    plugin = type("KillOncePlugin", (KillOnce, distributed.WorkerPlugin), {})(str(marker), str(shards))
    with distributed.Client(scheduler) as client:
        client.register_plugin(plugin, name="kill-once")
        try:
            dask = IndexStore(tmp_path / "dask")
            got = cluster.build(dask, paths, scheduler, shards=shards)
        finally:
            client.unregister_worker_plugin("kill-once")
        assert marker.read_text().startswith("killed "), marker.read_text()
        client.wait_for_workers(2)  # the nanny started a new one
    assert got.indexed == expected.indexed == 160 and not got.skipped
    assert _summary(got) == _summary(expected)
    assert _stats(dask) == _stats(plain)
    assert _results(dask, ["Lavrov", "troops", "gen"]) == _results(plain, ["Lavrov", "troops", "gen"])
    assert sorted(p.name for p in shards.iterdir()) == [f"{n:06d}.jsonl" for n in range(4)]
