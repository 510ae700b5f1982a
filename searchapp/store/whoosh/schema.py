"""The Whoosh schema and the Article -> index documents mapping.

An article becomes one ``kind=article`` document plus one ``kind=quote`` document per quote (its
``parent`` is the article id), so `speaker:Lavrov troops` can match inside Lavrov's own quotes.

Text fields are analysed where the documents are prepared (in the build's worker processes) and
handed to the writer as `Preanalyzed` postings: the single writer process then only stores them.
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import columns, fields, formats
from whoosh.system import pack_uint

from searchapp.article import Article
from searchapp.store.fields import ALIAS_SEPARATOR, FACETS, PAIR_FIELDS
from searchapp.store.pairs import PairKeys, pairs_of
from searchapp.store.whoosh.analysis import index_terms, name_analyzer, news_analyzer

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


class PairField(fields.KEYWORD):
    """The adjacent word pairs of a text field ("interest rate"): a phrase is the documents having each
    of its pairs, where Whoosh would walk the positions of every posting of its words (seconds for
    common words at a million articles).

    A pair is hashed (`pair_key`) to one of ``buckets`` terms, and the posting's weight carries the
    rest of the hash: most pairs occur once, and a term per pair made writing the index 2.5 times
    slower (a term costs far more to write than a posting; so does a bucket, hence a few thousand).
    A bucket's postings can repeat a document (two of its pairs in one bucket); the phrase keeps
    those with its own weight."""

    def __init__(self, buckets: int):
        super().__init__(stored=False, scorable=False)
        self.format = formats.Existence()
        self.buckets = buckets

    def index(self, value, **kwargs):
        if isinstance(value, PairKeys):
            return ((bucket, 1, float(weight), b"") for bucket, weight in value)
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
        # Frequencies only: phrases are answered by the pair fields, and the character offsets for
        # highlighting live in the stored ``offsets`` field, read with the stored text in one go.
        # Without positions a posting block reads ~4x faster. A query word that analyses into several
        # terms ("3-for-2", "oil-price") is a phrase, not its parts anywhere in the article.
        title=PreTEXT(analyzer=news, stored=True, phrase=False, field_boost=2.0, multitoken_query="phrase"),
        body=PreTEXT(analyzer=news, stored=True, phrase=False, multitoken_query="phrase"),
        quote=PreTEXT(analyzer=news, stored=True, phrase=False, multitoken_query="phrase"),
        offsets=fields.STORED(),
        # Dates are matched and sorted from the column (store/ranking.py), so no range terms are indexed.
        published=fields.DATETIME(stored=True, sortable=True),
        byline=PreTEXT(analyzer=names, stored=True),
        publisher=PreTEXT(analyzer=names, stored=True),
        # Quote documents only.
        cue=fields.STORED(),
        quote_kind=fields.ID(stored=True),
        span=fields.STORED(),
        mention=fields.STORED(),
        # Bodies have ~40 times the pairs of titles; quotes hold a fraction of the bodies' words.
        title_pairs=PairField(1024), body_pairs=PairField(4096), quote_pairs=PairField(1024),
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
    # Short forms the articles define ("ICO" <US> "International Coffee Organization"), read back
    # from the lexicon when the archive's identities are resolved; not stored, never searched.
    spec["f_aliases"] = fields.KEYWORD(stored=False, scorable=False)
    # People named without evidence in their article (Article.tentative_people), likewise.
    spec["f_tentative"] = fields.KEYWORD(stored=False, scorable=False)
    return fields.Schema(**spec)



def _postings(field: fields.FieldType, text: str, offsets: dict[str, tuple[int, ...]] | None = None,
              pairs: PairKeys | None = None) -> Preanalyzed:
    """The field's postings for ``text``; with ``offsets``, also record term -> (start, end, start, end, ...)
    and add the text's adjacent term pairs to ``pairs``, from the same analysis pass."""
    if offsets is None:
        return Preanalyzed(tuple(field.index(text)))
    fmt = field.format
    terms = index_terms(field.analyzer, text) if isinstance(fmt, (formats.Frequency, formats.Positions)) else None
    if terms is not None:  # the news chain in one pass (what the generic path below computes)
        boost = fmt.field_boost
        encode = fmt.encode if isinstance(fmt, formats.Positions) else lambda poses: pack_uint(len(poses))
        offsets.update((term, Spans("I", spans)) for term, (_, spans) in terms.items())
        if pairs is not None:
            pairs.merge(pairs_of(((p, term) for term, (poses, _) in terms.items() for p in poses), pairs.buckets))
        return Preanalyzed(tuple((term.encode("utf-8"), len(poses), len(poses) * boost, encode(poses))
                                 for term, (poses, _) in terms.items()))
    spans: dict[str, list[int]] = {}
    at: dict[int, str] = {}
    analyzer = field.analyzer

    def recording(value, **kwargs):
        kwargs["chars"] = kwargs["positions"] = True
        for t in analyzer(value, **kwargs):
            spans.setdefault(t.text, []).extend((t.startchar, t.endchar))
            at[t.pos] = t.text
            yield t

    postings = tuple((term.encode("utf-8"), freq, weight, vbytes)
                     for term, freq, weight, vbytes in fmt.word_values(text, recording, mode="index"))
    offsets.update((term, tuple(v)) for term, v in spans.items())
    if pairs is not None:
        pairs.merge(pairs_of(at.items(), pairs.buckets))
    return Preanalyzed(postings)


class Spans(array):
    """A term's [start, end, start, end, ...] in a stored text, unsigned 32-bit: a tuple of Python ints
    took 36 bytes an offset (90 MB for an 8 MiB body). Pickled as its bytes, little-endian (the array's
    own pickle at Whoosh's protocol 2 goes through a list of ints); read like a tuple (search/snippets.py)."""

    def __reduce_ex__(self, protocol):
        data = self if sys.byteorder == "little" else _swapped(self)
        return _spans, (data.tobytes(),)


