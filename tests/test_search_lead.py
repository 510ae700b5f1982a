"""The lead weighted (searchapp.search.lead): a query word in an article's opening lines ranks it above
an article of the same length that has the word only at its end, and only when the weight is on."""
from __future__ import annotations

import pytest

from searchapp import indexer
from searchapp.search import Searcher, lead
from searchapp.store import IndexStore
from tests.articles import write_text_article

FILLER = ("The council met on Tuesday to hear reports from the harbour office, the ferry company and "
          "the fishermen's association about the season ahead. ")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("lead")
    docs = root / "docs"
    # the same words in each, so the same length and the same BM25 score: only where "turbine" stands
    # differs (near copies of each other, so the searches below do not collapse them)
    write_text_article(docs, "a-late.txt", "Harbour report", FILLER * 6 + "A turbine was mentioned.")
    write_text_article(docs, "b-lead.txt", "Harbour report", "A turbine was mentioned. " + FILLER * 6)
    store = IndexStore(root / "ix")
    assert indexer.build(store, [docs], procs=1, enrich=False).indexed == 2
    return store


def test_lead_end_is_the_first_paragraph_or_chars():
    assert lead.lead_end("One.\n\nTwo.") == 4
    assert lead.lead_end("x" * 1000) == lead.CHARS


def test_a_word_in_the_lead_ranks_first_only_with_the_weight_on(store, monkeypatch):
    searcher = Searcher(store)
    monkeypatch.setattr(lead, "WEIGHT", 0.0)
    off = searcher.search("turbine", facets=False, snippets=False, spelling=False, collapse=False)
    assert off.hits[0].score == off.hits[1].score  # a tie without the lead: the first file wins it
    assert off.hits[0].id.startswith("a-late")
    monkeypatch.setattr(lead, "WEIGHT", 0.5)
    on = Searcher(IndexStore(store.root)).search("turbine", facets=False, snippets=False, spelling=False, collapse=False)
    assert [h.id.split(".")[0] for h in on.hits] == ["b-lead", "a-late"]
    assert on.hits[0].score > on.hits[1].score
