"""Tables built once per index generation (facet values as identities, months, quote parents, story
groups), and counting facets over a result set with them."""
from __future__ import annotations

import os
import pickle
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from searchapp.analysis import fold
from searchapp.analysis import name_words as words_of_name
from searchapp.archive import identities
from searchapp.archive.duplicates import DUPLICATES_DIR, saved_groups
from searchapp.archive.identities import FACET_TYPES, TYPE_FACETS, Identities, Identity
from searchapp.store import IndexStore
from searchapp.store.lexicon import Lexicon
from searchapp.store.fields import FACETS

FACET_LIMIT = 10
_CACHE_LOCK = threading.Lock()


def cached(cache: dict[str, Any], key: str, build):
    """cache[key], built once: concurrent requests wait for the one build instead of each doing it."""
    value = cache.get(key)
    if value is None:
        with _CACHE_LOCK:
            lock = cache.setdefault(key + ".lock", threading.Lock())
        with lock:
            value = cache.get(key)
            if value is None:
                value = cache[key] = build()
    return value


TABLES_FILE = "TABLES-{toc}.pickle"  # written after each commit, beside the generation it describes
TABLES_VERSION = 3  # 3: identities' rows pickled one by one


def identities_of(store: IndexStore, searcher) -> Identities:
    return tables_of(store, searcher)["identities"]


def tables_of(store: IndexStore, searcher) -> dict[str, Any]:
    """The tables of ``searcher``'s generation: the file its commit wrote (a fraction of a second), or
    for an index written before there were such files, built now from its posting lists (seconds)."""
    return cached(store.cache(searcher), "tables", lambda: _load_or_build(store, searcher))


def _load_or_build(store: IndexStore, searcher) -> dict[str, Any]:
    path = store.generation_file(searcher, TABLES_FILE)
    try:
        return load_tables(path)
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, pickle.UnpicklingError):
        pass
    tables = build_tables(searcher, identities.for_searcher(store, searcher), saved_groups(store, searcher))
    # For the next process (an index from an older searchapp pays for its tables once), but only from
    # a commit whose identities and duplicate groups are written: a server opens a new commit before
    # its finalizers end, and tables built then (without the groups) must not replace theirs.
    done = all(store.generation_file(searcher, name).exists()
               for name in (identities.IDENTITIES_FILE, DUPLICATES_DIR))
    if done:
        try:
            save_tables(path, tables)
        except OSError:  # a read-only index folder: built again by each process
            pass
    return tables


def finalizer():
    """What `index build`/`add`/`delete` run after each commit, once the archive's identities and
    duplicate groups are written (GenerationWriter.finalizers): the search tables of the new generation,
    saved, so that no process builds them again."""

    def finalize(commit) -> None:
        with IndexStore.open_generation(commit.index_dir) as (store, s):
            tables = build_tables(s, identities.for_searcher(store, s), saved_groups(store, s))
            save_tables(store.generation_file(s, TABLES_FILE), tables)

    return finalize


# What a search for words needs at once; the rest (the name tables, for field queries and names as you
# type) is read on first use.
HOT_TABLES = ("facets", "tally", "group_of", "group_members", "quote_docs", "quote_parents", "identities")


class Tables(dict):
    """The tables as saved: the hot ones read, each of the others on first use (a pickle of its own)."""

    def __missing__(self, key: str) -> Any:
        blob = self.get("_later", {}).get(key)
        if blob is None:
            raise KeyError(key)
        value = pickle.loads(blob)
        if key == "facet_identities":
            rows = self["identities"].list
            value = {k: [rows[n] for n in v] for k, v in value.items()}
        self[key] = value
        return value


