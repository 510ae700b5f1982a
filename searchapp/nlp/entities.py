"""Named-entity recognition for English news: people (PER), places (LOC) and organisations (ORG).

A linear-chain CRF (python-crfsuite) trained on CoNLL-2003 (``searchapp.nlp.train_ner``) tags tokens with
BIO labels over PER/LOC/ORG/MISC; MISC ("Russian", "Western") is dropped. Then, within one document:

* titles are cut off people's names ("Foreign Minister Sergey Lavrov" -> "Sergey Lavrov"), possessives
  are not part of a name ("Russia’s" -> "Russia");
* a surface string gets one type per document (majority vote), and a single word that is part of a
  person's full name is that person ("Lavrov" -> PER "Sergey Lavrov");
* places and organisations get canonical names from ``searchapp.nlp.gazetteer`` ("UK" -> "United Kingdom",
  "Nato" -> "NATO").

ALL-CAPS sentences (headlines, old wire copy) are truecased before tagging, from the document's own
spelling of each word and a list of common lower-case words that ships with the model
(``models/ner.lowercase.txt``): "JAPAN'S MIYAZAWA SAYS" is tagged as "Japan's Miyazawa says".

Speed: run-time text is tokenised with one regular expression that splits like CoNLL-2003 ("Russia ’s",
"U.S.", "1,000", "AT&T"); word features are computed once per distinct word and cached, only features the
model has weights for are passed to crfsuite, and sentences without a capital letter after a common first
word are not tagged. About 0.5-0.7 ms for a 130-word Reuters article on one core.

The model loads lazily, once per process (the crfsuite tagger once per thread): ``EntityStep()`` is free
to build and pickles.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

from searchapp.article import Article, EntityMention
from searchapp.nlp import crf, gazetteer, lexicon
from searchapp.nlp.sources import canonical_outlet
from searchapp.nlp.text import conll_sentences, conll_spans

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "ner.crfsuite"
LABELS = ("PER", "LOC", "ORG")

# --- tokenisation: the text layer's CoNLL-like view (the model was trained on it) ------------------

tokenize = conll_spans
split_sentences = conll_sentences
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-",
                         "—": "-", "‑": "-", "…": "...", "\u00a0": " "})


# --- features -----------------------------------------------------------------------------------

_SHAPE = str.maketrans(
    {**{c: "X" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, **{c: "x" for c in "abcdefghijklmnopqrstuvwxyz"},
     **{c: "d" for c in "0123456789"}}
)
_ZEROS = str.maketrans("123456789", "000000000")


def _shape(word: str) -> str:
    """Word shape with runs collapsed: "McDonald" -> "XxXx", "U.S." -> "X.X.", "1996-08-22" -> "d-d-d"."""
    sh = word.translate(_SHAPE)
    if not sh.isascii():
        sh = "".join("X" if c.isupper() else "x" if c.isalpha() else c for c in sh)
    return "".join(k for k, _ in itertools.groupby(sh))


_NO_BIGRAMS: dict = {}


class Featurizer:
    """Token features for the CRF. Word-level features are computed once per distinct word and cached.

    ``known``: the attributes the model has weights for; other features are dropped before tagging (they
    would score nothing, and passing strings to crfsuite is most of the tagging cost).
    """

    # (own, as word -2, as word -1, as word +1, as word +2, key, lower, places starting here, case,
    #  known bigrams starting here)
    _PAD_LEFT: tuple = ((), (), ("BOS",), (), (), "<s>", "", (), 0, {})
    _PAD_RIGHT: tuple = ((), (), (), ("EOS",), (), "</s>", "", (), 0, {})

    def __init__(self, known: frozenset[str] | set[str] | None = None,
                 lowercase: frozenset[str] | set[str] = frozenset()) -> None:
        self._cache: dict[str, tuple] = {}
        self._known = known
        self._lowercase = lowercase  # words usually written in lower case, for truecasing headlines
        # bigram features the model knows, by first word: {"prime": {"minister": ("b=prime|minister",)}}
        self._bigram_next: dict[str, dict[str, tuple[str]]] = {}
        for attr in known or ():
            if attr.startswith("b="):
                first, _, second = attr[2:].partition("|")
                self._bigram_next.setdefault(first, {})[second] = (attr,)
        if known is not None:
            self._PAD_LEFT = self._PAD_LEFT[:9] + (self._bigram_next.get("<s>", _NO_BIGRAMS),)
        self._first = gazetteer.first_names()
        self._places = gazetteer.place_words()
        self._multi = gazetteer.multiword_places()
        self._demonyms = gazetteer.demonym_words()
        self._titles = lexicon.TITLE_WORDS
        self._orgsuf = lexicon.ORG_SUFFIXES
        self._orgs = frozenset(a.lower() for a in gazetteer.ORG_ALIASES if " " not in a)

    def _word(self, word: str) -> tuple:
        norm = word.translate(_QUOTES)
        low = norm.lower()
        key = low.translate(_ZEROS)
        sh = _shape(norm)
        own = ["w=" + key, "sh=" + sh]
        if len(low) > 3:
            own.append("s4=" + low[-4:])
        elif len(low) > 1:
            own.append("s2=" + low[-2:])
        flags = []
        if norm[:1].isupper():
            flags.append("C")
            if norm.isupper() and len(norm) > 1:
                flags.append("U")
            elif norm.istitle():
                flags.append("T")
        if any(c.isdigit() for c in norm):
            flags.append("D")
        if "-" in norm:
            flags.append("H")
        if "." in norm and len(norm) > 1:
            flags.append("P")
        if low in self._first:
            flags.append("gf")
        kind = self._places.get(low.rstrip("."))
        if kind:
            flags.append("g" + kind[:2])
        if low in self._demonyms:
            flags.append("gd")
        if low in self._titles:
            flags.append("gt")
        if low in self._orgsuf:
            flags.append("go")
        if low in self._orgs:
            flags.append("gO")
        own += flags
        short = ["w=" + key, "sh=" + sh] + [f for f in flags if f[0] == "g"]
        ctx = [[f"{off}{f}" for f in (short if abs(off) == 1 else short[:1])] for off in (-2, -1, 1, 2)]
        known = self._known
        if known is not None:
            own = [f for f in own if f in known]
            ctx = [[f for f in c if f in known] for c in ctx]
        # tuples of strings are not tracked by the garbage collector: a big cache stays cheap
        phrases = tuple(self._multi.get(key, ())) if word[:1].isupper() else ()
        case = 1 if word[:1].islower() else 2 if word[:1].isupper() and word.upper() != word else 0
        got = (tuple(own), tuple(ctx[0]), tuple(ctx[1]), tuple(ctx[2]), tuple(ctx[3]), key, low, phrases, case,
               self._bigram_next.get(key, _NO_BIGRAMS))
        if len(self._cache) > 300_000:
            self._cache.clear()
        self._cache[word] = got
        return got

    def document(self, sentences: Sequence[Sequence[str]],
                 skip: Sequence[bool] | None = None) -> list[list[list[str]] | None]:
        """Features for every token of every sentence of one document (None for sentences in ``skip``)."""
        cache = self._cache
        known = self._known
        # ALL-CAPS sentences (headlines) are truecased first
        caps_sent = []
        for words in sentences:
            joined = " ".join(words)
            caps_sent.append(joined.upper() == joined and joined.lower() != joined)
        if any(caps_sent):
            sentences = self._truecase(sentences, caps_sent)
        all_infos = [[cache.get(w) or self._word(w) for w in words] for words in sentences]
        # document-level cues: the word is written in lower case / capitalised mid-sentence somewhere
        lower = {i[6] for infos in all_infos for i in infos if i[8] == 1}
        cap_mid = {i[6] for infos in all_infos for i in infos[1:] if i[8] == 2}
        dflags: dict[str, tuple[str, ...]] = dict.fromkeys(cap_mid, ("dC",))
        for low in lower:
            dflags[low] = dflags.get(low, ()) + ("dL",)
        get = dflags.get
        no = ()
        out = []
        pad_l, pad_r = self._PAD_LEFT, self._PAD_RIGHT
        for k, (words, infos, is_caps) in enumerate(zip(sentences, all_infos, caps_sent)):
            if skip and skip[k]:
                out.append(None)
                continue
            seq = [pad_l, pad_l, *infos, pad_r, pad_r]
            if known is not None:  # tagging: only the bigrams the model knows, looked up from the cache
                feats = [[*c[0], *a[1], *b[2], *d[3], *e[4], *get(c[6], no), *b[9].get(c[5], no)]
                         for a, b, c, d, e in zip(seq, seq[1:], seq[2:], seq[3:], seq[4:])]
            else:  # training: every bigram
                feats = [[*c[0], *a[1], *b[2], *d[3], *e[4], *get(c[6], no), "b=" + b[5] + "|" + c[5]]
                         for a, b, c, d, e in zip(seq, seq[1:], seq[2:], seq[3:], seq[4:])]
            for j, info in enumerate(infos):
                if info[7]:  # a capitalised word that may start a multi-word place
                    self._phrase(words, feats, j, info[7])
            if is_caps:
                for f in feats:
                    f.append("SU")
            out.append(feats)
        return out

    def _truecase(self, sentences: Sequence[Sequence[str]], caps_sent: list[bool]) -> list[Sequence[str]]:
        """ALL-CAPS sentences (headlines) with their words re-cased: as the document writes them elsewhere
        (mid-sentence), else lower case for common words, else as typed for short words and acronyms ("GM",
        "U.S."), else Title case ("BAKER" -> "Baker")."""
        seen = {w for words, caps in zip(sentences, caps_sent) if not caps for w in words[1:]}
        lex = self._lowercase
        out = []
        for words, is_caps in zip(sentences, caps_sent):
            if not is_caps:
                out.append(words)
                continue
            new = []
            for w in words:
                low = w.lower()
                title = w.title()
                if low == w:
                    new.append(w)
                elif title in seen and low not in seen:
                    new.append(title)
                elif low in seen or low in lex:
                    new.append(low)
                elif len(w) <= 4 or not w.isalpha():
                    new.append(w)  # acronyms, "U.S.", numbers
                else:
                    new.append(title)
            out.append(new)
        return out

    @staticmethod
    def _phrase(words, feats, j, cands) -> None:
        """Mark a multi-word gazetteer place ("New York", "Hong Kong") starting at word ``j``."""
        for cand in cands:
            k = len(cand)
            if j + k <= len(words) and tuple(x.lower() for x in words[j:j + k]) == cand:
                for q in range(j, j + k):
                    if "gm" not in feats[q]:
                        feats[q].append("gm")
                return


@functools.lru_cache(maxsize=4)
def _featurizer(path: str | Path | None) -> Featurizer:
    t = tagger(path)
    known = frozenset(attr for attr, _label in t.info().state_features)
    return Featurizer(known, read_lexicon(lexicon_path(path or MODEL_PATH)))


def tagger(path: str | Path | None = None):
    """The CRF tagger (one per thread, opened once: ``searchapp.nlp.crf``)."""
    return crf.tagger(path or MODEL_PATH)


def featurizer(path: str | Path | None = None) -> Featurizer:
    """The featurizer for a model (restricted to the model's attributes), built once per process."""
    return _featurizer(path)


def model(path: str | Path | None = None) -> tuple:
    """(tagger, featurizer) for a model: loads it on first use."""
    return tagger(path), featurizer(path)


def unload() -> None:
    """Forget loaded models (after retraining one in place)."""
    _featurizer.cache_clear()
    crf.forget()


def lexicon_path(model_path: str | Path) -> Path:
    """The word list that goes with a model: ``ner.crfsuite`` -> ``ner.lowercase.txt``."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.name.split(".")[0] + ".lowercase.txt")


def read_lexicon(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


# --- decoding and canonical names ---------------------------------------------------------------

_OPENING_MARKS = frozenset("“‘\"'«(")
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’", "'S", "’S"})
# words at the edge of a mention that are not part of a name (headline verbs: "SUBROTO SAYS")
_EDGE_WORDS = frozenset("says say said sees warns urges plans wins to on in for and at as by the".split())


def _spans_from_bio(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """[(label, first, last+1)] from BIO (or IOB1) tags."""
    out = []
    cur = None
    for i, t in enumerate(tags):
        if t == "O":
            if cur:
                out.append(cur)
            cur = None
            continue
        bio, label = t.split("-", 1)
        if cur and cur[0] == label and bio == "I":
            cur = (label, cur[1], i + 1)
        else:
            if cur:
                out.append(cur)
            cur = (label, i, i + 1)
    if cur:
        out.append(cur)
    return out


def _strip_title(words: list[str]) -> int:
    """How many leading words are titles ("Foreign Minister", "Mr.")."""
    k = 0
    while k < len(words) - 1 and words[k].lower().translate(_QUOTES) in lexicon.TITLE_WORDS:
        k += 1
    return k


def recognize(text: str, *, model_path: str | None = None) -> list[EntityMention]:
    """PER/LOC/ORG mentions in ``text``, with offsets into ``text`` and names canonical within it."""
    spans = tokenize(text)
    if not spans:
        return []
    words = [text[s:e] for s, e in spans]
    sents = split_sentences(text, spans, words)
    sent_words = [words[a:b] for a, b in sents]
    tg, feat = model(model_path)
    # a sentence with no capital letter after its first word, which is a common word, names no one: skip it
    lex = feat._lowercase
    given = gazetteer.first_names()
    starts = {a for a, _b in sents}
    skip = []
    for (a, b), sw in zip(sents, sent_words):
        rest = text[spans[a][1]:spans[b - 1][1]]
        first = sw[0]
        skip.append(rest.lower() == rest and (first.lower() == first or first.lower() in lex))
    feats = feat.document(sent_words, skip)
    tags: list[str] = []
    for f, sw in zip(feats, sent_words):
        if f is None:
            tags.extend(["O"] * len(sw))
        else:
            tags.extend(tg.tag(f))
    raw = []
    for label, a, b in _spans_from_bio(tags):
        if label not in LABELS:
            continue
        while b > a and (words[b - 1] in _POSSESSIVE_TOKENS or words[b - 1].lower() in _EDGE_WORDS):
            b -= 1
        while b > a and words[a].lower() in _EDGE_WORDS:
            a += 1
        titled = False
        if label == "PER":
            # a word usually written in lower case, capitalised only as it opens a sentence or a quote, is no
            # part of the name ("So Donald Trump …"), unless it is a first name too ("Will Smith", "Hope
            # Hicks": "So" is among the census's names too, but a function word, and "Will" an auxiliary)
            while b - a > 1 and (a in starts or a and words[a - 1] in _OPENING_MARKS) and (
                    (low := words[a].lower()) in lex and low not in lexicon.NAME_PARTICLES
                    and (low not in given or (low in lexicon.FUNCTION_WORDS and low not in lexicon.AUXILIARIES))):
                a += 1
            k = _strip_title(words[a:b])
            titled = any(w.lower().translate(_QUOTES) in lexicon.PERSON_TITLE_WORDS for w in words[a:a + k])
            a += k
            # "Funaro and Gros": two people
            for j in range(a + 1, b - 1):
                if words[j] in ("and", "&", "AND"):
                    raw.append([label, a, j, titled])
                    a = j + 1
        if b <= a or not any(c.isalpha() for w in words[a:b] for c in w):
            continue
        raw.append([label, a, b, titled])
    _join_coordinated_orgs(words, raw)
    return _resolve(text, spans, words, sents, raw, lex)


_COORD = frozenset({"&", "and", "And"})


def _join_coordinated_orgs(words: Sequence[str], raw: list[list]) -> None:
    """An organisation named by coordinated words is one name: "Standard & Poor's Corp", "Foreign,
    Commonwealth & Development Office" (the tagger often starts the name after the "&" or the comma).
    A word is taken in only if it is capitalised and no place; what it was tagged as is dropped."""
    taken: set[int] = set()
    grown = []
    for m in raw:
        label, a, b = m[0], m[1], m[2]
        if label != "ORG":
            continue
        inner_coord = any(w in _COORD for w in words[a:b])
        while a >= 2 and words[a - 2][:1].isupper() and words[a - 2].isalpha() \
                and gazetteer.place_record(words[a - 2]) is None \
                and (words[a - 1] in _COORD or (words[a - 1] == "," and inner_coord)):
            inner_coord = inner_coord or words[a - 1] in _COORD
            a -= 2
        if a < m[1]:
            taken.update(range(a, m[1]))
            m[1] = a
            grown.append(m)
    if taken:
        raw[:] = [m for m in raw if any(m is g for g in grown) or not taken.intersection(range(m[1], m[2]))]


def _person_evidence(words: Sequence[str], a: int, b: int, titled: bool, lowercase: frozenset[str]) -> int:
    """How the words around one PER mention show it names a person: 2 for the context (a title before
    it: "Mr.", "Treasury Secretary"; a verb of saying next to it: "Baker said", "said Baker", not "the
    Navy said" or "said Societe Generale economist ..."; an apposition: "Baker, chairman of ..."),
    1 for the shape of a full name only (a first name or an initial, or several capitalised words none
    of which is a common word: "James Baker", "J. Smith", "Wasim Akram", not "Nine Mths"), 0 for none."""
    before = words[a - 1].lower().translate(_QUOTES) if a > 0 else ""
    after = words[b].lower() if b < len(words) else ""
    if before in _DETERMINERS:
        return 0
    if titled or before in lexicon.PERSON_TITLE_WORDS:
        return 2
    if after == "," and _role_follows(words, b + 1):
        return 2
    shape = 0
    if b - a >= 2 and _NAME_WORD.fullmatch(words[b - 1]):
        first = words[a].lower()
        if first in gazetteer.first_names() or _INITIAL.fullmatch(words[a]) or (b - a >= 3 and _INITIALS.fullmatch(words[a])):
            shape = 2  # a first name or an initial, which companies rarely have
        elif all(_NAME_WORD.fullmatch(w) and w.lower() not in lowercase for w in words[a:b]):
            shape = 1
    # companies say things too ("Societe Generale said", "Paribas said"): a verb of saying attests a
    # person only with a first name or an initial ("James Baker said"; "Baker said" attests the
    # James Baker of the same article, see _confirm_people)
    said = after in lexicon.REPORTING_VERBS or (before in lexicon.REPORTING_VERBS and after not in lexicon.TITLE_WORDS)
    if said and shape == 2:
        return 2
    return min(shape, 1) or (1 if said else 0)


def _role_follows(words: Sequence[str], i: int) -> bool:
    """An apposition that names a role: "..., chairman of", "..., a trader in", "..., the economist"."""
    if i < len(words) and words[i].lower() in ("a", "an", "the"):
        i += 1
    if i >= len(words) or not words[i].islower():
        return False
    word = words[i]
    return word in lexicon.TITLE_WORDS or word.endswith(_ROLE_ENDINGS)


_ROLE_ENDINGS = ("er", "or", "ist", "ian", "man", "woman", "person", "ent", "ant")
_INITIAL = re.compile(r"[A-Z]\.")
_NAME_WORD = re.compile(r"[A-Z][\w'’-]*[a-z][\w'’-]*")  # "Baker", "McDonald", "O'Neill"; not "U.S", "N.Z."
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "this", "that"})


def _not_a_person(words: Sequence[str], a: int, b: int, lowercase: frozenset[str], in_caps: bool) -> bool:
    """Names that are never people whatever the context: a month in it ("May One"), a company form
    ("Mark IV Industries Inc"), one common word ("Electric", "Bank"), one acronym ("U.S", "IBM")."""
    low = [w.lower() for w in words[a:b]]
    if any(w in lexicon.MONTHS or w in lexicon.NOT_PERSON_WORDS for w in low):
        return True
    if b - a == 1:
        word = words[a]
        return low[0] in lowercase or (not in_caps and (not any(c.islower() for c in word)
                                                        or (len(word) <= 5 and sum(c.isupper() for c in word) > 1)))
    return not in_caps and not _NAME_WORD.fullmatch(words[b - 1]) and low[-1].rstrip(".") not in ("jr", "sr", "ii", "iii")


def _confirm_people(words: Sequence[str], kept: list[list], titled: set[int], lowercase: frozenset[str],
                    caps_tokens: set[int]) -> set[str]:
    """A name is a person's only on evidence in the document (``_person_evidence`` at one of its
    mentions, or being the last name of a confirmed full name), and never when ``_not_a_person``; a
    single word that starts an organisation's name in the document is that organisation ("Chrysler"
    beside "Chrysler Corp"). Unconfirmed names are cleared (label ""): "Nine Mths", "Standard" (of
    Standard & Poor's) and company names in headlines are no one. Returns the names (lower case)
    the context attests, directly or through their last name."""
    people = [m for m in kept if m[0] == "PER"]
    org_heads = {m[4].split(" ", 1)[0] for m in kept if m[0] == "ORG"}
    evidence: dict[str, int] = {}
    rejected: set[str] = set()
    for m in people:
        if m[2] - m[1] > 1 and words[m[2] - 1].lower() in lexicon.ORG_SUFFIXES:
            m[0] = "ORG"  # "Smith Barney Inc"
        elif _not_a_person(words, m[1], m[2], lowercase, m[1] in caps_tokens) \
                or (m[2] - m[1] == 1 and m[4] in org_heads):
            rejected.add(m[4])
        else:
            evidence[m[4]] = max(evidence.get(m[4], 0), _person_evidence(words, m[1], m[2], m[1] in titled, lowercase))
    confirmed = {k for k, e in evidence.items() if e and k not in rejected}
    surnames = {k.rsplit(" ", 1)[-1] for k in confirmed if " " in k}
    for m in people:
        if m[0] == "PER" and (m[4] in rejected or (m[4] not in confirmed and m[4].rsplit(" ", 1)[-1] not in surnames)):
            m[0] = ""
    attested = {k for k in confirmed if evidence[k] == 2}
    # a full name with a first name attests its last name said alone ("Baker said"), and a last name
    # with a title ("Secretary Baker") the full name; both are one person (attested or not) here
    full = {k.rsplit(" ", 1)[-1] for k in confirmed if " " in k and k.split(" ", 1)[0] in gazetteer.first_names()}
    attested |= {k for k in confirmed if " " not in k and k in full}
    attested_last = {k.rsplit(" ", 1)[-1] for k in attested}
    return attested | {m[4] for m in people if m[0] == "PER" and m[4].rsplit(" ", 1)[-1] in attested_last}


def _key(text: str, spans, a: int, b: int) -> str:
    """A name as written, white space folded ("Standard & Poor's", not "Standard & Poor 's")."""
    return " ".join(text[spans[a][0]:spans[b - 1][1]].split()).translate(_QUOTES)


def _resolve(text, spans, words, sents, raw, lowercase: frozenset[str] = frozenset()) -> list[EntityMention]:
    """Types made consistent within the document, and canonical names (see the module doc)."""
    if not raw:
        return []
    # tokens of ALL-CAPS sentences (headlines): their names need case repair
    caps_tokens: set[int] = set()
    for a, b in sents:
        sent = text[spans[a][0]:spans[b - 1][1]]
        if b - a > 1 and sent.upper() == sent and sent.lower() != sent:
            caps_tokens.update(range(a, b))
    # [label, first, end, key, lower key]; demonyms are never places; a lone title word is no one
    kept = []
    titled = {a for label, a, b, has_title in raw if has_title}
    for label, a, b, _ in raw:
        key = _key(text, spans, a, b)
        low = key.lower()
        if label == "LOC" and gazetteer.is_demonym(key):
            continue
        if b - a == 1 and low in lexicon.TITLE_WORDS:
            continue
        if label != "ORG" and canonical_outlet(key) and not gazetteer.place_record(key):
            label = "ORG"  # "The Guardian", "Politico": news outlets are organisations
        kept.append([label, a, b, key, low])
    # one type per surface string: majority vote (first seen on ties)
    votes: dict[str, Counter] = {}
    for m in kept:
        votes.setdefault(m[4], Counter())[m[0]] += 1
    # a word that is the last name of a multi-word person is that person ("Lavrov")
    surnames = {words[m[2] - 1].lower() for m in kept if m[2] - m[1] > 1 and votes[m[4]].most_common(1)[0][0] == "PER"}
    for m in kept:
        if m[2] - m[1] == 1 and m[4] in surnames and gazetteer.place_record(m[3]) is None:
            m[0] = "PER"
        else:
            vote = votes[m[4]]
            best = max(vote.items(), key=lambda kv: kv[1])
            if best[1] > vote[m[0]]:
                m[0] = best[0]
    attested = _confirm_people(words, kept, titled, lowercase, caps_tokens)
    kept = [m for m in kept if m[0]]
    # full names of people: the longest PER name ending with the same word(s), of the person the
    # article names first when two share them ("Murphy": Chris Murphy, not a later Anne Marie Murphy)
    full: dict[str, list[str]] = {}
    for m in kept:
        if m[0] == "PER":
            full.setdefault(words[m[2] - 1].lower(), []).append(m[3])
    out = []
    for label, a, b, key, low in kept:
        start, end = spans[a][0], spans[b - 1][1]
        if label == "PER":
            name = None
            for c in full.get(words[b - 1].lower(), ()):  # in the order of the text
                if not c.lower().endswith(low):
                    continue
                if name is None or ((c.count(" "), not c.isupper()) > (name.count(" "), not name.isupper())
                                    and gazetteer.same_person(c.split(), name.split())):
                    name = c
            name = name or key
            if name.isupper() and len(name) > 3:
                name = name.title()
        elif label == "LOC":
            name = gazetteer.canonical_place(key) or (key.title() if a in caps_tokens and len(key) > 3 else key)
        else:
            name = gazetteer.canonical_org(key)
            if name == key:
                name = canonical_outlet(key) or key
        out.append(EntityMention(label=label, text=text[start:end], start=start, end=end, name=name,
                                 attested=label != "PER" or low in attested))
    return out


# --- the enrichment step ------------------------------------------------------------------------


class EntityStep:
    """Pipeline step: fills ``article.entities`` (body offsets) and ``people``/``places``/``orgs``.

    The title is read together with the body (it helps to tell types apart) but its mentions are not in
    ``article.entities``; from an ALL-CAPS title, places and organisations are kept only when the
    gazetteer knows them or the body names them too, and people only when the body names them. A dateline that the
    gazetteer knows ("Salvador") is the first place.
    """

    name = "entities"

    def __init__(self, model_path: str | None = None):
        self.model_path = model_path

    def __call__(self, article: Article) -> Article:
        title = (article.title or "").strip()
        body = article.body or ""
        if title:
            text = title + "\n\n" + body
            offset = len(title) + 2
        else:
            text, offset = body, 0
        mentions = recognize(text, model_path=self.model_path)
        title_caps = title.isupper()
        body_names = {m.name.lower() for m in mentions if m.start >= offset}
        body_surnames = {m.name.split()[-1].lower(): m.name for m in mentions
                         if m.start >= offset and m.label == "PER"}
        entities = []
        groups: dict[str, dict[str, None]] = {"PER": {}, "LOC": {}, "ORG": {}}
        # the dateline ("MOSCOW", "Salvador, Feb 26") is where the story was filed: a place of the article
        if article.dateline:
            place = gazetteer.canonical_place(article.dateline.split(",")[0].strip())
            if place:
                groups["LOC"][place] = None
        for m in mentions:
            if m.start < offset:
                if title_caps and m.name.lower() not in body_names:
                    if m.label == "LOC" and gazetteer.canonical_place(m.name):
                        pass
                    elif m.label == "ORG" and gazetteer.canonical_org(m.name) != gazetteer.clean(m.name):
                        pass
                    elif m.label == "PER" and m.name.split()[-1].lower() in body_surnames:
                        m.name = body_surnames[m.name.split()[-1].lower()]
                    else:  # a headline word the body does not confirm ("RESIGNS", "PAYOUT")
                        continue
                if title_caps and m.name.isupper() and m.label == "LOC" and len(m.name) > 3:
                    m.name = gazetteer.canonical_place(m.name) or m.name.title()
            else:
                entities.append(EntityMention(m.label, m.text, m.start - offset, m.end - offset, m.name))
            groups[m.label].setdefault(m.name, None)
        # a title mention may have a different case than the body's: prefer the body's spelling
        for label, names in groups.items():
            by_lower: dict[str, str] = {}
            for n in names:
                by_lower.setdefault(n.lower(), n)
            for m in entities:
                if m.label == label:
                    by_lower[m.name.lower()] = m.name
            groups[label] = {by_lower[n.lower()]: None for n in names}
        # kept as evidence for the archive's identities, which make the two one organisation
        article.aliases = defined_acronyms(body, entities)
        attested = {m.name for m in mentions if m.label == "PER" and m.attested}
        article.tentative_people = [n for n in groups["PER"] if n not in attested]
        article.entities = entities
        article.people = list(groups["PER"])
        article.places = list(groups["LOC"])
        article.orgs = list(groups["ORG"])
        return article


_ACRONYM_AFTER = re.compile(r"\s*\(\s*(?:the\s+)?([A-Z][A-Za-z]?(?:[A-Z&.]){1,7}s?)\s*\)")


def defined_acronyms(body: str, entities: list[EntityMention]) -> dict[str, str]:
    """Short forms the article defines: "International Coffee Organization (ICO)" -> {"ICO": name}.
    The short form must start like the name and use only its capitals' letters (in order)."""
    out: dict[str, str] = {}
    for m in entities:
        if m.label != "ORG" or " " not in m.name:
            continue
        found = _ACRONYM_AFTER.match(body, m.end)
        if not found:
            continue
        short = found.group(1)
        letters = [c for c in short.upper() if c.isalpha()]
        caps = [w[0].upper() for w in m.name.replace("-", " ").split() if w[:1].isalpha()]
        if letters and caps and letters[0] == caps[0] and _subsequence(letters, [c for w in m.name.split() for c in w.upper()]):
            out.setdefault(short, m.name)
    return out


def _subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


def names(mentions: Iterable[EntityMention], label: str) -> list[str]:
    """Distinct canonical names of one type, in order of first mention."""
    return list(dict.fromkeys(m.name for m in mentions if m.label == label))
