"""The plain-text, Reuters SGML and JSON-lines readers, and the dispatcher (HTML: test_readers_html.py)."""
import json

import pytest

from searchapp.article import Article
from searchapp.readers import ReadError, Skipped
from searchapp.readers import jsonl, reuters, text
from searchapp.readers.dispatch import read_paths
from tests.conftest import SEEDS, shared_data

SEED = SEEDS / "000_92132aacbd1f3e76.txt"


def articles(items):
    return [i for i in items if isinstance(i, Article)]


def skipped(items):
    return [i for i in items if isinstance(i, Skipped)]


# -- text -----------------------------------------------------------------------------------------

def test_seed_is_read_whole_as_the_body():
    [a] = list(text.read(SEED))
    assert a.id == "000_92132aacbd1f3e76"
    assert a.title == ""  # its first line is a sentence, not a headline
    assert a.body == SEED.read_text(encoding="utf-8").strip()
    assert "“a talk of a mute with a deaf.”" in a.body


def test_headline_first_line_becomes_the_title(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text("Harbour Plan Approved\n\nThe council approved the harbour plan on Monday. It costs a lot.\n")
    [a] = list(text.read(p))
    assert a.title == "Harbour Plan Approved"
    assert a.body.startswith("The council approved")


def test_word_lists_are_not_articles(tmp_path):
    p = tmp_path / "codes.txt"
    p.write_text("amex\nnyse\nlse\n")
    with pytest.raises(ReadError, match="not an article"):
        list(text.read(p))


# Short articles in scripts that \w splits (Devanagari vowel signs), that end sentences with other
# marks, or that write no spaces at all; written here, not copied from anywhere.
OTHER_SCRIPTS = {
    "hindi": "दिल्ली में आज बारिश हुई।\nसड़कें पानी से भर गईं।",
    "chinese": "北京今天下雨了。\n很多街道被水淹没。",
    "thai": "วันนี้ฝนตกหนักในกรุงเทพมหานครและถนนหลายสายมีน้ำท่วมขัง",
    "japanese": "東京では今日、大雨が降りました。",
}


@pytest.mark.parametrize("language", sorted(OTHER_SCRIPTS))
def test_text_in_any_script_is_an_article(tmp_path, language):
    p = tmp_path / f"{language}.txt"
    p.write_text(OTHER_SCRIPTS[language], encoding="utf-8")
    [a] = articles(read_paths([p]))
    assert a.body.replace("\n", "") == OTHER_SCRIPTS[language].replace("\n", "")


@pytest.mark.parametrize("content", ["दिल्ली\nमुंबई\nकोलकाता\nचेन्नई\n", "北京\n上海\n中华人民共和国\n",
                                     "antidisestablishmentarianism\nzebra\n", "1,2,3\n4.5,6,7\n8;9;10\n"])
def test_word_lists_and_data_files_in_any_script_are_not_articles(tmp_path, content):
    p = tmp_path / "list.txt"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ReadError, match="not an article"):
        list(text.read(p))


def test_cp1252_text_is_decoded(tmp_path):
    p = tmp_path / "cp.txt"
    p.write_bytes("The caf\xe9 owner said \x93prices will rise\x94 next week in town.".encode("latin-1"))
    [a] = list(text.read(p))
    assert "café" in a.body and "“prices will rise”" in a.body


@pytest.mark.parametrize("content, reason", [(b"", "empty"), (b"\x00\x01\x02binary\x00" * 20, "binary"),
                                             (b"   \n\n", "empty")])
def test_bad_text_files_are_skipped_with_a_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    [s] = skipped(read_paths([p]))
    assert s.where == str(p) and reason in s.reason


# -- Reuters SGML --------------------------------------------------------------------------------

SGML = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="7">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS><PLACES><D>el-salvador</D><D>usa</D></PLACES><PEOPLE><D>jane-doe</D></PEOPLE><ORGS></ORGS>
<TEXT>&#2;
<TITLE>COCOA REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued in the
cocoa zone, the review said.
    Arrivals &lt;rose&gt; this week.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="8">
