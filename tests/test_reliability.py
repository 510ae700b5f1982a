"""Breaking things on purpose: hostile input, kill -9 during updates, searching while writing,
and random queries. Each test fails if the guarantee in the README's "Guarantees" breaks."""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchapp import indexer
from searchapp.search import QueryError, Searcher
from searchapp.store import IndexStore

GOOD = "The harbour council approved the {} plan on Monday after a long debate. Residents welcomed it."


def cli(*args, as_user: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run `searchapp` in a real process. ``as_user``: without root's power to ignore file permissions."""
    prefix = []
    if as_user and os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run(prefix + [sys.executable, "-m", "searchapp", *map(str, args)], capture_output=True,
                          text=True, **kw)


def hostile_folder(root: Path) -> tuple[set[str], dict[str, str]]:
    """Good articles among every kind of bad file. Returns (good ids, {bad file name: reason fragment})."""
    root.mkdir()
    good: set[str] = set()
    bad: dict[str, str] = {}

    def text_article(name: str, word: str) -> None:
        (root / name).write_text(GOOD.format(word), encoding="utf-8")
        good.add(Path(name).stem)

    text_article("plain one.txt", "alpha")                        # a space in the name
    text_article("quote's \"odd\".txt", "bravo")                  # quotes in the name
    text_article("überschrift-日本.txt", "charlie")                # non-ASCII name
    (root / "empty.txt").write_bytes(b"")
    bad["empty.txt"] = "empty"
    (root / "binary.html").write_bytes(bytes(range(256)) * 64)
    bad["binary.html"] = "binary"
    (root / "invalid-utf8.txt").write_bytes(b"The caf\xe9 council approved the delta plan on Monday. It was \xff\xfe fine.")
    good.add("invalid-utf8")  # decoded as cp1252, not skipped
    (root / "cp1252.html").write_bytes(
        b"<html><head><meta charset='utf-8'><title>Caf\xe9 plan</title></head><body><article><p>"
        + GOOD.format("echo").encode() * 3 + b" The caf\xe9 owner said \x93yes\x94.</p></article></body></html>")
    good.add("cp1252")
    (root / "truncated.html").write_text("<html><head><title>Cut short</title></head><body><article><p>"
                                         + GOOD.format("foxtrot") * 3 + "<p>and then the file ends mid-ta")
    good.add("truncated")
    (root / "nested.html").write_text("<html><body>" + "<div>" * 100_000 + GOOD.format("golf")
                                      + "</div>" * 100_000 + "</body></html>")
    bad["nested.html"] = ""  # may be read or skipped, but must not crash the build
    with open(root / "huge.txt", "wb") as f:  # 200 MB: over the per-article limit, never read into memory
        f.truncate(200 * 1024 * 1024)
    bad["huge.txt"] = "limit"
    lines = [json.dumps({"id": "j1", "title": "Hotel plan", "body": GOOD.format("hotel")}),
             "{broken json",
             json.dumps({"id": "j1", "title": "Duplicate id", "body": GOOD.format("india")}),
             json.dumps({"id": "j2", "title": "Juliet plan", "body": GOOD.format("juliet")})]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
    good.update({"j1", "j2"})
    bad["feed.jsonl:2"] = "invalid JSON"
    locked = root / "locked.txt"
    locked.write_text(GOOD.format("kilo"))
    locked.chmod(0)
    bad["locked.txt"] = "permission denied"
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "does-not-exist.txt")
    bad["dangling.txt"] = ""
    return good, bad