def save_tables(path: Path, tables: dict[str, Any]) -> None:
    """Atomically. Identities are saved as rows and referred to by row number (see Identities)."""
    row = {id(ident): n for n, ident in enumerate(tables["identities"].list)}
    later = {k: v for k, v in tables.items() if k not in HOT_TABLES}
    later["facet_identities"] = {k: [row[id(i)] for i in v] for k, v in tables["facet_identities"].items()}
    data = {k: tables[k] for k in HOT_TABLES}
    data["_later"] = {k: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for k, v in later.items()}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            pickle.dump({"version": TABLES_VERSION, "tables": data}, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_tables(path: Path) -> Tables:
    # A pickle, like Whoosh's own stored fields beside it: whoever can write the index folder can
    # already change what it serves.
    with open(path, "rb") as f:
        data = pickle.load(f)
    if data.get("version") != TABLES_VERSION:
        raise ValueError(f"{path}: tables version {data.get('version')!r}, expected {TABLES_VERSION}")
    return Tables(data["tables"])


def _identity_docs(postings, ident: Identity, speakers: bool) -> tuple[np.ndarray, np.ndarray]:
    """(docnums ascending, weights) of one identity in a facet: the documents of every name it has (in
    any name field: "Chrysler" typed as a person in a headline counts for the company). A speaker's
    weight in an article is its quote count (the f_speakers weight, summed over the names), anyone
    else's is one."""
    docs, weights = [], []
    for facet, raws in ident.members.items():
        if (facet == "speakers") == speakers:
            for raw in raws:
                d, w = postings(facet, raw)
                docs.append(d)
                weights.append(w)
    if not docs:
        return _NO_DOCS, _NO_DOCS
    found, at = np.unique(np.concatenate(docs), return_inverse=True)
    if not speakers:
        return found, np.ones(len(found), dtype=np.int64)
    return found, np.bincount(at, weights=np.concatenate(weights), minlength=len(found)).astype(np.int64)


_NO_DOCS = np.zeros(0, dtype=np.int64)


def _months(s, doccount: int) -> tuple[list[str], np.ndarray]:
    """The months documents were published in ("YYYY-MM", sorted) and each docnum's index in them (-1:
    undated); the backend reads its own date values, once per distinct value."""
    raws = np.asarray(s.dates(), dtype=np.int64)[:doccount]
    distinct, at = np.unique(raws, return_inverse=True)
    labels = []
    for raw in distinct.tolist():
        when = s.date_of(raw) if raw else None
        labels.append(when.strftime("%Y-%m") if when is not None else "")
    months = sorted(set(labels) - {""})
    index = {m: n for n, m in enumerate(months)}
    of_distinct = np.array([index.get(m, -1) for m in labels], dtype=np.int64)
    month_of = np.full(doccount, -1, dtype=np.int64)
    month_of[:len(raws)] = of_distinct[at]
    return months, month_of


def build_tables(s, ids: Identities, dup_groups: list | None = None) -> dict[str, Any]:
    """Per-generation tables: facet values (identities), docnum -> facet value and month ids, quote
    docnums, name index. Documents are held in arrays, never one Python object each: at a million
    articles the tables are built in the build's largest process."""
    doccount = s.size
    quote_docs = s.postings("kind", "quote")[0].astype(np.int64)

    fields: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}

    def postings(facet: str, raw: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of one indexed name (an article's f_speakers weight is its quote count)."""
        fname = "f_" + facet
        if not s.indexed(fname):
            return _NO_DOCS, _NO_DOCS
        if fname not in fields:  # each name field read once, in order: not one look-up a name
            fields[fname] = s.field_postings(fname)
        got = fields[fname].get(raw)
        docs, weights = got if got is not None else s.postings(fname, raw)
        weights = weights.astype(np.int64)
        weights[weights == 0] = 1
        return docs.astype(np.int64), weights

    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]] = {}
    name_index: dict[str, tuple[list[str], list[int]]] = {}
    name_words: dict[str, tuple[dict[str, set[int]], list[tuple[tuple[str, ...], int]]]] = {}
    facet_ids: dict[str, list[Identity]] = {}
    suggest_index: dict[str, tuple[list[str], list[int]]] = {}
    for name in FACETS:
        # A facet's values are the identities of its type. Speakers are people, counted by their quotes.
        type_ = FACET_TYPES.get(name, "person")
        speakers = name == "speakers"
        idents = sorted((i for i in ids.of_type(type_) if not speakers or "speakers" in i.members),
                        key=lambda i: i.name)
        values: list[str] = []
        counts: list[int] = []
        kept: list[Identity] = []
        docs_of, vids_of, weights_of = [], [], []
        for ident in idents:
            docs, weights = _identity_docs(postings, ident, speakers)
            if not len(docs):
                continue
            vid = len(values)
            values.append(ident.name)
            kept.append(ident)
            # one number, one meaning: a speaker's quotes, anyone else's articles
            counts.append(int(np.isin(docs, quote_docs, assume_unique=True).sum()) if speakers else len(docs))
            docs_of.append(docs)
            vids_of.append(np.full(len(docs), vid, dtype=np.int64))
            weights_of.append(weights)
        facets[name] = (values, *(np.concatenate(a) if a else _NO_DOCS for a in (docs_of, vids_of, weights_of)))
        name_index[name] = (values, counts)
        facet_ids[name] = kept
        # word -> ids of the identities with a name or alias containing it, and every such name's words
        # with its identity: `person:Lavrov`, `person:"Sergey Lavrov"` are answered from these (the name
        # fields themselves are not indexed).
        words: dict[str, set[int]] = {}
        entries: list[tuple[tuple[str, ...], int]] = []
        for vid, ident in enumerate(kept):
            for alias in (ident.name, *ident.aliases):
                toks = tuple(words_of_name(alias))  # as the name fields index it (tests/test_analysis.py)
                entries.append((toks, vid))
                for w in toks:
                    words.setdefault(w, set()).add(vid)
        name_words[name] = (words, entries)
        # folded names and aliases, and each of their words after the first, sorted: a prefix typed in
        # the search box finds its names by bisection
        prefixes = sorted({(key, vid) for vid, ident in enumerate(kept) for alias in (ident.name, *ident.aliases)
                           for key in [fold(alias), *(fold(w) for w in alias.split()[1:])]})
        suggest_index[name] = ([k for k, _ in prefixes], [v for _, v in prefixes])
    fields.clear()  # the name fields' postings are in the facets' arrays now
    quote_parents = s.quote_parents()
    word_counts: Counter = Counter()
    for name, (words, _) in name_words.items():
        counts = name_index[name][1]
        for w, vids in words.items():
            word_counts[fold(w)] += sum(counts[v] for v in vids)
    all_words = sorted(word_counts)
    # docnum -> its story's group (syndicated and near copies, searchapp.archive.duplicates), -1 for none
    group_of = np.full(doccount, -1, dtype=np.int32)
    group_members: list[list[tuple[int, dict[str, Any]]]] = []  # (docnum, what a hit shows of it)
    for group in dup_groups or ():
        members = [d for d in (s.docnum("id", i) for i in group.ids) if d is not None]
        if len(members) > 1:
            group_of[members] = len(group_members)
            group_members.append([(d, version_of(s.stored(d))) for d in members])  # earliest first
    return {"facets": {name: f[0] for name, f in facets.items()}, "tally": Tally(facets, *_months(s, doccount), doccount),
            "group_of": group_of, "group_members": group_members,
            "quote_docs": quote_docs.astype(np.int32), "quote_parents": quote_parents,
            "name_index": name_index, "name_words": name_words, "identities": ids, "facet_identities": facet_ids,
            "suggest_index": suggest_index,
            "name_lexicon": Lexicon(all_words, [word_counts[w] for w in all_words])}