<DATE>31-JUN-1987 99:00:00.00 junk</DATE>
<TEXT TYPE="BRIEF">&#2;
<TITLE>SHORT ITEM</TITLE>
</TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="9">
<DATE>1-MAR-1987</DATE>
<TEXT>
"""


def test_reuters_records_are_streamed_with_gold_tags(tmp_path):
    p = tmp_path / "reut2-x.sgm"
    p.write_bytes(SGML.encode("latin-1"))
    items = list(reuters.read(p))
    a, brief = articles(items)
    assert a.id == "reuters-7" and a.title == "COCOA REVIEW" and a.dateline == "Salvador"
    assert a.body == "Showers continued in the cocoa zone, the review said.\n\nArrivals <rose> this week."
    assert a.published.isoformat() == "1987-02-26T15:01:01"
    assert (a.gold_places, a.gold_people, a.gold_topics) == (["el-salvador", "usa"], ["jane-doe"], ["cocoa"])
    assert a.places == [] and a.people == []  # gold tags are not extracted data
    assert brief.published is None  # junk date
    [trunc] = skipped(items)
    assert "truncated" in trunc.reason


def test_shared_reuters_file_reads_about_a_thousand_articles():
    path = shared_data("reuters21578", "reut2-000.sgm")
    items = list(reuters.read(path))
    arts = articles(items)
    assert len(arts) == 1000 and not skipped(items)
    assert all(a.id.startswith("reuters-") for a in arts)
    assert sum(1 for a in arts if a.published) > 990
    assert not any("&#3;" in a.body or a.body.endswith("Reuter") for a in arts)


# -- JSON lines ----------------------------------------------------------------------------------

def test_jsonl_reads_good_lines_and_reports_bad_ones(tmp_path):
    p = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "One", "body": "First body.", "published": "2022-02-10"}),
        "{not json",
        json.dumps({"id": "a2", "body": "Second", "people": "not a list"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"title": "No id", "body": "Gets one from the file and line."}),
    ]
    p.write_text("\n".join(lines) + "\n")
    items = list(jsonl.read(p))
    good = articles(items)
    assert [a.id for a in good] == ["a1", "feed-6"]
    assert good[0].published.isoformat() == "2022-02-10T00:00:00"
    bad = skipped(items)
    assert [s.where for s in bad] == [f"{p}:2", f"{p}:3", f"{p}:4"]
    assert "invalid JSON" in bad[0].reason and "'people'" in bad[1].reason


def test_jsonl_round_trips_the_extract_contract(tmp_path):
    from searchapp.article import Mention, Quote

    a = Article(id="x", title="T", body="He said “hi”.", people=["Ann Lee"],
                quotes=[Quote("hi", 9, 11, "Ann Lee", Mention("He", 0, 2), "said")])
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps(a.to_json()) + "\n")
    [b] = articles(jsonl.read(p))
    assert b.to_json() == {**a.to_json(), "path": str(p)}


# -- dispatch ------------------------------------------------------------------------------------

def test_directories_are_walked_and_unknown_types_reported_as_not_read(tmp_path):
    from searchapp.readers.dispatch import NotRead

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("A short story about the harbour. It was approved.")
    (tmp_path / "notes.md").write_text("# not an article")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # a symlink loop
    items = list(read_paths([tmp_path]))
    assert [a.id for a in articles(items)] == ["sub/a"]
    [passed] = skipped(items)
    assert isinstance(passed, NotRead) and passed.where.endswith("notes.md") and "unsupported file type '.md'" in passed.reason


def test_named_missing_and_unsupported_files_are_reported(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    items = list(read_paths([tmp_path / "nope.txt", tmp_path / "x.pdf"]))
    assert [s.reason.split(";")[0] for s in skipped(items)] == ["no such file or directory", "unsupported file type '.pdf'"]


def test_oversized_files_are_skipped_not_read(tmp_path, monkeypatch):
    from searchapp.readers import dispatch

    monkeypatch.setattr(dispatch, "MAX_ARTICLE_BYTES", 1024)
    p = tmp_path / "big.txt"
    p.write_text("word " * 1000)
    [s] = skipped(read_paths([p]))
    assert "article limit" in s.reason
