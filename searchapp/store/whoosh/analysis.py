"""The NLTK analysis (searchapp/analysis.py) as a Whoosh analysis chain: tokenize | normalize | stop | stem."""
from __future__ import annotations

from array import array

from whoosh.analysis import Filter, Token, Tokenizer

from searchapp.analysis import STOP_WORDS, TOKEN_PATTERN, _LinearRegexpTokenizer, normalize
from nltk.stem.snowball import SnowballStemmer  # noqa: I001 - after searchapp.analysis, which imports NLTK without SciPy


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer over NLTK's RegexpTokenizer.span_tokenize (offsets, no re-alignment)."""

    def __init__(self, pattern: str = TOKEN_PATTERN):
        self.pattern = pattern
        self._nltk = _LinearRegexpTokenizer(pattern)

    def __eq__(self, other):
        return type(other) is type(self) and other.pattern == self.pattern

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        pos = start_pos
        for start, end in self._nltk.span_tokenize(value):
            t.text = value[start:end]
            t.boost = 1.0
            if keeporiginal:
                t.original = t.text
            t.stopped = False
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class NormalizeFilter(Filter):
    """Lower-case, fold accents and quotes; "U.S." -> "us" (kept even though "us" may be a stop word)."""

    def __init__(self):
        self._cache: dict[str, tuple[str, bool]] = {}

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        cache = self._cache
        for t in tokens:
            hit = cache.get(t.text)
            if hit is None:
                hit = normalize(t.text)
                if len(cache) < 200_000:
                    cache[t.text] = hit
            if not hit[0]:  # a mark that folds to nothing (U+FF9E): no term, like a stop word
                continue
            t.text, t.acronym = hit
            yield t


class NewsStopFilter(Filter):
    """Drop stop words (not acronyms) and renumber positions so phrases still match across them."""

    def __init__(self, stoplist=STOP_WORDS):
        self.stops = frozenset(stoplist)

    def __eq__(self, other):
        return type(other) is type(self) and other.stops == self.stops

    def __call__(self, tokens):
        stops = self.stops
        pos = None
        for t in tokens:
            if t.text in stops and not getattr(t, "acronym", False):
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                t.pos = pos
            t.stopped = False
            yield t


class NltkStemFilter(Filter):
    """NLTK's Snowball (Porter2) English stemmer, with a per-process cache of word -> stem."""

    is_morph = True

    def __init__(self, cachesize: int = 200_000):
        self.cachesize = cachesize
        self._stemmer = SnowballStemmer("english")
        self._cache: dict[str, str] = {}
        # raw token -> its indexed term through the whole news chain ("" for a stop word), filled by
        # index_terms(); kept here because this is the chain's last stage and, like _cache, it is not pickled.
        self._index_terms: dict[str, str] = {}

    def __eq__(self, other):
        return type(other) is type(self)

    def __getstate__(self):
        return {"cachesize": self.cachesize}

    def __setstate__(self, state):
        self.__init__(state.get("cachesize", 200_000))

    def stem(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = word if len(word) < 3 or not word.isalpha() else self._stemmer.stem(word)
            if len(self._cache) < self.cachesize:
                self._cache[word] = stem
        return stem

    def __call__(self, tokens):
        stem = self.stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def news_analyzer():
    """The analyzer of the title, body and quote fields."""
    return NltkTokenizer() | NormalizeFilter() | NewsStopFilter() | NltkStemFilter()


def name_analyzer():
    """Names (people, places, speakers ...): every word matchable, folded, never stemmed."""
    return NltkTokenizer() | NormalizeFilter()


def index_terms(chain, text: str) -> dict[str, tuple[array, array]] | None:
    """What indexing `text` with a `news_analyzer()` chain yields, computed in one pass: term ->
    (positions, [start, end, start, end, ...]); None for any other chain.

    The chain's stages are generators that each touch every token, which made analysis the largest
    cost of a build. Every stage after the tokenizer depends only on the token's own text (and the
    stop filter's position renumbering only on which tokens are kept), so one cache from raw token
    to indexed term reproduces the chain exactly; tests/test_analysis.py checks that it does.
    Positions and offsets are unsigned 32-bit arrays: as lists of Python ints, an 8 MiB body's
    took 150 MB."""
    items = getattr(chain, "items", ())
    if [type(i) for i in items] != [NltkTokenizer, NormalizeFilter, NewsStopFilter, NltkStemFilter]:
        return None
    tokenizer, normalize, stop, stemmer = items
    cache = stemmer._index_terms
    out: dict[str, tuple[array, array]] = {}
    pos = -1
    for index, (start, end) in enumerate(tokenizer._nltk.span_tokenize(text)):
        raw = text[start:end]
        term = cache.get(raw)
        if term is None:
            term = _index_term(raw, normalize, stop, stemmer)
            if len(cache) < stemmer.cachesize:
                cache[raw] = term
        if not term:  # a stop word
            continue
        # The stop filter numbers kept tokens on from the first kept token's own position.
        pos = index if pos < 0 else pos + 1
        entry = out.get(term)
        if entry is None:
            out[term] = (array("I", (pos,)), array("I", (start, end)))
        else:
            entry[0].append(pos)
            entry[1].extend((start, end))
    return out


def _index_term(raw: str, normalize: NormalizeFilter, stop: NewsStopFilter, stemmer: NltkStemFilter) -> str:
    """The one raw token through the chain's filters: its indexed term, or "" if it is a stop word."""
    token = Token(positions=True, chars=True, removestops=True, mode="index")
    token.text, token.pos, token.boost, token.stopped = raw, 0, 1.0, False
    for t in stemmer(stop(normalize([token]))):
        return t.text
    return ""
