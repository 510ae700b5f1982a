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


def test_any_cue_inverts_before_a_name_with_an_apposition():
    # "scoffed" is no cue that usually inverts, but before a name that its clause ends on it does
    q = one("“Nobody reads the minutes,” scoffed Ivo Brandt, 22, who joined the board in June.")
    assert (q.speaker, q.cue) == ("Ivo Brandt", "scoffed")


def test_a_possessive_description_then_the_name_in_apposition():
    q = one("“We will win the county,” said Lee’s deputy campaign manager, Ivo Brandt, who ran it in 2012.")
    assert (q.speaker, q.mention.text) == ("Ivo Brandt", "Ivo Brandt")


def test_of_a_title_or_an_organisation_stays_in_the_name_and_of_a_place_does_not():
    for body, speaker in [
        ("“The harbour stays open,” Minister of Transport Ruth Becker said on Monday.", "Ruth Becker"),
        ("“The harbour stays open,” said Minister of Transport Ruth Becker.", "Ruth Becker"),
        ("“The harbour stays open,” said Bank of Linden spokesman Ivo Brandt.", "Ivo Brandt"),
        ("“The harbour stays open,” former Gov. Ruth Becker of Oregon said on Monday.", "Ruth Becker"),
        ("“The harbour stays open,” said Ruth Becker of Oregon.", "Ruth Becker"),
    ]:
        assert one(body).speaker == speaker, body


def test_an_object_of_a_preposition_is_not_the_subject_before_the_cue():
    q = one("In a statement to the Linden Herald, her senior adviser, Ivo Brandt, said: “We have nothing to add.”")
    assert q.speaker == "Ivo Brandt"
    q = one("At a depot in Salem, Oregon, after the vote, Gov. Ruth Becker (D-Ore.), said, “The ferry will run.”")
    assert q.speaker == "Ruth Becker"


def test_a_name_before_a_colon_is_not_the_speaker_when_the_words_are_said_to_them():
    q = one("Senator Ruth Becker, D-Ore., sent a blunt message to Ivo Brandt: “It is time to stop.”")
    assert q.speaker == "Ruth Becker"
    # "from" names the source
    q = one("A lesson from Ruth Becker: “Read the minutes.”")
    assert q.speaker == "Ruth Becker"


def test_a_description_leading_to_a_role_noun_is_one_phrase():
    q = one("Brandt’s Oregon state director, Ruth Becker, reached out to the council, writing in an email: “We want "
            "it now.”")
    assert (q.speaker, q.cue) == ("Ruth Becker", "writing")


def test_a_first_name_that_is_also_a_function_word_after_an_inverted_cue():
    q = one("“The ferry is a pretty expensive business,” said Will Kowalski, a professor at Linden College.")
    assert q.speaker in ("Will Kowalski", "Kowalski")
    assert q.mention.text == "Will Kowalski"


def test_who_after_a_description_with_places_means_the_person_it_describes():
    body = ("“You will see many tactics,” said Ruth Becker, 32, a former aide to the campaign in Salem who said "
            "she planned to march. “I do not like being arrested.”")
    quotes = extract_quotes(body, reported=True)
    check_offsets(body, quotes)
    assert [(q.kind, q.speaker) for q in quotes] == [("direct", "Ruth Becker"), ("indirect", "Ruth Becker"),
                                                    ("direct", "Ruth Becker")]


def test_a_time_phrase_between_the_subject_and_the_cue():
    for body in ("Ivo Brandt spoke first.\n\nRuth Becker later Thursday told the Ledger: “We will meet next week.”",
                 "Ivo Brandt spoke first.\n\nRuth Becker on Thursday told the Ledger: “We will meet next week.”"):
        q = one(body)
        assert (q.speaker, q.cue) == ("Ruth Becker", "told"), body


def test_a_participle_telling_someone_then_a_colon_is_a_direct_quote_of_the_clauses_subject():
    body = ("Back in 1999, Ruth Becker praised the mayor’s skills, telling the Ledger: ‘I wish I could be like "
            "that.’")
    quotes = extract_quotes(body, reported=True)
    check_offsets(body, quotes)
    assert [(q.kind, q.speaker, q.cue) for q in quotes if q.kind != "indirect"] == [("direct", "Ruth Becker", "telling")]
    assert not any(q.kind == "indirect" and q.text.startswith(":") for q in quotes)


def test_an_aide_to_someone_is_the_aide():
    q = one("“The plan failed,” said an aide to Senator Ruth Becker.")
    assert q.speaker is None and q.mention.text == "an aide to Senator Ruth Becker"
    q = one("“The plan failed,” an aide to Senator Ruth Becker said.")
    assert q.speaker is None and q.mention.text == "an aide to Senator Ruth Becker"


def test_a_participle_after_a_place_or_outlet_is_the_clauses_subject():
    q = one("Ruth Becker wrote in a statement to The Guardian explaining “Yes, I will.”")
    assert q.speaker == "Ruth Becker"
    q = one("Ruth Becker spoke at a rally in Oregon explaining “Yes, I will.”")
    assert q.speaker == "Ruth Becker"
    # people are their own: "with X yelling" is X's, and so is "fired on protesters chanting"
    q = one("At a rally in Linden, some of the crowd pushed a protester, with Ruth Becker yelling: “Get him out!”")
    assert q.speaker == "Ruth Becker"
    q = one("Police fired on Ivo Brandt shouting “we want justice” outside.")
    assert q.speaker == "Ivo Brandt"


def test_reviewed_shapes_stay_as_they_were():
    # a name in a description's tail does not hide the apposition after it
    q = one("“It is safe,” said a spokesman for Governor Tom Hardy, Ann Lee.")
    assert q.speaker == "Ann Lee"
    # a quote inside a sentence is no quote a cue after it inverts for
    q = one("Her blunt “no comment” reminded Tom Hardy, 41, of his own trial.")
    assert q.speaker is None
    # "in the words of X:" is X's
    q = one("In the words of Ann Lee: “We never quit.”")
    assert q.speaker == "Ann Lee"