def _spans(data: bytes) -> Spans:
    spans = Spans("I")
    spans.frombytes(data)
    return spans if sys.byteorder == "little" else _swapped(spans)


def _swapped(spans: Spans) -> Spans:
    out = Spans("I", spans)
    out.byteswap()
    return out


class TermSpans(Mapping):
    """A stored field's spans of every term (term -> `Spans`), kept as three strings: the terms, where
    each term's spans end, and every span. A hit reads its stored document to mark a few query terms;
    unpickling a `Spans` per term of the text (200 for a short article) was most of a hit's cost, and
    this is three strings. A term's `Spans` is made when asked for."""

    __slots__ = ("_terms", "_ends", "_data")

    def __init__(self, terms: bytes, ends: bytes, data: bytes):
        self._terms, self._ends, self._data = terms, ends, data

    @classmethod
    def of(cls, offsets: Mapping[str, Sequence[int]]) -> Mapping[str, Sequence[int]]:
        """The spans as a TermSpans (as they are when a term has the separator in it: never from the
        analysis chains, which split words on it)."""
        if any("\x00" in term for term in offsets):
            return dict(offsets)
        ends, data, total = Spans("I"), Spans("I"), 0
        for spans in offsets.values():
            data.extend(spans)
            total += len(spans)
            ends.append(total)
        if sys.byteorder != "little":
            ends, data = _swapped(ends), _swapped(data)
        return cls("\x00".join(offsets).encode("utf-8"), ends.tobytes(), data.tobytes())

    def _names(self) -> list[str]:
        return self._terms.decode("utf-8").split("\x00") if self._ends else []

    def _position(self, term: str) -> int:
        """The term's place among the terms, found in the joined string: a hit asks for a few terms,
        and a dict of every term of the text (200 for a short article) cost more than the search."""
        if not self._ends or "\x00" in term:  # the separator: no term has it (`of` keeps those as a dict)
            raise KeyError(term)
        try:
            key = term.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: never a term
            raise KeyError(term) from None
        terms = self._terms
        at = terms.find(b"\x00" + key + b"\x00")
        if at >= 0:
            return terms.count(b"\x00", 0, at) + 1
        if terms.startswith(key) and (len(terms) == len(key) or terms[len(key)] == 0):
            return 0
        if terms.endswith(b"\x00" + key):
            return terms.count(b"\x00")
        raise KeyError(term)

    def __getitem__(self, term: str) -> Spans:
        n = self._position(term)
        ends = memoryview(self._ends).cast("I")
        lo, hi = (ends[n - 1] if n else 0), ends[n]
        if sys.byteorder != "little":
            lo, hi = _swapped(Spans("I", [lo, hi]))
        return _spans(self._data[lo * 4:hi * 4])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._ends) // 4

    def __reduce_ex__(self, protocol):
        return _term_spans, (self._terms, self._ends, self._data)

    def __repr__(self) -> str:
        return f"TermSpans({dict(self.items())!r})"


def _term_spans(terms: bytes, ends: bytes, data: bytes) -> TermSpans:
    return TermSpans(terms, ends, data)


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
            pairs = PairKeys(schema[PAIR_FIELDS[name]].buckets) if PAIR_FIELDS.get(name) in schema else None
            doc[name] = _postings(schema[name], value, spans, pairs)
            doc["_stored_" + name] = value
            if pairs:
                doc[PAIR_FIELDS[name]] = pairs
    doc["offsets"] = {name: TermSpans.of(spans) for name, spans in offsets.items()}
    if article.published:
        doc["published"] = article.published
    for name, values in facets.items():
        if values:
            doc[name] = list(values)
            doc["f_" + name] = list(values)
    if article.tentative_people and "f_tentative" in schema:
        doc["f_tentative"] = list(article.tentative_people)
    if article.aliases and "f_aliases" in schema:
        doc["f_aliases"] = [f"{short}{ALIAS_SEPARATOR}{long}" for short, long in article.aliases.items()]
    # One f_speakers entry per quote, so the speakers facet counts quotes, not articles.
    quoted = [q.speaker for q in article.quotes if q.speaker]
    if quoted:
        doc["f_speakers"] = quoted

    # A quote document carries only what is about the quote; filters on the article (places, people)
    # reach quotes through their article in the search (quotes follow their article in the index).
    docs = [doc]
    shared = {k: doc[k] for k in ("published",) if k in doc}
    for q in article.quotes:
        if q.kind == "indirect" and not q.speaker:
            # Reported speech whose source is no person ("the company said ...") is the article's own
            # words, searchable there; as quote documents it was most of a build's quotes (33,000 of
            # 57,000 on Reuters) for no `speaker:` answer. `searchapp extract` still gives it.
            continue
        qpairs = PairKeys(schema["quote_pairs"].buckets) if "quote_pairs" in schema else None
        qdoc: dict[str, Any] = {
            "kind": "quote",  # no id of its own: a unique term per quote would cost the index more than it serves
            "parent": article.id,
            "quote": _postings(schema["quote"], q.text, qspans := {}, qpairs),
            "_stored_quote": q.text,
            "offsets": {"quote": TermSpans.of(qspans)},
            "span": (q.start, q.end),
            "cue": q.cue,
            "quote_kind": q.kind,
            "mention": q.mention.to_json() if q.mention else None,
            **shared,
        }
        if qpairs:
            qdoc["quote_pairs"] = qpairs
        if q.speaker:
            qdoc["speakers"] = [q.speaker]
            qdoc["f_speakers"] = [q.speaker]
        docs.append(qdoc)
    return docs
