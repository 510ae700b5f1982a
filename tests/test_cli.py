"""The `searchapp` command, run as a user runs it."""
import json
import subprocess
import sys

from click.testing import CliRunner

from searchapp.cli import main
from tests.conftest import FIXTURES, SEEDS

CONTRACT = {"id", "path", "title", "body", "published", "byline", "publisher", "people", "places", "orgs",
            "sources", "quotes"}


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_help_lists_every_command():
    out = run("--help").output
    for cmd in ("index", "search", "extract", "serve", "eval", "train"):
        assert cmd in out
    out = run("index", "--help").output
    for cmd in ("build", "add", "delete", "stats"):
        assert cmd in out


def test_build_then_search_the_seed_from_a_real_process(tmp_path):
    ix = tmp_path / "ix"
    build = subprocess.run([sys.executable, "-m", "searchapp", "index", "build", str(SEEDS), "--index", str(ix)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "indexed 1 articles" in build.stderr and "skipped: 0" in build.stderr
    found = subprocess.run([sys.executable, "-m", "searchapp", "search", "Truss Moscow", "--index", str(ix)],
                           capture_output=True, text=True)
    assert found.returncode == 0
    assert "1 article" in found.stdout and "[Truss]" in found.stdout and "[Moscow]" in found.stdout


def test_index_dir_comes_from_the_environment(tmp_path):
    env = {"SEARCHAPP_INDEX": str(tmp_path / "envix")}
    assert run("index", "build", SEEDS, env=env).exit_code == 0
    res = run("search", "--json", "speaker:Truss troops", env=env)
    data = json.loads(res.output)
    assert data["total"] == 1 and data["mode"] == "quotes"
    assert "100,000 troops" in data["hits"][0]["quotes"][0]["text"]
    assert dict((f["value"], f["count"]) for f in data["facets"]["speakers"])["Elizabeth Truss"] >= 1


def test_skipped_files_set_exit_code_1_and_are_listed(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "good.txt").write_text("The harbour plan was approved on Monday by the council.")
    (bad / "empty.txt").write_text("")
    (bad / "bin.html").write_bytes(b"\x00\x01\x02" * 100)
    res = run("index", "build", bad, "--index", tmp_path / "ix", "--report", tmp_path / "r.json")
    assert res.exit_code == 1
    assert "indexed 1 articles" in res.output and "empty.txt: empty file" in res.output and "bin.html" in res.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["indexed"] == 1 and len(report["skipped"]) == 2


def test_search_without_an_index_says_how_to_build_one(tmp_path):
    res = run("search", "x", "--index", tmp_path / "none")
    assert res.exit_code == 3 and "searchapp index build" in res.output


def test_bad_query_parameters_are_usage_errors(tmp_path):
    run("index", "build", SEEDS, "--index", tmp_path / "ix")
    res = run("search", "troops", "--page", "0", "--index", tmp_path / "ix")
    assert res.exit_code == 2 and "page" in res.output and "Traceback" not in res.output


def test_add_delete_and_stats(tmp_path):
    ix = tmp_path / "ix"
    run("index", "build", SEEDS, "--index", ix)
    assert run("index", "add", FIXTURES / "articles", "--index", ix).exit_code == 0
    stats = json.loads(run("index", "stats", "--json", "--index", ix).output)
    assert stats["articles"] == 4 and stats["quotes"] >= 8
    assert run("index", "delete", "fx-coffee", "--index", ix).exit_code == 0
    assert run("index", "delete", "fx-coffee", "--index", ix).exit_code == 1
    assert json.loads(run("index", "stats", "--json", "--index", ix).output)["articles"] == 3


def test_extract_prints_the_json_contract():
    res = run("extract", SEEDS, "--format", "jsonl")
    [line] = res.output.strip().splitlines()
    data = json.loads(line)
    assert CONTRACT <= set(data)
    assert data["published"] is None
    body = data["body"]
    for q in data["quotes"]:
        assert set(q) == {"text", "start", "end", "speaker", "mention", "cue", "kind"}
        assert body[q["start"]:q["end"]] == q["text"]
        if q["mention"]:
            m = q["mention"]
            assert body[m["start"]:m["end"]] == m["text"]
    assert "Sergey Lavrov" in data["people"] and "Reuters" in data["sources"]


def test_the_server_binds_to_loopback_unless_told_otherwise():
    from searchapp.cli import serve_cmd

    assert [p.default for p in serve_cmd.params if p.name == "host"] == ["127.0.0.1"]
