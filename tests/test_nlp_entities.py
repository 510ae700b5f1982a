"""Named entities: the seed article, API details, the shipped model, and CoNLL-2003 quality."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from searchapp.article import Article
from searchapp.nlp.entities import MODEL_PATH, EntityStep, lexicon_path, recognize, split_sentences, tokenize
from searchapp.nlp.pipeline import Pipeline
from searchapp.nlp.sources import SourceStep

from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_92132aacbd1f3e76.txt"


@pytest.fixture(scope="module")
def seed() -> Article:
    article = Article(id="seed", body=SEED.read_text(encoding="utf-8"))
    return (Pipeline([EntityStep()]) | SourceStep())(article)


def test_seed_people(seed):
    for name in ["Sergey Lavrov", "Elizabeth Truss", "Emmanuel Macron", "Olaf Scholz", "Boris Johnson",
                 "Jens Stoltenberg", "Vladimir Putin", "Ben Wallace", "Sergei Shoigu"]:
        assert name in seed.people
    # short mentions resolve to the full name, titles are not part of names
    assert "Lavrov" not in seed.people and "Truss" not in seed.people and "Johnson" not in seed.people
    assert not any(p.startswith(("President", "Foreign", "Chancellor", "PM")) for p in seed.people)


def test_seed_places(seed):
    for place in ["Moscow", "Ukraine", "Brussels", "Poland", "United Kingdom", "Russia"]:
        assert place in seed.places
    assert "Russian" not in seed.places and "British" not in seed.places and "UK" not in seed.places


def test_seed_orgs_and_sources(seed):
    assert "NATO" in seed.orgs and "Nato" not in seed.orgs
    assert seed.sources == ["Politico", "The Guardian", "Reuters", "TASS"]


def test_seed_no_junk(seed):
    everything = seed.people + seed.places + seed.orgs
    for junk in ["Thursday", "Friday", "Feb", "Russian", "British", "Western", "Soviet", "The Guardian’s"]:
        assert junk not in everything
    assert "The Guardian" not in seed.people


def test_seed_mentions(seed):
    body = seed.body
    assert seed.entities
    for m in seed.entities:
        assert body[m.start:m.end] == m.text
        assert m.label in ("PER", "LOC", "ORG")
    lavrov = [m for m in seed.entities if m.text == "Lavrov"]
    assert lavrov and all(m.name == "Sergey Lavrov" for m in lavrov)
    uk = [m for m in seed.entities if m.text == "UK"]
    assert uk and all(m.name == "United Kingdom" and m.label == "LOC" for m in uk)
    # possessive is not part of the mention: "Russia’s top diplomat"
    assert any(m.text == "Russia" and body[m.end:m.end + 2] == "’s" for m in seed.entities)


def test_recognize_titles_possessives_offsets():
    text = ("Foreign Minister Anna Example of Ruritania met President Bob Sample in Paris on Monday. "
            "Sample's aides said Example would return to Paris.")
    ms = recognize(text)
    names = {(m.label, m.name) for m in ms}
    assert ("PER", "Bob Sample") in names and ("LOC", "Paris") in names
    assert not any(m.name.startswith(("President", "Foreign")) for m in ms)
    for m in ms:
        assert text[m.start:m.end] == m.text and not m.text.endswith("'s")
    assert [m.name for m in ms if m.text == "Sample"] == ["Bob Sample"]


def test_title_mentions_are_not_body_entities():
    a = EntityStep()(Article(id="t", title="Merkel visits Paris",
                             body="German Chancellor Angela Merkel arrived in Paris on Monday."))
    assert "Angela Merkel" in a.people and "Paris" in a.places
    assert all(a.body[m.start:m.end] == m.text for m in a.entities)


def test_all_caps_and_empty():
    assert recognize("") == []
    assert recognize("   \n ") == []
    a = EntityStep()(Article(id="c", title="JAPAN AND U.S. IN TRADE TALKS", body=""))
    assert "Japan" in a.places and "United States" in a.places


def test_all_caps_headline_is_truecased():
    ms = recognize("JAPAN'S MIYAZAWA SAYS YEN RISE UNWELCOME")
    assert ("LOC", "Japan") in {(m.label, m.name) for m in ms}
    assert ("PER", "Miyazawa") in {(m.label, m.name) for m in ms}
    assert all(m.text.isupper() for m in ms)  # the surface text is untouched


def test_dateline_place_and_reset():
    a = Article(id="d", body="The mill closed.", dateline="Salvador", people=["Stale Name"])
    EntityStep()(a)
    assert a.places[:1] == ["Salvador"] and a.people == []


def test_tokenizer_like_conll():
    text = "Russia’s U.S. envoy, Mr. Smith, paid $1,000.50 to AT&T in Calif. on Feb. 3."
    toks = [text[s:e] for s, e in tokenize(text)]
    assert toks[:3] == ["Russia", "’s", "U.S."]
    for t in ["Mr.", "1,000.50", "AT&T", "Calif.", "Feb."]:
        assert t in toks
    assert toks[-1] == "."
    sents = split_sentences("One dog. Two cats!\nThree birds", tokenize("One dog. Two cats!\nThree birds"))
    assert len(sents) == 3


def test_step_picklable_and_cheap():
    """Building the step loads no model (the model loads on first use, once per process; what each
    costs is measured by `python -m bench.enrichment`)."""
    from searchapp.nlp import crf, entities

    entities.unload()
    step = EntityStep()
    assert entities._featurizer.cache_info().currsize == 0 and not getattr(crf._local, "taggers", None)
    assert step.name == "entities"
    clone = pickle.loads(pickle.dumps(step))
    assert clone(Article(id="x", body="Angela Merkel met Emmanuel Macron in Berlin.")).people


def test_threads_get_the_same_answers():
    from concurrent.futures import ThreadPoolExecutor

    texts = [SEED.read_text(encoding="utf-8")[i * 300:(i + 3) * 300] for i in range(8)] * 4
    serial = [[(m.label, m.start, m.name) for m in recognize(t)] for t in texts]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda t: [(m.label, m.start, m.name) for m in recognize(t)], texts))
    assert threaded == serial


def test_model_small_and_loads_in_a_fresh_process():
    """The shipped model and its word list load from the package alone (how long that takes is
    measured by `python -m bench.enrichment`, never asserted here)."""
    assert MODEL_PATH.exists() and lexicon_path(MODEL_PATH).exists()
    assert MODEL_PATH.stat().st_size < 5_000_000
    code = "from searchapp.nlp.entities import model; tagger, feat = model(); print(len(feat._lowercase))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) > 1000


def test_conll_document_f1():
    from searchapp.evaluate.entities import evaluate_conll

    result = evaluate_conll(shared_data("conll2003", "eng.testa"))
    assert result["documents"] > 200
    assert result["surface"]["overall"]["f1"] >= 0.85
    for label in ("PER", "LOC", "ORG"):
        assert result["surface"][label]["f1"] >= 0.8


def test_reuters_sample():
    from searchapp.evaluate.entities import evaluate_reuters

    result = evaluate_reuters(shared_data("reuters21578"), limit=400)
    assert result["articles"] == 400
    assert result["places"]["recall"] >= 0.75
    assert result["people"]["gold"] == 0 or result["people"]["recall"] >= 0.7


def test_conll_through_extract_as_indexing_reads_it():
    """What users get: CoNLL eng.testa written as plain-text files, read and enriched like `extract`."""
    from searchapp.evaluate.entities import evaluate_conll_extract

    result = evaluate_conll_extract(shared_data("conll2003", "eng.testa"))
    assert result["documents"] > 200 and result["skipped"] == []
    assert result["scores"]["overall"]["f1"] >= 0.88


def _enrich(title: str, body: str) -> Article:
    return EntityStep()(Article(id="t", title=title, body=body))


def test_a_person_needs_evidence():
    a = _enrich("", "Pay May One\n\nRecord April One\n\nQtly div 48 cts vs 44 cts prior. "
                    "The Navy said the contract was awarded. Funaro said U.S officials understood.")
    assert not {"May One", "April One", "Navy", "U.S"} & set(a.people)
    b = _enrich("", "Standard and Poor's Corp said it lowered the rating. Chrysler Corp said output fell. "
                    "Chrysler said more.")
    assert not {"Standard", "Poor", "Chrysler"} & set(b.people)
    assert "Standard and Poor's Corp" in b.orgs


def test_a_headline_name_counts_only_if_the_body_names_it():
    a = _enrich("TEXACO RESIGNS FROM PAYOUT PLAN", "The company said on Monday it would leave the plan.")
    assert a.people == []
    b = _enrich("VOLCKER SAYS DOLLAR FALL IS ENOUGH", "Federal Reserve Board Chairman Paul Volcker said the fall was enough.")
    assert b.people == ["Paul Volcker"]


def test_coordinated_organisation_names_stay_whole(seed):
    assert "Foreign, Commonwealth & Development Office" in seed.orgs
    assert not any(o.startswith("Commonwealth &") for o in seed.orgs)


def test_defined_acronyms_and_tentative_people():
    a = _enrich("", "The International Coffee Organization (ICO) met in London. \"Prices will rise,\" said "
                    "Societe Generale economist Alain Marais. Lead manager Banque Paribas said the issue was sold.")
    assert a.aliases == {"ICO": "International Coffee Organization"}
    assert "Alain Marais" in a.people and "Alain Marais" not in a.tentative_people
    assert set(a.tentative_people) <= {"Societe Generale", "Banque Paribas"}


def test_a_surname_two_people_share_goes_to_the_one_named_first():
    # "Murphy" is not the longer name of a second, later Murphy: two people, not one, in the facets
    text = ("Sen. Nolan Murphy spoke in Hartford on Monday. Murphy said the bill would pass. A teacher, Anne "
            "Marie Murphy, was honoured at the event. Murphy said he would go on. Sergey Lavrov arrived later.")
    got = [(e.text, e.name) for e in recognize(text) if e.label == "PER"]
    assert ("Murphy", "Anne Marie Murphy") not in got
    assert [n for t, n in got if t == "Murphy"] == ["Nolan Murphy", "Nolan Murphy"]
    assert ("Anne Marie Murphy", "Anne Marie Murphy") in got


def test_a_capitalised_function_word_opening_a_sentence_is_not_part_of_a_name():
    text = "No offense. So Ivo Brandt is ambitious, she said. Will Okafor and Hope Brandt left."
    names = [(m.label, m.name) for m in recognize(text)]
    assert ("PER", "Ivo Brandt") in names and ("PER", "So Ivo Brandt") not in names
    # first names that are also words stay
    assert ("PER", "Will Okafor") in names and ("PER", "Hope Brandt") in names
