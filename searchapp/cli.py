"""The `searchapp` command: a thin layer over indexer, search and the web app.

Exit codes: 0 success; 1 the command ran but something was skipped or not found (an article indexed
without some of its extraction counts); 2 bad usage or bad query; 3 the index is missing or busy.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import time
from pathlib import Path

import click

from searchapp.readers import printable
from searchapp.store import BACKENDS, IndexBusy, IndexMissing, IndexStore, ShardUnavailable

EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_INDEX = 3

DEFAULT_INDEX = "index"


def _index_option(f):
    return click.option(
        "--index", "index_dir", envvar="SEARCHAPP_INDEX", default=DEFAULT_INDEX, show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Index directory (or set $SEARCHAPP_INDEX).",
    )(f)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _store(index_dir: Path, must_exist: bool = True) -> IndexStore:
    store = IndexStore(index_dir)
    if must_exist and not store.exists():
        _fail(f"no index at {index_dir}: run `searchapp index build PATH...` first", EXIT_INDEX)
    return store


class _Commands(click.Group):
    """The commands, with those in modules of their own imported only when run or listed: `searchapp
    search` from the shell pays no import it does not use (issue #18: within 1 s)."""

    LAZY = {"ingest": ("searchapp.ingest.command", "ingest_command")}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx, name):
        if name in self.LAZY and name not in self.commands:
            import importlib

            module, attr = self.LAZY[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchapp")
def main() -> None:
    """searchapp: full-text search for news, with people, places, sources and quotes."""


# -- index --------------------------------------------------------------------------------------

@main.group("index")
def index_group() -> None:
    """Build and change the index."""


def _progress_printer(label: str):
    """A progress bar on a terminal; elsewhere (logs, CI) a plain line every few seconds."""
    from tqdm import tqdm

    state = {"bar": None, "last": 0.0}
    tty = sys.stderr.isatty()

    def describe(p) -> str:
        elapsed = max(time.monotonic() - p.started, 1e-6)
        return (f"{p.articles:,} articles, {p.articles / elapsed:,.0f}/s, "
                f"files {p.files_done}/{p.files_total}, skipped {p.skipped}")

    def update(p) -> None:
        if not tty:
            now = time.monotonic()
            if now - state["last"] >= 5 or p.files_done == p.files_total:
                state["last"] = now
                pct = 100 * p.bytes_done / p.bytes_total if p.bytes_total else 100
                click.echo(f"{label}: {pct:3.0f}% {describe(p)}", err=True)
            return
        if state["bar"] is None:
            state["bar"] = tqdm(total=p.bytes_total, unit="B", unit_scale=True, desc=label, file=sys.stderr,
                                dynamic_ncols=True, mininterval=0.25)
        bar = state["bar"]
        bar.update(p.bytes_done - bar.n)
        bar.set_postfix_str(describe(p), refresh=False)

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].close()

    return update, close


def _print_report(report, verb: str) -> None:
    click.echo(f"{verb} {report.indexed:,} articles from {report.files:,} files in {report.seconds:.1f} s "
               f"({report.rate:,.0f} articles/s, {report.procs} processes"
               f"{f', read and enriched on {report.cluster}' if report.cluster else ''}"
               f"{'' if report.enriched else ', no enrichment'})", err=True)
    if report.updated:
        click.echo(f"updated {report.updated:,} existing articles", err=True)
    if report.duplicates:
        _echo_list(f"duplicates skipped: {len(report.duplicates):,} (first id kept)", report.duplicates, 10, "")
    if report.partial:
        _echo_list(f"indexed without some extraction: {len(report.partial):,}",
                   [f"{s.where}: {s.reason}" for s in report.partial], 20, " (see --report)")
    if report.not_read:
        _echo_list(f"not read (not articles): {len(report.not_read):,}",
                   [f"{s.where}: {s.reason}" for s in report.not_read], 20, " (see --report)")
    if report.skipped:
        _echo_list(f"skipped: {len(report.skipped):,}", [f"{s.where}: {s.reason}" for s in report.skipped], 50,
                   " (see --report)")
    else:
        click.echo("skipped: 0", err=True)


