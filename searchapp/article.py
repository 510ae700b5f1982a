"""The record that flows through every stage: readers -> enrichment -> index -> search -> view.

Only the standard library here, so every stage can import it without pulling in the others.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
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
    """

    text: str
    start: int
    end: int
    speaker: str | None = None
    mention: Mention | None = None
    cue: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "mention": self.mention.to_json() if self.mention else None,
            "cue": self.cue,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Quote":
        mention = data.get("mention")
        return cls(
            text=str(data["text"]),
            start=int(data["start"]),
            end=int(data["end"]),
            speaker=data.get("speaker"),
            mention=Mention(str(mention["text"]), int(mention["start"]), int(mention["end"])) if mention else None,
            cue=data.get("cue"),
        )


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
    def from_json(cls, data: dict[str, Any]) -> "Article":
        """Build an Article from a JSON object with the Article's field names.

        Unknown keys are ignored; a wrong type raises ValueError naming the field.
        """
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known or value is None or key == "entities":
                continue
            if key == "published":
                kwargs[key] = parse_iso_datetime(value)
            elif key == "quotes":
                if not isinstance(value, list):
                    raise ValueError("field 'quotes' must be a list")
                kwargs[key] = [Quote.from_json(q) for q in value]
            elif key == "aliases":
                if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                          for k, v in value.items()):
                    raise ValueError("field 'aliases' must be an object of strings")
                kwargs[key] = dict(value)
            elif key in ("people", "places", "orgs", "sources", "tentative_people") or key.startswith("gold_"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"field {key!r} must be a list of strings")
                kwargs[key] = list(value)
            else:
                if not isinstance(value, (str, int, float)):
                    raise ValueError(f"field {key!r} must be a string")
                kwargs[key] = str(value)
        if not kwargs.get("id"):
            raise ValueError("missing field 'id'")
        return cls(**kwargs)


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
            raise ValueError(f"field 'published': not an ISO 8601 date: {value!r}") from None
    else:
        raise ValueError(f"field 'published': not an ISO 8601 date: {value!r}")
    if dt.tzinfo is not None:
        dt = dt.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return dt
