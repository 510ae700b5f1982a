"""Candidate speakers (searchapp.nlp.quotes.candidates): who the article names, with gender and roles.

Every sentence below is invented for these tests."""
from __future__ import annotations

from tests.quote_checks import one


def test_title_case_headline_words_are_not_names():
    body = (
        "Voters Say Kaplan Is Ready To Lead The State\n\n"
        "Judge Nora Kaplan spoke in Dayton. “I am ready,” Kaplan said."
    )
    q = one(body)
    assert (q.speaker, q.mention.text) == ("Nora Kaplan", "Kaplan")


def doc_of(body: str):
    from searchapp.nlp.quotes.candidates import Doc
    from searchapp.nlp.quotes.marks import find_segments, mask
    from searchapp.nlp.text import paragraphs

    segs = find_segments(body, paragraphs(body))
    doc = Doc(body, mask(body, segs), None, segs, whole=True)
    doc.build()
    return doc


def test_gender_from_common_first_names_and_from_the_text():
    doc = doc_of("Karen Holt met Gregory Dunn. Councillor Ximena Paz said she would vote no.")
    assert doc.people["Karen Holt"].gender == "f" and doc.people["Gregory Dunn"].gender == "m"
    assert doc.people["Ximena Paz"].gender == "f"  # no table knows Ximena: "she" right after her does


def test_a_country_is_no_person_whatever_verb_follows():
    doc = doc_of("Lithuania has denied the report. Marta Vilkas said it was wrong.")
    assert "Lithuania" not in doc.people and "Marta Vilkas" in doc.people


def test_roles_and_affiliations_are_learnt_from_the_words_around_a_name():
    doc = doc_of("The Green Party nominee, Lena Ortmann, spoke first. Former Labor Sen. Ian Brock said no.")
    lena = doc.people["Lena Ortmann"]
    assert "candidate" in lena.roles and "green" in lena.affiliations
    assert "Ian Brock" in doc.people  # not "Labor Sen. Ian Brock": the words before the last title go


def test_the_body_is_tokenised_once_and_any_stretch_of_it_read_from_that():
    from searchapp.nlp.quotes.candidates import Doc
    from searchapp.nlp.text import as_tokens, words

    body = "The board said its review will be led by Anna R. Holt. “No comment,” Holt said on Monday."
    doc = doc_of(body)
    masked = doc.masked
    first = body.index("Holt. ") + 6  # where the second sentence starts
    # a sentence read alone gives the words of the whole body's tokenisation there
    assert doc.words_in(0, first) == words(masked, 0, first)
    assert doc.words_in(first, len(masked)) == words(masked, first, len(masked))
    # an initial keeps its full stop when a stretch ends right after it ("Anna R." then "Holt"), where
    # tokenising that stretch alone could not see the name going on
    cut = body.index("R.") + 2
    got, _ = doc.words_in(0, cut)
    assert got[-1] == "R." and words(masked, 0, cut)[0][-2:] == ["R", "."]
    # a word running past the stretch's end is not in it
    assert doc.words_in(0, body.index("board") + 2)[0] == ["The"]
    # past the names' reach, tokens come from the same words
    long = "The council met again on Tuesday. " * 15 + masked
    short = Doc(long, long, None, [], whole=False)
    start = long.index("The board")
    cut = long.index("R.") + 2
    assert short.reach < start
    assert short.toks_in(start, len(long)) == as_tokens(*words(long, start, len(long)))
    assert [t.text for t in short.toks_in(start, cut)][-2:] == ["Anna", "R."]


def test_a_surname_two_people_share_is_the_one_named_first():
    # "Murphy" is Nolan Murphy, named first, not the later (and longer) Anne Marie Murphy
    from searchapp.nlp.quotes import extract_quotes

    body = ("Sen. Nolan Murphy spoke in Hartford on Monday. A teacher, Anne Marie Murphy, was honoured there.\n\n"
            "“We will not stop,” Murphy said.")
    assert [q.speaker for q in extract_quotes(body)] == ["Nolan Murphy"]
