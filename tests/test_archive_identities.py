"""The archive's identities (searchapp.archive.identities): resolution from name counts alone, the
corrections file, and identities kept right by index build, add and delete on a real index."""
from __future__ import annotations

import json

import pytest

from searchapp import indexer
from searchapp.archive.identities import Corrections, CorrectionsError, Identities, name_key, resolve
from searchapp.search import Searcher
from searchapp.store import IndexStore
from tests.articles import write_text_article

COMMON = frozenset({"bank", "standard", "poor", "payout"})


def _names(**facets):
    return {f: dict(v) for f, v in facets.items()}


def _find(ids: Identities, type_: str, name: str):
    found = [i for i in ids.list if i.type == type_ and i.name == name]
    assert found, f"no {type_} identity {name!r} in {[i.name for i in ids.list]}"
    return found[0]


def test_last_name_goes_to_the_one_full_name_in_common_use():
    ids = resolve(_names(people={"Reagan": 40, "Ronald Reagan": 5, "Nancy Reagan": 1}))
    reagan = _find(ids, "person", "Ronald Reagan")
    assert "Reagan" in reagan.aliases and reagan.articles == 45
    assert ids.resolve("person", "President Reagan") is reagan
    assert _find(ids, "person", "Nancy Reagan") is not reagan  # never two real people in one


def test_a_last_name_shared_by_two_people_in_common_use_stays_apart():
    ids = resolve(_names(people={"James Baker": 170, "Howard Baker": 20, "Baker": 24}))
    assert {i.name for i in ids.of_type("person")} == {"James Baker", "Howard Baker", "Baker"}
    assert ids.resolve("person", "Baker") is _find(ids, "person", "Baker")


def test_split_correction_keeps_a_last_name_apart():
    corrections = Corrections.parse("split person: Reagan\n")
    ids = resolve(_names(people={"Reagan": 40, "Ronald Reagan": 5}), corrections=corrections)
    assert {i.name for i in ids.of_type("person")} == {"Reagan", "Ronald Reagan"}


def test_spellings_acronyms_and_company_forms_are_one_organisation():
    ids = resolve(_names(orgs={"International Coffee Organization": 30, "International Coffee Organisation": 4,
                               "ICO": 20, "International Business Machines Corp": 10, "IBM": 40,
                               "Standard & Poor's Corp": 9, "Standard and Poor's Corp.": 3}),
                  acronyms={("ICO", "International Coffee Organization"): 3})
    ico = _find(ids, "org", "International Coffee Organization")
    assert {"ICO", "International Coffee Organisation"} <= set(ico.aliases)
    assert _find(ids, "org", "International Business Machines Corp").articles == 50  # IBM by its initials
    assert ids.resolve("org", "Standard and Poor's") is ids.resolve("org", "Standard & Poor's Corp") is not None


def test_majority_type_and_junk():
    ids = resolve(_names(people={"Chrysler": 5, "Standard": 9, "Payout": 12, "bill Reagan": 1, "Ronald Reagan": 3},
                         orgs={"Chrysler Corp": 50, "Bank": 30, "Chicago Corp": 2},
                         places={"Chicago": 40}),
                  lowercase=COMMON)
    chrysler = _find(ids, "org", "Chrysler Corp")
    assert chrysler.members == {"orgs": ["Chrysler Corp"], "people": ["Chrysler"]}
    assert ids.of("people", "Standard") is None and ids.of("people", "Payout") is None
    assert ids.of("orgs", "Bank") is None and ids.of("people", "bill Reagan") is None
    assert ids.of("orgs", "Chicago Corp").type == "org" and ids.of("places", "Chicago").type == "place"


def test_people_named_only_by_shape_need_an_attestation_somewhere():
    names = _names(people={"Societe Generale": 20, "Alain Marais": 2})
    ids = resolve(names, tentative={"Societe Generale": 20, "Alain Marais": 1})
    assert ids.of("people", "Societe Generale") is None
    assert ids.of("people", "Alain Marais").name == "Alain Marais"


def test_places_take_the_gazetteers_aliases():
    ids = resolve(_names(places={"United Kingdom": 50}))
    uk = _find(ids, "place", "United Kingdom")
    assert {"UK", "U.K.", "Britain"} <= set(uk.aliases)
    assert ids.resolve("place", "Britain") is uk


def test_speakers_join_their_person():
    ids = resolve(_names(people={"Paul Volcker": 27}, speakers={"Volcker": 12, "Paul Volcker": 38}))
    volcker = _find(ids, "person", "Paul Volcker")
    assert volcker.members["speakers"] == ["Paul Volcker", "Volcker"]


def test_corrections_merge_retype_and_drop():
    corrections = Corrections.parse(
        "# an archivist's fixes\n"
        "merge person: Ronald Reagan = The Gipper | Dutch Reagan\n"
        "not person: Nine Mths\n"
        "type org: Smith Barney   # a broker, not a person\n")
    ids = resolve(_names(people={"Ronald Reagan": 5, "Dutch Reagan": 1, "Nine Mths": 17, "Smith Barney": 24}),
                  corrections=corrections)
    reagan = _find(ids, "person", "Ronald Reagan")
    assert {"The Gipper", "Dutch Reagan"} <= set(reagan.aliases)
    assert ids.of("people", "Nine Mths") is None
    assert ids.of("people", "Smith Barney").type == "org"


