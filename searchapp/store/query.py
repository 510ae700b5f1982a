"""searchapp's query tree: what the query language parses into, what the search adds (filters, names
expanded to identities), and what every backend evaluates.

Small frozen records, hashable (a ranker remembers the subqueries it evaluated) and engine-free: the
Whoosh backend parses text into them (store/whoosh/parse.py) and ranks them on numpy postings
(store/ranking.py); another engine translates them into its own queries. Text is analysed already: a
`Term`'s text is the indexed term (a stem, a folded name), a `Phrase`'s words likewise.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Iterator


class Query:
    """A node of the tree."""

    def children(self) -> tuple["Query", ...]:
        return ()

    def is_leaf(self) -> bool:
        return not self.children()

    def leaves(self) -> Iterator["Query"]:
        """Every leaf under this node (the node itself if it is one)."""
        stack: list[Query] = [self]
        while stack:
            node = stack.pop()
            kids = node.children()
            if kids:
                stack.extend(reversed(kids))
            else:
                yield node

    def apply(self, fn: Callable[["Query"], "Query"]) -> "Query":
        """This node with ``fn`` applied to each child (leaves are returned as they are)."""
        return self


@dataclass(frozen=True)
class _Word(Query):
    field: str
    text: str


class Term(_Word):
    """One indexed term."""


@dataclass(frozen=True)
class Phrase(Query):
    """Words next to each other; with ``slop`` > 1, within that many positions (all the words, in any
    order, as the ranker answers it)."""

    field: str
    words: tuple[str, ...]
    slop: int = 1


class Prefix(_Word):
    """Terms starting with ``text``."""


class Wildcard(_Word):
    """``*`` any run of characters, ``?`` one."""


@dataclass(frozen=True)
class Fuzzy(Query):
    """Terms within ``maxdist`` edits of ``text`` that share its first ``prefix`` characters."""

    field: str
    text: str
    maxdist: int = 1
    prefix: int = 0


@dataclass(frozen=True)
class TermRange(Query):
    """Terms between two terms (``title:[a TO c]``); None for an open end."""

    field: str
    start: str | None
    end: str | None
    startexcl: bool = False
    endexcl: bool = False


@dataclass(frozen=True)
class DateRange(Query):
    """Documents dated between two times (inclusive), None for an open end."""

    field: str
    start: dt.datetime | None
    end: dt.datetime | None


MULTI_TERM = (Prefix, Wildcard, Fuzzy, TermRange)  # leaves that stand for several terms of the lexicon


@dataclass(frozen=True)
class _Compound(Query):
    subqueries: tuple[Query, ...]

    def children(self) -> tuple[Query, ...]:
        return self.subqueries

    def apply(self, fn):
        return replace(self, subqueries=tuple(fn(q) for q in self.subqueries))


class And(_Compound):
    """Every subquery."""


class Or(_Compound):
    """Any subquery."""


@dataclass(frozen=True)
class _Wrapper(Query):
    query: Query

    def children(self):
        return (self.query,)

    def apply(self, fn):
        return type(self)(fn(self.query))


class Not(_Wrapper):
    """Every live document but those matching ``query`` (inside an And: the And's minus them)."""


@dataclass(frozen=True)
class _Pair(Query):
    a: Query
    b: Query

    def children(self):
        return (self.a, self.b)

    def apply(self, fn):
        return type(self)(fn(self.a), fn(self.b))


class AndNot(_Pair):
    """``a`` without ``b``."""


class AndMaybe(_Pair):
    """``a``, ranked higher where ``b`` matches too."""


class Require(_Pair):
    """``a`` where ``b`` matches too, ranked by ``a`` alone."""


class Constant(_Wrapper):
    """``query``'s documents with no score of their own (a filter)."""


@dataclass(frozen=True)
class Every(Query):
    """Every live document."""


@dataclass(frozen=True)
class Nothing(Query):
    """No document (a query of stop words only)."""


def field_of(q: Query) -> str | None:
    return getattr(q, "field", None)


def fields_of(q: Query) -> set[str]:
    """The fields a query's leaves search."""
    return {f for leaf in q.leaves() if (f := field_of(leaf))}


def words_of(q: Query) -> list[tuple[str, str]]:
    """(field, term) of each word the query's terms and phrases name."""
    out = []
    for leaf in q.leaves():
        if isinstance(leaf, Term):
            out.append((leaf.field, leaf.text))
        elif isinstance(leaf, Phrase):
            out.extend((leaf.field, w) for w in leaf.words)
    return out
