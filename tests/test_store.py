"""The index on disk: atomic rebuilds (even under kill -9), add/update/delete, the write lock."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchapp import indexer
from searchapp.archive.duplicates import saved_groups
from searchapp.search import Searcher
from searchapp.store import IndexBusy, IndexMissing, IndexStore
from searchapp.store.lock import WriteLock


def write_jsonl(path: Path, n: int, word: str, start: int = 0) -> Path:
    with open(path, "w") as f:
        for i in range(start, start + n):
            f.write(json.dumps({"id": f"{word}-{i}", "title": f"{word} story {i}",
                                "body": f"The {word} council met on day {i} and approved a plan. " * 3}) + "\n")
    return path


def total(store, q):
    return Searcher(store).search(q, facets=False).total


def test_build_then_search(tmp_path):
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [write_jsonl(tmp_path / "a.jsonl", 5, "alpha")], enrich=False, procs=1)
    assert report.indexed == 5 and not report.skipped
    assert total(store, "alpha") == 5
    stats = store.stats()
    assert stats["articles"] == 5 and stats["last_build"]["indexed"] == 5


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissing, match="searchapp index build"):
        IndexStore(tmp_path / "none").current_dir()


def test_rebuild_swaps_generations_and_keeps_one_predecessor(tmp_path):
    store = IndexStore(tmp_path / "ix")
    for word in ("alpha", "beta", "gamma"):
        indexer.build(store, [write_jsonl(tmp_path / f"{word}.jsonl", 3, word)], enrich=False, procs=1)
    assert total(store, "gamma") == 3 and total(store, "alpha") == 0
    assert len(list((tmp_path / "ix").glob("gen-*"))) == 2


def test_failed_build_leaves_the_old_index_serving(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [write_jsonl(tmp_path / "a.jsonl", 4, "alpha")], enrich=False, procs=1)
    before = store.current_name()

    def boom(state):
        raise KeyboardInterrupt  # Ctrl-C in the middle of a build

    with pytest.raises(KeyboardInterrupt):
        indexer.build(store, [write_jsonl(tmp_path / "b.jsonl", 4, "beta")], enrich=False, procs=1, progress=boom)
    assert store.current_name() == before
    assert total(store, "alpha") == 4 and total(store, "beta") == 0
    assert not list((tmp_path / "ix").glob(".build-*"))


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_kill_9_during_build_leaves_the_old_index_untouched(tmp_path, delay):
    """A real `searchapp index build` process killed with SIGKILL at different moments."""
    ix = tmp_path / "ix"
    store = IndexStore(ix)
    indexer.build(store, [write_jsonl(tmp_path / "old.jsonl", 3, "alpha")], enrich=False, procs=1)
    before = store.current_name()
    big = write_jsonl(tmp_path / "big.jsonl", 40000, "beta")
    proc = subprocess.Popen([sys.executable, "-m", "searchapp", "index", "build", str(big), "--index", str(ix),
                             "--no-enrich", "--procs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    finished = proc.poll() is not None
    proc.kill()
    proc.wait()
    if finished:
        pytest.skip("the build finished before it could be killed")
    fresh = IndexStore(ix)
    assert fresh.current_name() == before
    assert total(fresh, "alpha") == 3 and total(fresh, "beta") == 0
    # The next build clears what the killed one left and succeeds.
    indexer.build(fresh, [write_jsonl(tmp_path / "new.jsonl", 2, "gamma")], enrich=False, procs=1)
    assert total(fresh, "gamma") == 2 and not list(ix.glob(".build-*"))


def test_add_inserts_and_updates_by_id_and_delete_removes(tmp_path):
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [write_jsonl(tmp_path / "a.jsonl", 3, "alpha")], enrich=False, procs=1)
    upd = tmp_path / "upd.jsonl"
    upd.write_text(json.dumps({"id": "alpha-0", "title": "Rewritten", "body": "Now about zebras."}) + "\n"
                   + json.dumps({"id": "new-1", "title": "New", "body": "A new zebra story."}) + "\n")
    report = indexer.add(store, [upd], enrich=False, procs=1)
    assert (report.indexed, report.updated) == (2, 1)
    assert total(store, "zebra") == 2 and total(store, "alpha") == 2
    deleted, missing = indexer.delete(store, ["alpha-1", "nope"])
    assert deleted == ["alpha-1"] and missing == ["nope"]
    assert total(store, "alpha") == 1 and store.stats()["articles"] == 3


def test_duplicates_in_a_build_are_reported_and_the_first_kept(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(json.dumps({"id": "same", "title": t, "body": "Text about a harbour plan."})
                           for t in ("First", "Second")) + "\n")
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, [p], enrich=False, procs=1)
    assert report.indexed == 1 and report.duplicates == [f"{p}#same"]
    assert Searcher(store).search("harbour").hits[0].title == "First"


def test_a_builds_records_reach_the_duplicate_groups_and_leave_no_file(tmp_path):
    story = ("The harbour board approved a plan on Monday to dredge the northern channel, widen two berths "
             "and build a new container yard, the board's chairman told reporters after the vote.")
    for name, article_id, body in (("a", "orig", story), ("b", "copy", story), ("c", "orig", "Another text.")):
        (tmp_path / f"{name}.jsonl").write_text(json.dumps({"id": article_id, "title": "Harbour", "body": body}) + "\n")
    store = IndexStore(tmp_path / "ix")
    report = indexer.build(store, sorted(tmp_path.glob("*.jsonl")), enrich=False, procs=2)
    assert report.indexed == 2 and report.duplicates == [f"{tmp_path / 'c.jsonl'}#orig"]
    with store.searcher() as s:
        assert [sorted(g.ids) for g in saved_groups(store, s)] == [["copy", "orig"]]  # "orig" as first read
    assert not list((tmp_path / "ix").glob("*/" + indexer.RECORDS_DIR))


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path):
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [write_jsonl(tmp_path / "a.jsonl", 1, "alpha")], enrich=False, procs=1)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from searchapp.store.lock import WriteLock; "
        f"l = WriteLock({str(tmp_path / 'ix')!r}).acquire(); print('locked', flush=True); time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusy, match=f"being updated by PID {holder.pid}"):
            indexer.add(store, [write_jsonl(tmp_path / "b.jsonl", 1, "beta")], enrich=False, procs=1)
        out = subprocess.run([sys.executable, "-m", "searchapp", "index", "delete", "alpha-0", "--index",
                              str(tmp_path / "ix")], capture_output=True, text=True)
        assert out.returncode == 3 and f"being updated by PID {holder.pid}" in out.stderr
        assert "Traceback" not in out.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    # The killed holder's lock is stale: the next writer takes it and knows whose it was.
    lock = WriteLock(tmp_path / "ix").acquire()
    assert lock.stale_pid == holder.pid
    lock.release()
    assert indexer.delete(store, ["alpha-0"]) == (["alpha-0"], [])


def test_postings_fast_path_equals_whoosh_word_values():
    """schema._postings analyses the news fields in one pass; Whoosh's own word_values is the reference."""
    from searchapp.store.whoosh.schema import _postings, build_schema

    schema = build_schema()
    text = "The U.S. troops’ deal: AT&T's CEO said the troops can't stay, the troops said."
    for name in ("title", "body", "quote"):
        field = schema[name]
        reference = tuple((t.encode("utf-8"), f, w, v) for t, f, w, v in field.format.word_values(text, field.analyzer, mode="index"))
        assert _postings(field, text, {}).postings == reference
    # Any other chain takes the generic path, which records the offsets as it goes.
    byline = schema["byline"]
    offsets: dict = {}
    reference = tuple((t.encode("utf-8"), f, w, v) for t, f, w, v in byline.format.word_values(text, byline.analyzer, mode="index"))
    assert _postings(byline, text, offsets).postings == reference
    assert offsets["troops"] == (9, 15, 43, 49, 66, 72)