def test_hostile_folder_indexes_every_good_article_and_reports_every_bad_one(tmp_path):
    src = tmp_path / "in"
    good, bad = hostile_folder(src)
    ix = tmp_path / "ix"
    report_file = tmp_path / "report.json"
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.fail("running as root needs util-linux's setpriv to make permission bits bite")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run = cli("index", "build", src, "--index", ix, "--report", report_file, "--no-enrich", as_user=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert run.returncode == 1, run.stderr  # 1: built, but something was skipped
    assert "Traceback" not in run.stderr
    report = json.loads(report_file.read_text())
    skipped = {Path(s["where"].split("#")[0]).name: s["reason"] for s in report["skipped"]}
    assert len(report["skipped"]) == len(skipped), "a bad file was reported twice"
    for name, reason in bad.items():
        if name == "nested.html":
            continue
        assert name in skipped, f"{name} was not reported: {skipped}"
        assert reason in skipped[name]
    assert report["duplicates"] == [f"{src / 'feed.jsonl'}#j1"]
    store = IndexStore(ix)
    indexed = {h.id for h in Searcher(store).search("*", per_page=100, facets=False, collapse=False).hits}
    assert good <= indexed
    assert "nested" in indexed or "nested.html" in skipped
    assert Searcher(store).search("india").total == 0  # the duplicate's text is not in the index
    assert peak_mb < 1024 or before / 1024 >= peak_mb, f"peak memory {peak_mb:.0f} MB: a big file was read whole"


def _count(ix: Path, word: str) -> int:
    return Searcher(IndexStore(ix)).search(word, facets=False, collapse=False).total


def test_kill_9_during_add_leaves_the_index_before_or_after(tmp_path):
    """A real `index add` killed at random moments, several times: never half an update, never corrupt."""
    ix = tmp_path / "ix"
    base = tmp_path / "base.jsonl"
    base.write_text("".join(json.dumps({"id": f"old-{i}", "body": GOOD.format("oldword")}) + "\n" for i in range(50)))
    indexer.build(IndexStore(ix), [base], enrich=False, procs=1)
    update = tmp_path / "update.jsonl"
    n_new = 6000
    update.write_text("".join(json.dumps({"id": f"new-{i}", "body": GOOD.format("newword")}) + "\n"
                              for i in range(n_new)))
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "searchapp", "index", "add", str(update), "--index", str(ix),
                                 "--no-enrich", "--procs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.0))
        proc.kill()
        proc.wait()
        new = _count(ix, "newword")
        assert new in (0, n_new), f"half an update is visible: {new} of {n_new}"
        assert _count(ix, "oldword") == 50
        assert IndexStore(ix).stats()["articles"] in (50, 50 + n_new)
        outcomes.add(new)
        if new:  # it finished before the kill: start again from the old state
            indexer.delete(IndexStore(ix), [f"new-{i}" for i in range(n_new)])
    # After the kills a normal add still works (no stale lock, no corruption).
    done = cli("index", "add", update, "--index", ix, "--no-enrich")
    assert done.returncode == 0, done.stderr
    assert _count(ix, "newword") == n_new


def test_searches_keep_answering_during_add_and_rebuild(tmp_path):
    ix = tmp_path / "ix"
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps({"id": f"a-{i}", "body": GOOD.format("alpha")}) + "\n" for i in range(200)))
    indexer.build(IndexStore(ix), [first], enrich=False, procs=1)
    store = IndexStore(ix)  # like the web app: one store, reused by every request
    errors: list[BaseException] = []
    seen_totals: list[int] = []
    stop = threading.Event()

    def searcher_loop():
        s = Searcher(store)
        while not stop.is_set():
            try:
                seen_totals.append(s.search("alpha OR beta OR gamma", facets=True, collapse=False).total)
            except BaseException as e:  # noqa: BLE001 - any error is a failure
                errors.append(e)

    threads = [threading.Thread(target=searcher_loop) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        more = tmp_path / "more.jsonl"
        more.write_text("".join(json.dumps({"id": f"b-{i}", "body": GOOD.format("beta")}) + "\n" for i in range(3000)))
        assert cli("index", "add", more, "--index", ix, "--no-enrich").returncode == 0
        rebuilt = tmp_path / "rebuilt.jsonl"
        rebuilt.write_text("".join(json.dumps({"id": f"c-{i}", "body": GOOD.format("gamma")}) + "\n" for i in range(3000)))
        assert cli("index", "build", rebuilt, "--index", ix, "--no-enrich").returncode == 0
        final = 0
        deadline = time.monotonic() + 60  # the new generation serves once warmed (seconds), never stale after
        while final == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            final = Searcher(store).search("gamma", collapse=False).total
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert final == 3000 and Searcher(store).search("alpha", collapse=False).total == 0  # not stale
    assert 200 in seen_totals and len(seen_totals) > 10


QUERY_ALPHABET = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=QUERY_ALPHABET, max_size=60)
       | st.lists(st.sampled_from(['"', "(", ")", "*", "~", ":", "AND", "OR", "NOT", "[", "]", "to", "date:",
                                   "speaker:", "person:", "quote:", "{", "}", "^", "-", "+", "lavrov", "x~2",
                                   "date:[2022 to", "'", "\\", "title:", "*:*"]), max_size=8).map(" ".join),
       page=st.one_of(st.integers(-5, 2000), st.text(max_size=5)),
       per_page=st.one_of(st.integers(-5, 10**9), st.text(max_size=5)),
       sort=st.sampled_from(["relevance", "newest", "oldest", "bogus", ""]))
