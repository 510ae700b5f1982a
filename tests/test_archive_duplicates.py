"""Duplicate groups (searchapp.archive.duplicates) and the matching text under them (searchapp.archive.text).

The stories below are made up for these tests."""
import datetime as dt
import json
import random

import numpy as np
import pytest

from searchapp.archive import duplicates, text
from searchapp.archive.duplicates import (ARRAYS_FILE, GROUPS_FILE, JSON_FILE, DuplicateIndex, DuplicatesFileError, Params, Record,
                                          band_keys, candidate_pairs, minhash_signatures, read_groups)
from tests.conftest import shared_data

T0 = dt.datetime(2024, 3, 5, 9, 0)

STORY = """Norvale Mining said on Tuesday it would close its Kettle Creek copper mine by the end of June, cutting 420 jobs, after ore grades fell for a third year running.

The company said output at the mine dropped to 18,500 tonnes last year from 24,100 tonnes in 2021, while costs rose 12 percent as the deeper seams proved harder to reach.

Chief executive Maren Holt told analysts the decision was painful but unavoidable, and that most workers would be offered places at the group's Redstone smelter, about 80 km to the south.

Shares in Norvale fell 4.2 percent to 31.60 crowns in early trading, their lowest level since October, while the wider mining index was little changed.

Union leaders said they would seek talks with the company next week over severance terms and the timetable for the closure."""

FOLLOW_UP = """Norvale Mining said on Wednesday it would close its Kettle Creek copper mine by the end of August, cutting 380 jobs, after ore grades fell for a third year running.

The company said output at the mine dropped to 18,500 tonnes last year from 24,100 tonnes in 2021, while costs rose 12 percent as the deeper seams proved harder to reach.

Chief executive Maren Holt told analysts the revised plan would give workers more time, and that most would be offered places at the group's Redstone smelter, about 80 km to the south.

Shares in Norvale rose 2.9 percent to 32.52 crowns in early trading after the company said the closure would cost less than feared.

Union leaders welcomed the later date but said they would still seek talks over severance terms."""

OTHER_COMPANY = """Talbrook Metals said on Tuesday it would close its Ashford copper mine by the end of June, cutting 420 jobs, after ore grades fell for a third year running.

The company said output at the mine dropped to 18,500 tonnes last year from 24,100 tonnes in 2021, while costs rose 12 percent as the deeper seams proved harder to reach.

Chief executive Ivo Brandt told analysts the decision was painful but unavoidable, and that most workers would be offered places at the group's Millport smelter, about 80 km to the south.

Shares in Talbrook fell 4.2 percent to 31.60 crowns in early trading, their lowest level since October, while the wider mining index was little changed.

Union leaders said they would seek talks with the company next week over severance terms and the timetable for the closure."""

UNRELATED = """The Port Ellis harbour authority approved a plan on Tuesday to deepen the main shipping channel, allowing container ships of up to 14,000 boxes to call at the port from 2026.

The work will cost about 210 million crowns and take two years, the authority said, with dredging limited to the winter months to protect spawning grounds."""


def paragraphs(body):
    return body.split("\n\n")


def syndicated(body, outlet="The Valley Courier"):
    """A near copy: dateline and byline added, last paragraph cut, two paragraphs swapped, small edits."""
    p = paragraphs(body)[:-1]
    p[1], p[2] = p[2], p[1]
    p[0] = f"OSLO ({outlet[4:]}) - " + p[0].replace("said on Tuesday", "says")
    p[2] = p[2].replace("harder to reach", "more difficult to reach")
    return "\n\n".join([f"By Dana Cole, {outlet} correspondent"] + p +
                       [f"Copyright 2024 {outlet}. All rights reserved.", "COURIER"])


def rec(article_id, body, minutes=0, title="Norvale to close copper mine", publisher="Wire"):
    return Record(article_id, title, body, T0 + dt.timedelta(minutes=minutes), publisher)


def groups(index):
    return sorted(g.to_json()["ids"] for g in index.groups())


# -- matching text --------------------------------------------------------------------------------

