"""Saved searches and alerts (searchapp.alerts) on a real index: new hits reported once, quote hits
with their quote and speaker, by mail through a real SMTP conversation on 127.0.0.1, from the CLI;
and every search as an Atom feed."""
from __future__ import annotations

import json
import socket
import socketserver
import threading
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from searchapp import indexer
from searchapp.alerts import AlertError, Alerts, Mail
from searchapp.cli import main
from searchapp.search import QueryError, Searcher
from searchapp.store import IndexStore
from searchapp.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


def _write(folder, name, title, body, date="2022-02-10"):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps({"id": name, "title": title, "body": body, "published": date}) + "\n",
                               encoding="utf-8")


@pytest.fixture()
def archive(tmp_path):
    docs = tmp_path / "docs"
    _write(docs, "a.jsonl", "Troops gather near the border",
           'Russian Foreign Minister Sergey Lavrov said on Monday: "We have no plans to attack anyone." '
           "Troops were seen near the border, officials in Kyiv said.")
    _write(docs, "b.jsonl", "Harbour plan approved", "The harbour council approved the plan on Monday, officials said.")
    store = IndexStore(tmp_path / "index")
    indexer.build(store, [docs])
    return store, tmp_path


def _add_article(store, tmp_path, name, title, body, date):
    more = tmp_path / name
    _write(more, name + ".jsonl", title, body, date)
    indexer.add(store, [more])


def test_new_hits_are_reported_once_and_quote_hits_carry_quote_and_speaker(archive):
    store, tmp_path = archive
    searcher, alerts = Searcher(store), Alerts(store.root)
    assert alerts.add("border", "troops", searcher) == 1  # what matches now counts as seen
    assert alerts.add("lavrov", "speaker:Lavrov", searcher) == 1
    assert alerts.run(searcher) == []

    _add_article(store, tmp_path, "c", "More troops arrive", "More troops arrived at the border on Tuesday. "
                 'Sergey Lavrov told reporters: "These are exercises and nothing more."', "2022-02-11")
    rows = alerts.run(searcher)
    by_alert = {r["alert"]: r for r in rows}
    assert set(by_alert) == {"border", "lavrov"} and len(rows) == 2
    assert by_alert["border"]["id"] == "c.jsonl" and by_alert["border"]["title"] == "More troops arrive"
    assert by_alert["lavrov"]["speaker"] == "Sergey Lavrov"
    assert by_alert["lavrov"]["quote"].rstrip(".") == "These are exercises and nothing more"
    assert alerts.run(searcher) == []  # reported once
    assert [s.name for s in alerts.list()] == ["border", "lavrov"] and all(s.last_run for s in alerts.list())


def test_saving_checks_the_name_and_the_query(archive):
    store, _ = archive
    searcher, alerts = Searcher(store), Alerts(store.root)
    with pytest.raises(QueryError):
        alerts.add("bad", "troops" * 300, searcher)
    with pytest.raises(AlertError, match="name"):
        alerts.add("bad\nname", "troops", searcher)
    alerts.add("border", "troops", searcher)
    with pytest.raises(AlertError, match="already"):
        alerts.add("border", "harbour", searcher)
    with pytest.raises(AlertError, match="no saved search"):
        alerts.run(searcher, ["nothing"])
    assert alerts.remove("border") and not alerts.remove("border") and alerts.list() == []


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message: what smtplib says, answered in order."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        data, lines = False, []
        while line := self.rfile.readline():
            if data:
                if line == b".\r\n":
                    data = False
                    self.server.messages.append(b"".join(lines).decode("utf-8", "replace"))
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
            elif line[:4].upper() == b"DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif line[:4].upper() == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture()
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_alerts_by_mail_and_nothing_marked_when_the_mail_fails(archive, smtp_server):
    store, tmp_path = archive
    searcher, alerts = Searcher(store), Alerts(store.root)
    alerts.add("lavrov", "speaker:Lavrov", searcher)
    _add_article(store, tmp_path, "c", "Talks", 'Sergey Lavrov said: "We want talks."', "2022-02-12")

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with pytest.raises(OSError):
        alerts.run(searcher, deliver=Mail(f"127.0.0.1:{dead}", "a@example.org", ["b@example.org"]).send)
    port = smtp_server.server_address[1]
    rows = alerts.run(searcher, deliver=Mail(f"127.0.0.1:{port}", "a@example.org", ["b@example.org"]).send)
    assert len(rows) == 1 and rows[0]["quote"].rstrip(".") == "We want talks"  # not lost to the failed mail
    (message,) = smtp_server.messages
    assert "Subject: searchapp: 1 new for lavrov" in message and "We want talks" in message
    assert "Sergey Lavrov" in message


def test_the_alerts_commands(archive, smtp_server):
    store, tmp_path = archive
    runner = CliRunner()
    index = ["--index", str(store.root)]
    assert runner.invoke(main, ["alerts", "add", "border", "troops", *index]).exit_code == 0
    bad = runner.invoke(main, ["alerts", "add", "oops", "troops" * 300, *index])
    assert bad.exit_code == 2 and "characters long" in bad.output
    listed = runner.invoke(main, ["alerts", "list", "--json", *index])
    assert [json.loads(line)["name"] for line in listed.output.splitlines()] == ["border"]
    _add_article(store, tmp_path, "c", "Troops again", "Troops moved again on Wednesday.", "2022-02-13")
    port = smtp_server.server_address[1]
    ran = runner.invoke(main, ["alerts", "run", "--smtp", f"127.0.0.1:{port}", "--mail-from", "a@example.org",
                               "--mail-to", "b@example.org,c@example.org", *index])
    assert ran.exit_code == 0, ran.output
    rows = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["c.jsonl"] and len(smtp_server.messages) == 1
    assert runner.invoke(main, ["alerts", "run", *index]).stdout == ""
    assert runner.invoke(main, ["alerts", "remove", "border", *index]).exit_code == 0
    assert runner.invoke(main, ["alerts", "remove", "border", *index]).exit_code == 2


def test_every_search_is_an_atom_feed_newest_first(archive):
    store, tmp_path = archive
    _add_article(store, tmp_path, "c", "Troops <b>again</b> & more", "Troops moved again on Wednesday.", "2022-02-13")
    client = create_app({"INDEX_DIR": str(store.root), "TESTING": True}).test_client()
    page = client.get("/search?q=troops")
    assert b'rel="alternate" type="application/atom+xml"' in page.data and b"/search.atom?q=troops" in page.data
    response = client.get("/search.atom?q=troops")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Troops <b>again</b> & more", "Troops gather near the border"]
    assert entries[0].findtext(f"{ATOM}updated") == "2022-02-13T00:00:00Z"
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://localhost/article/")


def test_the_saved_searches_page_shows_what_is_new_without_marking_it(archive):
    store, tmp_path = archive
    searcher, alerts = Searcher(store), Alerts(store.root)
    alerts.add("border", "troops", searcher)
    _add_article(store, tmp_path, "c", "Troops <script>x</script>", "Troops moved again.", "2022-02-13")
    client = create_app({"INDEX_DIR": str(store.root), "TESTING": True}).test_client()
    page = client.get("/alerts").data.decode()
    assert "border" in page and "1 new" in page and "Troops &lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page
    assert len(alerts.run(searcher)) == 1  # the page marked nothing
