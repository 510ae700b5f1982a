"""The record that flows through every stage: readers -> enrichment -> index -> search -> view.

Only the standard library here, so every stage can import it without pulling in the others.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Mention:
    """A span of ``Article.body``: the words that name someone."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class EntityMention:
    """One recognised name in ``Article.body``: ``label`` is PER, LOC or ORG; ``name`` the canonical
    form within the article ("Lavrov" -> "Sergey Lavrov", "U.K." -> "United Kingdom")."""

    label: str
    text: str
    start: int
    end: int
    name: str
    # A person named with evidence around this mention or another of the same person in the document
    # (a title, a verb of saying, an apposition), not only by the shape of the name.
    attested: bool = True


@dataclass
class Quote:
    """A quoted span of ``Article.body`` and, when known, who said it.

    ``start``/``end`` are offsets into the body of the quoted words (without the marks).
    ``speaker`` is the canonical name within the article ("Sergey Lavrov"), ``mention`` the words that
    named the speaker at this quote ("Russia's top diplomat", "he"), ``cue`` the verb ("said").
    ``kind`` is "direct" (the words inside quote marks), "indirect" (reported speech: the content span
    in the writer's words, "Lavrov said [the build-up posed no threat]") or "mixed" (a quoted part of
    reported speech).
    """

    text: str
    start: int
    end: int
    speaker: str | None = None
    mention: Mention | None = None
    cue: str | None = None
    kind: str = "direct"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "mention": self.mention.to_json() if self.mention else None,
            "cue": self.cue,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: Any) -> "Quote":
        """A quote of the extraction contract; a wrong type raises ValueError naming the key."""
        if not isinstance(data, dict):
            raise ValueError(f"must be an object, not {json_type(data)}")
        start, end = _offset(data, "start"), _offset(data, "end")
        if end < start:
            raise ValueError(f"'end' ({end}) is before 'start' ({start})")
        mention = data.get("mention")
        if mention is not None:
            if not isinstance(mention, dict):
                raise ValueError(f"'mention' must be an object or null, not {json_type(mention)}")
            mention = Mention(_string(mention, "text", required=True), _offset(mention, "start"),
                              _offset(mention, "end"))
        kind = _string(data, "kind") or "direct"
        if kind not in QUOTE_KINDS:
            raise ValueError(f"'kind' must be one of {', '.join(QUOTE_KINDS)}, not {kind[:40]!r}")
        return cls(text=_string(data, "text", required=True), start=start, end=end,
                   speaker=_string(data, "speaker"), mention=mention, cue=_string(data, "cue"), kind=kind)


QUOTE_KINDS = ("direct", "indirect", "mixed")


