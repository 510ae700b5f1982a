"""The reported-speech model (searchapp.nlp.quotes.learned) and its training (searchapp.nlp.train_reported).

Every sentence below is invented for these tests."""
from __future__ import annotations

import random

from searchapp.nlp import train_reported
from searchapp.nlp.quotes import extract_quotes, learned
from searchapp.nlp.text import paragraphs, sentence_starts, words


def test_runs_are_the_labelled_stretches():
    assert learned.runs(["B-S", "I-S", "B-C", "B-T", "I-T", "O", "B-T"]) == [
        ("S", 0, 2), ("C", 2, 3), ("T", 3, 5), ("T", 6, 7)]
    assert learned.runs(["B-T", "B-T"]) == [("T", 0, 1), ("T", 1, 2)]  # two contents side by side
    assert learned.runs(["O", "O"]) == []


def test_sentences_split_each_paragraph_and_cover_it():
    body = "The council met. It voted on the levy.\n\nOkafor left early. He said nothing."
    got = learned.sentences(sentence_starts(body), paragraphs(body))
    assert [body[a:b].strip() for a, b, _ in got] == [
        "The council met.", "It voted on the levy.", "Okafor left early.", "He said nothing."]
    assert [p for _, _, p in got] == [0, 0, 1, 1]


def test_features_read_the_neighbours_the_word_pair_and_where_the_cues_are():
    text = "Officials said the \x00\x00\x00\x00 would fail."
    sentence, starts = words(text, 0, len(text))
    feats = learned.Featurizer().sentence(text, sentence, starts)
    assert sentence[3] == "\x00\x00\x00\x00"
    assert "w=<q>" in feats[3] and "b=the <q>" in feats[3]  # a masked quote is one word, whatever its length
    assert {"w=officials", "cap", "-1w=BOS", "1w=said", "first", "cueA"} <= set(feats[0])
    assert learned.Featurizer().sentence(text, [], []) == []
    assert {"w=said", "Lrc", "-1w=officials", "-1cap", "1w=the"} <= set(feats[1])
    assert "cueB" in feats[2] and "cueA" not in feats[-1] and "last" in feats[-1]
    # restricted to the attributes a model knows, nothing else is passed to it
    known = learned.Featurizer(frozenset({"w=said", "w=the"})).sentence(text, sentence, starts)
    assert [f for f in known[1] if "w=" in f] == ["w=said"] and [f for f in known[2] if "w=" in f] == ["w=the"]


def _invented(n: int, seed: int) -> list[tuple[str, str, list[dict]]]:
    """Texts in which people "blork" things: a cue no word list has."""
    rng = random.Random(seed)
    names = ["Anna Berg", "Tom Reyes", "Omar Farouk", "Ilse Varga", "Dana Whitfield", "Mara Quist"]
    contents = ["the levy would fail", "the ferry was late again", "the pier needs repairs",
                "the budget will not balance", "the harbour should stay open", "fares must come down"]
    texts = []
    for k in range(n):
        source, content = rng.choice(names), rng.choice(contents)
        text = f"The council met on Monday. {source} blorked that {content}. The vote comes next week."
        s = text.index(source)
        c = text.index("blorked")
        t = text.index(content)
        texts.append((f"t{k}", text, [{"source": [(s, s + len(source))], "cue": [(c, c + 7)],
                                        "content": [(t, t + len(content))]}]))
    return texts


def test_labels_give_each_token_its_role():
    [(_, text, attributions)] = _invented(1, seed=1)
    a, b = text.index(". ") + 2, text.index(". The vote") + 1
    sentence, starts = words(text, a, b)
    tags = train_reported.labels(text, sentence, starts, attributions)
    assert tags == ["B-S", "I-S", "B-C", "O", "B-T"] + ["I-T"] * (len(sentence) - 6) + ["O"]
    # a direct quote's attribution is the rules', not the model's
    direct = 'Anna Berg said: "The levy will fail."'
    quote = direct.index('"')
    d_words, d_starts = words(direct, 0, len(direct))
    assert set(train_reported.labels(direct, d_words, d_starts,
                                     [{"content": [(quote, len(direct))]}])) == {"O"}


def test_a_model_trained_on_examples_finds_a_cue_it_was_shown(tmp_path):
    model = tmp_path / "reported.crfsuite"
    assert train_reported.train(_invented(40, seed=2), model) == 120
    text = "Kai Moreno blorked that the ferry was late again."
    sentence, starts = words(text, 0, len(text))
    try:
        got = learned.runs(learned.tag(text, sentence, starts, path=model))
    finally:
        learned.unload()
    assert [(role, " ".join(sentence[i:j])) for role, i, j in got] == [
        ("S", "Kai Moreno"), ("C", "blorked"), ("T", "the ferry was late again")]


def test_the_shipped_model_finds_reported_speech_the_rules_miss(monkeypatch):
    body = "Councillor Anna Berg has long opposed the harbour levy, calling it a burden on small fishing towns."
    found = [(q.text, q.speaker, q.cue) for q in extract_quotes(body, reported=True) if q.kind == "indirect"]
    assert found == [("the harbour levy", "Anna Berg", "has long opposed"),
                     ("it a burden on small fishing towns", "Anna Berg", "calling")]
    monkeypatch.setattr(learned, "tag", lambda text, words, starts, path=None: ["O"] * len(words))
    rules = [(q.text, q.speaker, q.cue) for q in extract_quotes(body, reported=True)]
    assert rules == [("it a burden on small fishing towns", "Anna Berg", "calling")]  # no cue they know


def test_the_cue_gate_reads_whole_words_of_the_body():
    text = "Officials said on Monday that AT&T, said2 and pre-said figures “\x00\x00” were wrong."
    got, starts = words(text, 0, len(text))
    cues = learned.cue_words()
    assert "said" in cues
    # "said" as a word of its own is a cue; inside "said2" or "pre-said" it is not
    assert text.index("said") in learned.cue_offsets(got, starts)
    assert text.index("said2") not in learned.cue_offsets(got, starts)
    assert text.index("pre-said") + 4 not in learned.cue_offsets(got, starts)
