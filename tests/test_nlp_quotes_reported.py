"""Reported speech (searchapp.nlp.quotes.reported): source, cue and content span, and the kinds.

Every sentence below is invented for these tests."""
from __future__ import annotations

from searchapp.article import Quote
from searchapp.nlp.quotes import extract_quotes


def reported(body: str) -> list[tuple[str, str | None, str | None]]:
    out = []
    for q in extract_quotes(body, reported=True):
        assert body[q.start : q.end] == q.text
        if q.kind == "indirect":
            out.append((q.text, q.speaker, q.cue))
    return out


def test_source_cue_that_content():
    body = "Finance Minister Ilse Varga said on Monday that the budget would balance by next spring."
    assert reported(body) == [("the budget would balance by next spring", "Ilse Varga", "said")]




def test_according_to():
    body = "According to the county clerk, turnout reached a record this year."
    assert reported(body) == [("turnout reached a record this year", None, "according to")]


def test_a_quote_inside_reported_speech_is_mixed_and_a_direct_quote_is_not_reported():
    body = "Coach Dana Whitfield said the team had “nothing left to give” after the final."
    kinds = {q.text: q.kind for q in extract_quotes(body, reported=True)}
    assert kinds["nothing left to give"] == "mixed"
    assert kinds["the team had “nothing left to give” after the final"] == "indirect"
    body = "“We are not leaving,” Omar Farouk told the crowd."
    assert [q.kind for q in extract_quotes(body, reported=True)] == ["direct"]



def test_kind_is_part_of_the_json_contract():
    [q] = [q for q in extract_quotes("Mayor Tom Reyes said the bridge would reopen in June.", reported=True)]
    assert q.to_json()["kind"] == "indirect"
    assert Quote.from_json(q.to_json()) == q
    assert Quote.from_json({"text": "x", "start": 0, "end": 1}).kind == "direct"