def json_type(value: Any) -> str:
    """What a JSON value is, for messages: "a number", "true", "a list" ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _string(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string{'' if required else ' or null'}, not {json_type(value)}")
    return value


def _offset(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key!r} must be a whole number from 0 on, not "
                         + (repr(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
                            else json_type(value)))
    return value


@dataclass
class Article:
    id: str
    path: str = ""
    url: str = ""
    title: str = ""
    body: str = ""
    published: _dt.datetime | None = None
    byline: str = ""
    dateline: str = ""
    publisher: str = ""
    # Filled by enrichment (searchapp.nlp.pipeline).
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    # Short forms the text defines ("ICO" -> "International Coffee Organization"): archive-wide evidence
    # that the two are one organisation (searchapp.archive.identities).
    aliases: dict[str, str] = field(default_factory=dict)
    # People named only by the shape of the name ("Societe Generale" looks like one): the archive keeps
    # them as people only where another article attests the same person (searchapp.archive.identities).
    tentative_people: list[str] = field(default_factory=list)
    # Every name mention with offsets, for later steps (quote attribution); not part of the JSON contract.
    entities: list[EntityMention] = field(default_factory=list, repr=False)
    # Hand-assigned labels some corpora carry (Reuters-21578). For evaluation only: never indexed.
    gold_people: list[str] = field(default_factory=list)
    gold_places: list[str] = field(default_factory=list)
    gold_orgs: list[str] = field(default_factory=list)
    gold_topics: list[str] = field(default_factory=list)
    # Where it was read (the file, ":line" for a JSON line), for reports; not part of the JSON contract.
    origin: str = field(default="", repr=False, compare=False)
    # What was left out of it and why ("quotes not extracted: ..."), for reports; not in the contract.
    notes: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def speakers(self) -> list[str]:
        """Distinct named speakers, in order of first quote."""
        seen: dict[str, None] = {}
        for q in self.quotes:
            if q.speaker:
                seen.setdefault(q.speaker, None)
        return list(seen)

    def to_json(self, *, gold: bool = False) -> dict[str, Any]:
        """The `searchapp extract --format jsonl` contract (see README)."""
        out: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "body": self.body,
            "published": self.published.isoformat() if self.published else None,
            "byline": self.byline,
            "dateline": self.dateline,
            "publisher": self.publisher,
            "people": list(self.people),
            "places": list(self.places),
            "orgs": list(self.orgs),
            "sources": list(self.sources),
            "quotes": [q.to_json() for q in self.quotes],
            "aliases": dict(self.aliases),
            "tentative_people": list(self.tentative_people),
        }
        if gold:
            for name in ("gold_people", "gold_places", "gold_orgs", "gold_topics"):
                out[name] = list(getattr(self, name))
        return out

    @classmethod
    def from_json(cls, data: Any) -> "Article":
        """Build an Article from a JSON object with the Article's field names.

        Unknown keys are ignored, null is as absent; a wrong type raises ValueError naming the field
        (a number, true or NaN is not an id or a body)."""
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, not {json_type(data)}")
        known = {f.name for f in dataclasses.fields(cls)} - _NOT_FROM_JSON
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known or value is None:
                continue
            if key == "published":
                kwargs[key] = parse_iso_datetime(value)
            elif key == "quotes":
                if not isinstance(value, list):
                    raise ValueError(f"field 'quotes' must be a list, not {json_type(value)}")
                kwargs[key] = []
                for n, q in enumerate(value, 1):
                    try:
                        kwargs[key].append(Quote.from_json(q))
                    except ValueError as e:
                        raise ValueError(f"field 'quotes', quote {n}: {e}") from None
            elif key == "aliases":
                if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                          for k, v in value.items()):
                    raise ValueError("field 'aliases' must be an object of strings")
                kwargs[key] = dict(value)
            elif key in ("people", "places", "orgs", "sources", "tentative_people") or key.startswith("gold_"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"field {key!r} must be a list of strings")
                kwargs[key] = list(value)
            elif not isinstance(value, str):
                raise ValueError(f"field {key!r} must be a string, not {json_type(value)}")
            else:
                kwargs[key] = value
        if not kwargs.get("id"):
            raise ValueError("missing field 'id'")
        article = cls(**kwargs)
        for n, q in enumerate(article.quotes, 1):
            if q.end > len(article.body):
                raise ValueError(f"field 'quotes', quote {n}: 'end' ({q.end}) is past the end of the body "
                                 f"({len(article.body)} characters)")
        return article


_NOT_FROM_JSON = {"entities", "origin", "notes"}
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LEADING_BY = re.compile(r"^\s*(?:by\b[:\s]*)+", re.IGNORECASE)
_TEXT_FIELDS = ("path", "url", "title", "body", "byline", "dateline", "publisher")
_LIST_FIELDS = ("people", "places", "orgs", "sources")


def check_article(article: Article) -> Article:
    """What every article must be before it is enriched and indexed, from whatever reader: an id that
    is text (not blank, no lone surrogates or control characters: ValueError), and a title or body
    (ValueError: "empty article"). Lone surrogates elsewhere (JSON can spell them; no index can encode
    them) become U+FFFD, and a byline loses a leading "By" (pages print "By" before it)."""
    article_id = article.id
    if not isinstance(article_id, str) or not article_id.strip():
        raise ValueError("the id is blank")
    if _SURROGATE.search(article_id):
        raise ValueError("the id is not valid Unicode (it has a lone surrogate)")
    if _CONTROL.search(article_id):
        raise ValueError("the id contains a control character")
    for name in _TEXT_FIELDS:
        value = getattr(article, name)
        if _SURROGATE.search(value):
            setattr(article, name, _SURROGATE.sub("\ufffd", value))
    for name in _LIST_FIELDS:
        values = getattr(article, name)
        if any(_SURROGATE.search(v) for v in values):
            setattr(article, name, [_SURROGATE.sub("\ufffd", v) for v in values])
    for q in article.quotes:
        q.text = _SURROGATE.sub("\ufffd", q.text)
        if q.speaker:
            q.speaker = _SURROGATE.sub("\ufffd", q.speaker)
    if article.byline:
        article.byline = _LEADING_BY.sub("", article.byline).strip()
    if not article.title.strip() and not article.body.strip():
        raise ValueError("empty article: no title and no body")
    return article


def parse_iso_datetime(value: Any) -> _dt.datetime:
    """ISO 8601 date or datetime -> naive UTC datetime (Whoosh DATETIME wants naive)."""
    if isinstance(value, _dt.datetime):
        dt = value
    elif isinstance(value, _dt.date):
        dt = _dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"field 'published': not an ISO 8601 date: {value[:100]!r}") from None
    else:
        raise ValueError(f"field 'published' must be an ISO 8601 date, not {json_type(value)}")
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00:00+05:00 is in year 0 in UTC, 9999-12-31T23:59-14:00 in 10000
            raise ValueError(f"field 'published': {value!r} is outside the years 1 to 9999 in UTC") from None
    return dt
