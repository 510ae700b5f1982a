"""Identities: every name of the archive resolved to one person, place, organisation or source.

Enrichment names things article by article ("Reagan" in one, "Ronald Reagan" in the next, "ICO" and
"International Coffee Organization", a company typed as a person in a headline). The index keeps those
names as written (the ``f_people`` ... terms); this module turns the whole archive's names into
identities, once per index generation:

* one **type** per name, by the archive's majority ("Chrysler" is an organisation in most articles,
  so it is one everywhere), and names that are no one's dropped (a single common word: "Bank");
* one **key** per spelling: accents, case, punctuation, "&"/"and", -isation/-ization and company forms
  (Inc, Corp, Co ...) do not matter;
* **merges** on evidence from the archive: a last name goes to the only person who has it in common
  use ("Reagan" -> "Ronald Reagan"; "Baker", shared by two people in common use, stays "Baker"), an
  acronym to the name it abbreviates where an article defines it ("International Coffee Organization
  (ICO)") or where its initials fit one name only ("IBM"), places to the gazetteer's canonical name
  with all its aliases ("UK", "U.K.", "Britain");
* an archivist's **corrections** (``Corrections``) applied last: merge, split, "not a person", retype.

The result, `Identities`, answers three questions for the search: which identity a raw index value
belongs to (facets count identities), which raw values an alias stands for (``person:Reagan`` =
``person:"Ronald Reagan"``), and the identity list itself (``searchapp entities``). It is plain data:
computed from name counts, saved as JSON beside the index generation, loaded without the index.
"""
from __future__ import annotations

import functools
import json
import os
import pickle
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

# Index facet -> identity type. Speakers are people: their identities are the people's.
FACET_TYPES = {"people": "person", "places": "place", "orgs": "org", "sources": "source"}
TYPE_FACETS = {t: f for f, t in FACET_TYPES.items()}
TYPES = tuple(TYPE_FACETS)
NAME_TYPES = ("person", "place", "org")  # types a name can move between by the archive's majority

# A last name goes to a full name only when no other person with that last name is in common use
# (named in more articles than this).
OTHERS_AT_MOST = 2
FORMAT_VERSION = 1

_COMPANY_FORMS = frozenset("""
inc inc. incorporated corp corp. corporation co co. cos company ltd ltd. limited plc llc ag sa nv bv gmbh
spa pty lp
""".split())
_JOINERS = frozenset({"and", "&", "the", "of", "for", "de", "des", "du", "la", "le", "on", "in"})
@functools.lru_cache(maxsize=1 << 18)
def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a name as the search sees them (the names analyzer: folded, "U.K." -> "uk"), so
    that what a user types after ``person:`` meets the same words."""
    from searchapp.analysis import name_words  # NLTK loads when names are first read, not on import

    return tuple(name_words(text.replace("&", " and ")))


@functools.lru_cache(maxsize=1 << 18)
def name_key(text: str, type_: str) -> tuple[str, ...]:
    """What two spellings of one name share: folded words, without "&"/"and", titles ("President"),
    company forms ("Corp"), a leading "the"; -isation is -ization."""
    words = [w.replace("isation", "ization").replace("isational", "izational") for w in name_tokens(text)]
    if type_ == "person":
        from searchapp.nlp.lexicon import TITLE_WORDS

        # everything up to the last title word: "Fed Chairman Volcker", "Treasury Secretary Baker"
        titles = [i for i, w in enumerate(words[:-1]) if w in TITLE_WORDS]
        if titles:
            words = words[titles[-1] + 1:]
        while len(words) > 1 and words[-1] in ("jr", "sr", "ii", "iii"):
            words.pop()
    else:
        while type_ != "place" and len(words) > 1 and (words[-1] in _COMPANY_FORMS or words[-1] in ("and", "&")):
            words.pop()
        if len(words) > 1 and words[0] == "the":
            words.pop(0)
    return tuple(w for w in words if w not in ("and", "&")) or tuple(words)


def initials(key: tuple[str, ...]) -> str:
    """("international", "coffee", "organization") -> "ico"."""
    return "".join(w[0] for w in key if w not in _JOINERS)


@dataclass
class Identity:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    articles: int = 0
    # index facet -> the raw values (as indexed) that are this identity
    members: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `searchapp entities` record."""
        return {"name": self.name, "type": self.type, "aliases": list(self.aliases), "articles": self.articles}


