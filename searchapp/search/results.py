"""What a search returns: typed results, each with one ``to_json``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from searchapp.archive.quotes import Occurrence


@dataclass
class Segment:
    text: str
    match: bool = False


@dataclass
class QuoteHit:
    text: str
    speaker: str | None
    cue: str | None
    segments: list[Segment]
    kind: str = "direct"  # direct (the words said), indirect (reported speech), mixed (partly quoted)


@dataclass
class Hit:
    id: str
    title: str
    url: str
    path: str
    published: str | None
    publisher: str
    byline: str
    dateline: str
    people: list[str]
    places: list[str]
    orgs: list[str]
    sources: list[str]
    speakers: list[str]
    score: float
    title_segments: list[Segment]
    snippet: list[Segment]
    quotes: list[QuoteHit] = field(default_factory=list)
    lead: str = ""  # the start of the body: a label for untitled articles
    # The other versions of this story (syndicated and near copies), earliest first: id, title,
    # published, publisher. Empty for a story with one version.
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def snippet_text(self) -> str:
        return "".join(s.text for s in self.snippet)

    def to_json(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in HIT_SCALARS}
        for name in ("people", "places", "orgs", "sources", "speakers"):
            out[name] = list(getattr(self, name))
        out["title_segments"] = segments_json(self.title_segments)
        out["snippet"] = segments_json(self.snippet)
        out["snippet_text"] = self.snippet_text
        out["quotes"] = [{"text": q.text, "speaker": q.speaker, "cue": q.cue, "kind": q.kind,
                          "segments": segments_json(q.segments)}
                         for q in self.quotes]
        out["versions"] = [dict(v) for v in self.versions]
        return out
HIT_SCALARS = ("id", "title", "url", "path", "published", "publisher", "byline", "dateline", "score", "lead")


def segments_json(segments: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": seg.text, "match": seg.match} for seg in segments]


@dataclass
class Results:
    query: str
    filters: dict[str, list[str]]
    sort: str
    page: int
    per_page: int
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[tuple[str, int]] = field(default_factory=list)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    mode: str = "articles"
    took_ms: float = 0.0
    # Copies of one story are one hit unless collapse is off: ``total`` then counts stories, and
    # ``articles`` every matching article, copies included.
    collapse: bool = True
    articles: int = 0
    partial: bool = False  # the deadline passed: fewer hits (or no facets) than asked for
    complete: int = 0  # articles with every word (the fallback for long queries adds others)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every segment and costs more than the search.
        out = {name: getattr(self, name) for name in
               ("query", "sort", "page", "per_page", "total", "articles", "suggestion", "mode", "took_ms",
                "partial")}
        out["counting"] = "stories" if self.collapse else "articles"
        out["filters"] = {k: list(v) for k, v in self.filters.items()}
        out["notices"] = list(self.notices)
        out["pages"] = self.pages
        out["hits"] = [h.to_json() for h in self.hits]
        out["facets"] = {k: [{"value": v, "count": c} for v, c in vs] for k, vs in self.facets.items()}
        out["histogram"] = [{"period": p, "count": c} for p, c in self.histogram]
        return out


@dataclass
class QuoteGroupView:
    id: str  # the first occurrence: "article id@offset"
    speaker: str
    segments: list[Segment]
    summary: str  # "first reported by <publisher> on <date>, repeated in N articles"
    first: Occurrence
    articles: int
    latest: Occurrence
    kind: str = "direct"


@dataclass
class QuoteGroups:
    speaker: str
    query: str
    page: int
    per_page: int
    total: int = 0  # distinct quotes
    quotes: int = 0  # quotes in all (every version in every article)
    articles: int = 0
    groups: list[QuoteGroupView] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0


def quote_key(article_id: str, offset: int) -> str:
    return f"{article_id}@{offset}"
