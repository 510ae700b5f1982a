"""Reported speech learnt from annotated news: a linear-chain CRF (python-crfsuite) that tags the
tokens of one sentence of the masked body as source, cue or content of an attribution.

The rules of ``reported`` know the common shapes ("X said (that) ...", "..., X said"); most of what
they miss is the long tail of cues ("pointed to", "went after", "backing", "in a statement") that no
word list keeps up with. The model is trained on PolNeAR's train split (``searchapp.nlp.train_reported``);
``reported.find_reported`` keeps the content spans it tags that overlap none of the rules'.

Labels, BIO over three roles: ``S`` source, ``C`` cue, ``T`` content. Features are the word, its
case, its class in the shared lexicon (reporting cue, participle, stance verb, pronoun, source
noun), the words either side and the word pair it ends, and where the sentence's cue words are
(before or after the token, how far). The words two away and suffixes were tried and dropped: on a
held-out fifth of PolNeAR train they changed nothing (recall 0.776, precision 0.825 either way).
Word features are computed once per distinct word and cached; the model loads lazily, once per
process (the crfsuite tagger once per thread).
"""
from __future__ import annotations

import bisect
import contextlib
import functools
import re
from pathlib import Path
from typing import Iterator, Sequence

from searchapp.nlp import crf, lexicon
from searchapp.nlp.text import POSSESSIVES

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "reported.crfsuite"
CONTENT, SOURCE, CUE = "T", "S", "C"

_CLASSES = (("rc", lexicon.REPORTED_CUES), ("rp", lexicon.REPORTED_PARTICIPLES), ("sv", lexicon.STANCE_VERBS),
            ("fv", lexicon.FRAMING_VERBS), ("pr", lexicon.PRONOUNS), ("sn", lexicon.SOURCE_NOUNS),
            ("fw", lexicon.FUNCTION_WORDS))
_CONTEXT_CLASSES = ("rc", "rp", "sv")
CUE_WORDS = lexicon.REPORTED_CUES | lexicon.REPORTED_PARTICIPLES | lexicon.STANCE_VERBS
_OPEN_MARKS = frozenset("“\"‘'«")
QUOTE = "<q>"  # a masked quote: one token, one word for the model
# A sentence is tagged only when it has a word this likely to be a cue: on a held-out fifth of PolNeAR
# train, 0.5 kept the recall of tagging every sentence (0.776 against 0.778) and tags half of Reuters'
# sentences, not four in five (0 lets "of", "to", "for" in).
CUE_WEIGHT = 0.5
# The shape of a cue word the gate takes from the model; one of another shape (":", "43") is left out of
# `cue_words`, or every sentence with a colon would be tagged.
_GATE_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def cue_offsets(words: Sequence[str], starts: Sequence[int]) -> list[int]:
    """Where the words that may be cues (`cue_words`) start, of a body's words (``text.words``): a
    sentence without one is not tagged."""
    cues = cue_words()
    return [s for w, s in zip(words, starts) if w.lower() in cues]


