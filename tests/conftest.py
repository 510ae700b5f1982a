"""Shared fixtures: where the shared data lives, and small real indexes built on disk."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Beside the project by default; SEARCHAPP_SHARED_DATA points elsewhere (as for bench/).
SHARED_DATA = Path(os.environ.get("SEARCHAPP_SHARED_DATA") or ROOT / ".." / "shared" / "data").resolve()


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data. Missing: skip with the reason, or fail under CI=true (CI has it)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"shared test data not found: {path} (it lives beside the project, in ../shared/data)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """A real index of seeds/, enriched, built once per test session (read-only for tests)."""
    from searchapp import indexer
    from searchapp.store import IndexStore

    store = IndexStore(tmp_path_factory.mktemp("seed-index"))
    report = indexer.build(store, [SEEDS, FIXTURES / "articles"], procs=1)
    assert report.indexed >= 1 and not report.skipped, report.skipped
    return store


# The backends the search tests run on: Whoosh, a local Xapian database, and a real cluster of two
# xapian-tcpsrv shards on 127.0.0.1 that the tests start (bench/cluster.py).
BACKENDS = ("whoosh", "xapian", "xapian-2-shards")


def _needs_xapian(backend: str) -> None:
    """Skip (fail under CI=true, which installs both) without the xapian module or xapian-tcpsrv."""
    if backend == "whoosh":
        return
    from bench.cluster import available

    why = available()
    if why is None:
        return
    if "shards" not in backend and "xapian-tcpsrv" in why:
        return  # a local database needs no server
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def backend_store(tmp_path_factory):
    """``make(backend) -> IndexStore`` in a new folder, on a cluster of its own for "xapian-N-shards";
    the clusters stop at the end of the session."""
    from bench.cluster import Cluster
    from searchapp.store import IndexStore

    clusters = []

    def make(backend: str) -> IndexStore:
        _needs_xapian(backend)
        root = tmp_path_factory.mktemp(backend + "-index")
        if backend == "whoosh":
            return IndexStore(root)
        if backend == "xapian":
            return IndexStore(root, backend="xapian")
        shards = int(backend.split("-")[1])
        clusters.append(Cluster(shards, tmp_path_factory.mktemp(backend + "-cluster")))
        store = IndexStore(root, backend="xapian", shards=clusters[-1].addresses)
        store.cluster = clusters[-1]
        return store

    yield make
    for cluster in clusters:
        cluster.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def seed_index_on(request, backend_store):
    """The seed index (as `seed_index`) on each backend in turn."""
    from searchapp import indexer

    if request.param == "whoosh":
        return request.getfixturevalue("seed_index")
    store = backend_store(request.param)
    report = indexer.build(store, [SEEDS, FIXTURES / "articles"], procs=2)
    assert report.indexed >= 1 and not report.skipped, report.skipped
    return store


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory):
    """An index of the shared Reuters-21578 files without enrichment (skips without the data)."""
    from searchapp import indexer
    from searchapp.store import IndexStore

    data = shared_data("reuters21578")
    store = IndexStore(tmp_path_factory.mktemp("reuters-index"))
    indexer.build(store, sorted(data.glob("reut2-*.sgm")), enrich=False)
    return store


@pytest.fixture
def site():
    """A real news site on 127.0.0.1 (bench/newssite.py) for the ingest tests; its robots.txt keeps
    crawlers out of /private/."""
    from bench.newssite import Site

    s = Site()
    s.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    yield s
    s.close()
