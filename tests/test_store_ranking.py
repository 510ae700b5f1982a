"""store/ranking.py and the Whoosh backend's reading (store/whoosh/reading.py): postings read in bulk,
array set algebra, BM25 scores and phrases from word pairs, each checked against Whoosh's own
matchers or a plain-Python reference."""
import json
import pickle
import random

import numpy as np
import pytest
from whoosh.scoring import bm25

from searchapp import indexer
from searchapp.search import Searcher
from searchapp.store import IndexStore
from searchapp.store import query as Q
from searchapp.store.pairs import PairKeys
from searchapp.store.ranking import B, K1, Match, Postings, Ranker, difference, idf, intersect, member, union
from searchapp.store.whoosh.reading import read_field, read_postings


def _matcher_postings(reader, fieldname, btext):
    m = reader.postings(fieldname, btext)
    docs, weights = [], []
    while m.is_active():
        docs.append(m.id())
        weights.append(m.weight())
        m.next()
    return docs, weights


def test_bulk_read_equals_whoosh_matchers_across_segments_and_deletions(tmp_path):
    docs = tmp_path / "a.jsonl"
    rng = random.Random(3)
    words = "harbour ferry budget council plan vote rain port tax oil".split()
    with open(docs, "w") as f:
        for i in range(1500):  # several 512-posting blocks for the common words
            body = " ".join(rng.choice(words) for _ in range(rng.randint(3, 30)))
            f.write(json.dumps({"id": f"d{i}", "title": f"story {i}", "body": body}) + "\n")
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [docs], enrich=False, procs=2)  # one segment per worker
    more = tmp_path / "b.jsonl"
    more.write_text("".join(json.dumps({"id": f"d{i}", "title": "rewritten", "body": "ferry ferry tax"}) + "\n"
                            for i in range(0, 1500, 7)))
    indexer.add(store, [more], enrich=False, procs=1)  # updates: deletions in the old segments
    with store.searcher() as s:
        reader = s.searcher.reader()
        assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
        for word in words + ["story", "rewritten", "absent"]:
            for fieldname in ("body", "title"):
                got_docs, got_weights = read_postings(reader, fieldname, word.encode())
                want_docs, want_weights = _matcher_postings(reader, fieldname, word.encode()) \
                    if (fieldname, word.encode()) in reader else ([], [])
                assert got_docs.tolist() == want_docs, (fieldname, word)
                assert got_weights.tolist() == want_weights, (fieldname, word)
        # a whole field at once, its terms read in order: the same postings
        for fieldname in ("body", "title"):
            whole = read_field(reader, fieldname)
            assert sorted(whole) == sorted(t.decode() for t in reader.lexicon(fieldname))
            for term, (docs, weights) in whole.items():
                want = read_postings(reader, fieldname, term.encode())
                assert docs.dtype == want[0].dtype and docs.tolist() == want[0].tolist(), term
                assert weights.tolist() == want[1].tolist(), term


def test_scores_are_whooshs_bm25_to_the_last_bit(reuters_index):
    with reuters_index.searcher() as s:
        reader = s.searcher.reader()
        ranker = Ranker(s)
        n = ranker.field_docs("body")
        avgfl = reader.field_length("body") / n
        for word in ("coffe", "mln", "said", "jaguar"):  # index terms: stems
            postings = ranker.term("body", word)
            docs, weights = _matcher_postings(reader, "body", word.encode())
            weight = idf(n, reader.doc_frequency("body", word))
            want = [bm25(weight, w, reader.doc_field_length(d, "body"), avgfl, B, K1) for d, w in zip(docs, weights)]
            assert postings.docs.tolist() == docs and postings.scores.tolist() == want, word


