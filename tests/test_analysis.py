from searchapp.analysis import fold, name_analyzer, news_analyzer


def terms(text, mode="index"):
    return [t.text for t in news_analyzer()(text, mode=mode)]


def test_stems_with_snowball_and_drops_stop_words():
    assert terms("The troops were stationed") == ["troop", "station"]


def test_folds_accents_and_quotes():
    assert terms("Sergeï") == terms("Sergei") == ["sergei"]
    assert terms("Zürich") == ["zurich"]
    assert terms("can’t") == terms("can't") == ["can't"]


def test_keeps_names_with_symbols_and_acronyms():
    assert terms("AT&T") == ["at&t"]
    assert terms("c++") == ["c++"]
    assert terms("U.S. trade") == ["us", "trade"]  # "U.S." survives even though "us" is a stop word


def test_offsets_point_at_the_words_as_written():
    text = "Britain’s Foreign Secretary warned"
    toks = [(t.text, text[t.startchar:t.endchar]) for t in news_analyzer()(text, chars=True)]
    assert ("warn", "warned") in toks
    assert ("britain'", "Britain’s") not in toks
    assert all(text[t.startchar:t.endchar] for t in news_analyzer()(text, chars=True))


def test_positions_close_over_stop_words_so_phrases_match():
    index_pos = [t.pos for t in news_analyzer()("moment for decades", positions=True)]
    query_pos = [t.pos for t in news_analyzer()("moment decades", positions=True)]
    assert index_pos[1] - index_pos[0] == query_pos[1] - query_pos[0] == 1


def test_name_analyzer_does_not_stem():
    assert [t.text for t in name_analyzer()("Jens Stoltenberg’s Ministries")] == ["jens", "stoltenberg", "ministries"]


def test_fold_is_idempotent():
    assert fold(fold("Émile Zola’s")) == fold("Émile Zola’s") == "emile zola's"


def test_possessives_match_the_name():
    assert terms("Japan’s exports") == terms("Japan exports") == ["japan", "export"]
    assert terms("AT&T's bid") == ["at&t", "bid"]
