"""The query language: parsing, its cost, friendly field names, identities and filters as queries."""
from __future__ import annotations

import datetime as dt
import fnmatch
import math
import re

from searchapp.archive.identities import FACET_TYPES, Identities, Identity, name_tokens
from searchapp.store import query as Q
from searchapp.store.fields import FACETS
from searchapp.store.lexicon import distance
from searchapp.store.query import fields_of  # noqa: F401 - part of the query language's vocabulary
from searchapp.search.request import QueryError

MAX_QUERY_WORDS = 64  # words in a query, after parsing (a headline has 10, a pasted paragraph 100)
MAX_QUERY_PATTERNS = 6  # wildcards and fuzzy words in a query
UNKNOWN_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")
QUOTE_FIELDS = {"quote", "speakers", "f_speakers", "published", "quote_kind"}  # what quote documents carry
QUOTE_MODE_FIELDS = {"quote", "speakers", "quote_kind"}  # a query naming these searches quotes, not articles


def parse(snapshot, text: str, fields: list[str], any_word: bool = False) -> Q.Query:
    """``text`` in the query language, over ``fields`` by default; a QueryError says what is wrong."""
    try:
        return snapshot.parse(text, fields, any_word)
    except Exception as e:  # the parser raises many kinds; the user needs one clear sentence
        raise QueryError(f"could not read the query {text[:80]!r}: {e}") from None


def check_query_cost(leaves: list[Q.Query]) -> None:
    """What bounds a query's cost before it runs: its words (every field's, phrases' words counted)
    and its fuzzy words and wildcards, each of which stands for up to MAX_EXPANSION terms."""
    # each word is searched in several fields (title, body): count it once
    words = len({w for leaf in leaves for w in (leaf.words if isinstance(leaf, Q.Phrase) else [getattr(leaf, "text", leaf)])})
    if words > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {words} words; the limit is {MAX_QUERY_WORDS}")
    # one per pattern, whatever fields it is searched in (a range has no text: its bounds)
    multi = len({getattr(leaf, "text", None) or (getattr(leaf, "start", None), getattr(leaf, "end", None))
                 for leaf in leaves if isinstance(leaf, Q.MULTI_TERM)})
    if multi > MAX_QUERY_PATTERNS:
        raise QueryError(f"the query has {multi} wildcards or fuzzy words; the limit is {MAX_QUERY_PATTERNS}")


def escape_phrase(text: str) -> str:
    return text.replace('"', " ")


def subqueries(q: Q.Query) -> list[Q.Query]:
    return list(q.subqueries) if isinstance(q, Q.And) else [q]


def and_all(clauses: list[Q.Query]) -> Q.Query:
    return clauses[0] if len(clauses) == 1 else Q.And(tuple(clauses))


def with_filters(user_q: Q.Query, filters: dict[str, list[str]], tables) -> Q.Query:
    clauses = [user_q]
    for name, values in filters.items():
        if name == "period":
            for v in values:
                start, end = period_range(v)
                clauses.append(Q.Constant(Q.DateRange("published", start, end)))
        else:
            for v in values:
                clauses.append(Q.Constant(filter_query(name, v, tables)))
    return and_all(clauses)


def period_range(period: str) -> tuple[dt.datetime, dt.datetime]:
    year = int(period[:4])
    if len(period) == 4:
        return dt.datetime(year, 1, 1), dt.datetime(year, 12, 31, 23, 59, 59)
    month = int(period[5:7])
    nxt = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return dt.datetime(year, month, 1), nxt - dt.timedelta(seconds=1)


def min_should_match(words: int) -> int:
    """How many of a long query's words an article needs in the ranked-OR fallback: two, or a quarter
    of them for very long queries (MAP on TIME: 0.685 with this rule, 0.689 with one word)."""
    return max(2, math.ceil(words / 4))