class CorrectionsError(ValueError):
    """A corrections file line that cannot be read; the message names the file and the line."""


@dataclass
class Corrections:
    """An archivist's fixes, applied after the machine's resolution. A small text file, one rule a line::

        # searchapp corrections (comments start with #)
        merge person: Ronald Reagan = Reagan | President Reagan | The Gipper
        split person: Baker                 # never merge "Baker" into a full name
        not person: Nine Mths | Payout      # not a person (dropped from people and speakers)
        type org: Smith Barney | Dean Witter

    ``merge`` makes the names one identity with the first as its name; ``type`` moves names to another
    type; ``not`` drops names from a type; ``split`` keeps a name its own identity."""

    merges: list[tuple[str, str, list[str]]] = field(default_factory=list)
    splits: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    drops: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    retypes: dict[tuple[str, ...], str] = field(default_factory=dict)
    text: str = ""

    _LINE = re.compile(r"^(merge|split|not|type)\s+(person|place|org|source)\s*:\s*(.+)$")

    @classmethod
    def parse(cls, text: str, where: str = "corrections") -> "Corrections":
        out = cls(text=text)
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = cls._LINE.match(line)
            if not m:
                raise CorrectionsError(
                    f"{where}, line {number}: expected 'merge|split|not|type <person|place|org|source>: "
                    f"names', not {line[:80]!r}")
            verb, type_, rest = m.groups()
            if verb == "merge":
                head, sep, tail = rest.partition("=")
                names = [n.strip() for n in tail.split("|") if n.strip()]
                if not sep or not head.strip() or not names:
                    raise CorrectionsError(f"{where}, line {number}: merge needs 'NAME = ALIAS | ALIAS'")
                out.merges.append((type_, head.strip(), names))
                continue
            names = [n.strip() for n in rest.split("|") if n.strip()]
            for name in names:
                if verb == "split":
                    out.splits.add((type_, name_key(name, type_)))
                elif verb == "not":
                    out.drops.add((type_, name_key(name, type_)))
                else:
                    out.retypes[name_key(name, "org")] = type_
                    out.retypes[name_key(name, "person")] = type_
        return out

    @classmethod
    def read(cls, path: str | os.PathLike) -> "Corrections":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CorrectionsError(f"{path}: cannot read the corrections file: {e}") from None
        return cls.parse(text, str(path))