@pytest.mark.parametrize("seed", range(6))
def test_set_algebra_equals_python_sets(seed):
    rng = random.Random(seed)
    size = rng.choice([50, 5000, 200_000])
    for _ in range(20):
        a, b = (set(rng.sample(range(size), rng.randint(0, size // rng.choice([1, 3, 40, 400]) or 1)))
                for _ in range(2))
        xa, xb = (np.array(sorted(x), dtype=np.int32) for x in (a, b))
        assert intersect(xa, xb, size).tolist() == sorted(a & b)
        assert difference(xa, xb, size).tolist() == sorted(a - b)
        assert union([xa, xb], size).tolist() == sorted(a | b)
        values = np.array(rng.choices(range(size), k=rng.randint(0, 300)), dtype=np.int32)  # unsorted, repeats
        assert member(values, xb, size).tolist() == [v in b for v in values.tolist()]


def test_top_ranks_by_score_then_newest_and_sorts_by_date(reuters_index):
    """Equal scores go to the newer article (an order every backend and every build gives; document
    numbers differ between them), then the lower docnum; a match with no scores lists the newest first."""
    with reuters_index.searcher() as s:
        ranker = Ranker(s)
        rng = random.Random(5)
        docs = np.array(sorted(rng.sample(range(ranker.size), 3000)), dtype=np.int32)
        scores = np.array([rng.choice([0.5, 1.0, 1.5, 2.0]) for _ in docs])  # many ties
        match = Match(docs, [Postings(docs, scores)])
        dates = ranker.dates()
        by_score = sorted(zip(docs.tolist(), scores.tolist()), key=lambda ds: (-ds[1], -dates[ds[0]], ds[0]))
        assert ranker.top(match, docs, 25) == by_score[:25]
        assert ranker.top(match, docs, 5000) == by_score
        newest = sorted(docs.tolist(), key=lambda d: (-dates[d], -scores[np.searchsorted(docs, d)], d))[:25]
        assert [d for d, _ in ranker.top(match, docs, 25, "newest")] == newest
        oldest = sorted(docs.tolist(), key=lambda d: (dates[d] or 1 << 63, -scores[np.searchsorted(docs, d)], d))[:25]
        assert [d for d, _ in ranker.top(match, docs, 25, "oldest")] == oldest
        unscored = sorted(docs.tolist(), key=lambda d: (-dates[d], d))[:25]
        assert [d for d, _ in ranker.top(Match(docs), docs, 25)] == unscored


def _phrase_truth(s, ranker, fieldname, words, candidates):
    """Documents among ``candidates`` whose analysed text has ``words`` at consecutive positions."""
    analyzer = s.schema[fieldname].analyzer
    out = set()
    for d in candidates.tolist():
        text = s.stored(d).get(fieldname) or ""
        at = {t.pos: t.text for t in analyzer(text, positions=True)}
        if any(all(at.get(p + i) == w for i, w in enumerate(words)) for p in at):
            out.add(d)
    return out


@pytest.mark.parametrize("phrase,exact", [
    ("morgan stanley", True), ("billion dlr", True), ("bank of england", True), ("declined comment", True),
    ("3-for-2", True), ("week ended march", False), ("dlrs per share", False),
])
def test_phrases_from_word_pairs_match_the_positions(reuters_index, phrase, exact):
    with reuters_index.searcher() as s:
        ranker = Ranker(s)
        q = s.parse(f'"{phrase}"', ["title", "body"])
        got = set(ranker.evaluate(q).docs.tolist())
        truth: set[int] = set()
        for fieldname in ("title", "body"):
            words = s.analyze(fieldname, phrase)
            candidates = ranker.evaluate(Q.And(tuple(Q.Term(fieldname, w) for w in words))).docs
            truth |= _phrase_truth(s, ranker, fieldname, words, candidates)
        assert truth and truth <= got
        if exact:
            assert got == truth
        else:  # each adjacent pair somewhere, not necessarily together: a handful more at most
            assert len(got - truth) <= max(3, len(truth) // 50)


def test_phrases_work_for_articles_added_later_and_proximity_means_all_words(tmp_path):
    store = IndexStore(tmp_path / "ix")
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"id": "a", "title": "Harbour", "body": "The ferry terminal opened."}) + "\n")
    indexer.build(store, [first], enrich=False, procs=1)
    later = tmp_path / "b.jsonl"
    later.write_text(json.dumps({"id": "b", "title": "Terminal", "body": "A terminal serves the ferry fleet."}) + "\n"
                     + json.dumps({"id": "c", "title": "Fleet", "body": "New ferry terminal rules."}) + "\n")
    indexer.add(store, [later], enrich=False, procs=2)  # written through Whoosh's own pool, not the build
    searcher = Searcher(store)
    assert sorted(h.id for h in searcher.search('"ferry terminal"').hits) == ["a", "c"]
    assert [h.id for h in searcher.search('"terminal ferry"').hits] == []
    near = searcher.search('"terminal ferry"~3')
    assert sorted(h.id for h in near.hits) == ["a", "b", "c"] and "proximity" in near.notices[0]
    assert [h.id for h in searcher.search('title:"ferry terminal"').hits] == []


def test_pair_keys_survive_pickling_to_and_from_worker_processes():
    keys = PairKeys(1024, [(b"00ff", 7), (b"0100", 9)])
    again = pickle.loads(pickle.dumps(keys))
    assert again == keys and again.buckets == 1024


def _stories(path, rows):
    path.write_text("".join(json.dumps({"id": i, "title": t, "body": b}) + "\n" for i, t, b in rows))
    return path


def test_phrases_and_prefixes_across_segments_and_processes(tmp_path):
    store = IndexStore(tmp_path / "ix")
    a = _stories(tmp_path / "a.jsonl", [("a", "apple harvest", "The ferry terminal opened."),
                                         ("b", "mango", "Ferry terminal fees rise.")])
    indexer.build(store, [a], enrich=False, procs=1)
    c = _stories(tmp_path / "c.jsonl", [("c", "banana zebra", "A new ferry terminal.")])
    d = _stories(tmp_path / "d.jsonl", [("d", "nectar", "Terminal ferry.")])
    indexer.add(store, [c, d], enrich=False, procs=2)  # a second segment, from a process pool
    searcher = Searcher(store)
    with store.searcher() as s:
        assert len(list(s.searcher.reader().leaf_readers())) >= 2
    assert sorted(h.id for h in searcher.search('"ferry terminal"').hits) == ["a", "b", "c"]
    # Each segment's fields in name order: the first segment's pair fields must not end the merged
    # list of title terms before the second segment's "zebra" and "nectar".
    assert [h.id for h in searcher.search("title:ze*").hits] == ["c"]
    assert [h.id for h in searcher.search("title:n*").hits] == ["d"]
    assert searcher.search("body_pairs:0000").total == 0  # pair buckets are not words
    assert searcher.search("body_pairs:0*").total == 0


def test_an_index_built_before_the_pair_fields_still_searches_and_takes_additions(tmp_path, monkeypatch):
    from whoosh import formats

    from searchapp.store import whoosh as backend_module
    from searchapp.store.whoosh import schema as schema_module

    def old_schema():  # as built before the pair fields: positions in the text fields
        schema = schema_module.build_schema()
        for name in ("title_pairs", "body_pairs", "quote_pairs"):
            schema.remove(name)
        for name in ("title", "body", "quote"):
            schema[name].format = formats.Positions(field_boost=schema[name].format.field_boost)
        return schema

    monkeypatch.setattr(backend_module, "build_schema", old_schema)
    store = IndexStore(tmp_path / "ix")
    indexer.build(store, [_stories(tmp_path / "a.jsonl", [("a", "Harbour", "The ferry terminal opened.")])],
                  enrich=False, procs=1)
    monkeypatch.undo()
    indexer.add(store, [_stories(tmp_path / "b.jsonl", [("b", "Fleet", "New ferry terminal rules.")]),
                        _stories(tmp_path / "c.jsonl", [("c", "Other", "Terminal ferry.")])], enrich=False, procs=2)
    with store.searcher() as s:
        assert not s.has_field("body_pairs")
    searcher = Searcher(store)
    assert sorted(h.id for h in searcher.search('"ferry terminal"').hits) == ["a", "b"]


def test_word_pairs_moved_to_a_file_past_the_limit_give_the_same_index(tmp_path, monkeypatch):
    from searchapp.store.whoosh import segments

    rng = random.Random(5)
    words = "harbour ferry budget council plan vote rain port tax oil".split()
    rows = [(f"d{i}", " ".join(rng.choice(words) for _ in range(3)), " ".join(rng.choice(words) for _ in range(40)))
            for i in range(600)]
    corpus = _stories(tmp_path / "a.jsonl", rows)

    def pair_postings(store):
        with store.searcher() as s:
            reader = s.searcher.reader()
            out = {}
            for field in ("title_pairs", "body_pairs"):
                for btext in reader.lexicon(field):
                    docs, weights = read_postings(reader, field, btext)
                    out[field, btext] = ([reader.stored_fields(d)["id"] for d in docs.tolist()], weights.tolist())
            return out

    kept = IndexStore(tmp_path / "kept")
    indexer.build(kept, [corpus], enrich=False, procs=2)
    monkeypatch.setattr(segments, "PAIR_SPILL_POSTINGS", 97)  # a spill every few articles (workers fork)
    spilled = IndexStore(tmp_path / "spilled")
    indexer.build(spilled, [corpus], enrich=False, procs=2)
    want = pair_postings(kept)
    assert len(want) > 100 and pair_postings(spilled) == want
    assert [h.id for h in Searcher(spilled).search('"ferry budget"', per_page=100).hits] == \
        [h.id for h in Searcher(kept).search('"ferry budget"', per_page=100).hits]


def test_word_pairs_read_back_from_their_file_in_docnum_order(tmp_path, monkeypatch):
    import os

    from searchapp.store.whoosh.segments import _PairPostings

    pairs = _PairPostings(str(tmp_path), limit=5)
    real_pwrite, calls = os.pwrite, []

    def full_disk_once(fd, data, at):  # the third spill finds the disk full, once
        calls.append(at)
        if len(calls) == 7:
            raise OSError(28, "No space left on device")
        return real_pwrite(fd, data, at)

    monkeypatch.setattr(os, "pwrite", full_disk_once)
    failed = 0
    for docnum in range(12):
        try:
            pairs.make_room()  # as the segment writer does before each article
        except OSError:
            failed += 1  # that article is not written; what was held stays held
            assert pairs._held > pairs.limit
            continue
        pairs.add("body_pairs", docnum, PairKeys(16, [(b"0001", docnum * 10), (b"0002" if docnum % 3 else b"0003", 1)]))
    assert failed == 1 and pairs._file is not None and pairs.names() == ["body_pairs"]
    written = [d for d in range(12) if d != 6]
    docs, weights = pairs._postings("body_pairs", b"0001", pairs.fields.get("body_pairs", {}).get(b"0001"))
    pairs.close()
    assert docs.tolist() == written and weights.tolist() == [d * 10.0 for d in written]