def _echo_list(title: str, lines: list[str], limit: int, more_hint: str) -> None:
    """A heading and the first ``limit`` lines on stderr, then how many more there are."""
    click.echo(title, err=True)
    for line in lines[:limit]:
        click.echo(f"  {line}", err=True)
    if len(lines) > limit:
        click.echo(f"  ... and {len(lines) - limit:,} more{more_hint}", err=True)


def _index_run(fn, store, paths, enrich, procs, report_path, verb, corrections=None, dask=None, enriched=None):
    from searchapp import indexer
    from searchapp.archive.identities import CorrectionsError

    update, close = _progress_printer(verb)
    kwargs = {}
    if dask:  # two stages, two bars: reading and enrichment on the cluster, then indexing here
        from searchapp import cluster

        on_cluster, close_cluster = _progress_printer("enriched")
        kwargs = {"cluster_progress": on_cluster, "shards": enriched}
        fn = functools.partial(cluster.build, scheduler=dask)
    else:
        close_cluster = None
    try:
        report = fn(store, paths, enrich=enrich, procs=procs, progress=update, corrections=corrections, **kwargs)
    except (IndexBusy, ShardUnavailable) as e:
        close()
        _fail(str(e), EXIT_INDEX)
    except CorrectionsError as e:
        close()
        _fail(str(e), EXIT_USAGE)
    except KeyboardInterrupt:
        close()
        _fail("interrupted: the index was not changed", 130)
    except _scheduler_error() as e:
        close()
        _fail(f"--dask {dask}: {e}", EXIT_USAGE)
    finally:
        if close_cluster:
            close_cluster()
    close()
    _print_report(report, verb)
    if report_path:
        Path(report_path).write_text(json.dumps(report.to_json(), indent=2))
    if report.indexed == 0 and not report.skipped:
        _fail("no articles found in " + ", ".join(printable(str(p)) for p in paths), EXIT_PARTIAL)
    assert indexer
    sys.exit(EXIT_PARTIAL if report.skipped or report.duplicates or report.partial else 0)


_build_options = [
    click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option("--enrich/--no-enrich", default=True, show_default=True,
                 help="Extract people, places, organisations, sources and quotes."),
    click.option("--procs", type=click.IntRange(1, 64), default=None,
                 help="Worker processes (default: one per core)."),
    click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
                 help="Write the full report (every skipped file and reason) as JSON."),
    click.option("--corrections", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="A corrections file for the archive's identities (merge, split, not, type; see "
                      "README). Kept with the index: later builds and adds apply it until replaced."),
]


def _with(options):
    def deco(f):
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco


def _scheduler_error():
    from searchapp.cluster import SchedulerError

    return SchedulerError


def _check_dask(ctx, param, value):
    """A --dask value that names no cluster is bad usage (exit code 2), found before anything runs."""
    if value is None:
        return None
    from searchapp.cluster import SchedulerError, parse

    try:
        parse(value)
    except SchedulerError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None
    return value


_dask_option = click.option(
    "--dask", metavar="SCHEDULER", default=None, callback=_check_dask,
    help="Read and enrich on a Dask cluster: local:N starts one of N worker processes here, or a "
         "scheduler's address (tcp://host:8786) whose workers see PATHS at the same paths. Needs "
         "pip install 'searchapp[dask]'.")


@index_group.command("build")
@_with(_build_options)
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="The index engine: whoosh (embedded, the default) or xapian (pip install "
                   "'searchapp[xapian]'). Default: the current index's.")
@click.option("--shards", default=None, metavar="tcp://HOST:PORT,...",
              help="Xapian shards, each served by `xapian-tcpsrv --writable` (implies --backend xapian).")
@_dask_option
@click.option("--enriched-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --dask: the folder for the enriched JSON-lines shards (kept), one the workers and "
                   "this machine share (default: a temporary folder in the index folder, removed after).")