def test_corrections_errors_name_the_line():
    with pytest.raises(CorrectionsError, match="fixes.txt, line 2"):
        Corrections.parse("not person: X\nmerge people Reagan\n", "fixes.txt")


def test_json_round_trip(tmp_path):
    ids = resolve(_names(people={"Reagan": 4, "Ronald Reagan": 2}, places={"UK": 3}))
    path = tmp_path / "IDENTITIES-1.json"
    ids.save(path)
    again = Identities.load(path)
    assert [i.to_json() for i in again.list] == [i.to_json() for i in ids.list]
    assert again.of("people", "Reagan").name == "Ronald Reagan"


def test_name_key():
    assert name_key("Fed Chairman Volcker", "person") == ("volcker",)
    assert name_key("International Coffee Organisation", "org") == name_key("International Coffee Organization", "org")
    assert name_key("Chicago Corp", "org") == ("chicago",) and name_key("Chicago Corp", "place") == ("chicago", "corp")


# -- on a real index ------------------------------------------------------------------------------


def _indexed(tmp_path, body: str, **build) -> tuple[IndexStore, object]:
    """An index of one article (title "Budget talks"), and the folder it was read from."""
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Budget talks", body)
    store = IndexStore(tmp_path / "index")
    indexer.build(store, [docs], **build)
    return store, docs


def test_identities_follow_build_add_and_delete(tmp_path):
    docs = tmp_path / "docs"
    write_text_article(docs, "a.txt", "Budget talks", "President Ronald Reagan said on Monday the budget would pass. "
                                           "Reagan told reporters he was confident.")
    write_text_article(docs, "b.txt", "Trade bill", "Reagan said the trade bill was too protectionist, White House officials said.")
    store = IndexStore(tmp_path / "index")
    indexer.build(store, [docs])
    searcher = Searcher(store)
    assert searcher.search('person:"Ronald Reagan"').total == 2
    assert searcher.search("person:Reagan").total == 2
    top = searcher.entities("person")
    assert top[0]["name"] == "Ronald Reagan" and top[0]["articles"] == 2
    gen = store.current_dir()
    assert sorted(p.name for p in gen.glob("IDENTITIES-*.json")) == ["IDENTITIES-1.json"]

    more = tmp_path / "more"
    write_text_article(more, "c.txt", "Farm policy", "Agriculture Secretary Richard Lyng said farm exports would rise. "
                                         "Lyng spoke in Chicago.")
    indexer.add(store, [more])
    assert sorted(p.name for p in gen.glob("IDENTITIES-*.json")) == ["IDENTITIES-1.json", "IDENTITIES-2.json"]
    assert searcher.search("person:Lyng").total == 1
    assert {r["name"] for r in searcher.entities("person")} >= {"Ronald Reagan", "Richard Lyng"}

    indexer.delete(store, ["a"])
    assert searcher.search("person:Reagan").total == 1
    assert next(r for r in searcher.entities("person") if r["name"] == "Ronald Reagan")["articles"] == 1


def test_corrections_file_is_applied_and_kept(tmp_path):
    fixes = tmp_path / "corrections.txt"
    fixes.write_text("merge person: Ronald Reagan = The Gipper\n")
    store, docs = _indexed(tmp_path, "President Ronald Reagan said on Monday the budget would pass.", corrections=fixes)
    assert Searcher(store).search('person:"The Gipper"').total == 1
    indexer.build(store, [docs])  # no file given: the previous generation's corrections carry over
    assert Searcher(IndexStore(tmp_path / "index")).search('person:"The Gipper"').total == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("merge person Reagan\n")
    with pytest.raises(CorrectionsError, match="line 1"):
        indexer.build(store, [docs], corrections=bad)
    assert Searcher(IndexStore(tmp_path / "index")).search('person:"The Gipper"').total == 1


def test_index_without_identity_file_resolves_them_on_open(tmp_path):
    store, _ = _indexed(tmp_path, "President Ronald Reagan said the budget would pass. Reagan left.")
    for path in store.current_dir().glob("IDENTITIES-*.json"):
        path.unlink()  # as an index built before identities existed
    assert Searcher(IndexStore(tmp_path / "index")).search("person:Reagan").total == 1


def test_entities_json_lines_from_the_cli(tmp_path):
    from click.testing import CliRunner

    from searchapp.cli import main

    _indexed(tmp_path, "President Ronald Reagan said on Monday the budget would pass in London.")
    result = CliRunner().invoke(main, ["entities", "--json", "--limit", "5", "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {"name": "Ronald Reagan", "type": "person", "aliases": [], "articles": 1} in rows
    assert any(r["type"] == "place" and r["name"] == "London" for r in rows)
