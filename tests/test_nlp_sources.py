"""Sources step: credited outlets and wire services, with invented sentences only."""
from __future__ import annotations

import pickle

import pytest

from searchapp.article import Article
from searchapp.nlp.sources import SourceStep, canonical_outlet, find_dateline, find_sources


def run(body: str, **kw) -> Article:
    return SourceStep()(Article(id="t", body=body, **kw))


@pytest.mark.parametrize(
    "body, expected",
    [
        ("OSLO (Reuters) - The fjord ferry was late again on Monday.", ["Reuters"]),
        ("LIMA (AP) — A llama walked into the central bank.", ["Associated Press"]),
        ("DAKAR, June 3 (AFP) - The bakers' strike spread to three towns.", ["Agence France-Presse"]),
        ("The bridge will reopen in May, according to the BBC.", ["BBC"]),
        ("A spokeswoman told CNN that the ferry was safe.", ["CNN"]),
        ("The mayor said in an interview with Le Monde that he would stay.", ["Le Monde"]),
        ("The Interfax news agency said the dam was full.", ["Interfax"]),
        ("TASS reported that the icebreaker had left port.", ["TASS"]),
        ("Officials declined to comment, citing Bloomberg.", ["Bloomberg"]),
        ("The ferry sank.\nWith reporting by Politico, The Guardian, Reuters, TASS", ["Politico", "The Guardian",
                                                                                     "Reuters", "TASS"]),
    ],
)
def test_credits(body, expected):
    assert run(body).sources == expected


def test_reuters_trailer_names_are_people():
    a = run("The orchard harvest was the best in years.\nReporting by Anna Example; Editing by Ben Sample")
    assert a.sources == ["Reuters"]


def test_reuters_sign_off_line():
    assert run("Cocoa prices edged higher, dealers said.\n Reuter") .sources == ["Reuters"]


def test_outlet_without_credit_is_not_a_source():
    assert run("Shares of the New York Times rose 2 percent on Tuesday.").sources == []
    assert run("The Guardian's new editor starts next week.").sources == []
    assert run("Time is running out for the talks, he said.").sources == []
    assert run("The paper, published by Dow Jones and Co Inc, said so.").sources == []
    assert run("The Dow Jones Industrial average rose, according to Dow Jones data.").sources == ["Dow Jones"]
    assert run("Nothing here at all.").sources == []


def test_publisher_comes_first():
    a = run("A spokesman told the BBC the plan was dead.", publisher="Reuters")
    assert a.sources == ["Reuters", "BBC"]
    assert run("Plain text.", publisher="Example Gazette").sources == ["Example Gazette"]


def test_dateline():
    a = run("MOSCOW (Reuters) - The talks ended without a deal.")
    assert a.dateline == "MOSCOW"
    a = run("NEW YORK, March 3 - Stocks rose.")
    assert a.dateline == "NEW YORK"
    a = run("MOSCOW (Reuters) - Talks.", dateline="Kazan")
    assert a.dateline == "Kazan"  # an existing dateline is kept
    assert find_dateline("The minister - who was late - said nothing.") is None
    assert find_dateline("Paris (AFP) - Rain.") == ("Paris", "AFP")


def test_canonical_outlets():
    assert canonical_outlet("AP") == "Associated Press"
    assert canonical_outlet("AFP") == "Agence France-Presse"
    assert canonical_outlet("Guardian") == "The Guardian"
    assert canonical_outlet("the Guardian") == "The Guardian"
    assert canonical_outlet("Tass") == "TASS"
    assert canonical_outlet("Reuter") == "Reuters"
    assert canonical_outlet("Example Gazette") is None


def test_order_and_distinct():
    body = "The BBC reported the fire. Later, according to the BBC and to Reuters reporting, it was out."
    assert find_sources(body) == ["BBC", "Reuters"]


def test_step_is_picklable():
    step = pickle.loads(pickle.dumps(SourceStep()))
    assert step.name == "sources"
