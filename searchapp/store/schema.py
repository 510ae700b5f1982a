"""The Whoosh schema and the Article -> index documents mapping.

An article becomes one ``kind=article`` document plus one ``kind=quote`` document per quote (its
``parent`` is the article id), so `speaker:Lavrov troops` can match inside Lavrov's own quotes.

Text fields are analysed where the documents are prepared (in the build's worker processes) and
handed to the writer as `Preanalyzed` postings: the single writer process then only stores them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import columns, fields, formats


from searchapp.analysis import index_terms, name_analyzer, news_analyzer
from searchapp.article import Article

# Names a user may type before the colon -> the field searched.
FIELD_ALIASES = {
    "person": "people", "people": "people",
    "place": "places", "places": "places", "location": "places",
    "org": "orgs", "orgs": "orgs", "organisation": "orgs", "organization": "orgs",
    "source": "sources", "sources": "sources",
    "speaker": "speakers", "speakers": "speakers", "said": "speakers",
    "quote": "quote", "quotes": "quote",
    "date": "published", "published": "published",
    "title": "title", "headline": "title",
    "body": "body", "text": "body",
    "author": "byline", "byline": "byline", "by": "byline",
    "publisher": "publisher", "outlet": "publisher",
    "id": "id",
}
# The name fields, each with an exact-value twin (``f_<name>``) used for facets and filters.
FACETS = ("people", "places", "orgs", "sources", "speakers")


@dataclass(frozen=True)
class Preanalyzed:
    """Postings computed ahead of the writer: [(term bytes, freq, weight, value bytes)]."""

    postings: tuple


class PreTEXT(fields.TEXT):
    """A TEXT field that also accepts `Preanalyzed` values (from a worker process)."""

    def index(self, value, **kwargs):
        if isinstance(value, Preanalyzed):
            return iter(value.postings)
        return super().index(value, **kwargs)


def build_schema() -> fields.Schema:
    news = news_analyzer()
    names = name_analyzer()
    spec: dict[str, Any] = dict(
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, unique=True),
        parent=fields.ID(stored=True, sortable=True),  # quote documents: the article's id
        path=fields.STORED(),
        url=fields.STORED(),
        dateline=fields.STORED(),
        # Positions only: the character offsets for highlighting live in the stored ``offsets`` field,
        # read with the stored text in one go instead of one postings lookup per word and hit.
        # A query word that analyses into several terms ("3-for-2", "oil-price") is a phrase, not
        # its parts anywhere in the article.
        title=PreTEXT(analyzer=news, stored=True, field_boost=2.0, multitoken_query="phrase"),
        body=PreTEXT(analyzer=news, stored=True, multitoken_query="phrase"),
        quote=PreTEXT(analyzer=news, stored=True, multitoken_query="phrase"),
        offsets=fields.STORED(),
        # Dates are matched and sorted from the column (store/ranking.py), so no range terms are indexed.
        published=fields.DATETIME(stored=True, sortable=True),
        byline=PreTEXT(analyzer=names, stored=True),
        publisher=PreTEXT(analyzer=names, stored=True),
        # Quote documents only.
        cue=fields.STORED(),
        span=fields.STORED(),
        mention=fields.STORED(),
    )
    # Undated articles get 0 in the sort column (whoosh's default is the maximum, which would rank
    # them as the newest); the search sorts them last in both directions.
    spec["published"].column_type = columns.NumericColumn(spec["published"].sortable_typecode, default=0)
    spec["published"].indexed = False
    for name in FACETS:
        # The name lists are stored, not indexed: `person:Lavrov` is expanded by the search to the exact
        # names (f_people) that contain the word, which costs the index no postings of its own. The field
        # stays in the schema so the query parser analyses `person:...` with the names analyzer.
        spec[name] = fields.TEXT(analyzer=names, stored=True)
        spec[name].indexed = False
        spec["f_" + name] = fields.KEYWORD(stored=False, scorable=False)
        # Frequency keeps per-document counts: an article's f_speakers weight is its quote count.
        spec["f_" + name].format = formats.Frequency()
    return fields.Schema(**spec)


def _postings(field: fields.FieldType, text: str, offsets: dict[str, tuple[int, ...]] | None = None) -> Preanalyzed:
    """The field's postings for ``text``; with ``offsets``, also record term -> (start, end, start, end, ...)
    from the same analysis pass."""
    if offsets is None:
        return Preanalyzed(tuple(field.index(text)))
    terms = index_terms(field.analyzer, text) if isinstance(field.format, formats.Positions) else None
    if terms is not None:  # the news chain in one pass (what the generic path below computes)
        boost = field.format.field_boost
        encode = field.format.encode
        offsets.update((term, tuple(spans)) for term, (_, spans) in terms.items())
        return Preanalyzed(tuple((term.encode("utf-8"), len(poses), len(poses) * boost, encode(poses))
                                 for term, (poses, _) in terms.items()))
    spans: dict[str, list[int]] = {}
    analyzer = field.analyzer

    def recording(value, **kwargs):
        kwargs["chars"] = True
        for t in analyzer(value, **kwargs):
            spans.setdefault(t.text, []).extend((t.startchar, t.endchar))
            yield t

    postings = tuple((term.encode("utf-8"), freq, weight, vbytes)
                     for term, freq, weight, vbytes in field.format.word_values(text, recording, mode="index"))
    offsets.update((term, tuple(v)) for term, v in spans.items())
    return Preanalyzed(postings)


def article_documents(article: Article, schema: fields.Schema) -> list[dict[str, Any]]:
    """The index documents of one article: the article itself, then its quotes."""
    facets = {
        "people": article.people, "places": article.places, "orgs": article.orgs,
        "sources": article.sources, "speakers": article.speakers,
    }
    doc: dict[str, Any] = {
        "kind": "article",
        "id": article.id,
        "path": article.path,
        "url": article.url,
        "dateline": article.dateline,
    }
    offsets: dict[str, dict[str, tuple[int, ...]]] = {}
    for name in ("title", "body", "byline", "publisher"):
        value = getattr(article, name)
        if value:
            spans = offsets.setdefault(name, {}) if name in ("title", "body") else None
            doc[name] = _postings(schema[name], value, spans)
            doc["_stored_" + name] = value
    doc["offsets"] = offsets
    if article.published:
        doc["published"] = article.published
    for name, values in facets.items():
        if values:
            doc[name] = list(values)
            doc["f_" + name] = list(values)
    # One f_speakers entry per quote, so the speakers facet counts quotes, not articles.
    quoted = [q.speaker for q in article.quotes if q.speaker]
    if quoted:
        doc["f_speakers"] = quoted

    # A quote document carries only what is about the quote; filters on the article (places, people)
    # reach quotes through their article in the search (quotes follow their article in the index).
    docs = [doc]
    shared = {k: doc[k] for k in ("published",) if k in doc}
    for q in article.quotes:
        qdoc: dict[str, Any] = {
            "kind": "quote",  # no id of its own: a unique term per quote would cost the index more than it serves
            "parent": article.id,
            "quote": _postings(schema["quote"], q.text, qspans := {}),
            "_stored_quote": q.text,
            "offsets": {"quote": qspans},
            "span": (q.start, q.end),
            "cue": q.cue,
            "mention": q.mention.to_json() if q.mention else None,
            **shared,
        }
        if q.speaker:
            qdoc["speakers"] = [q.speaker]
            qdoc["f_speakers"] = [q.speaker]
        docs.append(qdoc)
    return docs