def test_dates_are_read_for_every_document_of_every_segment(tmp_path):
    """Read one block per segment: undated articles, also after a segment's last date, read as none."""
    def write(name, rows):
        path = tmp_path / name
        path.write_text("".join(json.dumps({"id": i, "body": "The council approved the plan.",
                                            **({"published": d} if d else {})}) + "\n" for i, d in rows))
        return path

    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [write("a.jsonl", [("a", "2022-01-01"), ("b", None), ("c", "2021-06-01"), ("d", None)])],
                  enrich=False, procs=1)
    indexer.add(store, [write("b.jsonl", [("e", None), ("f", "2023-03-04T05:06:07")])], enrich=False, procs=1)
    with store.searcher() as s:
        got = {s.stored(n)["id"]: s.date_of(int(raw)) for n, raw in enumerate(s.dates()) if not s.is_deleted(n)
               and s.stored(n).get("kind") == "article"}
    assert {i: d and d.isoformat() for i, d in got.items()} == {
        "a": "2022-01-01T00:00:00", "b": None, "c": "2021-06-01T00:00:00", "d": None, "e": None,
        "f": "2023-03-04T05:06:07"}


def test_an_add_that_brings_the_first_dates_to_an_index_without_any(tmp_path):
    """Whoosh's multi-segment column reader leaves out the segments without a column, but not their
    documents: every search of such an index failed (struct.error) or read another document's date."""
    store = IndexStore(tmp_path / "ix")
    undated = tmp_path / "undated.jsonl"
    undated.write_text(json.dumps({"id": "old", "body": "The council approved the plan."}) + "\n")
    indexer.build(store, [undated], enrich=False, procs=1)
    dated = tmp_path / "dated.jsonl"
    dated.write_text("".join(json.dumps({"id": f"d{m}", "body": "The council approved the plan.",
                                         "published": f"2022-0{m}-01"}) + "\n" for m in (1, 2)))
    indexer.add(store, [dated], enrich=False, procs=1)
    res = Searcher(IndexStore(tmp_path / "ix")).search("council", sort="newest", collapse=False)  # same text
    assert [h.id for h in res.hits] == ["d2", "d1", "old"]
    assert res.histogram == [("2022-01", 1), ("2022-02", 1)]


