"""`searchapp ingest SOURCE...`: rounds of `searchapp.ingest.run`, a summary per source, Ctrl-C between
articles. Kept apart from `searchapp.cli` (which only registers it) so the command grows here."""
from __future__ import annotations

import json
import signal
import smtplib
import sys
import threading
import time
from pathlib import Path

import click

from searchapp.ingest.fetch import USER_AGENT, Fetcher, Policy
from searchapp.ingest.listing import ListingError, read_listing
from searchapp.ingest.run import Round, RoundSummary
from searchapp.ingest.state import State
from searchapp.store import IndexBusy, IndexStore

EXIT_FAILED, EXIT_USAGE, EXIT_INDEX, EXIT_INTERRUPTED = 1, 2, 3, 130


def expand(sources: tuple[str, ...]) -> list[str]:
    """URLs as given; a local file is an OPML list (a feed reader's export) and gives its feeds."""
    urls = []
    for source in sources:
        path = Path(source)
        if "://" in source:
            urls.append(source)
            continue
        if not path.is_file():
            raise click.UsageError(f"{source}: not a URL, and no such file (an OPML list of feeds)")
        try:
            listing = read_listing(path.read_bytes(), url=str(path))
        except (OSError, ListingError) as e:
            raise click.UsageError(f"{source}: not a readable OPML list ({e})") from None
        if listing.kind != "opml" or not listing.sources:
            raise click.UsageError(f"{source}: a local file must be an OPML list of feeds")
        urls += listing.sources
    return urls


def print_summary(summary: RoundSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.to_json()))
    for s in summary.sources:
        state = " (not modified)" if s.not_modified else ""
        click.echo(f"{s.url} ({s.kind or 'unread'}){state}: {s.new} new, {s.updated} updated, "
                   f"{s.unchanged} unchanged, {len(s.failed)} failed", err=True)
        for url, reason in s.failed[:20]:
            click.echo(f"  failed {reason if reason.startswith(url) else f'{url}: {reason}'}", err=True)
        if len(s.failed) > 20:
            click.echo(f"  ... and {len(s.failed) - 20} more", err=True)
    totals = summary.to_json()
    click.echo(f"ingest: {totals['new']} new, {totals['updated']} updated, {totals['unchanged']} unchanged, "
               f"{totals['failed']} failed; {summary.requests} requests"
               + (f"; kept in {summary.crawl[0]}" + (f" and {len(summary.crawl) - 1} more" if summary.crawl[1:] else "")
                  if summary.crawl else "")
               + ("; stopped early" if summary.stopped else ""), err=True)


def _progress():
    """Each source as it is read; fetched articles counted, a line every few seconds."""
    seen = {"fetched": 0, "shown": time.monotonic()}

    def show(message: str) -> None:
        if not message.startswith("fetched "):
            click.echo(message, err=True)
            return
        seen["fetched"] += 1
        if time.monotonic() - seen["shown"] >= 5:
            seen["shown"] = time.monotonic()
            click.echo(f"  {seen['fetched']:,} articles fetched", err=True)
    return show


def alert(store: IndexStore, index_dir: Path) -> bool:
    """The saved searches' new hits after a round (searchapp.alerts); False if they could not be mailed."""
    from searchapp.alerts import AlertError, Alerts, Mail
    from searchapp.search import Searcher

    alerts = Alerts(index_dir)
    if not alerts.list():
        return True
    try:
        mail = Mail.from_env()
        rows = alerts.run(Searcher(store), deliver=mail.send if mail is not None else None)
    except (AlertError, OSError, smtplib.SMTPException) as e:
        click.echo(f"alerts: {e} (not marked as reported: the next round tries again)", err=True)
        return False
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))
    if rows:
        click.echo(f"alerts: {len(rows):,} new hit(s)", err=True)
    return True


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option("--watch", type=click.FloatRange(min=0.1), default=None, metavar="MINUTES",
              help="Keep polling: a round every MINUTES until Ctrl-C.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to one host (a site's longer Crawl-delay wins).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds to wait to connect, and between two reads of a response.")
@click.option("--user-agent", envvar="SEARCHAPP_USER_AGENT", default=USER_AGENT, show_default=False,
              help="User-Agent to send (or $SEARCHAPP_USER_AGENT); add a contact address for site owners.")
@click.option("--enrich/--no-enrich", default=True, show_default=True,
              help="Extract people, places, organisations, sources and quotes.")
@click.option("--procs", type=click.IntRange(1, 64), default=None, help="Worker processes for indexing.")
@click.option("--json", "as_json", is_flag=True, help="Also print each round's summary as a JSON line on stdout.")
@click.option("--alerts/--no-alerts", "run_alerts", default=True, show_default=True,
              help="After each round, run the saved searches (`searchapp alerts`): their new hits as JSON lines "
                   "on stdout, and by mail if $SEARCHAPP_SMTP is set.")
@click.option("--index", "index_dir", envvar="SEARCHAPP_INDEX", default="index", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Index directory (or set $SEARCHAPP_INDEX).")
def ingest_command(sources, watch, delay, timeout, user_agent, enrich, procs, as_json, run_alerts, index_dir):
    """Fetch and index what is new in SOURCES: feed, sitemap or article URLs, or OPML files of feeds.

    Fetches politely (robots.txt, a delay per host, conditional GET) and remembers what it has seen
    in INDEX/ingest.sqlite3, so a second run fetches only what is new or changed. Pages are kept in
    INDEX/ingest/*.warc.gz. Ctrl-C stops between articles and indexes what was fetched. Exit code 1
    if a source or an article failed (each is listed with its reason), 3 if the index is busy.
    """
    urls = expand(sources)
    store = IndexStore(index_dir)
    policy = Policy(user_agent=user_agent, timeout=timeout, delay=delay)
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("stopping after the current article (Ctrl-C again to abort: the index stays as it was)",
                   err=True)

    signal.signal(signal.SIGINT, on_interrupt)
    state = State.beside(index_dir)
    failed = False
    try:
        while True:
            # A fetcher per round: robots.txt is read again each round, as a site may change it.
            summary = Round(store, state, Fetcher(policy), enrich=enrich, procs=procs, stop=stop,
                            progress=_progress()).run(urls)
            print_summary(summary, as_json)
            failed = failed or bool(summary.failed)
            if run_alerts and summary.indexed:
                failed = not alert(store, index_dir) or failed
            if watch is None or stop.wait(watch * 60):
                break
    except IndexBusy as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_INDEX)
    except KeyboardInterrupt:
        click.echo("interrupted: this round's pages were not indexed (they will be fetched again)", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        signal.signal(signal.SIGINT, previous)
        state.close()
    sys.exit(EXIT_INTERRUPTED if stop.is_set() else EXIT_FAILED if failed else 0)
