"""Checks the quote tests share: offsets that hold, one quote, quotes by text."""
from __future__ import annotations

from searchapp.article import EntityMention, Quote
from searchapp.nlp.quotes import extract_quotes


def check_offsets(body: str, quotes: list[Quote]) -> None:
    for q in quotes:
        assert body[q.start : q.end] == q.text
        if q.mention is not None:
            assert body[q.mention.start : q.mention.end] == q.mention.text


def one(body: str, entities: list[EntityMention] | None = None) -> Quote:
    quotes = extract_quotes(body, entities)
    check_offsets(body, quotes)
    assert len(quotes) == 1, quotes
    return quotes[0]


def by_text(quotes: list[Quote]) -> dict[str, Quote]:
    return {q.text: q for q in quotes}
