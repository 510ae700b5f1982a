"""Quote marks and segments (searchapp.nlp.quotes.marks): which marks open and close, paragraphs, scare quotes.

Every sentence below is invented for these tests."""
from __future__ import annotations

from searchapp.nlp.quotes import extract_quotes
from tests.quote_checks import check_offsets, one


def test_multi_paragraph_quote():
    body = (
        "Coach Dana Whitfield spoke for ten minutes.\n\n"
        "“We lost the first game and we lost the second one,” Whitfield said. “That is on me.\n\n"
        "“Nobody in that locker room quit. Not one of them.\n\n"
        "“We will be back next year.”\n\n"
        "The team flies home on Sunday."
    )
    quotes = extract_quotes(body)
    check_offsets(body, quotes)
    assert [q.text for q in quotes] == [
        "We lost the first game and we lost the second one",
        "That is on me",
        "Nobody in that locker room quit. Not one of them",
        "We will be back next year",
    ]
    assert {q.speaker for q in quotes} == {"Dana Whitfield"}


def test_apostrophes_are_not_quotes():
    body = (
        "The UK’s exports fell. Johnson’s aides can’t say when the 90s boom ended, and the players’ "
        "union won’t comment on the club’s ‘90s deals either."
    )
    assert extract_quotes(body) == []


def test_single_curly_quotes_with_apostrophes_inside():
    body = "Minister Ewa Nowak said the deal was ‘the country’s best chance’ and that it ‘can’t fail’."
    quotes = extract_quotes(body)
    check_offsets(body, quotes)
    assert [q.text for q in quotes] == ["the country’s best chance", "can’t fail"]
    assert {q.speaker for q in quotes} == {"Ewa Nowak"}


def test_straight_and_typewriter_double_marks():
    q = one('Vote counting went on. "It is too close to call," Gov. Alan Brooks said.')
    assert (q.text, q.speaker) == ("It is too close to call", "Alan Brooks")
    q = one("Shares slid. ''Nobody expected this,'' Ms. Carla Diaz said.")
    assert (q.text, q.speaker) == ("Nobody expected this", "Carla Diaz")


def test_scare_quotes_have_no_speaker():
    body = "Senator Rob Kline said the so-called “experts” had ignored the “data” for years."
    quotes = extract_quotes(body)
    check_offsets(body, quotes)
    assert [(q.text, q.speaker, q.mention) for q in quotes] == [("experts", None, None), ("data", None, None)]


def test_no_quote_characters_fast_path():
    body = "Grain prices rose 3 pct on Tuesday and fell on Wednesday. " * 20
    assert extract_quotes(body) == []
    assert extract_quotes("") == []


def test_interrupted_quote_shares_the_attribution():
    body = "“We are not leaving,” Omar Farouk told the crowd, “until the mill reopens.”"
    quotes = extract_quotes(body)
    check_offsets(body, quotes)
    assert [q.text for q in quotes] == ["We are not leaving", "until the mill reopens"]
    assert {q.speaker for q in quotes} == {"Omar Farouk"}


def test_segments_and_the_masked_body():
    from searchapp.nlp.quotes.marks import find_segments, mask
    from searchapp.nlp.text import paragraphs

    body = "Ann Lee said: “We are ready.”\n“So are we,” Tom Berg said."
    segs = find_segments(body, paragraphs(body))
    assert [body[s.start : s.end] for s in segs] == ["We are ready", "So are we"]
    assert [s.para for s in segs] == [0, 1]
    masked = mask(body, segs)
    assert len(masked) == len(body) and "ready" not in masked and "Tom Berg said" in masked
