"""Copies of one story and one quote across articles, through the index: results collapse by default,
the speaker page lists each quote once, a quote's provenance, quote exports, `index dups`."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp import indexer
from searchapp.cli import main
from searchapp.search import Searcher
from searchapp.store import IndexStore
from searchapp.web import create_app
from tests.conftest import BACKENDS

SYNDICATED = Path(__file__).resolve().parent / "fixtures" / "syndicated"


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, backend_store) -> IndexStore:
    """The syndicated copies on each backend: collapse, provenance and exports hold on Xapian too."""
    store = backend_store(request.param)
    report = indexer.build(store, [SYNDICATED], procs=1)
    assert report.indexed == 3 and not report.skipped
    return store


@pytest.fixture(scope="module")
def client(store):
    return create_app({"INDEX_DIR": str(store.root), "TESTING": True}).test_client()


def test_copies_of_one_story_are_one_hit_with_its_versions(store):
    s = Searcher(store)
    res = s.search("ferry terminal")
    assert (res.total, res.articles) == (2, 3)  # two stories, three articles
    wire = next(h for h in res.hits if h.id in ("wire-1", "daily-7"))
    assert [v["id"] for v in wire.versions] == ["daily-7" if wire.id == "wire-1" else "wire-1"]
    everything = s.search("ferry terminal", collapse=False)
    assert everything.total == everything.articles == 3 and all(not h.versions for h in everything.hits)
    assert len(list(s.iter_hits("ferry terminal"))) == 2
    assert len(list(s.iter_hits("ferry terminal", collapse=False))) == 3
    # facets count stories too
    assert dict(res.facets["speakers"]).get("Maren Holt") is not None


def test_groups_follow_add_and_delete(tmp_path):
    store = IndexStore(tmp_path / "ix")
    src = tmp_path / "src"
    src.mkdir()
    lines = (SYNDICATED / "wire.jsonl").read_text().splitlines()
    (src / "a.jsonl").write_text(lines[0] + "\n")
    indexer.build(store, [src], procs=1)
    assert Searcher(store).duplicate_groups() == []
    more = tmp_path / "more"
    more.mkdir()
    (more / "b.jsonl").write_text(lines[1] + "\n" + lines[2] + "\n")
    indexer.add(store, [more], procs=1)
    [group] = Searcher(store).duplicate_groups()
    assert group.ids == ("wire-1", "daily-7") and group.first == "wire-1"
    assert Searcher(store).search("ferry terminal").total == 2
    indexer.delete(store, ["wire-1"])
    assert Searcher(store).duplicate_groups() == []
    assert Searcher(store).search("ferry terminal").total == 2


def test_speaker_page_lists_each_quote_once_with_where_it_first_appeared(client):
    text = client.get("/speaker/Maren%20Holt").get_data(as_text=True)
    assert text.count('class="quote-group"') == 1  # three versions, one quote
    assert "first reported by Coastal Wire on 2024-05-02, repeated in 2 articles" in text
    assert "<strong>1 quote</strong> (3 with their repeats) in 3 articles" in text


def test_quote_provenance_marks_the_changed_version(client):
    page = client.get("/speaker/Maren%20Holt").get_data(as_text=True)
    url = page.split('<p class="provenance"><a href="')[1].split('"')[0]
    assert url.startswith("/quote/wire-1@")
    data = client.get("/api/quotes/" + url[len("/quote/"):]).get_json()
    assert [o["article"] for o in data["occurrences"]] == ["wire-1", "daily-7", "weekly-3"]
    assert data["occurrences"][1]["diff"]["marks"] == []
    assert "altered" in data["occurrences"][2]["diff"]["marks"]  # "and work" is gone
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="version"') == 3 and "<del>" in html
    assert client.get("/api/quotes/nothing@0").status_code == 404


def test_quote_export_one_row_per_quote(client):
    response = client.get("/api/export.csv?q=speaker:Holt&rows=quotes&collapse=0")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    assert {r["first_article"] for r in rows} == {"wire-1"} and {r["versions"] for r in rows} == {"3"}
    assert "rows" in client.get("/api/export.csv?q=x&rows=lines").get_json()["error"]["message"]


def test_cli_dups_and_quote_export(store):
    runner = CliRunner()
    result = runner.invoke(main, ["index", "dups", "--json", "--index", str(store.root)])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {"ids": ["wire-1", "daily-7"], "kind": "near", "first": "wire-1"}]
    result = runner.invoke(main, ["search", "speaker:Holt", "--quotes", "--format", "jsonl", "--index", str(store.root)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 2 and all(r["speaker"] == "Maren Holt" for r in rows)  # two stories
    result = runner.invoke(main, ["search", "ferry", "--all-versions", "--index", str(store.root)])
    assert result.output.startswith("3 articles")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_quote_export_of_words_has_every_quote_of_each_hit_and_only_live_ones(backend, backend_store, tmp_path):
    def article(name, body):
        (tmp_path / name).write_text(json.dumps({"id": name, "title": "Harbour", "body": body}) + "\n")
        return tmp_path / name

    store = backend_store(backend)
    # b before a: a's old quote, deleted by the update, follows a live article without quotes (where a
    # backend keeps deleted documents until a merge)
    indexer.build(store, [article("b.jsonl", "The harbour board met on Monday and adjourned without a vote."),
                          article("a.jsonl", '"The dredging starts in May," said Anna Berg, the harbour master.'),
                          article("c.jsonl", '"We will appeal the harbour ruling," said Tom Lund.')], procs=1)
    indexer.add(store, [article("a.jsonl", '"The dredging is put off to June," said Anna Berg, the harbour master.')],
                procs=1)
    rows = sorted((r["article"], r["quote"]) for r in Searcher(store).iter_quotes("harbour", collapse=False))
    assert rows == [("a.jsonl", "The dredging is put off to June"), ("c.jsonl", "We will appeal the harbour ruling")]
