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
