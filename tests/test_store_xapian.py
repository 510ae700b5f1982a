"""The Xapian backend (store/xapian), local and on a real 2-shard cluster of xapian-tcpsrv processes:
what it holds equals what Whoosh holds, updates reach the right shard, the index remembers its backend,
and a shard that is down is named."""
from __future__ import annotations

import json

import numpy as np
import pytest

from searchapp import indexer
from searchapp.search import Searcher
from searchapp.store import IndexStore, ShardUnavailable
from searchapp.web import create_app
from tests.conftest import FIXTURES, SEEDS

XAPIAN = ("xapian", "xapian-2-shards")



def _names(s, docnums):
    """Docnums as what they are, whatever the backend numbers them: an article's id, a quote's text."""
    out = []
    for d in np.asarray(docnums).tolist():
        stored = s.stored(d)
        out.append(stored.get("id") or ("quote", stored.get("parent"), stored.get("quote")))
    return out


def _postings(s, field, term):
    docs, weights = s.postings(field, term)
    return sorted(zip(_names(s, docs), weights.tolist()), key=repr)


@pytest.mark.parametrize("backend", XAPIAN)
def test_statistics_equal_whooshs(seed_index, backend_store, backend):
    """Postings (with weights: frequencies, or the pair hashes), document frequencies, field totals and
    lengths, dates and lexicons of the seed index are Whoosh's (lengths exactly: Whoosh keeps a byte)."""
    store = backend_store(backend)
    indexer.build(store, [SEEDS, FIXTURES / "articles"], procs=2)
    with seed_index.searcher() as w, store.searcher() as x:
        assert x.doc_count() == w.doc_count() and len(x.live_docs()) == len(w.live_docs())
        for field in ("title", "body", "quote", "byline", "publisher", "f_people", "f_speakers", "kind", "parent"):
            terms = dict(w.terms(field))
            assert dict(x.terms(field)) == terms, field
            for term in list(terms)[:40]:
                assert _postings(x, field, term) == _postings(w, field, term), (field, term)
                assert x.doc_frequency(field, term) == w.doc_frequency(field, term)
        for field in ("title_pairs", "body_pairs", "quote_pairs"):
            for term, _ in list(w.terms(field))[:60]:
                assert _postings(x, field, term) == _postings(w, field, term), (field, term)
        for field in ("title", "body", "quote"):
            assert x.field_length(field) == w.field_length(field)
            wl = dict(zip(_names(w, w.live_docs()), w.lengths(field)[w.live_docs()].tolist()))
            xl = dict(zip(_names(x, x.live_docs()), x.lengths(field)[x.live_docs()].tolist()))
            assert wl.keys() == xl.keys()
            for k in wl:  # Whoosh's byte keeps 1..~10 exactly, then ~6% steps
                assert abs(wl[k] - xl[k]) <= max(1, 0.07 * xl[k]), (field, k)
        wd = {n: w.date_of(r) for n, r in zip(_names(w, range(w.size)), w.dates().tolist()) if r}
        xd = {n: x.date_of(r) for n, r in zip(_names(x, range(x.size)), x.dates().tolist()) if r}
        assert xd == wd and xd
        parents = x.quote_parents()
        for q in x.postings("kind", "quote")[0].tolist():
            assert x.stored(int(parents[q]))["id"] == x.stored(q)["parent"]
        assert x.archive_names().facets == w.archive_names().facets


@pytest.mark.parametrize("backend", XAPIAN)
def test_add_replace_and_delete_reach_the_articles_shard(tmp_path, backend_store, backend):
    store = backend_store(backend)
    indexer.build(store, [FIXTURES / "articles"], procs=2)
    later = tmp_path / "later.jsonl"
    articles = [{"id": "fx-coffee", "title": "Coffee prices fall",
                 "body": "Coffee prices fell as rain returned, traders said."}]
    articles += [{"id": f"new-{n}", "title": f"Ferry terminal {n}",
                  "body": '"The ferry terminal opens," Alice Moreno said.'} for n in range(6)]
    later.write_text("\n".join(json.dumps(a) for a in articles) + "\n")
    report = indexer.add(store, [later], procs=1)
    assert report.indexed == 7
    s = Searcher(store)
    assert [h.id for h in s.search("coffee frost").hits] == []
    assert [h.id for h in s.search("coffee rain").hits] == ["fx-coffee"]
    assert s.search('"ferry terminal"', per_page=20).total == 7  # six new ones and the harbour story
    quotes = s.search("speaker:Moreno terminal opens", per_page=20).total
    assert quotes == 6
    assert indexer.delete(store, ["new-0", "new-1", "nothing"]) == (["new-0", "new-1"], ["nothing"])
    s = Searcher(store)
    assert s.search('"ferry terminal"', per_page=20).total == 5
    assert s.search("speaker:Moreno terminal opens", per_page=20).total == 4  # their quotes went with them
    if backend == "xapian-2-shards":  # each article and its quotes on one shard, both shards used
        import xapian

        from searchapp.store.xapian import terms as X

        held = []
        for address in store.cluster.addresses:
            host, port = address[len("tcp://"):].split(":")
            db = xapian.remote_open(host, int(port))
            held.append({X.stored_of(db.get_document(p.docid)).get("id") or
                         "quote of " + X.stored_of(db.get_document(p.docid))["parent"] for p in db.postlist(b"")})
            db.close()
        assert all(held) and not held[0] & held[1]
        for n, ids in enumerate(held):
            for name in ids:
                article = name.removeprefix("quote of ")
                assert X.shard_of(article, 2) == n and article in ids


