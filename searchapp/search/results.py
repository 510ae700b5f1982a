"""What a search returns: typed results, each with one ``to_json``, and the JSON Schema of what that
gives (`json_schema`), from which the API's OpenAPI description is made (web/openapi.py)."""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

from searchapp.archive.quotes import Occurrence
from searchapp.search.request import SORTS

# The columns of an export (CSV, JSON lines): one row per article, or per quote of every hit.
EXPORT_COLUMNS = ("id", "title", "published", "publisher", "url", "people", "places", "orgs", "sources",
                  "speakers", "score")
QUOTE_COLUMNS = ("quote", "speaker", "cue", "article", "url", "published", "publisher", "first_seen",
                 "first_publisher", "first_article", "versions")
KINDS = ["direct", "indirect", "mixed"]  # a quote's kind: the words said, reported speech, partly quoted
NAMES = ("people", "places", "orgs", "sources", "speakers")


def doc(text: str, default: Any = dataclasses.MISSING, default_factory: Any = dataclasses.MISSING,
        **schema: Any) -> Any:
    """A field with its description (and schema keywords such as ``enum``) for the JSON Schema."""
    return field(default=default, default_factory=default_factory, metadata={"doc": text, **schema})


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
    kind: str = doc("direct (the words said), indirect (reported speech), mixed (partly quoted)", enum=KINDS,
                    default="direct")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "speaker": self.speaker, "cue": self.cue, "kind": self.kind,
                "segments": segments_json(self.segments)}


class Version(typing.TypedDict):
    id: str
    title: str
    published: str | None
    publisher: str


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
    lead: str = doc("the start of the body: a label for untitled articles", default="")
    versions: list[Version] = doc("the story's other versions (syndicated and near copies), earliest first",
                                  default_factory=list)
    JSON_EXTRAS: ClassVar[dict[str, Any]] = {"snippet_text": (str, "the snippet as plain text")}

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
        out["quotes"] = [q.to_json() for q in self.quotes]
        out["versions"] = [dict(v) for v in self.versions]
        return out
HIT_SCALARS = ("id", "title", "url", "path", "published", "publisher", "byline", "dateline", "score", "lead")


def segments_json(segments: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": seg.text, "match": seg.match} for seg in segments]


@dataclass
class Results:
    query: str
    filters: dict[str, list[str]]
    sort: str = doc("the order of the hits", enum=list(SORTS))
    page: int
    per_page: int
    total: int = doc("hits: stories, or articles with collapse=0", default=0)
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = doc("facet -> its most frequent values", default_factory=dict,
                                                   json={"type": "object", "additionalProperties": {
                                                       "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}})
    histogram: list[tuple[str, int]] = doc("articles per month", default_factory=list,
                                           json={"type": "array", "items": {"type": "object", "properties": {
                                               "period": {"type": "string"}, "count": {"type": "integer"}}}})
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    mode: str = doc("articles, or quotes when the query names a speaker", enum=["articles", "quotes"],
                    default="articles")
    took_ms: float = 0.0
    # Copies of one story are one hit unless collapse is off: ``total`` then counts stories, and
    # ``articles`` every matching article, copies included.
    collapse: bool = doc("", json=None, default=True)
    articles: int = doc("matching articles, copies included", default=0)
    partial: bool = doc("the search ran out of time: fewer hits, or no facets, than asked for (a notice says "
                        "which)", default=False)
    complete: int = doc("", json=None, default=0)  # articles with every word (the fallback adds others)
    JSON_EXTRAS: ClassVar[dict[str, Any]] = {
        "counting": (str, "what total counts: stories, or articles with collapse=0", ["stories", "articles"]),
        "pages": (int, "pages of hits"),
    }

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


@dataclass
class ArticleQuote:
    text: str
    start: int
    end: int
    kind: str = doc("direct, indirect or mixed", enum=KINDS)
    speaker: str | None = None
    mention: dict[str, Any] | None = doc("how the article names the speaker there", default=None)
    cue: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind, "speaker": self.speaker,
                "mention": self.mention, "cue": self.cue}


@dataclass
class ArticleView:
    """One article with everything stored about it, its quotes, and a query's words marked."""

    id: str
    title: str
    url: str
    path: str
    published: str | None
    byline: str
    publisher: str
    dateline: str
    body: str
    people: list[str]
    places: list[str]
    orgs: list[str]
    sources: list[str]
    speakers: list[str]
    quotes: list[ArticleQuote]
    title_segments: list[Segment]
    body_segments: list[Segment]

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in NAMES:
            out[name] = list(out[name])
        out["quotes"] = [q.to_json() for q in self.quotes]
        out["title_segments"] = segments_json(self.title_segments)
        out["body_segments"] = segments_json(self.body_segments)
        return out


def quote_key(article_id: str, offset: int) -> str:
    return f"{article_id}@{offset}"


# -- JSON Schema of what to_json gives -------------------------------------------------------------

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schema(cls) -> dict[str, Any]:
    """The OpenAPI 3.0 schema of ``cls().to_json()``: its dataclass fields by their types (a field whose
    metadata says ``json=None`` is not in the JSON; ``json={...}`` replaces the derived schema), plus
    ``cls.JSON_EXTRAS`` (name -> (type, description[, enum])) for values computed by to_json."""
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if "json" in f.metadata and f.metadata["json"] is None:
            continue
        schema = dict(f.metadata["json"]) if f.metadata.get("json") else type_schema(hints[f.name])
        if f.metadata.get("doc"):
            schema["description"] = f.metadata["doc"]
        if "enum" in f.metadata:
            schema["enum"] = list(f.metadata["enum"])
        props[f.name] = schema
    for name, (type_, text, *enum) in getattr(cls, "JSON_EXTRAS", {}).items():
        props[name] = {**type_schema(type_), "description": text, **({"enum": enum[0]} if enum else {})}
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


def type_schema(tp) -> dict[str, Any]:
    """A Python type as a schema: scalars, ``X | None``, lists, dicts with str keys, TypedDicts, and
    result dataclasses (as references to their own component)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return {**type_schema(inner), "nullable": True}
    if origin is list:
        return {"type": "array", "items": type_schema(args[0])}
    if origin is dict:
        value = args[1] if args else Any
        return {"type": "object"} if value is Any else {"type": "object", "additionalProperties": type_schema(value)}
    if dataclasses.is_dataclass(tp):
        return {"$ref": f"#/components/schemas/{tp.__name__}"}
    if typing.is_typeddict(tp):
        props = {k: type_schema(v) for k, v in typing.get_type_hints(tp).items()}
        return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}
    if tp is Any:
        return {}
    raise TypeError(f"no JSON schema for {tp!r}")