def test_random_queries_and_parameters_never_raise_anything_but_query_errors(seed_index, q, page, per_page, sort):
    try:
        res = Searcher(seed_index).search(q, page=page, per_page=per_page, sort=sort)
    except QueryError as e:
        assert str(e)
        return
    assert res.total >= 0 and len(res.hits) <= res.per_page


API_PARAM = st.one_of(st.text(alphabet=QUERY_ALPHABET, max_size=20), st.integers(-10**12, 10**12).map(str))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["q", "page", "limit", "sort", "facets", "snippets", "f.people", "f.places", "f.period",
                     "f.bogus", "f.speakers", "prefix"]),
    API_PARAM, max_size=6))
def test_random_api_parameters_get_json_answers_never_a_500(seed_index, params):
    from searchapp.web import create_app

    client = create_app({"INDEX_DIR": str(seed_index.root), "TESTING": True}).test_client()
    for path in ("/api/search", "/api/suggest", "/api/export.csv"):
        resp = client.get(path, query_string=params)
        assert resp.status_code in (200, 400), (path, params, resp.status_code, resp.data[:300])
        if resp.status_code == 400:
            assert resp.get_json()["error"]["message"]


def test_searches_while_an_add_commits_and_a_request_holds_a_searcher(tmp_path):
    """The issue's reproduction, made deterministic: one search, `index add` in another process, then
    searches while a request in flight holds the pooled searcher and the new generation is still
    warming. A searcher opened meanwhile reads the newest table of contents; its caches (field lengths,
    postings, facet tables) must be that generation's, never the previous one's."""
    ix = tmp_path / "ix"
    words = ["bank", "harbour", "wheat", "council", "coffee"]
    base = tmp_path / "base.jsonl"
    base.write_text("".join(json.dumps({"id": f"a-{i}", "title": f"Story {i} about {words[i % 5]}",
                                        "body": f"Interest rates and the {words[i % 5]} plan were discussed on "
                                                f"day {i}, officials said."}) + "\n" for i in range(300)))
    indexer.build(IndexStore(ix), [base], enrich=False, procs=1)
    store = IndexStore(ix)
    searcher = Searcher(store)
    queries = ["interest rates", "bank", "harbour plan", '"wheat plan"', "coffee OR council", "officials"]
    assert searcher.search(queries[0]).total == 300
    release = threading.Event()
    warm = store._warmer
    store.set_warmer(lambda st, s: (release.wait(60), warm(st, s)))  # a slow warm-up, as on a big index
    new = tmp_path / "new.jsonl"
    new.write_text("".join(json.dumps({"id": f"n-{i}", "title": f"Interest rates story {i}",
                                       "body": f"The bank raised interest rates for the harbour plan; "
                                               f"the wheat plan and coffee officials waited {i}."}) + "\n"
                           for i in range(40)))
    added = cli("index", "add", new, "--index", ix, "--no-enrich")
    assert added.returncode == 0, added.stderr
    expected = {q: Searcher(IndexStore(ix)).search(q).total for q in queries}  # a fresh store: no caches
    assert expected[queries[0]] == 340 and expected["bank"] == 100
    time.sleep(0.3)  # past the store's 0.2 s between looks at the disk
    try:
        with store.searcher():  # a request in flight holds the only pooled searcher
            for q in queries:
                res = searcher.search(q, facets=True)
                assert res.total == expected[q], q
                assert sum(c for _, c in res.histogram) <= res.total
    finally:
        release.set()
    deadline = time.monotonic() + 30
    while store._warming is not None and time.monotonic() < deadline:  # the warm-up ends and swaps in
        time.sleep(0.05)
    assert store._warming is None and store._pool_key[1] > 0
    assert {q: searcher.search(q, facets=True).total for q in queries} == expected