def test_boilerplate_is_left_out_by_generic_patterns():
    body = syndicated(STORY, "The Harbour Ledger")
    stripped = text.strip_boilerplate(body, "The Harbour Ledger")
    assert stripped.startswith("Norvale Mining says")
    assert "Cole" not in stripped and "Copyright" not in stripped and "COURIER" not in stripped
    assert text.strip_boilerplate("WELLINGTON, March 3 - Rates rose.\n\n(Reporting by A. Bee; Editing by C. Dee)") \
        == "Rates rose."
    assert text.strip_boilerplate("Rates rose.\n\nClick here to subscribe to our alerts.\n\nThe Daily Post",
                                  "The Daily Post") == "Rates rose."
    # a short last line that is news stays ("The issue was oversubscribed" is no notice either)
    assert text.strip_boilerplate("Rates rose.\n\nThe issue was oversubscribed.") == \
        "Rates rose.\n\nThe issue was oversubscribed."


def test_words_fold_case_accents_and_punctuation():
    assert text.words("Zürich’s “Crédit” U.S. 1,500.5") == ["zurich", "s", "credit", "u", "s", "1", "500", "5"]
    assert text.figures("up 1,500.25 from 50.50, 6-1/8") == ["1500.25", "50.50", "6", "1", "8"]


def test_word_hashes_flag_numbers_and_names():
    two, digits, name, plain = text.word_hashes(["two", "2", "Norvale", "norvale"])
    assert two == digits and two & text.NUMBER_BIT  # a number word is its digits
    assert name & text.NAME_BIT and not plain & text.NAME_BIT
    assert name & text.LOW32 == plain & text.LOW32


def test_shingles_stay_inside_paragraphs():
    hashes = text.word_hashes("a b c d e f".split())
    one, _ = text.shingles(hashes, np.array([6]), 3)
    two, _ = text.shingles(hashes, np.array([3, 3]), 3)
    assert len(one) == 4 and len(two) == 2  # abc bcd cde def / abc def


# -- groups ---------------------------------------------------------------------------------------

def test_exact_copies_with_other_headline_boilerplate_and_publisher():
    index = DuplicateIndex()
    index.add([
        rec("b", STORY + "\n\nWire", minutes=10, publisher="Wire"),
        rec("a", "PARIS (Some Agency) - " + STORY, minutes=30, title="Mine to shut", publisher="Some Agency"),
        rec("c", STORY, minutes=10, publisher="Other"),
    ])
    [group] = index.groups()
    assert group.to_json() == {"ids": ["b", "c", "a"], "kind": "exact", "first": "b"}  # earliest, ties by id
    assert index.first("a") == "b" and index.group("a") == group


def test_near_copy_is_grouped_and_follow_ups_are_not():
    index = DuplicateIndex()
    index.add([rec("orig", STORY), rec("copy", syndicated(STORY), minutes=90, publisher="The Valley Courier"),
               rec("next-day", FOLLOW_UP, minutes=24 * 60), rec("other-company", OTHER_COMPANY, minutes=5),
               rec("unrelated", UNRELATED, minutes=5)])
    assert [g.to_json() for g in index.groups()] == [{"ids": ["orig", "copy"], "kind": "near", "first": "orig"}]
    s = index.similarity("orig", "next-day")
    assert s.missing_numbers > Params().missing_numbers  # new figures: a follow-up
    assert index.similarity("orig", "other-company").missing_lead_names > Params().missing_lead_names
    assert list(index.links()) == [("copy", "orig")]


def test_short_texts_are_exact_copies_only_and_need_the_same_title():
    notice = "Qtly div 12 cts vs 12 cts prior. Pay April 1."
    index = DuplicateIndex()
    index.add([Record("x", "ACME SETS DIVIDEND", notice), Record("y", "BETA SETS DIVIDEND", notice),
               Record("z", "ACME SETS DIVIDEND", notice + "\n\nWire", publisher="Wire")])
    assert groups(index) == [["x", "z"]]


def test_add_replaces_by_id_and_remove_resplits_only_what_it_must():
    index = DuplicateIndex()
    index.add([rec("orig", STORY), rec("copy", syndicated(STORY), minutes=5), rec("exact", STORY, minutes=9)])
    assert groups(index) == [["orig", "copy", "exact"]]
    index.add([rec("copy", UNRELATED, minutes=5)])  # the same id with another text
    assert groups(index) == [["orig", "exact"]]
    assert index.remove(["orig", "missing"]) == ["orig"]
    assert groups(index) == [] and len(index) == 2
    index.add([rec("orig", STORY)])
    assert groups(index) == [["orig", "exact"]]


def test_a_chain_splits_when_its_middle_goes():
    # a and c are two trimmed copies of b: its first two paragraphs, and its first and last two; a and c
    # share only the first paragraph, too little on its own
    p = paragraphs(STORY)
    index = DuplicateIndex()
    index.add([rec("a", "\n\n".join(p[:2])), rec("b", STORY, minutes=1),
               rec("c", "\n\n".join(p[:1] + p[3:]), minutes=2)])
    assert index.similarity("a", "c").containment < Params().containment
    assert groups(index) == [["a", "b", "c"]]
    index.remove(["b"])
    assert groups(index) == []


