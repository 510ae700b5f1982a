"""Search tables (searchapp.search.facets): written after every commit, and the same as tables built
from the index itself; an index without them still answers, from tables built on open."""
from __future__ import annotations

import pickle
import shutil

import numpy as np

from searchapp import indexer
from searchapp.search import Searcher
from searchapp.search.facets import TABLES_FILE, build_tables, load_tables
from searchapp.archive.identities import for_searcher
from searchapp.archive.duplicates import saved_groups
from searchapp.store import IndexStore
from tests.articles import write_text_article


def _summary(tables) -> dict:
    """What the search reads of the tables, in plain values."""
    tally = tables["tally"]
    return {
        "facets": tables["facets"], "labels": tally.labels, "bounds": tally.bounds,
        "ids": tally.ids.tolist(), "start": tally.start.tolist(),
        "quote_docs": tables["quote_docs"].tolist(), "quote_parents": tables["quote_parents"].tolist(),
        "group_of": tables["group_of"].tolist(), "group_members": tables["group_members"],
        "name_index": tables["name_index"], "suggest_index": tables["suggest_index"],
        "name_words": tables["name_words"],
        "facet_identities": {k: [i.name for i in v] for k, v in tables["facet_identities"].items()},
        "identities": [(i.name, i.type, i.aliases, i.articles, i.members) for i in tables["identities"].list],
        "lexicon": (tables["name_lexicon"].terms, tables["name_lexicon"].freqs),
    }


def _check_saved(store: IndexStore) -> str:
    with store.searcher() as s:
        path = store.generation_file(s, TABLES_FILE)
        saved = load_tables(path)
        built = build_tables(s, for_searcher(store, s), saved_groups(store, s))
        assert _summary(saved) == _summary(built)
        return path.name


def test_tables_are_saved_by_build_add_and_delete(tmp_path):
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Budget talks", 'President Ronald Reagan said on Monday the budget would pass. '
                                          '"We will win," Reagan told reporters in Washington.')
    write_text_article(docs, "b.txt", "Trade bill", "Reagan said the trade bill was too protectionist, officials in Tokyo said.")
    store = IndexStore(tmp_path / "index")
    indexer.build(store, [docs])
    assert _check_saved(store) == "TABLES-1.pickle"

    more = tmp_path / "more"
    write_text_article(more, "c.txt", "Farm policy", "Agriculture Secretary Richard Lyng said farm exports would rise. "
                                         "Lyng spoke in Chicago.")
    indexer.add(store, [more])
    assert _check_saved(store) == "TABLES-2.pickle"
    searcher = Searcher(store)
    assert searcher.search("person:Lyng").total == 1

    indexer.delete(store, ["a"])
    assert _check_saved(store) == "TABLES-3.pickle"
    res = searcher.search("person:Reagan")
    assert res.total == 1 and res.facets["places"] == [("Tokyo", 1)]


def test_an_index_without_saved_tables_builds_them_on_open(tmp_path):
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Coffee talks", "Brazil's coffee exporters met in Rio de Janeiro, Finance Minister "
                                          "Dilson Funaro said.")
    index = tmp_path / "index"
    indexer.build(IndexStore(index), [docs])
    before = Searcher(IndexStore(index)).search("coffee").to_json()
    for p in index.glob("*/TABLES-*.pickle"):
        p.unlink()
    again = Searcher(IndexStore(index)).search("coffee").to_json()
    for res in (before, again):
        res.pop("took_ms")
    assert again == before and again["facets"]["places"]
    saved = list(index.glob("*/TABLES-*.pickle"))  # saved again, so the next process reads them
    assert len(saved) == 1 and load_tables(saved[0])["identities"].list


def test_tables_built_before_a_commits_finalizers_end_are_not_saved(tmp_path):
    """A server opens a new commit before its duplicate groups are written; what it builds then lacks
    them, and must not take the place of the tables the commit's finalizer writes."""
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Coffee talks", "Brazil's coffee exporters met in Rio de Janeiro.")
    index = tmp_path / "index"
    indexer.build(IndexStore(index), [docs])
    for p in index.glob("*/TABLES-*.pickle"):
        p.unlink()
    for p in index.glob("*/DUPLICATES-*"):
        shutil.rmtree(p)
    assert Searcher(IndexStore(index)).search("coffee").total == 1
    assert not list(index.glob("*/TABLES-*.pickle"))


def test_saved_identities_answer_lookups_without_analysing_names(tmp_path):
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Budget talks", "President Ronald Reagan said the budget would pass, Reagan said.")
    store = IndexStore(tmp_path / "index")
    indexer.build(store, [docs])
    with store.searcher() as s:
        ids = for_searcher(store, s)
    again = pickle.loads(pickle.dumps(ids))
    assert isinstance(again._words, bytes)  # not analysed on load: read on the first lookup
    assert [i.name for i in again.lookup("person", ("reagan",))] == ["Ronald Reagan"]
    assert again.resolve("person", "President Reagan").name == "Ronald Reagan"
    assert [i.name for i in again.list] == [i.name for i in ids.list]
    assert np.array_equal([len(i.members) for i in again.list], [len(i.members) for i in ids.list])
