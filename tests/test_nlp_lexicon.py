"""Word lists (searchapp.nlp.lexicon): one place, lists that extend each other rather than repeat."""
from __future__ import annotations

from searchapp.nlp import lexicon


def test_the_quote_lists_extend_the_shared_ones():
    assert lexicon.REPORTING_VERBS < lexicon.FINITE_CUES
    assert lexicon.TITLE_WORDS < lexicon.ROLE_WORDS
    assert lexicon.PERSON_TITLE_WORDS < lexicon.PERSON_TITLES
    assert lexicon.NOT_PERSON_WORDS | lexicon.ORG_SUFFIXES < lexicon.ORG_WORDS
    assert "sergey" not in lexicon.TITLE_WORDS
    assert {"president", "minister", "chancellor", "secretary"} <= lexicon.TITLE_WORDS


def test_reported_cues_leave_out_the_weak_ones():
    assert {"said", "denied", "believes", "according"} - {"according"} <= lexicon.REPORTED_CUES
    assert not lexicon.WEAK_CUES & lexicon.REPORTED_CUES
    assert "told" in lexicon.REPORTED_TO_CUES and "saying" in lexicon.REPORTED_PARTICIPLES


def test_the_lists_are_frozen():
    for name in dir(lexicon):
        value = getattr(lexicon, name)
        if name.isupper():
            assert not isinstance(value, (set, dict, list)), name
