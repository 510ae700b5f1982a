"""Coreference (searchapp.nlp.quotes.coref): pronouns and role descriptions to one person.

Every sentence below is invented for these tests."""
from __future__ import annotations

from searchapp.nlp.quotes import extract_quotes
from tests.quote_checks import by_text, check_offsets, one


def test_role_description_resolves_to_the_person_introduced_with_that_role():
    body = (
        "Norwegian Foreign Minister Ingrid Dahl met Chilean Foreign Minister Pablo Rojas in Geneva.\n"
        "“We found common ground on fishing rights,” Norway’s top diplomat told reporters."
    )
    q = one(body)
    assert (q.speaker, q.mention.text, q.cue) == ("Ingrid Dahl", "Norway’s top diplomat", "told")


def test_pronoun_after_cue_and_appositive():
    body = (
        "Defence Secretary Tom Hale, 51, the first minister to visit the base in a decade, added there "
        "was “much more work to do” on housing. He added that the repairs “cannot wait until spring.”"
    )
    quotes = by_text(extract_quotes(body))
    check_offsets(body, list(quotes.values()))
    work = quotes["much more work to do"]
    assert (work.speaker, work.mention.text, work.cue) == ("Tom Hale", "Defence Secretary Tom Hale", "added")
    wait = quotes["cannot wait until spring"]
    assert (wait.speaker, wait.mention.text, wait.cue) == ("Tom Hale", "He", "added")


def test_she_resolves_to_the_nearest_woman_not_the_nearest_person():
    body = (
        "Mayor Linda Ortiz spoke after Councilman Peter Grant left the room.\n"
        "“The bridge will open in May,” she said."
    )
    q = one(body)
    assert (q.speaker, q.mention.text, q.cue) == ("Linda Ortiz", "she", "said")


def test_pronoun_is_none_when_unsure_or_unresolvable():
    # nobody of known gender before the pronoun
    q = one("Taylor Quinn and Jordan Reese met the board. “We walked out,” she said.")
    assert (q.speaker, q.mention.text, q.cue) == (None, "she", "said")
    # "they" is never resolved to a person
    q = one("Union leaders met Mary Hart on Friday. “No deal yet,” they said.")
    assert (q.speaker, q.mention.text) == (None, "they")


def test_the_speaker_of_the_quote_before_goes_on():
    body = (
        "Tom Reyes introduced Paul Grant at the rally.\n"
        "“We will win this county,” Grant said. He then thanked the volunteers, adding: “You did it.”"
    )
    quotes = {q.text: q for q in extract_quotes(body)}
    assert quotes["You did it"].speaker == "Paul Grant"


def test_a_role_with_an_affiliation_goes_to_the_person_of_that_affiliation():
    body = (
        "The Green nominee, Lena Ortmann, debated the Liberal nominee, Sara Holm.\n"
        "“Taxes will fall,” the Liberal nominee said."
    )
    quotes = extract_quotes(body)
    assert [(q.speaker, q.mention.text) for q in quotes] == [("Sara Holm", "the Liberal nominee")]


def test_a_pronoun_goes_on_with_the_subject_rather_than_an_owner_or_a_prepositions_object():
    body = ("The council met on Monday.\n\nAnna Lee’s plan was the target when Marta Kowalski rose in the hall."
            "\n\n“It will sink the harbour,” she said.")
    [q] = extract_quotes(body)
    assert (q.mention.text, q.speaker) == ("she", "Marta Kowalski")


def test_he_goes_to_the_subject_of_unknown_gender_before_an_object_of_his():
    # the mayor is known by no first name, so by no gender; Biden, a preposition's object after his
    # titles, is not the subject
    body = ("Mayor Okafor spoke on Monday. Okafor, a former union leader, had close ties to Vice President "
            "Joe Biden. But on Sunday he backed the plan.\n\n“We need someone who fights hard,” he said.")
    assert [q.speaker for q in extract_quotes(body)] == ["Okafor"]
    # a first name of either gender is a reason to go with the one whose gender is the pronoun's
    from searchapp.nlp.entities import recognize

    body = "Pat Walsh met with Ann Lee on Monday.\n\n“The deal was fair,” she said."
    assert [q.speaker for q in extract_quotes(body)] == ["Ann Lee"]
    assert [q.speaker for q in extract_quotes(body, recognize(body))] == ["Ann Lee"]


def test_a_place_after_in_is_no_person_even_before_an_apposition():
    # "in Florida, law professor Tom Brandt": Florida is no one's name, so "she" is not Florida (Tom Brandt
    # is a man's name, and Okafor's gender unknown: no one)
    body = ("Okafor endorsed her primary challenger in Florida, law professor Tom Brandt.\n"
            "“Do not let the perfect be the enemy of the good,” she said.")
    assert [q.speaker for q in extract_quotes(body)] == [None]
