from array import array

from hypothesis import given, settings, strategies as st

from searchapp.analysis import fold
from searchapp.store.whoosh.analysis import index_terms, name_analyzer, news_analyzer
from tests.conftest import shared_data


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


# -- the one-pass indexing path reproduces the chain ----------------------------------------------

def chain_terms(chain, text):
    """What the analysis chain itself yields for indexing: term -> (positions, [start, end, ...])."""
    out = {}
    for t in chain(text, positions=True, chars=True, mode="index"):
        if not t.stopped:
            poses, spans = out.setdefault(t.text, (array("I"), array("I")))
            poses.append(t.pos)
            spans.extend((t.startchar, t.endchar))
    return out


TRICKY = ("The U.S. and the U.K. said it's AT&T's c++ deal; the Zürich-based firm's CEO can’t "
          "say. Of the 100,000 troops, THE TROOPS were at... a an the US us Us u.s. e.g. Sergeï ﾞ ﾟ beta")


def test_index_terms_equal_the_chain_on_tricky_text():
    chain = news_analyzer()
    for text in (TRICKY, "", "the of and", "of the troops", TRICKY.upper(), TRICKY * 3):
        assert index_terms(chain, text) == chain_terms(chain, text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["the", "of", "U.S.", "us", "can't", "AT&T", "Zürich", "troops", "ran", "\uff9e",
                                 "running", "'s", "’", ".", "c++", "100,000", "é", "a", "Lavrov's", "\n"])
                | st.text(max_size=30), max_size=40).map(" ".join))
def test_index_terms_equal_the_chain_on_any_text(text):
    chain = news_analyzer()
    assert index_terms(chain, text) == chain_terms(chain, text)


def test_index_terms_equal_the_chain_on_reuters():
    from searchapp.readers.dispatch import read_paths

    path = shared_data("reuters21578", "reut2-000.sgm")
    chain = news_analyzer()
    n = 0
    for article in read_paths([path]):
        if hasattr(article, "body"):
            assert index_terms(chain, article.body) == chain_terms(chain, article.body), article.id
            n += 1
    assert n > 900


def test_index_terms_declines_other_chains():
    assert index_terms(name_analyzer(), "Sergey Lavrov") is None


def test_name_words_are_what_the_names_analyzer_indexes():
    """archive/identities.py reads names with analysis.name_words; the name fields are indexed by the
    Whoosh chain; a name typed after `person:` must meet the same words."""
    from searchapp.analysis import name_words

    chain = name_analyzer()
    for text in ["U.S. Treasury", "Sergeï Lavrov", "Japan's MITI", "AT&T Corp", "Dow Jones & Co.", "\uff9e",
                 "c++ guru", "3.5 pct U.K.", "O'Neill’s", "Zürich-based", "e.g. Ltd", ""]:
        assert name_words(text) == [t.text for t in chain(text)], text


def test_stored_spans_unpickle_as_three_strings_and_read_like_a_mapping():
    import pickle

    from searchapp.store.whoosh.schema import Spans, TermSpans, article_documents, build_schema
    from searchapp.article import Article

    text = "Coffee prices rose. Coffee growers said prices would rise again."
    doc = article_documents(Article(id="a1", title="Coffee", body=text), build_schema())[0]
    body = doc["offsets"]["body"]
    assert isinstance(body, TermSpans)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):  # Whoosh stores at 2, the Xapian backend at the highest
        back = pickle.loads(pickle.dumps(body, protocol))
        assert dict(back) == dict(body) and len(back) == len(body) > 0
        assert [text[a:b] for a, b in zip(back["coffe"][::2], back["coffe"][1::2])] == ["Coffee", "Coffee"]
        assert back.get("tea") is None and "price" in back and isinstance(back["price"], Spans)
    assert TermSpans.of({"a\x00b": Spans("I", [0, 1])}) == {"a\x00b": Spans("I", [0, 1])}  # kept as a dict


def test_stored_spans_find_a_term_only_whole_wherever_it_is_among_the_terms():
    from searchapp.store.whoosh.schema import Spans, TermSpans

    spans = {"ab": Spans("I", [0, 2]), "b": Spans("I", [3, 4]), "ba": Spans("I", [5, 7]), "é": Spans("I", [8, 9])}
    kept = TermSpans.of(spans)
    for term in spans:  # first, inside, last
        assert list(kept[term]) == list(spans[term])
    for absent in ("a", "", "bab", "é\x00", "abb", "x", "ab\x00b", "\ud800"):  # parts of terms or of the joined string
        assert absent not in kept
    assert "only" in TermSpans.of({"only": Spans("I", [0, 4])}) and "on" not in TermSpans.of({"only": Spans("I", [0, 4])})
    assert "a" not in TermSpans.of({}) and list(TermSpans.of({})) == []
