"""Attribution (searchapp.nlp.quotes.attribution): the cue and the speaker's words after, before and around a quote.

Every sentence below is invented for these tests."""
from __future__ import annotations

from searchapp.nlp.quotes import extract_quotes
from tests.quote_checks import check_offsets, one


def test_quote_then_name_then_cue():
    body = "The plan drew fire.\n\n“This budget is a disgrace,” Marta Kowalski said on Monday."
    q = one(body)
    assert (q.text, q.speaker, q.mention.text, q.cue) == ("This budget is a disgrace", "Marta Kowalski", "Marta Kowalski", "said")


def test_name_cue_colon_quote():
    q = one("Talks resumed in Oslo. Premier Lars Vik said: “We have nothing to add.”")
    assert (q.speaker, q.mention.text, q.cue) == ("Lars Vik", "Premier Lars Vik", "said")
    assert q.text == "We have nothing to add"


def test_quote_then_cue_then_name():
    body = "Ann Pryce runs the depot.\n\n“Trucks leave at dawn,” said Pryce, who has worked there since 2004."
    q = one(body)
    assert (q.speaker, q.mention.text, q.cue) == ("Ann Pryce", "Pryce", "said")


def test_participle_cue_takes_the_main_clause_subject():
    body = (
        "Chancellor Ruth Becker flew to Lisbon and then Madrid, warning that the bloc faces ‘a very hard "
        "winter’ and that ‘prices will keep rising’."
    )
    quotes = extract_quotes(body)
    check_offsets(body, quotes)
    assert [(q.text, q.speaker, q.cue) for q in quotes] == [
        ("a very hard winter", "Ruth Becker", "warning"),
        ("prices will keep rising", "Ruth Becker", "warning"),
    ]


def test_according_to_and_dash_attribution():
    q = one("“Sales doubled in March,” according to Helen Park, the firm’s finance chief.")
    assert (q.speaker, q.cue) == ("Helen Park", "according to")
    body = "Voices from the rally:\n“I came for the jobs.” ― Luis Ortega, 44, Ohio"
    q = one(body)
    assert (q.speaker, q.cue) == ("Luis Ortega", None)


def test_a_short_sentence_after_a_quote_that_ends_with_a_full_stop_attributes_it():
    body = "The vote was close.\n\n“The harbour stays open.” Marta Kowalski said.\n\nThe council adjourned."
    q = one(body)
    assert (q.speaker, q.cue) == ("Marta Kowalski", "said")
    # a longer sentence is a sentence of its own
    body = "The vote was close.\n\n“The harbour stays open.” Marta Kowalski said the ferry would run until May."
    first = extract_quotes(body)[0]
    assert (first.text, first.speaker) == ("The harbour stays open", None)


def test_a_participle_after_the_speaker_describes_them():
    q = one("“The ferry will run,” said one councillor involved in the talks, who asked not to be named.")
    assert q.mention.text == "one councillor"


def test_a_bracketed_aside_between_speaker_and_cue():
    q = one("After the vote, Rep. Marta Kowalski (D-Ore.) said “the harbour stays open.”")
    assert (q.speaker, q.cue) == ("Marta Kowalski", "said")


def test_a_name_in_apposition_after_a_description_is_the_speaker():
    q = one("“The ferry will run,” said another harbour pilot, Marta Kowalski of Linden.")
    assert (q.speaker, q.cue) == ("Marta Kowalski", "said")


def test_a_name_alone_after_a_finished_quote_is_read_without_error():
    body = "The vote was close.\n\n“The harbour stays open.” Marta Kowalski"
    q = one(body)
    assert (q.text, q.speaker) == ("The harbour stays open", None)