def expand_names(q: Q.Query, tables) -> Q.Query:
    """`person:Lavrov` -> every indexed name of the identities it names (f_people:"Sergey Lavrov" OR
    f_people:"Lavrov" ...). A name or alias typed whole is that identity alone (`person:Reagan` =
    `person:"Ronald Reagan"`, `place:UK` = `place:Britain`); otherwise the identities with a name
    containing the words (in order, for a phrase). Wildcards and fuzzy words match name words."""
    fieldname = Q.field_of(q)
    if fieldname not in FACETS:
        return q.apply(lambda sub: expand_names(sub, tables)) if not q.is_leaf() else q
    words, entries = tables["name_words"][fieldname]
    kept: list[Identity] = tables["facet_identities"][fieldname]
    if isinstance(q, (Q.Term, Q.Phrase)):
        seq = (q.text,) if isinstance(q, Q.Term) else tuple(q.words)
        exact = exact_identities(tables, fieldname, seq)
        if exact is not None:
            return identity_query(fieldname, exact)
        sets = [words.get(w, set()) for w in seq]
        vids = set.intersection(*sets) if sets else set()
        if len(seq) > 1:
            vids = {v for toks, v in entries if v in vids
                    and any(toks[i:i + len(seq)] == seq for i in range(len(toks)))}
    elif isinstance(q, (Q.Prefix, Q.Wildcard, Q.Fuzzy)):
        matcher = word_matcher(q)
        vids = set().union(*(ids for w, ids in words.items() if matcher(w)))
    else:
        return q
    return identity_query(fieldname, [kept[v] for v in sorted(vids)])


def exact_identities(tables, fieldname: str, words: tuple[str, ...]) -> list[Identity] | None:
    """The identities one of whose names is exactly ``words`` (a place also by the gazetteer's name
    for it: `place:Britain`), or None."""
    type_ = FACET_TYPES.get(fieldname, "person")
    ids: Identities = tables["identities"]
    found = ids.lookup(type_, words)
    if not found and type_ == "place":
        from searchapp.nlp.gazetteer import canonical_place

        canonical = canonical_place(" ".join(words))
        found = ids.lookup(type_, name_tokens(canonical)) if canonical else []
    if fieldname == "speakers":
        found = [i for i in found if "speakers" in i.members]
    return found or None


def identity_query(fieldname: str, idents: list[Identity]) -> Q.Query:
    terms = [Q.Term("f_" + facet, raw) for ident in idents for facet, raws in ident.members.items()
             if (facet == "speakers") == (fieldname == "speakers") for raw in raws]
    return Q.Or(tuple(terms)) if terms else Q.Nothing()


def filter_query(name: str, value: str, tables) -> Q.Query:
    """A facet filter: the identity the value names (any alias), else the indexed name itself."""
    ident = tables["identities"].resolve(FACET_TYPES.get(name, "person"), value)
    if ident is not None:
        query = identity_query(name, [ident])
        if not isinstance(query, Q.Nothing):
            return query
    return Q.Term("f_" + name, value)


def word_matcher(q):
    if isinstance(q, Q.Prefix):
        return lambda w: w.startswith(q.text)
    if isinstance(q, Q.Wildcard):
        rx = re.compile(fnmatch.translate(q.text))
        return lambda w: bool(rx.match(w))
    return lambda w: w[:q.prefix] == q.text[:q.prefix] and distance(w, q.text, q.maxdist) <= q.maxdist


def plain_words(q: Q.Query, quoted: bool) -> list[Q.Query]:
    """The per-word clauses of a plain AND query (each an OR over the default fields); [] otherwise.
    ``quoted``: the query text has a double quote, so its phrases are the user's own. One word alone
    is its own clause."""
    if isinstance(q, (Q.Or, Q.Term, Q.Phrase)) and is_plain_and(Q.And((q,)), quoted):
        return [q]
    return list(q.subqueries) if is_plain_and(q, quoted) else []


def is_plain_and(q: Q.Query, quoted: bool) -> bool:
    """Words typed one after the other (a hyphenated compound, which the parser makes a phrase, counts
    as one word): no operators, quoted phrases, wildcards or fields, which say the user wants exactly
    what they typed."""
    if not isinstance(q, Q.And):
        return False
    stack = list(q.subqueries)
    while stack:
        node = stack.pop()
        if isinstance(node, (Q.Not, *Q.MULTI_TERM)) or (quoted and isinstance(node, Q.Phrase)) \
                or getattr(node, "field", "body") not in ("title", "body"):
            return False
        stack.extend(node.children())
    return True


def searches_quotes(q: Q.Query) -> bool:
    """Whether a parsed query searches quote documents: it names a speaker, a quote's words or kind."""
    return bool(QUOTE_MODE_FIELDS & fields_of(q))
