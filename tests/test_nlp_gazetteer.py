"""Canonical names of places and organisations; demonyms are not places."""
from __future__ import annotations

import pytest

from searchapp.nlp import gazetteer


@pytest.mark.parametrize("alias", ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "UK’s", "Britain's"])
def test_united_kingdom(alias):
    assert gazetteer.canonical_place(alias) == "United Kingdom"


@pytest.mark.parametrize("alias", ["US", "U.S.", "USA", "United States", "the United States", "America"])
def test_united_states(alias):
    assert gazetteer.canonical_place(alias) == "United States"


@pytest.mark.parametrize("alias", ["NATO", "Nato", "North Atlantic Treaty Organization"])
def test_nato(alias):
    assert gazetteer.canonical_org(alias) == "NATO"


@pytest.mark.parametrize("word", ["Russian", "British", "French", "German", "American", "Soviet", "Ukrainian"])
def test_demonyms_are_not_places(word):
    assert gazetteer.is_demonym(word)
    assert gazetteer.canonical_place(word) is None


@pytest.mark.parametrize(
    "place, iso",
    [("Moscow", "RU"), ("Brussels", "BE"), ("Poland", "PL"), ("London", "GB"), ("England", "GB"),
     ("Bombay", "IN"), ("Calif.", "US"), ("N.Y.", "US"), ("Texas", "US"), ("Ontario", "CA"), ("Hong Kong", "HK")],
)
def test_country_code(place, iso):
    assert gazetteer.country_code(place) == iso


def test_cities_and_old_names():
    assert gazetteer.canonical_place("Moscow") == "Moscow"
    assert gazetteer.canonical_place("Peking") == "Beijing"
    assert gazetteer.canonical_place("Frankfurt") == "Frankfurt"
    assert gazetteer.canonical_place("Zürich") == gazetteer.canonical_place("Zurich") == "Zurich"
    assert gazetteer.canonical_place("Soviet Union") == gazetteer.canonical_place("USSR") == "Soviet Union"


def test_unknown_and_not_places():
    assert gazetteer.canonical_place("Thursday") is None
    assert gazetteer.canonical_place("White House") is None  # not Casablanca's translated name
    assert gazetteer.canonical_place("Feb") is None


def test_canonical_by_label():
    assert gazetteer.canonical("LOC", "U.K.") == "United Kingdom"
    assert gazetteer.canonical("ORG", "Nato") == "NATO"
    assert gazetteer.canonical("PER", "Lavrov’s") == "Lavrov"
    assert gazetteer.canonical("LOC", "Atlantis") == "Atlantis"


def test_word_lists():
    assert "john" in gazetteer.first_names()
    assert gazetteer.place_words()["france"] == "country"
    assert ("new", "york") in gazetteer.multiword_places()["new"]
