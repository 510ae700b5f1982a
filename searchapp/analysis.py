"""Text analysis on NLTK, as every backend indexes and queries it: the token pattern, folding, the
stop words and the stemmer (store/whoosh/analysis.py composes them into Whoosh's analysis chain).

Every stage keeps each token's character offsets into the original text, so highlights and snippets
show the words as the article wrote them; only the indexed term is normalised and stemmed.
"""
from __future__ import annotations

import re
import sys
import unicodedata


def _import_nltk() -> None:
    """Import NLTK without SciPy. NLTK's package init imports nearly all of NLTK, and three of its
    modules (collocation tests, a parser, a classifier) import SciPy if it is there (datasketch brings
    it): 1.3 of the 2 seconds a `searchapp search` spent before its first query. Those modules guard
    the import and run without it, and searchapp uses none of them; SciPy stays importable by
    whoever needs it (duplicates) afterwards."""
    if "nltk" in sys.modules or "scipy" in sys.modules:
        return
    sys.modules["scipy"] = None  # type: ignore[assignment] # an ImportError for "scipy" and below
    try:
        import nltk  # noqa: F401
    finally:
        del sys.modules["scipy"]


_import_nltk()
from nltk.tokenize import RegexpTokenizer  # noqa: E402

# A token is a word that may carry inner apostrophes, ampersands or periods (can't, AT&T, U.S.),
# a "c++"/"c#"-style name, or a run of digits with inner separators (100,000 / 3.5).
TOKEN_PATTERN = (
    r"(?:[^\W\d_](?:\.[^\W\d_])+\.?)"  # dotted acronyms: U.S., U.K., e.g.
    r"|(?:\w+(?:[&'’]\w+)*(?:\+\+|#)?)"
)

# News-aware English stop words: short function words only. "us", "may", "will", "not", "new" stay
# searchable (U.S., the month, the verb, negations and names all collide with common stop lists).
STOP_WORDS = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it its of
    on or our she than that the their them then there these they this those to was we were what
    when which who whom why with you your""".split()
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?\.?$")


def fold(text: str) -> str:
    """Lower-case, straighten quotes and strip accents: "Sergeï" -> "sergei", "can’t" -> "can't"."""
    text = text.translate(_QUOTES).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _LinearRegexpTokenizer(RegexpTokenizer):
    """NLTK's RegexpTokenizer, compiled with the standard `re` engine.

    NLTK routes every pattern through its ReDoS guard (the `regex` engine with a per-call timeout),
    which costs ~20 µs a call, more than tokenizing a query. The guard protects against
    caller-supplied patterns; ours is fixed and linear (no nested quantifiers), and user text is only
    ever the subject, never the pattern."""

    def _check_regexp(self):
        if self._regexp is None:
            self._regexp = re.compile(self._pattern, self._flags)


def normalize(token: str) -> tuple[str, bool]:
    """A token as indexed before stop words and stems: folded; "U.S." -> "us" (and True: an acronym,
    kept even though "us" may be a stop word); "Japan's" -> "japan" ("can't", "AT&T" stay whole).
    "" for a mark that folds to nothing (U+FF9E)."""
    folded = fold(token)
    acronym = "." in folded and bool(_ACRONYM.match(folded))
    if acronym:
        folded = folded.replace(".", "")
    elif folded.endswith("'s") and len(folded) > 3:
        folded = folded[:-2]
    return folded, acronym


_NAME_TOKENIZER = _LinearRegexpTokenizer(TOKEN_PATTERN)


def name_words(text: str) -> list[str]:
    """The words of a name as the name fields index them: tokenized and normalized, never stemmed."""
    return [w for w, _ in map(normalize, _NAME_TOKENIZER.tokenize(text)) if w]


def __getattr__(name: str):
    # Indexes written before the backend split pickled their analysis chain under this module's name
    # (NltkTokenizer ...): it now lives with the Whoosh backend, loaded only when such an index is opened.
    if name in ("NltkTokenizer", "NormalizeFilter", "NewsStopFilter", "NltkStemFilter"):
        from searchapp.store.whoosh import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