class Identities:
    """The archive's identities, and the lookups the search needs (see the module doc)."""

    def __init__(self, identities: list[Identity], *, ordered: bool = False):
        rows = identities if ordered else sorted(identities, key=lambda i: (-i.articles, i.type, i.name))
        self._rows: list[Identity | None] = list(rows)
        self._blobs: list[bytes] | None = None  # each row pickled on its own, until all are read
        # facet -> raw value as indexed -> row number
        self._members: dict[str, dict[str, int]] = {}
        for n, ident in enumerate(rows):
            for facet, raws in ident.members.items():
                by_raw = self._members.setdefault(facet, {})
                for raw in raws:
                    by_raw[raw] = n
        # (type, words) as one string -> row numbers in ``list``; built, or unpickled, on first use
        self._words: list[dict[str, list[int]]] | bytes | None = None
        self._words_lock = threading.Lock()
        self._rows_lock = threading.Lock()

    def _row(self, n: int) -> Identity:
        ident = self._rows[n]
        if ident is None:  # a row of a loaded pickle, read on first use
            made = Identity(*pickle.loads(self._blobs[n]))  # type: ignore[index]
            with self._rows_lock:  # one object per row, whichever thread made it first
                ident = self._rows[n]
                if ident is None:
                    ident = self._rows[n] = made
        return ident

    @property
    def list(self) -> list[Identity]:
        """Every identity, most articles first."""
        if self._blobs is not None:
            for n in range(len(self._rows)):
                self._row(n)
            self._blobs = None
        return self._rows  # type: ignore[return-value]

    @property
    def _by_words(self) -> list[dict[str, list[int]]]:
        """(type, words) -> rows: a name or alias as written, then its key (titles and company forms
        gone), then a person's last name; looked up in that order, the first that answers wins. Built
        on first use (analysing every name costs seconds, and showing a hit needs none of it); saved
        with the identities as a pickle of its own, read on first use too."""
        if not isinstance(self._words, list):
            with self._words_lock:
                if isinstance(self._words, bytes):
                    self._words = pickle.loads(self._words)
                elif self._words is None:
                    tables: list[dict[str, list[int]]] = [{}, {}, {}]
                    for n, ident in enumerate(self.list):
                        for alias in [ident.name, *ident.aliases]:
                            _add(tables[0], ident.type, name_tokens(alias), n)
                            _add(tables[1], ident.type, name_key(alias, ident.type), n)
                        if ident.type == "person" and len(key := name_key(ident.name, "person")) > 1:
                            _add(tables[2], ident.type, key[-1:], n)
                    self._words = tables
        return self._words  # type: ignore[return-value]

    def warm(self) -> None:
        """Make the name lookups ready now (they are otherwise made by the first lookup)."""
        self._by_words  # noqa: B018

    def __getstate__(self) -> dict[str, Any]:
        # Complete, so that a process loads the identities saved with the search tables
        # (searchapp.search.facets) without analysing a name; and each row a pickle of its own, read
        # when asked for: a search shows the names of ten hits, and making every identity of Reuters
        # into objects was a sixth of a `searchapp search`.
        dump = functools.partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL)
        return {"rows": [dump((i.name, i.type, i.aliases, i.articles, i.members)) for i in self.list],
                "members": self._members, "words": dump(self._by_words)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._blobs = state["rows"]
        self._rows = [None] * len(self._blobs)
        self._members = state["members"]
        self._words = state["words"]
        self._words_lock = threading.Lock()
        self._rows_lock = threading.Lock()

    def of(self, facet: str, raw: str) -> Identity | None:
        """The identity an indexed value belongs to; None when it names no one (junk)."""
        n = self._members.get(facet, {}).get(raw)
        return None if n is None else self._row(n)

    def lookup(self, type_: str, words: Iterable[str]) -> list[Identity]:
        """Identities one of whose names or aliases is exactly ``words`` (folded words, as the names
        analyzer makes them); a person's title is not needed ("President Reagan" = "Reagan"), nor
        a first name where only one person in the archive has the last name."""
        words = tuple(words)
        key = name_key(" ".join(words), type_)
        for level, table in enumerate(self._by_words):
            found = table.get(_words_key(type_, words if level == 0 else key))
            if found and (level < 2 or len(found) == 1):
                return [self._row(n) for n in found]
        return []

    def resolve(self, type_: str, name: str) -> Identity | None:
        """The identity a name (any alias, as a person types it) stands for, if exactly one."""
        found = self.lookup(type_, name_tokens(name))
        return found[0] if len(found) == 1 else None

    def of_type(self, type_: str) -> list[Identity]:
        return [i for i in self.list if i.type == type_]

    # -- storage ---------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION,
                "identities": [{**i.to_json(), "members": i.members} for i in self.list]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Identities":
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"identities format {data.get('version')!r}, expected {FORMAT_VERSION}")
        return cls([Identity(d["name"], d["type"], list(d["aliases"]), int(d["articles"]),
                             {k: list(v) for k, v in d["members"].items()}) for d in data["identities"]])

    def save(self, path: str | os.PathLike) -> None:
        """Atomically (a reader never sees half a file)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Identities":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _words_key(type_: str, words: tuple[str, ...]) -> str:
    # one string, not a tuple of them: the tables are unpickled several times faster
    return type_ + "\x1f" + "\x1e".join(words)


def _add(table: dict, type_: str, words: tuple[str, ...], row: int) -> None:
    bucket = table.setdefault(_words_key(type_, words), [])
    if row not in bucket:
        bucket.append(row)


# -- resolution ----------------------------------------------------------------------------------


@dataclass
class _Group:
    type: str
    key: tuple[str, ...]
    forms: dict[str, int] = field(default_factory=dict)  # raw spelling -> articles
    members: dict[str, set[str]] = field(default_factory=dict)
    extra_aliases: set[str] = field(default_factory=set)
    attested: int = 0  # articles (or quotes) where the context shows a person is meant
    fixed_name: str | None = None
    target: "_Group | None" = None  # merged into

    @property
    def articles(self) -> int:
        return sum(self.forms.values())

    def root(self) -> "_Group":
        g = self
        while g.target is not None:
            g = g.target
        return g

    def merge_into(self, other: "_Group") -> None:
        a, b = self.root(), other.root()
        if a is b:
            return
        a.target = b
        for form, n in a.forms.items():
            b.forms[form] = b.forms.get(form, 0) + n
        for facet, raws in a.members.items():
            b.members.setdefault(facet, set()).update(raws)
        b.extra_aliases |= a.extra_aliases
        b.attested += a.attested
        b.fixed_name = b.fixed_name or a.fixed_name


def resolve(names: Mapping[str, Mapping[str, int]], *, acronyms: Mapping[tuple[str, str], int] | None = None,
            tentative: Mapping[str, int] | None = None, corrections: Corrections | None = None,
            lowercase: frozenset[str] = frozenset()) -> Identities:
    """Identities from the archive's names.

    ``names``: index facet (people, places, orgs, sources, speakers) -> raw value -> articles (for
    speakers: quotes). ``acronyms``: (short, long) -> articles that define the short form in the text.
    ``tentative``: person name -> articles that name it without evidence around it (a person is one
    only where some article, or a quote, attests it). ``lowercase``: words usually written in lower
    case (a single one is not a name)."""
    corrections = corrections or Corrections()
    acronyms = acronyms or {}
    tentative = tentative or {}
    # 1. One type per name, by the archive's majority: the votes of every spelling that shares its key
    # once company forms are gone ("Chrysler" the person of a headline, "Chrysler Corp" the company),
    # and an organisation's votes for the names that start its own ("Smith Barney" of "Smith Barney,
    # Harris Upham and Co"). A name with a company form stays an organisation; a place stays a place.
    votes: dict[tuple[str, ...], dict[str, int]] = {}
    org_starts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    entries: list[tuple[str, str, int, tuple[str, ...]]] = []
    for facet, values in names.items():
        type_ = FACET_TYPES.get(facet)
        if type_ is None:
            continue
        for raw, n in values.items():
            vkey = name_key(raw, "org")
            entries.append((facet, raw, n, vkey))
            if type_ in NAME_TYPES:
                v = votes.setdefault(vkey, {})
                v[type_] = v.get(type_, 0) + n
                if type_ == "org" and len(vkey) > 1:
                    org_starts.setdefault(vkey[0], []).append((vkey, n))
    groups: dict[tuple[str, tuple[str, ...]], _Group] = {}

    def group(type_: str, key: tuple[str, ...]) -> _Group:
        g = groups.get((type_, key))
        if g is None:
            g = groups[(type_, key)] = _Group(type_, key)
        return g

    for facet, raw, n, vkey in entries:
        type_ = FACET_TYPES[facet]
        company = vkey != name_key(raw, "place")  # "Chicago Corp", "Japan Inc"
        if type_ == "place" and company:
            type_ = "org"
        elif type_ in ("person", "org") and not (type_ == "org" and company):
            vote = dict(votes.get(vkey, {}))
            if type_ == "person":
                vote["org"] = vote.get("org", 0) + sum(
                    c for k, c in org_starts.get(vkey[0], ()) if len(k) > len(vkey) and k[:len(vkey)] == vkey)
            best = max(vote.items(), key=lambda kv: (kv[1], kv[0] == type_))[0]
            if vote.get(best, 0) > vote.get(type_, 0):
                type_ = best
        type_ = corrections.retypes.get(vkey, corrections.retypes.get(name_key(raw, "person"), type_))
        key = name_key(raw, type_)
        if not key or (type_, key) in corrections.drops or _junk(raw, key, type_, lowercase):
            continue
        g = group(type_, key)
        g.forms[raw] = g.forms.get(raw, 0) + n
        g.members.setdefault(facet, set()).add(raw)
        if type_ == "person" and facet == "people":
            g.attested += max(0, n - tentative.get(raw, 0))
    _merge_people(groups, corrections)
    _merge_orgs(groups, acronyms, corrections)
    _add_gazetteer_aliases(groups)
    _apply_merges(groups, corrections, group)
    # Speakers join the person they name (or make one: a speaker is a person by definition).
    people_by_key = {g.key: g.root() for g in groups.values() if g.type == "person"}
    surnames = _surname_index(g for g in groups.values() if g.type == "person" and g.target is None)
    for raw, n in (names.get("speakers") or {}).items():
        key = name_key(raw, "person")
        if not key or ("person", key) in corrections.drops:
            continue
        g = people_by_key.get(key)
        if g is None and len(key) == 1:
            g = _only_full_name(surnames.get(key[0], []), corrections, key)
        if g is None:
            if _junk(raw, key, "person", lowercase) or _other_type(groups, key):
                continue
            g = people_by_key[key] = group("person", key)
            g.forms.setdefault(raw, 0)
        g = g.root()
        g.members.setdefault("speakers", set()).add(raw)
        if _first_name_first(raw):  # a speaker attests a person (companies say things too)
            g.attested += n
    out = []
    for g in groups.values():
        if g.target is not None or not g.members:
            continue
        if g.type == "person" and not g.attested and not g.fixed_name:
            continue  # named only by the shape of a name, in every article: no one we can vouch for
        if set(g.members) == {"speakers"} and not g.forms:
            continue
        name = g.fixed_name or _display_name(g)
        aliases = _shown_aliases(name, set(g.forms) | g.extra_aliases | {r for rs in g.members.values() for r in rs})
        out.append(Identity(name, g.type, aliases, g.articles,
                            {f: sorted(rs) for f, rs in sorted(g.members.items())}))
    return Identities(out)


_PARTICLES = frozenset("de da del della di du dos das van von der den bin ibn al el la le st".split())


_ODD = re.compile(r"[()\[\]{}<>;|]")


def _shown_aliases(name: str, forms: set[str]) -> list[str]:
    """The other names worth showing: not the name itself in other case ("BANK OF ENGLAND"), nor a
    form with stray brackets from the source text ("World) Bank"); the search still knows them all."""
    seen = {name.casefold()}
    out = []
    for form in sorted(forms, key=lambda f: (f.isupper(), f)):
        if form.casefold() in seen or _ODD.search(form):
            continue
        seen.add(form.casefold())
        out.append(form)
    return sorted(out)


def _junk(raw: str, key: tuple[str, ...], type_: str, lowercase: frozenset[str]) -> bool:
    """Names that name no one: no letters; a single common word ("Bank", "Commission"; an acronym
    is no common word); a month ("Apr"); a person's name with a word in lower case ("bill Reagan") or
    starting with a common word that is no first name ("Blasts Reagan")."""
    if not any(c.isalpha() for c in raw):
        return True
    if type_ == "place":
        return False
    from searchapp.nlp import gazetteer, lexicon

    if len(key) == 1 and (key[0] in lowercase and not (raw.isupper() and len(raw) <= 5)
                          or any(m.startswith(key[0]) and len(key[0]) >= 3 for m in lexicon.MONTHS)):
        return True
    if type_ == "source" and gazetteer.canonical_place(raw):
        return True  # a place is no outlet ("U.S.")
    if type_ == "person":
        words = raw.split()
        if _ODD.search(raw) or any(w[:1].islower() and w not in _PARTICLES for w in words) \
                or any(w in ("and", "&", "And") for w in words):
            return True
        first = words[0].lower()
        return len(words) > 1 and first in lowercase and first not in gazetteer.first_names()
    return False


def _first_name_first(name: str) -> bool:
    from searchapp.nlp.gazetteer import first_names

    words = name.split()
    return len(words) > 1 and (words[0].lower() in first_names() or re.fullmatch(r"[A-Z]\.", words[0]) is not None)


def _other_type(groups, key) -> bool:
    return any((t, key) in groups for t in ("place", "org"))


def _surname_index(people: Iterable[_Group]) -> dict[str, list[_Group]]:
    out: dict[str, list[_Group]] = {}
    for g in people:
        if len(g.key) > 1:
            out.setdefault(g.key[-1], []).append(g)
    return out


def _only_full_name(cands: list[_Group], corrections: Corrections, key) -> _Group | None:
    """The one full name a last name stands for: every other person with that last name is rare."""
    if ("person", key) in corrections.splits or not cands:
        return None
    cands = sorted({id(g.root()): g.root() for g in cands}.values(), key=lambda g: -g.articles)
    best = cands[0]
    return best if all(g.articles <= OTHERS_AT_MOST < best.articles for g in cands[1:]) else None


def _only_common(cands: list[_Group]) -> _Group | None:
    """The one candidate in common use (named in more than OTHERS_AT_MOST articles), if only one is."""
    common = {id(g.root()): g.root() for g in cands if g.root().articles > OTHERS_AT_MOST}
    return next(iter(common.values())) if len(common) == 1 else None


def _merge_people(groups, corrections: Corrections) -> None:
    people = [g for g in groups.values() if g.type == "person"]
    # "Karl Otto Poehl" and "Karl Poehl": first and last name agree, and no other full name has them
    by_ends: dict[tuple[str, str], list[_Group]] = {}
    for g in people:
        if len(g.key) > 2:
            by_ends.setdefault((g.key[0], g.key[-1]), []).append(g)
    for g in people:
        if len(g.key) == 2 and (g.key[0], g.key[-1]) in by_ends and ("person", g.key) not in corrections.splits:
            longer = by_ends[(g.key[0], g.key[-1])]
            if len(longer) == 1:
                g.merge_into(longer[0])
    surnames = _surname_index(g for g in people if g.target is None)
    for g in people:
        if len(g.key) == 1 and g.target is None:
            full = _only_full_name(surnames.get(g.key[0], []), corrections, g.key)
            if full is not None:
                g.merge_into(full)


# A single word that ends or starts this share of the archive's organisation names is a common noun
# ("Bank", "Exchange"), not an organisation of its own.
HEAD_NOUN_SHARE = 0.01


def _merge_orgs(groups, acronyms: Mapping[tuple[str, str], int], corrections: Corrections) -> None:
    orgs = {g.key: g for g in groups.values() if g.type == "org"}
    long_orgs = [k for k in orgs if len(k) > 1]
    edges: dict[str, int] = {}
    starts: dict[str, list[_Group]] = {}
    for k in long_orgs:
        for w in {k[0], k[-1]}:
            edges[w] = edges.get(w, 0) + 1
        starts.setdefault(k[0], []).append(orgs[k])
    common = max(20, HEAD_NOUN_SHARE * len(long_orgs))
    for key, g in list(orgs.items()):
        if len(key) == 1 and edges.get(key[0], 0) >= common and ("org", key) not in corrections.splits:
            del groups[("org", key)]
            del orgs[key]
    # acronyms the articles define: the long form most articles give for each short form
    defined: dict[tuple[str, ...], tuple[int, tuple[str, ...]]] = {}
    for (short, long), n in acronyms.items():
        skey, lkey = name_key(short, "org"), name_key(long, "org")
        if skey != lkey and (skey not in defined or defined[skey][0] < n):
            defined[skey] = (n, lkey)
    by_initials: dict[str, list[_Group]] = {}
    for g in orgs.values():
        if len(g.key) > 1:
            by_initials.setdefault(initials(g.key), []).append(g)
    for key, g in list(orgs.items()):
        if len(key) != 1 or ("org", key) in corrections.splits:
            continue
        target = None
        if key in defined and defined[key][1] in orgs:
            target = orgs[defined[key][1]]
        elif key in defined:  # defined, but the long form is never named alone: still one identity
            g.extra_aliases.add(" ".join(w.capitalize() for w in defined[key][1]))
        else:
            cands = by_initials.get(key[0], [])
            if len(cands) == 1 and len(key[0]) >= 2:
                target = cands[0]
            elif not any(raw.isupper() for raw in g.forms):
                # "Moody" of "Moody's Investors Service": the one organisation in common use it starts
                # (an acronym is a name of its own: "GATT" is not its "GATT Council")
                target = _only_common(starts.get(key[0], []))
        if target is not None and target.root() is not g.root():
            # the long form names the identity (the acronym stays an alias)
            g.merge_into(target)


@functools.lru_cache(maxsize=1)
def _gazetteer_aliases() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """canonical place -> its common other names ("UK", "Britain"); canonical organisation -> its
    names. From the gazetteer's own alias tables, not GeoNames' every spelling in every language
    (the search still finds those: it asks the gazetteer for the canonical name of what is typed)."""
    from searchapp.nlp import gazetteer

    exact, _ = gazetteer._places()
    curated = {**gazetteer.COUNTRY_ALIASES, **gazetteer.CITY_ALIASES, **gazetteer.US_STATE_ABBREVIATIONS}
    places: dict[str, list[str]] = {}
    for name in curated:
        rec = exact.get(name)
        if rec is not None and name != rec[0]:
            places.setdefault(rec[0], []).append(name)
    orgs: dict[str, list[str]] = {}
    for alias, canonical in gazetteer.ORG_ALIASES.items():
        if alias != canonical:
            orgs.setdefault(canonical, []).append(alias)
    return places, orgs


def _add_gazetteer_aliases(groups) -> None:
    places, orgs = _gazetteer_aliases()
    for g in groups.values():
        if g.target is not None:
            continue
        table = places if g.type == "place" else orgs if g.type == "org" else None
        if table:
            for form in list(g.forms):
                g.extra_aliases.update(table.get(form, ()))


def _apply_merges(groups, corrections: Corrections, group) -> None:
    for type_, head, names in corrections.merges:
        target = group(type_, name_key(head, type_)).root()
        target.fixed_name = head
        for name in names:
            key = name_key(name, type_)
            g = groups.get((type_, key))
            if g is None:
                target.extra_aliases.add(name)
            elif g.root() is not target:
                g.merge_into(target)
                target = target.root()
                target.fixed_name = head


def _display_name(g: _Group) -> str:
    """The fullest form in common use: for a person the most frequent full name; for others the most
    frequent form that is not an acronym; ties go to the longer form."""
    forms = sorted(g.forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    if not forms:
        return " ".join(w.capitalize() for w in g.key)
    if g.type == "person":
        full = [f for f in forms if len(f[0].split()) > 1]
        return (full or forms)[0][0]
    if g.type == "org":
        from searchapp.nlp.gazetteer import ORG_ALIASES

        known = [f for f in forms if f[0] in ORG_ALIASES.values()]  # a name the gazetteer gives ("OPEC")
        long = [f for f in forms if not f[0].replace(".", "").isupper()]
        return (known or long or forms)[0][0]
    return forms[0][0]


# -- with an index generation ------------------------------------------------------------------

IDENTITIES_FILE = "IDENTITIES-{toc}.json"  # one per commit of a generation (index add/delete commit)
CORRECTIONS_FILE = "CORRECTIONS.txt"  # the archivist's corrections the generation was resolved with


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words usually written in lower case (the list that ships with the entity model)."""
    from searchapp.nlp.entities import MODEL_PATH, lexicon_path, read_lexicon

    return read_lexicon(lexicon_path(MODEL_PATH))


