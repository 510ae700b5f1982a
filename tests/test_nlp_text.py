"""The text layer (searchapp.nlp.text): tokens with offsets, sentences, paragraphs, abbreviations."""
from __future__ import annotations

from searchapp.nlp import text


def test_sentences_do_not_end_after_abbreviations_or_initials():
    body = "Sen. Ann Lee of Calif. met J. R. Holt at 5 p.m. on Jan. 4. They talked. “Fine.” He left."
    starts = text.sentence_starts(body)
    assert [body[s : s + 4] for s in starts] == ["Sen.", "They", "“Fin", "He l"]
    pos = body.index("talked")
    assert body[text.sentence_start(body, 0, pos) : text.sentence_end(body, pos, len(body))] == "They talked."


def test_paragraphs_are_lines_with_text():
    body = "One.\n\n  \nTwo words.\nThree"
    assert [body[a:b] for a, b in text.paragraphs(body)] == ["One.", "Two words.", "Three"]


def test_word_tokens_keep_possessives_and_skip_quote_marks():
    body = "Russia’s envoy told “Mr. Holt” that the U.S. would wait."
    toks = text.tokens(body, 0, len(body))
    assert [t.text for t in toks][:5] == ["Russia’s", "envoy", "told", "Mr.", "Holt"]
    assert toks[0].poss and text.base(toks[0]) == "Russia" and "U.S." in [t.text for t in toks]
    assert all(body[t.start : t.end] == t.text for t in toks)


def test_conll_spans_split_possessives_and_sentences_end_at_full_stops():
    body = "Russia's envoy met Mr. Holt. The U.S. waited."
    spans = text.conll_spans(body)
    words = [body[a:b] for a, b in spans]
    assert words[:3] == ["Russia", "'s", "envoy"] and "Mr." in words and "U.S." in words
    assert len(text.conll_sentences(body, spans)) == 2


def test_a_number_keeps_its_inner_separators_not_the_comma_or_stop_after_it():
    body = "In 1999, at 10:30, 1,000 people (3.5 pct) came; it rose 12."
    got, _starts = text.words(body, 0, len(body))
    assert got == ["In", "1999", ",", "at", "10:30", ",", "1,000", "people", "(", "3.5", "pct", ")", "came", ";",
                   "it", "rose", "12", "."]