def random_corpus(n, seed=3):
    """Made-up articles from a small vocabulary, a third of them with a trimmed or exact copy."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(400)]
    out = []
    for i in range(n):
        body = "\n\n".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(15, 40))) for _ in range(4))
        out.append(Record(f"s{i}", f"Story {i}", body, T0 + dt.timedelta(minutes=i)))
        if i % 3 == 0:
            cut = body if i % 2 else "\n\n".join(paragraphs(body)[:3])
            out.append(Record(f"s{i}-copy", "Other headline", cut, T0 + dt.timedelta(minutes=i + 1), "Paper"))
    return out


def test_incremental_adds_with_saves_equal_one_bulk_add(tmp_path):
    records = random_corpus(120)
    bulk = DuplicateIndex()
    bulk.add(records)
    assert len(bulk.groups()) == 40
    index = DuplicateIndex()
    for start in range(0, len(records), 25):
        index.add(records[start:start + 25])
        index.save(tmp_path)
        index = DuplicateIndex.load(tmp_path)
    assert groups(index) == groups(bulk)
    gone = [r.id for r in records[::4]]
    index.remove(gone)
    fresh = DuplicateIndex()
    fresh.add([r for r in records if r.id not in set(gone)])
    assert groups(index) == groups(fresh)


def test_add_reads_an_iterator_once_in_batches(monkeypatch):
    records = random_corpus(60)
    whole = DuplicateIndex()
    whole.add(records)
    monkeypatch.setattr(duplicates, "BATCH", 7)
    batched = DuplicateIndex()
    assert batched.add(iter(records + [records[0]])) == [r.id for r in records]  # a repeated id counts once
    assert groups(batched) == groups(whole) and len(groups(whole)) == 20


def test_features_spilled_to_files_give_the_same_groups_links_and_saved_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(duplicates, "BATCH", 16)  # several chunks, several files
    records = random_corpus(90)
    gone = [r.id for r in records[::5]]
    saved = {}
    for name in ("memory", "spilled"):
        (tmp_path / name).mkdir()
        index = DuplicateIndex(spill=tmp_path / "spill") if name == "spilled" else DuplicateIndex()
        if name == "spilled":
            (tmp_path / "spill").mkdir()
        index.add(records)
        index.remove(gone)
        index.add(records[:7] + [rec("late-copy", records[10].body, minutes=90)])
        saved[name] = (groups(index), sorted(index.links()), index.similarity(records[1].id, records[2].id))
        index.save(tmp_path / name)
    assert len(list((tmp_path / "spill").iterdir())) == -(-len(records) // 16) + 1  # a file per chunk
    assert saved["memory"] == saved["spilled"] and saved["memory"][1]
    with np.load(tmp_path / "memory" / ARRAYS_FILE) as a, np.load(tmp_path / "spilled" / ARRAYS_FILE) as b:
        assert sorted(a.files) == sorted(b.files)
        for name in a.files:
            assert name == "token" or np.array_equal(a[name], b[name]), name
    assert groups(DuplicateIndex.load(tmp_path / "spilled")) == saved["memory"][0]


def test_an_id_given_twice_in_one_add_keeps_its_first_place_with_its_last_text(tmp_path):
    for spill in (None, tmp_path / "spill"):
        if spill:
            spill.mkdir()
        index = DuplicateIndex(spill=spill)
        index.add([rec("A", STORY), rec("B", UNRELATED)])
        assert index.add([rec("B", FOLLOW_UP), rec("C", syndicated(STORY)), rec("B", STORY)]) == ["B", "C"]
        out = tmp_path / ("spilled" if spill else "memory")
        out.mkdir()
        index.save(out)
        meta = json.loads((out / JSON_FILE).read_text())
        assert meta["ids"] == ["A", "B", "C"] == DuplicateIndex.load(out).ids()
        assert meta["keys"][1] == meta["keys"][0]  # B is STORY's exact copy now
        assert groups(DuplicateIndex.load(out)) == groups(index) == [["A", "B", "C"]]


def test_save_and_load(tmp_path):
    index = DuplicateIndex()
    index.add([rec("orig", STORY), rec("copy", syndicated(STORY), minutes=5), rec("other", UNRELATED)])
    path = index.save(tmp_path)
    assert path == tmp_path / JSON_FILE and {p.name for p in tmp_path.iterdir()} == {JSON_FILE, ARRAYS_FILE, GROUPS_FILE}
    meta = json.loads(path.read_text())
    assert meta["groups"] == [{"ids": ["orig", "copy"], "kind": "near", "first": "orig"}]
    with np.load(tmp_path / ARRAYS_FILE, allow_pickle=False) as arrays:  # plain arrays, no pickle
        assert arrays["shingles"].dtype == np.uint32
    assert read_groups(tmp_path) == index.groups()
    groups_file = (tmp_path / GROUPS_FILE).read_bytes()
    (tmp_path / GROUPS_FILE).unlink()  # a save from before the groups had a file of their own
    assert read_groups(tmp_path) == index.groups()
    (tmp_path / GROUPS_FILE).write_bytes(groups_file)
    loaded = DuplicateIndex.load(tmp_path)
    assert groups(loaded) == groups(index) and loaded.params == index.params
    assert loaded.similarity("orig", "copy") == index.similarity("orig", "copy")
    loaded.add([rec("exact", STORY, minutes=-5)])
    assert loaded.group("copy").first == "exact"


def test_load_refuses_a_json_and_arrays_of_different_saves(tmp_path):
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir(), second.mkdir()
    DuplicateIndex().save(first)
    DuplicateIndex().save(second)
    (first / ARRAYS_FILE).write_bytes((second / ARRAYS_FILE).read_bytes())
    with pytest.raises(DuplicatesFileError, match="different saves"):
        DuplicateIndex.load(first)
    with pytest.raises(FileNotFoundError):
        DuplicateIndex.load(tmp_path)


def test_signatures_and_lsh_buckets_are_datasketchs():
    from datasketch import MinHash, MinHashLSH

    rng = np.random.default_rng(5)
    base = rng.integers(0, 2**32, size=300, dtype=np.uint32)
    sets = [np.unique(np.concatenate([base[rng.random(300) < 0.6], rng.integers(0, 2**32, 30, dtype=np.uint32)]))
            for _ in range(40)] + [np.zeros(0, np.uint32)]
    offsets = np.cumsum([0] + [len(s) for s in sets])
    signatures = minhash_signatures(np.concatenate(sets), offsets, 32)
    for s, signature in zip(sets, signatures):
        m = MinHash(num_perm=32, seed=1, hashfunc=lambda v: v, scheme="affine32")
        m.update_batch(s.tolist())
        assert np.array_equal(m.hashvalues, signature)
    signatures = signatures[:-1]
    new = np.arange(40) >= 25
    found = {tuple(p) for p in candidate_pairs(band_keys(signatures, 16, 2), new).tolist()}
    lsh, expected = MinHashLSH(num_perm=32, params=(16, 2)), set()
    for i, signature in enumerate(signatures):
        m = MinHash(num_perm=32, hashvalues=signature, scheme="affine32")
        if new[i]:
            expected.update((min(i, j), max(i, j)) for j in lsh.query(m))
        lsh.insert(i, m)
    assert found == expected and found


# -- the Reuters files ----------------------------------------------------------------------------

def test_reuters_copies_are_found_and_same_day_stories_kept_apart():
    from searchapp.readers import Skipped
    from searchapp.readers.reuters import read

    path = shared_data("reuters21578", "reut2-000.sgm")
    articles = [a for a in read(path) if not isinstance(a, Skipped) and a.published]
    rng = random.Random(13)
    stories = rng.sample([a for a in articles if a.body.count("\n\n") >= 3 and len(a.body.split()) >= 80], 40)
    copies = []
    for n, a in enumerate(stories):
        p = paragraphs(a.body)
        p = p[:-1] if n % 2 else p[:1] + p[2:3] + p[1:2] + p[3:]
        p[0] = "LONDON (The Wire Post) - " + p[0]
        copies.append(Record(f"{a.id}/copy", "Another headline", "\n\n".join(["By Ann Example"] + p),
                             a.published + dt.timedelta(hours=3), "The Wire Post"))
    index = DuplicateIndex()
    index.add(articles + copies)
    found = sum(index.first(c.id) == index.first(c.id.split("/")[0]) for c in copies)
    assert found >= 38
    # no drawn story is grouped with another drawn story
    firsts = [index.first(a.id) for a in stories]
    assert len(set(firsts)) == len(firsts)
    kinds = {g.kind for g in index.groups()}
    assert kinds == {"exact", "near"}  # the file has exact repeats of its own