def test_the_index_remembers_its_backend_and_a_rebuild_keeps_it(tmp_path, backend_store):
    store = backend_store("xapian-2-shards")
    indexer.build(store, [FIXTURES / "articles"], procs=1)
    again = IndexStore(store.root)  # as every later command opens it: no backend named
    assert again.backend.name == "xapian" and again.backend.shards == store.cluster.addresses
    indexer.build(again, [FIXTURES / "articles"], procs=2)  # replaces the shards' documents
    s = Searcher(IndexStore(store.root))
    assert s.search("*", per_page=50).total == 3
    assert IndexStore(store.root).stats()["articles"] == 3


def test_a_shard_that_is_down_is_named(tmp_path, backend_store):
    store = backend_store("xapian-2-shards")
    indexer.build(store, [FIXTURES / "articles"], procs=1)
    down = store.cluster.addresses[1]
    serving = Searcher(IndexStore(store.root))
    assert serving.search("coffee").total == 1  # its snapshot's connections are open, and pooled
    store.cluster.kill(1)
    try:
        with pytest.raises(ShardUnavailable, match=down.replace(".", r"\.")):
            serving.search("harbour ferry")  # words not read yet: the shard is asked, and has gone
        with pytest.raises(ShardUnavailable, match=down.replace(".", r"\.")):
            Searcher(IndexStore(store.root)).search("coffee")
        with pytest.raises(ShardUnavailable, match=down.replace(".", r"\.")):
            indexer.delete(IndexStore(store.root), ["fx-coffee"])
        client = create_app({"INDEX_DIR": str(store.root), "TESTING": True}).test_client()
        response = client.get("/api/search?q=coffee")
        assert response.status_code == 503 and "cannot be reached" in response.get_json()["error"]["message"]
    finally:
        store.cluster.start(1)
    assert [h.id for h in Searcher(IndexStore(store.root)).search("coffee frost").hits] == ["fx-coffee"]
    assert [h.id for h in serving.search("harbour ferry").hits] == ["fx-harbour"]  # it reconnected


def test_with_a_replica_a_shard_that_is_down_is_no_error(tmp_path, backend_store):
    """A shard given as master|replica (`xapian-replicate` copies the master): searches go on from the
    replica when the master is down; writes need the master, and say so."""
    store = backend_store("xapian-2-shards")  # skips without Xapian
    from searchapp.store.xapian import terms as X

    cluster = store.cluster
    indexer.build(store, [FIXTURES / "articles"], procs=1)
    shards = [cluster.replicate(0), cluster.addresses[1]]
    root = tmp_path / "replicated"
    indexer.build(IndexStore(root, backend="xapian", shards=shards), [FIXTURES / "articles"], procs=1)
    assert cluster.replicate(0) == shards[0]  # brought up to date with the changes (once; in production, always)
    expected = {q: [h.id for h in Searcher(IndexStore(root)).search(q).hits] for q in ("coffee", "ferry", "*")}
    assert expected["*"] and expected["coffee"] == ["fx-coffee"]
    cluster.kill(0)
    try:
        s = Searcher(IndexStore(root))
        assert {q: [h.id for h in s.search(q).hits] for q in expected} == expected
        with pytest.raises(ShardUnavailable, match="unavailable"):
            indexer.delete(IndexStore(root), [next(i for i in ("fx-coffee", "fx-harbour", "fx-xss")
                                                   if X.shard_of(i, 2) == 0)])
    finally:
        cluster.start(0)


def test_the_command_line_builds_on_shards_and_later_commands_just_work(tmp_path, backend_store):
    """`index build --shards ...` once; `search`, `index add`, `index stats` without being told."""
    from click.testing import CliRunner

    from searchapp.cli import main

    cluster = backend_store("xapian-2-shards").cluster

    def run(*args):
        return CliRunner().invoke(main, [*map(str, args), "--index", str(tmp_path / "ix")], catch_exceptions=False)

    built = run("index", "build", FIXTURES / "articles", "--no-enrich", "--procs", "1",
                "--shards", ",".join(cluster.addresses))
    assert built.exit_code == 0, built.output
    assert "fx-coffee" in run("search", "coffee frost").output
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "zebra-1", "title": "Zebra crossing", "body": "A zebra crossing opened."}) + "\n")
    assert run("index", "add", later, "--no-enrich", "--procs", "1").exit_code == 0
    assert "zebra-1" in run("search", "zebra").output
    stats = run("index", "stats").output
    assert "articles:   4" in stats
    assert run("index", "build", SEEDS, "--backend", "nothing").exit_code == 2  # click names the choices