def from_names(names, corrections: Corrections | None = None) -> Identities:
    """Identities from an index's `ArchiveNames` (searchapp.store)."""
    return resolve(names.facets, acronyms=names.aliases, tentative=names.tentative,
                   corrections=corrections, lowercase=common_words())


def finalizer(corrections_path: str | os.PathLike | None, previous_dir: Path | None):
    """What `index build`/`add`/`delete` run after each commit (GenerationWriter.finalizers): keep the
    corrections with the generation (the given file, else the previous generation's) and write the
    identities of the committed archive beside it."""
    corrections_text = Corrections.read(corrections_path).text if corrections_path else None

    def finalize(commit) -> None:
        index_dir, names, toc = commit.index_dir, commit.names, commit.toc
        target = index_dir / CORRECTIONS_FILE
        if corrections_text is not None:
            target.write_text(corrections_text, encoding="utf-8")
        elif previous_dir is not None and previous_dir != index_dir and (previous_dir / CORRECTIONS_FILE).exists():
            target.write_text((previous_dir / CORRECTIONS_FILE).read_text(encoding="utf-8"), encoding="utf-8")
        corrections = Corrections.read(target) if target.exists() else None
        from_names(names, corrections).save(index_dir / IDENTITIES_FILE.format(toc=toc))

    return finalize


def for_searcher(store, searcher) -> Identities:
    """The identities of the generation ``searcher`` reads: the file its commit wrote, or (an index
    built before identities existed) resolved now from its lexicons."""
    path = store.generation_file(searcher, IDENTITIES_FILE)
    try:
        return Identities.load(path)
    except (OSError, ValueError, KeyError):
        corrections_path = store.generation_file(searcher, CORRECTIONS_FILE)
        corrections = Corrections.read(corrections_path) if corrections_path.exists() else None
        return from_names(searcher.archive_names(), corrections)