@_index_option
def index_build(paths, enrich, procs, report_path, corrections, backend, shards, dask, enriched_dir, index_dir):
    """Rebuild the index from PATHS (files or folders), atomically.

    The new index is built beside the live one and replaces it only when complete: if the build
    fails or is interrupted, the previous index keeps serving. Exit code 1 if anything was skipped.
    The index records its backend (and shards): later commands use it without being told.
    """
    from searchapp import indexer

    if enriched_dir is not None and not dask:
        _fail("--enriched-dir is where a --dask build's workers write: give --dask too", EXIT_USAGE)
    try:
        store = IndexStore(index_dir, backend=backend, shards=shards.split(",") if shards else None)
    except (ValueError, ImportError) as e:
        _fail(str(e), EXIT_USAGE)
    _index_run(indexer.build, store, list(paths), enrich, procs, report_path, "indexed", corrections,
               dask=dask, enriched=enriched_dir)


@index_group.command("add")
@_with(_build_options)
@_index_option
def index_add(paths, enrich, procs, report_path, corrections, index_dir):
    """Add or update (by id) the articles in PATHS; committed all at once."""
    from searchapp import indexer

    _index_run(indexer.add, _store(index_dir), list(paths), enrich, procs, report_path, "added", corrections)


@index_group.command("delete")
@click.argument("ids", nargs=-1, required=True)
@_index_option
def index_delete(ids, index_dir):
    """Delete articles (and their quotes) by id. Exit code 1 if an id was not found."""
    from searchapp import indexer

    try:
        deleted, missing = indexer.delete(_store(index_dir), ids)
    except IndexBusy as e:
        _fail(str(e), EXIT_INDEX)
    click.echo(f"deleted {len(deleted)}")
    for m in missing:
        click.echo(f"not found: {m}", err=True)
    sys.exit(EXIT_PARTIAL if missing else 0)


@index_group.command("dups")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per group: ids, kind, first.")
@_index_option
def index_dups(as_json, index_dir):
    """The archive's groups of copies of one story (exact and near: syndicated versions with another
    headline, cut or edited), each with the id of the first published."""
    from searchapp.search import Searcher

    groups = Searcher(_store(index_dir)).duplicate_groups()
    for group in groups:
        if as_json:
            click.echo(json.dumps(group.to_json(), ensure_ascii=False))
        else:
            click.echo(f"{group.kind:<5}  {len(group.ids):>3}  first {group.first}: {', '.join(group.ids)}")
    if not as_json:
        click.echo(f"{len(groups):,} groups, {sum(len(g.ids) for g in groups):,} articles", err=True)


@index_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_index_option
def index_stats(as_json, index_dir):
    """Counts, fields, size and the last build."""
    stats = _store(index_dir).stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2, default=str))
        return
    build = stats["last_build"]
    click.echo(f"index:      {stats['index']} ({stats['generation']})")
    click.echo(f"articles:   {stats['articles']:,}")
    click.echo(f"quotes:     {stats['quotes']:,}")
    click.echo(f"size:       {stats['size_bytes'] / (1 << 20):,.1f} MiB in {stats['segments']} segment(s)")
    click.echo(f"fields:     {', '.join(stats['fields'])}")
    click.echo(f"updated:    {stats['updated']}")
    if build:
        click.echo(f"last build: {build.get('built_at')} from {', '.join(build.get('paths', []))}: "
                   f"{build.get('indexed', 0):,} indexed, {build.get('skipped', 0):,} skipped, "
                   f"{len(build.get('duplicates', [])):,} duplicates, {build.get('seconds', 0):.1f} s")


# -- identities ---------------------------------------------------------------------------------

@main.command("entities")
@click.option("--type", "type_", type=click.Choice(["person", "place", "org", "source"]), default=None,
              help="Only identities of this type.")
@click.option("--limit", type=click.IntRange(1, None), default=50, show_default=True,
              help="How many identities (most articles first).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: name, type, aliases, articles.")
