"""The engines under test, behind one small interface, each used the way its users typically use it.

    engine = ENGINES["tantivy"]
    info = engine.build(jsonl_files, index_dir)       # a full build from the shared JSONL
    with engine.open(index_dir) as session:           # one open searcher, reused for every query
        session.search(bench_query, snippets=True)    # top 10 (id, title [, snippet]); None = cannot express
        session.count("AT&T")                         # total hits of a raw user query (may raise)
        session.ranked_ids(words, limit=1000)         # an OR of the words, best first (ranking quality)

* ``searchapp`` / ``searchapp-noenrich``: `searchapp.indexer.build(store, files, enrich=..., procs=2)`, then one
  `Searcher(IndexStore(dir))` reused for every query (as the web app does). Its results always carry
  the total hit count; facets only when asked.
* ``whoosh``: plain Whoosh as most projects use it: `StemmingAnalyzer` on title and body, the default
  `ix.writer()` (one process, no tuning), `MultifieldParser(["title", "body"])` (AND), `searcher.search(q,
  limit=10)`, snippets from ``hit.highlights("body")``.
* ``fts5``: SQLite FTS5 with ``tokenize='porter'``, ``ORDER BY bm25(docs)``, snippets from ``snippet()``;
  one transaction for the build; dates in an UNINDEXED column filtered in SQL.
* ``tantivy``: the ``tantivy`` Python package, ``en_stem`` tokenizer on title and body, default writer
  (threads chosen by tantivy), `index.parse_query(..., conjunction_by_default=True)`, snippets from
  ``SnippetGenerator``; ``searcher.search`` counts all hits (its default).

Peers cannot express searchapp's entity fields (``place:``, ``person:``): those queries return None
(skipped) for them. Date ranges become a SQL filter (FTS5) or a date range query (tantivy).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bench.common import dir_size, iter_articles, parse_published

# -- the benchmark query language ------------------------------------------------------------------

_PART = re.compile(r'(?P<field>\w+):\[(?P<lo>[^\]]*?)\s+to\s+(?P<hi>[^\]]*)\]'
                   r'|(?P<pfield>\w+):"(?P<pvalue>[^"]+)"'
                   r'|(?P<wfield>\w+):(?P<wvalue>[^\s"]+)'
                   r'|"(?P<phrase>[^"]+)"'
                   r'|(?P<word>\S+)')


@dataclass(frozen=True)
class Part:
    kind: str  # word | phrase | range
    value: str | tuple[str, str]
    field: str | None = None


@dataclass(frozen=True)
class BenchQuery:
    """One line of bench/queries.txt: a category and a query in searchapp's syntax (AND of the parts).

    The generated queries only use plain lower-case words, "phrases", ``field:word``,
    ``field:"a phrase"`` and ``date:[YYYY-MM-DD to YYYY-MM-DD]``, so every engine can be given the
    same meaning in its own syntax.
    """

    category: str
    text: str

    @property
    def parts(self) -> list[Part]:
        out = []
        for m in _PART.finditer(self.text):
            if m.group("field"):
                out.append(Part("range", (m.group("lo"), m.group("hi")), m.group("field")))
            elif m.group("pfield"):
                out.append(Part("phrase", m.group("pvalue"), m.group("pfield")))
            elif m.group("wfield"):
                out.append(Part("word", m.group("wvalue"), m.group("wfield")))
            elif m.group("phrase"):
                out.append(Part("phrase", m.group("phrase")))
            else:
                out.append(Part("word", m.group("word")))
        return out

    @property
    def entity_fields(self) -> bool:
        """True if the query uses searchapp's entity fields, which no peer has."""
        return any(p.field in ("place", "person", "org", "speaker", "source") for p in self.parts)


