"""A field's vocabulary for spelling, fuzzy words and wildcards (store/lexicon.py)."""
from __future__ import annotations

import fnmatch

from hypothesis import given, settings
from hypothesis import strategies as st

from searchapp.store.lexicon import Lexicon


def _lex() -> Lexicon:
    words = {"coffee": 50, "coffer": 2, "toffee": 5, "cocoa": 30, "price": 80, "prise": 1, "opec": 20,
             "open": 90, "oil": 70, "1987": 40}
    return Lexicon(list(words), list(words.values()))


def test_near_finds_words_within_two_edits_closest_then_most_frequent():
    lex = _lex()
    assert lex.near("cofee", 2, limit=3) == ["coffee"]
    assert lex.near("coffe", 1, limit=5) == ["coffee", "coffer"]
    assert lex.near("ocffee", 2)[0] == "coffee"  # a swap
    assert lex.near("cofffe", 2)[0] == "coffee"  # an extra letter and a missing one
    assert lex.near("opek", 1) == ["open", "opec"]  # one edit each: the more frequent first
    assert lex.near("opek", 1, prefix=4) == []
    assert lex.near("zzxqwv", 2) == []
    assert lex.near("x" * 200, 2) == []


def test_wildcards_and_prefixes_stop_at_their_limit():
    lex = _lex()
    assert list(lex.matching("*ffe*", 10)) == ["coffee", "coffer", "toffee"]
    assert list(lex.matching("co*", 10)) == ["cocoa", "coffee", "coffer"]
    assert list(lex.matching("*o*", 2)) == ["cocoa", "coffee"]
    assert list(lex.with_prefix("o", 10)) == ["oil", "opec", "open"]
    assert "prise" in lex and lex.frequency("price") == 80 and lex.frequency("nothing") == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abco'.&", min_size=1, max_size=6), min_size=1, max_size=40),
       st.text(alphabet="abco'.&*?", min_size=1, max_size=5), st.integers(1, 5))
def test_wildcards_match_as_fnmatch_does(terms, pattern, limit):
    """Whatever the pattern (a fixed start or not), the terms fnmatch would give, in order, at most limit."""
    lex = Lexicon(terms, [1] * len(terms))
    want = [t for t in lex.terms if fnmatch.fnmatchcase(t, pattern)][:limit]
    assert list(lex.matching(pattern, limit)) == want