@_index_option
def entities_cmd(type_, limit, as_json, index_dir):
    """The archive's identities: one name per person, place, organisation and source, with its aliases
    and the number of articles naming it."""
    from searchapp.search import Searcher

    for ident in Searcher(_store(index_dir)).entities(type_, limit=limit):
        if as_json:
            click.echo(json.dumps(ident, ensure_ascii=False))
        else:
            aliases = f"  (also: {', '.join(ident['aliases'][:6])}{', ...' if len(ident['aliases']) > 6 else ''})" \
                if ident["aliases"] else ""
            click.echo(f"{ident['articles']:>7,}  {ident['type']:<6}  {ident['name']}{aliases}")


# -- search -------------------------------------------------------------------------------------

def _render_segments(segments, color: bool) -> str:
    out = []
    for seg in segments:
        if seg.match:
            out.append(click.style(seg.text, bold=True, fg="yellow") if color else f"[{seg.text}]")
        else:
            out.append(seg.text)
    return "".join(out).replace("\n", " ")


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=10, show_default=True, help="Results per page (1-100).")
@click.option("--page", "-p", default=1, show_default=True, help="Page number.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--filter", "filters", multiple=True, metavar="FACET=VALUE",
              help="Exact facet filter, e.g. --filter place='United Kingdom' (repeatable).")
@click.option("--all-versions", is_flag=True,
              help="Every article: copies of one story (syndicated, near copies) are not collapsed.")
@click.option("--quotes", "quotes", is_flag=True,
              help="Every quote of every hit, one row each, with where it was first seen (needs --format).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default=None,
              help="Every hit (not a page), streamed: one row per article, or per quote with --quotes.")
@click.option("--json", "as_json", is_flag=True, help="Print the results (hits, facets, histogram) as JSON.")
@_index_option
def search_cmd(query, limit, page, sort, filters, all_versions, quotes, fmt, as_json, index_dir):
    """Search the index. Query syntax: words (all must match), "phrases", OR, NOT, wild*, fuzzy~,
    field:value (person, place, org, source, speaker, quote, title, author, date), date ranges like
    date:[2022-02-01 to 2022-02-28] or date:2022."""
    from searchapp.search import QueryError, Searcher

    store = _store(index_dir)
    parsed: dict[str, list[str]] = {}
    for f in filters:
        name, sep, value = f.partition("=")
        if not sep:
            _fail(f"--filter must look like FACET=VALUE, not {f!r}", EXIT_USAGE)
        parsed.setdefault(name.strip(), []).append(value.strip())
    if quotes and not fmt:
        _fail("--quotes lists every quote of every hit: give --format csv or jsonl", EXIT_USAGE)
    searcher = Searcher(store)
    try:
        res = searcher.search(" ".join(query), filters=parsed, sort=sort, page=page, per_page=limit,
                              collapse=not all_versions)
        if fmt:
            _export(searcher, " ".join(query), parsed, sort, not all_versions, quotes, fmt)
            sys.exit(0 if res.total else EXIT_PARTIAL)
    except QueryError as e:
        _fail(str(e), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(res.to_json(), indent=2, ensure_ascii=False, default=str))
        sys.exit(0 if res.total else EXIT_PARTIAL)
    color = sys.stdout.isatty()
    for n in res.notices:
        click.echo(f"note: {n}", err=True)
    if res.suggestion:
        click.echo(f"Did you mean: {res.suggestion}?")
    first = (res.page - 1) * res.per_page
    counted = f"{res.total:,} {'article' if res.total == 1 else 'articles'}"
    if res.collapse and res.articles != res.total:
        counted = f"{res.total:,} {'story' if res.total == 1 else 'stories'} ({res.articles:,} articles)"
    click.echo(f"{counted} ({res.took_ms:.1f} ms)" + (f", page {res.page} of {res.pages}" if res.pages > 1 else ""))
    for i, hit in enumerate(res.hits, first + 1):
        title = _render_segments(hit.title_segments, color) or hit.snippet_text[:80]
        meta = " | ".join(x for x in (hit.published[:10] if hit.published else "", hit.publisher, hit.id) if x)
        more = f"\n   + {len(hit.versions)} more version{'s' if len(hit.versions) != 1 else ''}" if hit.versions else ""
        click.echo(f"\n{i}. {title}\n   {meta}{more}")
        if hit.quotes:
            for qh in hit.quotes:
                who = qh.speaker or "unattributed"
                click.echo(f"   “{_render_segments(qh.segments, color)}” — {who}" + (f" ({qh.cue})" if qh.cue else ""))
        else:
            click.echo(f"   {_render_segments(hit.snippet, color)}")
    sys.exit(0 if res.total else EXIT_PARTIAL)