def test_a_mapped_generation_reads_what_a_search_reads_without_copying_its_files(tmp_path):
    """Whole-index work (the tables built at each commit) maps the index files; their stream reads
    (posting headers, pickled block infos) go through a cursor over the map, never a copy of a file."""
    from searchapp.store.whoosh.files import MappedFile

    rows = [{"id": f"a{i}", "title": f"Ferry {i}", "body": "harbour ferry council vote " * (1 + i % 9)}
            for i in range(1500)]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [corpus], enrich=False, procs=2)
    with store.searcher() as s, IndexStore.open_generation(store.current_dir()) as (_, mapped):
        for field, word in (("body", "ferri"), ("body", "council"), ("title", "ferri"), ("body", "absent")):
            read, mapped_read = s.postings(field, word), mapped.postings(field, word)
            assert read[0].tolist() == mapped_read[0].tolist() and read[1].tolist() == mapped_read[1].tolist()
        for docnum in (0, 749, 1499):
            assert mapped.stored(docnum) == s.stored(docnum)
        files = [f for r in mapped.searcher.reader().leaf_readers() for f in vars(r[0]._perdoc).values()
                 if isinstance(f, MappedFile)]
        files += [r[0]._terms._postfile for r in mapped.searcher.reader().leaf_readers()]
        assert files and all(isinstance(f, MappedFile) and f.file is f for f in files)


def test_a_mapped_file_reads_as_a_stream_through_its_cursor():
    import pickle

    from searchapp.store.whoosh.files import MappedFile

    data = b"head\nline two\n" + pickle.dumps({"a": 1}) + b"tail"
    f = MappedFile(memoryview(data), name="x")
    assert f.readline() == b"head\n" and f.tell() == 5 and f.read(4) == b"line"
    f.seek(-4, 2)
    assert f.read() == b"tail" and f.read(3) == b""
    f.seek(14)
    assert f.read_pickle() == {"a": 1} and f.read(4) == b"tail"
    f.seek(0)
    assert f.get(0, 4) == b"head" and f.read_int() == int.from_bytes(b"head", "big")
    with pytest.raises(ValueError):
        f.seek(-1)