def sentences(starts: Sequence[int], paras: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of the sentences of a masked body, as the model was trained on them,
    from the body's sentence starts (`text.sentence_starts`) and paragraphs."""
    out = []
    for para, (lo, hi) in enumerate(paras):
        k = bisect.bisect_right(starts, lo)
        a = lo
        while k < len(starts) and starts[k] < hi:
            if starts[k] > a:
                out.append((a, starts[k], para))
            a = starts[k]
            k += 1
        out.append((a, hi, para))
    return out


class Featurizer:
    """Token features; ``known`` (the model's attributes) drops the rest before tagging."""

    def __init__(self, known: frozenset[str] | None = None) -> None:
        self._known = known
        self._cache: dict[str, tuple] = {}
        # the word pairs the model knows, by first word: {"has": {"long": ("b=has long",)}} (a space
        # parts them: no token holds one)
        self._pairs: dict[str, dict[str, tuple[str]]] = {}
        for attr in known or ():
            if attr.startswith("b="):
                first, _, second = attr[2:].partition(" ")
                self._pairs.setdefault(first, {})[second] = (attr,)

    def _word(self, word: str) -> tuple:
        """(own features, as the word before a token, as the word after it, the word, the known pairs
        it starts)."""
        low = word.lower()
        w = QUOTE if low[:1] == "\x00" else low
        cap = word[0].isupper()
        own = ["w=" + w, "cap" if cap else "low"]
        if low[-2:] in POSSESSIVES:
            own.append("poss")
        classes = [k for k, words in _CLASSES if w in words]
        own += ["L" + k for k in classes]
        ctx = []
        for off in (-1, 1):
            f = [f"{off}w={w}", *(f"{off}L{k}" for k in classes if k in _CONTEXT_CLASSES)]
            if cap:
                f.append(f"{off}cap")
            ctx.append(f)
        got = (*map(self._kept, [own, *ctx]), w, self._pairs.get(w, _NO_PAIRS))
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[word] = got
        return got

    def _kept(self, features: list[str]) -> tuple[str, ...]:
        return tuple(features if self._known is None else (f for f in features if f in self._known))

    def sentence(self, text: str, words: Sequence[str], starts: Sequence[int]) -> list[list[str]]:
        """Features of a sentence's tokens (``text.words``: the words and where they start in ``text``)."""
        if not words:
            return []
        cache = self._cache
        infos = [cache.get(w) or self._word(w) for w in words]
        pad_l, pad_r = self._pads
        seq = [pad_l, *infos, pad_r]
        if self._known is None:  # training: every word pair
            out = [[*c[0], *b[1], *d[2], f"b={b[3]} {c[3]}"] for b, c, d in zip(seq, seq[1:], seq[2:])]
        else:  # tagging: the word pairs the model knows, looked up from the first word's entry
            out = [[*c[0], *b[1], *d[2], *b[4].get(c[3], ())] for b, c, d in zip(seq, seq[1:], seq[2:])]
        out[0].append("first")
        out[-1].append("last")
        if _OPEN_MARK.search(text, max(0, starts[0] - 1), starts[-1]):
            for i, start in enumerate(starts):
                if start and text[start - 1] in _OPEN_MARKS:
                    out[i].append("afterQ")
        # where the sentence's cue words are: before the token, after it, how far (in threes)
        cues = [i for i, info in enumerate(infos) if info[3] in CUE_WORDS]
        if not cues:
            for f in out:
                f.append("nocue")
            return out
        k = 0  # cues[:k] are the token or before it
        for i, f in enumerate(out):
            while k < len(cues) and cues[k] <= i:
                k += 1
            before = k - 1 if k and cues[k - 1] < i else k - 2
            if before >= 0:
                f += _BEFORE[min(4, (i - cues[before]) // 3)]
            if k < len(cues):
                f += _AFTER[min(4, (cues[k] - i) // 3)]
        return out

    @functools.cached_property
    def _pads(self) -> tuple[tuple, tuple]:
        """The words before the first token and after the last, as their neighbours see them."""
        return (((), self._kept(["-1w=BOS"]), (), "BOS", self._pairs.get("BOS", _NO_PAIRS)),
                ((), (), self._kept(["1w=EOS"]), "EOS", _NO_PAIRS))


_NO_PAIRS: dict = {}
_BEFORE = tuple(("cueB", f"cueBd={k}") for k in range(5))
_AFTER = tuple(("cueA", f"cueAd={k}") for k in range(5))
_OPEN_MARK = re.compile("[" + "".join(_OPEN_MARKS) + "]")


# --- the model --------------------------------------------------------------------------------

def tagger(path: str | Path | None = None):
    """The CRF tagger (one per thread, opened once: ``searchapp.nlp.crf``)."""
    return crf.tagger(path or MODEL_PATH)


@functools.lru_cache(maxsize=4)
def _read(path: str | Path | None) -> tuple[Featurizer, frozenset[str]]:
    weights = tagger(path).info().state_features  # once: the model's 100,000 weights as a dict
    cues = frozenset(attr[2:] for (attr, label), w in weights.items()
                     if w > CUE_WEIGHT and label[2:] == CUE and attr.startswith("w=") and _GATE_WORD.fullmatch(attr[2:]))
    return Featurizer(frozenset(attr for attr, _label in weights)), CUE_WORDS | cues


def featurizer(path: str | Path | None = None) -> Featurizer:
    """The featurizer for a model, restricted to the attributes it has weights for."""
    return _read(path)[0]


def cue_words(path: str | Path | None = None) -> frozenset[str]:
    """Words the model reads as a cue (a weight over CUE_WEIGHT for a cue label), and the lexicon's:
    a sentence with none of them is not tagged."""
    return _read(path)[1]


@contextlib.contextmanager
def use_model(path: Path) -> Iterator[None]:
    """Read reported speech with the model at ``path`` inside the block (cross-validation)."""
    global MODEL_PATH
    saved, MODEL_PATH = MODEL_PATH, Path(path)
    unload()
    try:
        yield
    finally:
        MODEL_PATH = saved
        unload()


def unload() -> None:
    """Forget loaded models (after retraining one in place): this process's featurizers, and the
    calling thread's taggers (`crf.forget`); a thread that tags meanwhile keeps its own until then.
    `use_model` swaps the model for the whole process: for one-threaded evaluation."""
    _read.cache_clear()
    crf.forget()


def tag(text: str, words: Sequence[str], starts: Sequence[int], path: str | Path | None = None) -> list[str]:
    """BIO labels of one sentence's words (``text.words`` of the masked body ``text``)."""
    return tagger(path).tag(featurizer(path).sentence(text, words, starts))


def runs(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(role, first, last + 1) of each labelled run: ``["B-S", "B-C", "B-T", "I-T"]`` ->
    ``[("S", 0, 1), ("C", 1, 2), ("T", 2, 4)]``."""
    out = []
    i, n = 0, len(tags)
    while i < n:
        if tags[i] == "O":
            i += 1
            continue
        role = tags[i][2:]
        j = i + 1
        while j < n and tags[j] == "I-" + role:
            j += 1
        out.append((role, i, j))
        i = j
    return out