def _export(searcher, q: str, filters, sort: str, collapse: bool, quotes: bool, fmt: str) -> None:
    """Every hit (or every quote of every hit) to stdout as CSV or JSON lines, streamed."""
    import csv

    from searchapp.search.results import EXPORT_COLUMNS, QUOTE_COLUMNS

    kwargs = {"filters": filters, "sort": sort, "collapse": collapse}
    if quotes:
        columns, records = QUOTE_COLUMNS, searcher.iter_quotes(q, **kwargs)
    else:
        columns = EXPORT_COLUMNS
        records = ({col: getattr(hit, col) for col in columns} for hit in searcher.iter_hits(q, **kwargs))
    out = sys.stdout
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    for record in records:
        if writer:
            writer.writerow(["; ".join(v) if isinstance(v, list) else "" if v is None else v
                             for v in (record[c] for c in columns)])
        else:
            out.write(json.dumps({c: record[c] for c in columns}, ensure_ascii=False, default=str) + "\n")


# -- extract ------------------------------------------------------------------------------------

@main.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--enrich/--no-enrich", default=True, show_default=True)
@_dask_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --dask: leave the articles in this folder as JSON-lines shards (NNNNNN.jsonl, in "
                   "walk order) instead of printing them; one the workers and this machine share.")
def extract_cmd(paths, fmt, enrich, dask, out):
    """Print one JSON object per article (the extraction contract: see README). Skipped files are
    reported on stderr; exit code 1 if any."""
    from searchapp import indexer
    from searchapp.readers import Skipped
    from searchapp.readers.dispatch import NotRead

    if out is not None and not dask:
        _fail("--out is where a --dask extraction's workers write: give --dask too", EXIT_USAGE)
    skipped = 0
    items = indexer.extract(paths, enrich=enrich) if not dask else _extract_on_cluster(paths, dask, out, enrich)
    try:
        for item in items:
            if isinstance(item, NotRead):  # a folder's README, say: reported, not a failure
                click.echo(f"not read {item.where}: {item.reason}", err=True)
                continue
            if isinstance(item, Skipped):
                skipped += 1
                click.echo(f"skipped {item.where}: {item.reason}", err=True)
                continue
            if isinstance(item, tuple):  # (where, notes) of an article extracted on the cluster
                where, notes = item
            else:
                where, notes = f"{printable(item.origin)}#{printable(item.id)}", item.notes
                click.echo(json.dumps(item.to_json(), ensure_ascii=False))
            for note in notes:  # extracted, but without a step
                skipped += 1
                click.echo(f"partial {where}: {note}", err=True)
    except _scheduler_error() as e:
        _fail(f"--dask {dask}: {e}", EXIT_USAGE)
    sys.exit(EXIT_PARTIAL if skipped else 0)


def _extract_on_cluster(paths, dask: str, out, enrich: bool):
    """What `searchapp extract --dask` reports, in walk order: `Skipped` and (where, notes) items;
    each shard's articles printed as it comes, unless they stay in ``out``."""
    from searchapp import cluster
    from searchapp.readers import Skipped

    for item in cluster.extract(paths, dask, out=out, enrich=enrich):
        if isinstance(item, Skipped):
            yield item
            continue
        yield from item.skipped
        if out is None:
            with open(item.path, "rb") as f:
                shutil.copyfileobj(f, sys.stdout.buffer)
            sys.stdout.flush()
        yield from item.notes