class Tally:
    """Every facet and the month of every document in one table, so that counting them for a result set
    is a few array operations whatever its size: document ``d``'s value ids are
    ``ids[start[d]:start[d + 1]]`` (ascending; a value repeated as often as its weight); each facet's
    values, and then the months, have consecutive ids, in alphabetical order within a facet."""

    def __init__(self, facets: dict[str, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]],
                 months: list[str], month_of: np.ndarray, doccount: int):
        """``facets``: per facet, its values and three parallel arrays (docnum, value number, weight);
        ``month_of``: each docnum's index in ``months`` (-1: none)."""
        self.labels: list[str] = []
        self.bounds: list[int] = []  # first id of each facet, then of the months, then the end
        docs, ids = [], []
        for values, d, vids, weights in facets.values():
            base = len(self.labels)
            self.bounds.append(base)
            self.labels += values
            docs.append(np.repeat(d, weights))
            ids.append(np.repeat(vids + base, weights))
        self.bounds.append(len(self.labels))
        dated = np.flatnonzero(month_of >= 0)
        docs.append(dated)
        ids.append(month_of[dated] + len(self.labels))
        self.labels += months
        self.bounds.append(len(self.labels))
        all_docs, all_ids = np.concatenate(docs), np.concatenate(ids)
        order = np.lexsort((all_ids, all_docs))
        self.start = np.zeros(doccount + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_docs, minlength=doccount)[:doccount], out=self.start[1:])
        self.ids = all_ids[order].astype(np.int32)

    def count(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value ids, their counts) over ``docs`` (docnums), ids ascending."""
        d = np.asarray(docs, dtype=np.int64)
        starts = self.start[d]
        lens = self.start[d + 1] - starts
        total = int(lens.sum())
        if not total:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # Positions in ``ids`` of every value of every document: each document's run, end to end.
        ends = np.cumsum(lens)
        values = self.ids[np.repeat(starts - ends + lens, lens) + np.arange(total)]
        if total * 8 < len(self.labels):
            return np.unique(values, return_counts=True)
        counts = np.bincount(values, minlength=len(self.labels))
        present = np.flatnonzero(counts)
        return present, counts[present]


def count_facets(tables, docs: np.ndarray) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, int]]]:
    """The top values of every facet over ``docs``, and their hits per month (or per year over long
    spans). Speakers count quotes: over articles through their f_speakers weights, over quote documents
    one each. Ties list in alphabetical order."""
    tally: Tally = tables["tally"]
    ids, counts = tally.count(docs)
    cuts = np.searchsorted(ids, tally.bounds)
    facets: dict[str, list[tuple[str, int]]] = {}
    for i, name in enumerate(FACETS):
        vid, c = ids[cuts[i]:cuts[i + 1]], counts[cuts[i]:cuts[i + 1]]
        if len(c) > FACET_LIMIT:  # the values above the 10th count, then the first of those tied with it
            tenth = np.partition(c, len(c) - FACET_LIMIT)[len(c) - FACET_LIMIT]
            above = np.flatnonzero(c > tenth)
            keep = np.concatenate((above, np.flatnonzero(c == tenth)[:FACET_LIMIT - len(above)]))
            vid, c = vid[keep], c[keep]
        order = np.lexsort((vid, -c))  # by count, then alphabetically
        facets[name] = [(tally.labels[v], int(n)) for v, n in zip(vid[order].tolist(), c[order].tolist())]
    lo, hi = cuts[len(FACETS)], cuts[len(FACETS) + 1]
    months = [(tally.labels[v], n) for v, n in zip(ids[lo:hi].tolist(), counts[lo:hi].tolist())]
    if len(months) > 36:  # long spans read better by year
        years: Counter = Counter()
        for m, c in months:
            years[m[:4]] += c
        months = list(years.items())
    return facets, sorted(months)


def identity_names(ids: Identities, stored: dict[str, Any]) -> dict[str, list[str]]:
    """An article's stored names as the archive's identities name them, each under its identity's type
    ("Reagan" -> people "Ronald Reagan"; "Chrysler" typed as a person -> orgs "Chrysler Corp"); names
    that are no one's are left out."""
    out: dict[str, dict[str, None]] = {name: {} for name in FACETS}
    for facet in FACETS:
        for raw in stored.get(facet) or ():
            ident = ids.of(facet, raw)
            if ident is not None:
                target = "speakers" if facet == "speakers" else TYPE_FACETS[ident.type]
                out[target].setdefault(ident.name, None)
    return {name: list(values) for name, values in out.items()}


def speaker_name(ids: Identities, stored: dict[str, Any]) -> str | None:
    """A quote document's speaker, as the identities name the person (None for no one)."""
    raw = (stored.get("speakers") or [None])[0]
    ident = ids.of("speakers", raw) if raw else None
    return ident.name if ident is not None else None


def version_of(stored: dict[str, Any]) -> dict[str, Any]:
    published = stored.get("published")
    return {"id": stored.get("id", ""), "title": stored.get("title", ""),
            "published": published.isoformat() if published else None, "publisher": stored.get("publisher", "")}


def versions_of(tables, docnum: int, limit: int = 20) -> list[dict[str, Any]]:
    """The other versions of a hit's story, earliest first (at most ``limit``; read once per generation)."""
    g = int(tables["group_of"][docnum])
    if g < 0:
        return []
    return [dict(v) for d, v in tables["group_members"][g] if d != docnum][:limit]