def load_queries(path: Path) -> list[BenchQuery]:
    """``category<TAB>query`` lines; blank lines and ``#`` comments ignored."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, _, text = line.partition("\t")
        out.append(BenchQuery(category.strip(), text.strip()))
    return out


def _day_bounds(lo: str, hi: str) -> tuple[dt.datetime, dt.datetime]:
    """[lo, hi] days -> [start, end) datetimes."""
    start = dt.datetime.fromisoformat(lo)
    end = dt.datetime.fromisoformat(hi) + dt.timedelta(days=1)
    return start, end


# -- engines ----------------------------------------------------------------------------------------

class Session:
    """An open index: queries run here, all against one searcher/connection."""

    def search(self, q: BenchQuery, *, snippets: bool = False, facets: bool = False) -> int | None:
        """Top 10 with titles (and snippets): the number of hits returned; None if not expressible."""
        raise NotImplementedError

    def count(self, raw: str) -> int:
        """Total hits of a raw user query, parsed by the engine's own parser (errors propagate)."""
        raise NotImplementedError

    def ranked_ids(self, words: list[str], limit: int = 1000) -> list[str]:
        """Document ids for an OR of ``words``, best first."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Engine:
    name = ""
    label = ""
    supports_facets = False

    def build(self, files: list[Path], index_dir: Path) -> dict[str, Any]:
        raise NotImplementedError

    def open_session(self, index_dir: Path) -> Session:
        raise NotImplementedError

    @contextlib.contextmanager
    def open(self, index_dir: Path) -> Iterator[Session]:
        session = self.open_session(index_dir)
        try:
            yield session
        finally:
            session.close()

    def exists(self, index_dir: Path) -> bool:
        return (index_dir / "BENCH_BUILD.json").exists()

    def size(self, index_dir: Path) -> int:
        return dir_size(index_dir)


def _fresh(index_dir: Path) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)


def _mark_built(index_dir: Path, info: dict[str, Any]) -> None:
    (index_dir / "BENCH_BUILD.json").write_text(json.dumps(info, indent=2, default=str) + "\n")


# searchapp ------------------------------------------------------------------------------------------

class SearchappEngine(Engine):
    supports_facets = True

    def __init__(self, enrich: bool, procs: int = 2):
        self.enrich = enrich
        self.procs = procs
        self.name = "searchapp" if enrich else "searchapp-noenrich"
        self.label = "searchapp" if enrich else "searchapp (no enrichment)"

    def build(self, files, index_dir):
        from searchapp.indexer import build
        from searchapp.store import IndexStore

        _fresh(index_dir)
        started = time.perf_counter()
        report = build(IndexStore(index_dir), [str(f) for f in files], enrich=self.enrich, procs=self.procs)
        seconds = time.perf_counter() - started
        info = {"articles": report.indexed, "skipped": len(report.skipped), "duplicates": len(report.duplicates),
                "procs": report.procs, "seconds": seconds}
        _mark_built(index_dir, info)
        return info

    def size(self, index_dir):
        from searchapp.store import IndexStore

        return dir_size(IndexStore(index_dir).current_dir())

    def open_session(self, index_dir):
        return SearchappSession(index_dir)


class SearchappSession(Session):
    def __init__(self, index_dir: Path):
        from searchapp.search import Searcher
        from searchapp.store import IndexStore

        self.store = IndexStore(index_dir)
        self.searcher = Searcher(self.store)

    def search(self, q, *, snippets=False, facets=False):
        res = self.searcher.search(q.text, per_page=10, facets=facets, snippets=snippets)
        return len(res.hits)

    def count(self, raw):
        return self.searcher.search(raw, per_page=10, facets=False, snippets=False).total

    def ranked(self, text: str, limit: int = 1000) -> list[str]:
        """What `search()` returns for ``text`` (pages of 100), best first."""
        ids: list[str] = []
        page = 1
        while len(ids) < limit:
            res = self.searcher.search(text, page=page, per_page=100, facets=False, snippets=False)
            ids.extend(h.id for h in res.hits)
            if page >= res.pages or not res.hits:
                break
            page += 1
        return ids[:limit]

    def ranked_ids(self, words, limit=1000):
        return self.ranked(" OR ".join(words), limit)


# plain Whoosh -----------------------------------------------------------------------------------------

class WhooshEngine(Engine):
    """Plain Whoosh; with ``writer_procs`` > 1, Whoosh's own multi-process writer (``MpWriter``, one
    segment per process, as ``ix.writer(procs=N, multisegment=True)`` gives)."""

    def __init__(self, writer_procs: int = 1):
        self.writer_procs = writer_procs
        self.name = "whoosh" if writer_procs == 1 else f"whoosh-procs{writer_procs}"
        self.label = "plain Whoosh" if writer_procs == 1 else f"plain Whoosh (procs={writer_procs})"

    @staticmethod
    def schema():
        from whoosh import fields
        from whoosh.analysis import StemmingAnalyzer

        return fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            date=fields.DATETIME(stored=True),
        )

    def build(self, files, index_dir):
        from whoosh import index

        _fresh(index_dir)
        started = time.perf_counter()
        ix = index.create_in(str(index_dir), self.schema())
        writer = ix.writer() if self.writer_procs == 1 else ix.writer(procs=self.writer_procs, multisegment=True)
        n = 0
        for a in iter_articles(files):
            doc = {"id": a["id"], "title": a.get("title") or "", "body": a.get("body") or ""}
            if a.get("published"):
                doc["date"] = parse_published(a["published"])
            writer.add_document(**doc)
            n += 1
        writer.commit()
        info = {"articles": n, "seconds": time.perf_counter() - started}
        _mark_built(index_dir, info)
        return info

    def open_session(self, index_dir):
        return WhooshSession(index_dir)


class WhooshSession(Session):
    def __init__(self, index_dir: Path):
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)

    @staticmethod
    def translate(q: BenchQuery) -> str | None:
        return None if q.entity_fields else q.text  # same syntax; the date field is called "date" too

    def search(self, q, *, snippets=False, facets=False):
        text = self.translate(q)
        if text is None:
            return None
        results = self.searcher.search(self.parser.parse(text), limit=10)
        n = 0
        for hit in results:
            _ = hit["id"], hit["title"]
            if snippets:
                hit.highlights("body")
            n += 1
        return n

    def count(self, raw):
        # len() of a limited Whoosh result can be an estimate: count every matching document instead
        return sum(1 for _ in self.searcher.docs_for_query(self.parser.parse(raw)))

    def ranked_ids(self, words, limit=1000):
        results = self.searcher.search(self.parser.parse(" OR ".join(words)), limit=limit)
        return [hit["id"] for hit in results]

    def close(self):
        self.searcher.close()


# SQLite FTS5 -------------------------------------------------------------------------------------------

def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Fts5Engine(Engine):
    name = "fts5"
    label = "SQLite FTS5"

    def build(self, files, index_dir):
        _fresh(index_dir)
        started = time.perf_counter()
        con = sqlite3.connect(index_dir / "fts.db")
        con.execute("CREATE VIRTUAL TABLE docs USING fts5("
                    "id UNINDEXED, title, body, published UNINDEXED, tokenize='porter')")
        counter = {"n": 0}

        def rows():
            for a in iter_articles(files):
                counter["n"] += 1
                yield a["id"], a.get("title") or "", a.get("body") or "", a.get("published")

        with con:
            con.executemany("INSERT INTO docs(id, title, body, published) VALUES (?, ?, ?, ?)", rows())
        con.close()
        info = {"articles": counter["n"], "seconds": time.perf_counter() - started}
        _mark_built(index_dir, info)
        return info

    def open_session(self, index_dir):
        return Fts5Session(index_dir)


class Fts5Session(Session):
    SNIPPET = "snippet(docs, 2, '<b>', '</b>', '…', 32)"

    def __init__(self, index_dir: Path):
        self.con = sqlite3.connect(index_dir / "fts.db")

    @staticmethod
    def translate(q: BenchQuery) -> tuple[str, list[str]] | None:
        """(MATCH expression, [published from, published before]) or None."""
        if q.entity_fields:
            return None
        terms, dates = [], []
        for p in q.parts:
            if p.kind == "range":
                start, end = _day_bounds(*p.value)
                dates = [start.isoformat(), end.isoformat()]
                continue
            prefix = f"{p.field} : " if p.field else ""
            terms.append(prefix + _fts_quote(p.value))
        return " ".join(terms), dates

    def search(self, q, *, snippets=False, facets=False):
        tr = self.translate(q)
        if tr is None:
            return None
        match, dates = tr
        cols = "id, title" + (", " + self.SNIPPET if snippets else "")
        sql = f"SELECT {cols} FROM docs WHERE docs MATCH ?"
        args: list[Any] = [match]
        if dates:
            sql += " AND published >= ? AND published < ?"
            args += dates
        sql += " ORDER BY bm25(docs) LIMIT 10"
        return len(self.con.execute(sql, args).fetchall())

    def count(self, raw):
        return self.con.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [raw]).fetchone()[0]

    def ranked_ids(self, words, limit=1000):
        match = " OR ".join(_fts_quote(w) for w in words)
        rows = self.con.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                                [match, limit]).fetchall()
        return [r[0] for r in rows]

    def close(self):
        self.con.close()


# tantivy ----------------------------------------------------------------------------------------------

class TantivyEngine(Engine):
    name = "tantivy"
    label = "tantivy"

    @staticmethod
    def schema():
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
        sb.add_date_field("published", stored=True, indexed=True, fast=True)
        return sb.build()

    def build(self, files, index_dir):
        import tantivy

        _fresh(index_dir)
        started = time.perf_counter()
        index = tantivy.Index(self.schema(), path=str(index_dir))
        writer = index.writer()
        n = 0
        for a in iter_articles(files):
            doc = tantivy.Document(id=a["id"], title=a.get("title") or "", body=a.get("body") or "")
            if a.get("published"):
                doc.add_date("published", parse_published(a["published"]))
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        info = {"articles": n, "seconds": time.perf_counter() - started}
        _mark_built(index_dir, info)
        return info

    def open_session(self, index_dir):
        return TantivySession(index_dir)


class TantivySession(Session):
    def __init__(self, index_dir: Path):
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @staticmethod
    def translate(q: BenchQuery) -> str | None:
        if q.entity_fields:
            return None
        out = []
        for p in q.parts:
            if p.kind == "range":
                start, end = _day_bounds(*p.value)
                out.append(f"published:[{start.isoformat()}Z TO {end.isoformat()}Z}}")
                continue
            prefix = f"{p.field}:" if p.field else ""
            out.append(prefix + (f'"{p.value}"' if p.kind == "phrase" else p.value))
        return " ".join(out)

    def _parse(self, text: str, conjunction: bool = True):
        return self.index.parse_query(text, ["title", "body"], conjunction_by_default=conjunction)

    def search(self, q, *, snippets=False, facets=False):
        text = self.translate(q)
        if text is None:
            return None
        query = self._parse(text)
        result = self.searcher.search(query, 10)
        gen = (self.tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
               if snippets else None)
        n = 0
        for _score, address in result.hits:
            doc = self.searcher.doc(address)
            _ = doc["id"], doc["title"]
            if gen is not None:
                gen.snippet_from_doc(doc).to_html()
            n += 1
        return n

    def count(self, raw):
        return self.searcher.search(self._parse(raw), 10).count

    def ranked_ids(self, words, limit=1000):
        quoted = " ".join(f'"{w}"' for w in words)  # so that "and", "or", "not" are words, not operators
        result = self.searcher.search(self._parse(quoted, conjunction=False), limit)
        return [self.searcher.doc(a)["id"][0] for _s, a in result.hits]


ENGINES: dict[str, Engine] = {
    e.name: e for e in (SearchappEngine(True), SearchappEngine(False), WhooshEngine(), WhooshEngine(2), Fts5Engine(),
              TantivyEngine())
}
PEERS = ("whoosh", "fts5", "tantivy")