# -- serve --------------------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@_index_option
def serve_cmd(host, port, threads, index_dir):
    """Serve the search page and JSON API with a production WSGI server (waitress)."""
    from waitress import serve

    from searchapp.web import create_app

    app = create_app({"INDEX_DIR": str(index_dir)})
    from searchapp.search import Searcher

    try:  # the first visitor should not wait for the tables
        Searcher(app.extensions["searchapp"]).warm()
    except IndexMissing:
        pass  # the site says how to build one, and picks it up when it is there
    click.echo(f"searchapp: serving {index_dir} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    serve(app, host=host, port=port, threads=threads, ident="searchapp")


# -- evaluation and training ---------------------------------------------------------------------

@main.group("eval")
def eval_group() -> None:
    """Measure extraction and ranking quality on the shared data sets."""


def _data_dir(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        _fail(f"data not found: {p} (the shared test data lives in ../shared/data)", EXIT_USAGE)
    return p


@eval_group.command("html")
@click.option("--data", default="../shared/data/html-pages/extraction-benchmark", show_default=True)
def eval_html(data):
    """Main-text extraction: token F1 on the article-extraction benchmark."""
    from searchapp.evaluate import html_extraction

    result = html_extraction.evaluate(_data_dir(data))
    click.echo(html_extraction.format_report(result))


@eval_group.command("entities")
@click.option("--conll", default="../shared/data/conll2003/eng.testa", show_default=True)
@click.option("--reuters", default="../shared/data/reuters21578", show_default=True)
@click.option("--reuters-limit", type=int, default=None, help="Only the first N Reuters articles.")
def eval_entities(conll, reuters, reuters_limit):
    """People/places/organisations: CoNLL-2003 document F1 (the tagger alone, and what `extract`
    gives on plain text), Reuters-21578 tag recall."""
    from searchapp.evaluate import entities

    result = {"conll": entities.evaluate_conll(_data_dir(conll)),
              "conll_extract": entities.evaluate_conll_extract(_data_dir(conll)),
              "reuters": entities.evaluate_reuters(_data_dir(reuters), limit=reuters_limit)}
    click.echo(entities.format_report(result))


@eval_group.command("quotes")
@click.option("--polnear", default="../shared/data/polnear", show_default=True)
@click.option("--split", type=click.Choice(["dev", "train"]), default="dev", show_default=True)
@click.option("--folds", type=int, default=0, show_default=True,
              help="Also measure K folds of the train split: each fold (read with a reported-speech model "
                   "trained on the others: about a minute a fold) and the spread.")
def eval_quotes(polnear, split, folds):
    """Quotes, reported speech and speakers: precision, recall and speaker accuracy on PolNeAR."""
    from searchapp.evaluate import quotes

    click.echo(quotes.format_report(quotes.evaluate(_data_dir(polnear), split=split)))
    if folds:
        click.echo(quotes.format_folds(quotes.folds(_data_dir(polnear), folds)))


@main.group("train")
def train_group() -> None:
    """Re-create the shipped models from the shared data."""


@train_group.command("ner")
@click.option("--train", "train_path", default="../shared/data/conll2003/eng.train", show_default=True)
@click.option("--dev", "dev_path", default="../shared/data/conll2003/eng.testa", show_default=True)
@click.option("--out", "model_path", default=None, help="Model file (default: the packaged model).")
def train_ner(train_path, dev_path, model_path):
    """Train the named-entity model (CRF) on CoNLL-2003."""
    from searchapp.nlp import train_ner as trainer

    kwargs = {} if model_path is None else {"model_path": Path(model_path)}
    result = trainer.train(_data_dir(train_path), _data_dir(dev_path), **kwargs)
    click.echo(json.dumps(result, indent=2, default=str))


@train_group.command("reported")
@click.option("--polnear", default="../shared/data/polnear", show_default=True)
@click.option("--out", "model_path", default=None, help="Model file (default: the packaged model).")
@click.option("--hold-out", type=int, default=0, show_default=True,
              help="Leave out every K-th train article (for choosing settings on the rest).")
def train_reported(polnear, model_path, hold_out):
    """Train the reported-speech model (CRF) on PolNeAR's train split."""
    from searchapp.nlp import train_reported as trainer
    from searchapp.nlp.quotes import learned

    click.echo(trainer.train_split(_data_dir(polnear), Path(model_path) if model_path else learned.MODEL_PATH,
                                   hold_out))


# -- alerts (saved searches) ---------------------------------------------------------------------

@main.group("alerts")
def alerts_group() -> None:
    """Saved searches: be told what is new. State in INDEX/alerts.sqlite3."""


@alerts_group.command("add")
@click.argument("name")
@click.argument("query")
@_index_option
def alerts_add(name, query, index_dir):
    """Save QUERY as NAME. What it matches now counts as seen: `alerts run` reports what comes after."""
    from searchapp.alerts import AlertError, Alerts
    from searchapp.search import QueryError, Searcher

    try:
        n = Alerts(index_dir).add(name, query, Searcher(_store(index_dir)))
    except (AlertError, QueryError) as e:
        _fail(str(e), EXIT_USAGE)
    click.echo(f"saved {name!r}: {query} ({n:,} hits now, counted as seen)", err=True)


@alerts_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_index_option
def alerts_list(as_json, index_dir):
    """The saved searches."""
    from searchapp.alerts import Alerts

    for saved in Alerts(index_dir).list():
        click.echo(json.dumps(saved.to_json(), ensure_ascii=False) if as_json else
                   f"{saved.name}\t{saved.query}\t(last run: {saved.last_run or 'never'})")


@alerts_group.command("remove")
@click.argument("name")
@_index_option
def alerts_remove(name, index_dir):
    """Forget the saved search NAME."""
    from searchapp.alerts import Alerts

    if not Alerts(index_dir).remove(name):
        _fail(f"no saved search named {name!r}", EXIT_USAGE)


@alerts_group.command("run")
@click.argument("names", nargs=-1)
@click.option("--smtp", envvar="SEARCHAPP_SMTP", default=None, metavar="HOST:PORT",
              help="Also mail the new hits through this SMTP server (or $SEARCHAPP_SMTP).")
@click.option("--mail-from", envvar="SEARCHAPP_MAIL_FROM", default=None, help="Sender (or $SEARCHAPP_MAIL_FROM).")
@click.option("--mail-to", envvar="SEARCHAPP_MAIL_TO", default=None,
              help="Recipients, comma-separated (or $SEARCHAPP_MAIL_TO).")
@_index_option
def alerts_run(names, smtp, mail_from, mail_to, index_dir):
    """What each saved search (or NAMES) matches that it had not matched before, as JSON lines on
    stdout, marked as reported; quote hits carry the quote and its speaker. With --smtp, by mail too.
    Exit code 1 if the mail could not be sent (then nothing is marked)."""
    import smtplib

    from searchapp.alerts import AlertError, Alerts, Mail
    from searchapp.search import Searcher

    try:
        mail = Mail.from_env({"SEARCHAPP_SMTP": smtp or "", "SEARCHAPP_MAIL_FROM": mail_from or "",
                              "SEARCHAPP_MAIL_TO": mail_to or "", **{k: v for k, v in os.environ.items()
                                                                      if k.startswith("SEARCHAPP_SMTP_")}})
        rows = Alerts(index_dir).run(Searcher(_store(index_dir)), list(names) or None,
                                     deliver=mail.send if mail is not None else None)
    except AlertError as e:
        _fail(str(e), EXIT_USAGE)
    except (OSError, smtplib.SMTPException) as e:
        _fail(f"could not mail the alerts through {smtp}: {e} (nothing was marked as reported: the next "
              f"run reports them again)", EXIT_PARTIAL)
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))
    click.echo(f"{len(rows):,} new hit(s){' (mailed)' if mail is not None and rows else ''}", err=True)


def run() -> None:  # pragma: no cover - console entry point
    try:
        main(standalone_mode=True)
    except (IndexMissing, ShardUnavailable) as e:
        _fail(str(e), EXIT_INDEX)


if __name__ == "__main__":  # pragma: no cover
    run()
