"""The query language, read by Whoosh's query parser into searchapp's own tree (store/query.py).

Whoosh's parser gives the language (AND by default, OR/NOT, "phrases", wildcards, fuzzy `lavrv~`,
ranges, `field:` prefixes) and analyses each word with its field's analyzer, so the tree holds the
terms as indexed. Friendly field names (`person:`, `date:` ...) come from store/fields.py.
"""
from __future__ import annotations

import datetime as dt

from whoosh import query as Q
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, OrGroup, QueryParser
from whoosh.qparser.plugins import MultifieldPlugin
from whoosh.util.times import long_to_datetime

from searchapp.store import query as T
from searchapp.store.fields import FIELD_ALIASES
from searchapp.store.whoosh.analysis import NltkStemFilter

_ALIASES: dict[str, list[str]] = {}
for _alias, _target in FIELD_ALIASES.items():
    if _alias != _target:
        _ALIASES.setdefault(_target, []).append(_alias)
_TICK = dt.timedelta(microseconds=1)


def parser(schema, fields: list[str], any_word: bool = False) -> "Parser":
    """Whoosh's multi-field parser with searchapp's plugins (field aliases, fuzzy words): ``fields`` by
    default, every word (or with ``any_word`` any of them). It raises what Whoosh raises for text it
    cannot read (the search says it in one sentence)."""
    made = Parser(None, schema, **({"group": OrGroup} if any_word else {}))
    made.add_plugin(MultifieldPlugin(tuple(fields)))  # its own copy: a cached parser outlives the caller's list
    made.add_plugin(FieldAliasPlugin(_ALIASES))
    made.add_plugin(FuzzyTermPlugin())
    return made


class Parser(QueryParser):
    """A parser made once and used for many queries: its plugins' taggers and filters are listed (and
    their expressions compiled) once, where Whoosh lists them again for every query (with a new parser
    each time, 0.28 ms a parse of the bench queries; 0.21 ms this way). Add every plugin before the
    first parse."""

    def taggers(self):
        if "_taggers" not in self.__dict__:
            self._taggers = super().taggers()
        return self._taggers

    def filters(self):
        if "_filters" not in self.__dict__:
            self._filters = super().filters()
        return self._filters


def from_whoosh(q: Q.Query) -> T.Query:
    """A Whoosh query tree as searchapp's (boosts are dropped: the ranking is BM25F's alone)."""
    if q is Q.NullQuery or isinstance(q, Q.NullQuery.__class__):
        return T.Nothing()
    if isinstance(q, Q.Every):
        return T.Every()
    if isinstance(q, Q.DateRange):
        start = q.startdate + _TICK if q.startdate is not None and q.startexcl else q.startdate
        end = q.enddate - _TICK if q.enddate is not None and q.endexcl else q.enddate
        return T.DateRange(q.fieldname, start, end)
    if isinstance(q, Q.NumericRange):  # dates: the parser gives their raw column values (microseconds)
        start = None if q.start is None else long_to_datetime(q.start + (1 if q.startexcl else 0))
        end = None if q.end is None else long_to_datetime(q.end - (1 if q.endexcl else 0))
        return T.DateRange(q.fieldname, start, end)
    if isinstance(q, Q.Term):
        if isinstance(q.text, dt.datetime):  # a whole date and time: that instant
            return T.DateRange(q.fieldname, q.text, q.text)
        return T.Term(q.fieldname, q.text)
    if isinstance(q, Q.Phrase):
        return T.Phrase(q.fieldname, tuple(q.words), q.slop)
    if isinstance(q, Q.FuzzyTerm):
        return T.Fuzzy(q.fieldname, q.text, q.maxdist, q.prefixlength)
    if isinstance(q, Q.Prefix):
        return T.Prefix(q.fieldname, q.text)
    if isinstance(q, Q.Wildcard):
        return T.Wildcard(q.fieldname, q.text)
    if isinstance(q, Q.TermRange):
        return T.TermRange(q.fieldname, q.start, q.end, q.startexcl, q.endexcl)
    if isinstance(q, (Q.Or, Q.DisjunctionMax)):
        subs = tuple(from_whoosh(s) for s in q.subqueries)
        # `*` over several fields is every document, whatever the fields
        return T.Every() if any(isinstance(s, T.Every) for s in subs) else T.Or(subs)
    if isinstance(q, Q.And):
        return T.And(tuple(from_whoosh(s) for s in q.subqueries))
    if isinstance(q, Q.Not):
        return T.Not(from_whoosh(q.query))
    if isinstance(q, Q.AndNot):
        return T.AndNot(from_whoosh(q.a), from_whoosh(q.b))
    if isinstance(q, Q.AndMaybe):
        return T.AndMaybe(from_whoosh(q.a), from_whoosh(q.b))
    if isinstance(q, Q.Require):
        return T.Require(from_whoosh(q.a), from_whoosh(q.b))
    if isinstance(q, Q.ConstantScoreQuery):
        return T.Constant(from_whoosh(q.child))
    raise ValueError(f"{type(q).__name__} queries are not supported")


class SchemaLanguage:
    """The query language and the fields of a snapshot, read from a Whoosh schema (``self.schema``):
    what every backend's snapshot answers the same way, since each indexes searchapp's own analysis."""

    schema = None

    def has_field(self, field: str) -> bool:
        return field in self.schema

    def indexed(self, field: str) -> bool:
        return field in self.schema and self.schema[field].indexed

    def scorable(self, field: str) -> bool:
        return field in self.schema and self.schema[field].scorable

    def buckets(self, pair_field: str) -> int:
        """The number of buckets of a word-pair field (store/whoosh/schema.py PairField)."""
        return self.schema[pair_field].buckets

    def parse(self, text: str, fields: list[str], any_word: bool = False) -> T.Query:
        """Parsed by this snapshot's own parser for those fields (a snapshot serves one thread at a time,
        and its schema is its generation's)."""
        parsers = self.__dict__.setdefault("_parsers", {})
        key = (tuple(fields), any_word)
        made = parsers.get(key)
        if made is None:
            made = parsers[key] = parser(self.schema, fields, any_word)
        return from_whoosh(made.parse(text))

    def analyze(self, field: str, text: str, query: bool = False) -> list[str]:
        """``text`` as the field's terms (a name's folded words, a text's stems)."""
        analyzer = self.schema[field].analyzer
        return [t.text for t in (analyzer(text, mode="query") if query else analyzer(text))]

    def stem(self, word: str) -> str:
        """A folded word's stem, as the text fields index it."""
        stage = next((f for f in getattr(self.schema["body"].analyzer, "items", ()) if isinstance(f, NltkStemFilter)),
                     None)
        return stage.stem(word) if stage else word


def phrase(field: str, words: tuple[str, ...], slop: int) -> Q.Query:
    """A phrase as Whoosh's positional matcher answers it (indexes built before the word-pair fields)."""
    return Q.Phrase(field, list(words), slop=slop)
