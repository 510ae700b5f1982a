"""Quote groups, first reports and word-level differences (searchapp.archive.quotes). Quotes are made up."""
import datetime as dt

from searchapp.archive.quotes import Occurrence, diff_words, group_quotes, same_speaker

DAY = dt.datetime(2024, 5, 2, 8, 0)
QUOTE = "We will not close a single mine this year, whatever the price of copper does."


def occ(article, text, speaker="Maren Holt", hours=0, publisher="Wire"):
    return Occurrence(article, text, speaker, DAY + dt.timedelta(hours=hours), publisher)


def test_one_quote_across_articles_with_small_changes():
    groups = group_quotes([
        occ("c", "We will not close a single mine this year.", "Holt", hours=5, publisher="Courier"),
        occ("a", QUOTE, hours=1, publisher="Daily Ledger"),
        occ("b", "“We won't close a single mine this year, whatever the price of copper does,”", "MAREN HOLT",
            hours=3),
        occ("d", "Copper prices are not our problem.", "Maren Holt", hours=2),
        occ("e", QUOTE, "Ivo Holt", hours=4),  # another Holt
        occ("f", QUOTE, None, hours=0),  # nobody said it: stays alone
    ])
    by_first = {g.first.article_id: g for g in groups}
    assert [o.article_id for o in by_first["a"].occurrences] == ["a", "b", "c"]
    assert by_first["a"].articles == ["a", "b", "c"]
    assert set(by_first) == {"a", "d", "e", "f"}
    assert [g.first.article_id for g in groups] == ["f", "a", "d", "e"]  # in order of first occurrence
    assert by_first["a"].summary() == "first reported by Daily Ledger on 2024-05-02, repeated in 2 articles"
    assert by_first["d"].summary() == "reported by Wire on 2024-05-02"


def test_group_ids_are_stable_and_follow_the_first_occurrence():
    one = group_quotes([occ("a", QUOTE), occ("b", QUOTE, hours=1)])
    again = group_quotes([occ("b", QUOTE, hours=1), occ("a", QUOTE)])
    assert one[0].id == again[0].id and one[0].id.startswith("q-")
    earlier = group_quotes([occ("a", QUOTE), occ("b", QUOTE, hours=1), occ("z", QUOTE, hours=-1)])
    assert earlier[0].first.article_id == "z" and earlier[0].id != one[0].id


def test_speakers():
    assert same_speaker("Sergey Lavrov", "Lavrov") and same_speaker("Sergey Lavrov", "Sergei Lavrov")
    assert same_speaker("Lavrov", "LAVROV")
    assert not same_speaker("Ann Lee", "Bo Lee") and not same_speaker(None, "Lee")


def test_short_quotes_match_only_when_equal():
    groups = group_quotes([occ("a", "rigged"), occ("b", "Rigged!", hours=1), occ("c", "rigged votes", hours=2)])
    assert sorted(len(g.occurrences) for g in groups) == [1, 2]


def test_diff_marks_truncated_altered_and_spliced_versions():
    same = diff_words(QUOTE, "“We will not close a single mine this year, whatever the price of copper does”")
    assert same.marks == frozenset()
    truncated = diff_words(QUOTE, "We will not close a single mine this year")
    assert truncated.marks == {"truncated"}
    assert truncated.markup() == "We will not close a single mine this year [-whatever the price of copper does.-]"
    altered = diff_words(QUOTE, "We will not shut a single mine this year, whatever the price of copper does.")
    assert altered.marks == {"altered"}
    assert "[-close-] {+shut+}" in altered.markup()
    spliced = diff_words(QUOTE, "We will not close, whatever the price of copper does.")
    assert spliced.marks == {"spliced"}
    both = diff_words(QUOTE, "We will close a single mine")
    assert both.marks == {"altered", "truncated"}
    assert both.to_json()["marks"] == ["altered", "truncated"]


def test_provenance_lists_every_version_against_the_first():
    [group] = group_quotes([occ("b", "We will not close a single mine this year.", hours=2), occ("a", QUOTE)])
    versions = group.provenance()
    assert [(o.article_id, sorted(d.marks)) for o, d in versions] == [("a", []), ("b", ["truncated"])]
    data = group.to_json()
    assert data["first"] == {"article": "a", "publisher": "Wire", "published": "2024-05-02T08:00:00"}
    assert [o["diff"]["marks"] for o in data["occurrences"]] == [[], ["truncated"]]
