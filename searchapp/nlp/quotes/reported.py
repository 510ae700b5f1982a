"""Reported speech: what someone said or holds, in the writer's words, with its source and content span.

Shapes, within one sentence of the masked body (so words inside quote marks are never a cue):

* source, cue, content: "Lavrov said (on Thursday) (that) the build-up posed no threat" — the cue's
  subject is the source (``subject_before``); after "told"-like cues the listener is skipped ("told
  reporters that ...", "accused him of ..."). The content runs to the end of the sentence (or a
  semicolon, or the next cue's clause);
* a participle after a comma: "..., saying the plan would fail" — the source is the subject of the
  clause before it;
* content, then source and cue at the end: "The build-up posed no threat, Lavrov said." / "..., said
  Lavrov." — the content runs from the sentence start to the comma before the source;
* "according to": "According to X, ..." / "..., according to X.";
* with no cue at all, a sentence that opens with a person and a finite verb that is no event's:
  "Okafor voiced doubts about the levy" (``_predicate``; the speaker must be a person).

* then, in every sentence with a word that may be a cue, what the trained model (``learned``) tags
  as content that no rule found ("X has long opposed the levy"): the long tail of cues no list
  holds. Its source is the source it tagged, else its cue's subject, else
  a name opening the sentence (``_learned``).

A content span that starts with a quote (``X said, “…”``) is a direct quote's, not reported speech; a
quote inside reported speech is kind "mixed". Content spans of fewer than two words are left out
("endorsed Paul Ryan" and "opposed the tax" are stances; "said so" is not).
One sentence gives at most one reported statement per cue, and a cue inside another's content is not
read again (the content already holds it).
"""
from __future__ import annotations

import bisect
import itertools
import re

from searchapp.nlp.lexicon import (
    AUXILIARIES,
    COMMON_VERBS,
    EVENT_VERBS,
    DETERMINERS,
    FRAMING_VERBS,
    FUNCTION_WORDS,
    INVERTIBLE_CUES,
    MONTHS,
    PHRASE_STOP,
    PRONOUNS,
    REPORTED_CUES,
    REPORTED_PARTICIPLES,
    REPORTED_TO_CUES,
    ROLE_CONCEPTS,
    SOURCE_NOUNS,
    STANCE_VERBS,
    WEEKDAYS,
)
from searchapp.nlp.quotes import learned
from searchapp.nlp.quotes.attribution import Attributor
from searchapp.nlp.quotes.marks import Segment
from searchapp.nlp.quotes.phrases import (
    clause_subject,
    is_adv,
    is_name_np,
    np_forward,
    np_ok,
    subject_before,
    subject_span,
    with_pp,
)
from searchapp.nlp.text import Token, as_tokens, sentence_end, sentence_start

_WORD = re.compile(r"[a-z]+")
_ACCORDING = re.compile(r"\b(?:According|Asked)\b")
_NAME_COLON = re.compile(r"^(?:[A-Z][\w.’'-]*\s){0,3}[A-Z][\w.’'-]*:\s", re.M)  # "Okafor: Levy Will Fail"
_DOCUMENTS = frozenset("poll polls survey surveys study studies report reports analysis review".split())
_HINTS = REPORTED_CUES | REPORTED_PARTICIPLES | STANCE_VERBS | FRAMING_VERBS | _DOCUMENTS | {"according"}
MIN_WORDS = 2  # the shortest content: "backed the plan", not "said so"
_END_PUNCT = frozenset(".!?;")
_WHEN_START = frozenset("on in at during after before following since last earlier late early this as when while".split())
_CLAUSE_END = frozenset((";",))
_STANCE_NEXT = frozenset("that how what whether why if for about against".split())


def cue_offsets(body: str) -> list[int]:
    """Offsets of the words that may be reporting cues: a cheap first look (one scan of lower-case
    words and a set look-up), so that sentences without one are not read at all."""
    hints = _HINTS
    found = [m.start() for m in _WORD.finditer(body) if m.group() in hints]
    if "According" in body or "Asked" in body or "When asked" in body:
        found += [m.start() for m in _ACCORDING.finditer(body)]
        found.sort()
    if "Says" in body or "Tells" in body or "Warns" in body or "Said" in body:
        found += [m.start() for m in _HEADLINE_CUE_AT.finditer(body)]
        found.sort()
    if ": " in body:
        found += [m.start() for m in _NAME_COLON.finditer(body)]
        found.sort()
    return found


def find_reported(att: Attributor, paras: list[tuple[int, int]], cues: list[int]) -> list[Segment]:
    """Segments of reported speech in the attributor's document, each attributed (speaker, mention,
    cue). ``cues`` are the offsets of ``cue_offsets``."""
    doc = att.doc
    masked = doc.masked
    out: list[Segment] = []
    para_starts = [lo for lo, _hi in paras]
    done = -1  # the sentences are read once each, around the cues in them
    for pos in cues:
        if pos < done:
            continue
        para = bisect.bisect_right(para_starts, pos) - 1
        lo, hi = paras[para]
        if not lo <= pos < hi:
            continue
        a, b = sentence_start(masked, lo, pos), sentence_end(masked, pos, hi)
        done = b
        if b - a >= 12:
            out.extend(_sentence(att, doc.toks_in(a, b), para))
    out.extend(_predicates(att, paras, out))
    out.extend(_learned(att, paras, out))
    out.sort(key=lambda s: s.start)
    return out


# A sentence the rules' spans already cover this much of is not tagged: on a held-out fifth of PolNeAR
# train, 0.7 lost no recall (0.776) and gained precision (0.825 -> 0.829), and a twentieth of the time
# to find quotes on Reuters; 0.5 lost half a point of recall.
COVERED = 0.7


def _learned(att: Attributor, paras: list[tuple[int, int]], found: list[Segment]) -> list[Segment]:
    """What the trained model (``learned``) finds that the rules did not: its content spans that overlap
    no span of theirs, each attributed like theirs to the source it tagged in the sentence (the nearest
    before the content, else after it), else to the subject of its cue, else to a name opening the
    sentence. Unlike the rules it needs no person-like source: a country, a poll or a company is as
    often the source in PolNeAR, and requiring one cost 4.8 points of recall for 0.4 of precision on a
    held-out fifth of train. A span whose cue is a capitalised word inside a sentence that is not a
    headline in title case is dropped ("The ferry Says Hello left ..." names a ferry), and so is one over
    a source the rules found, or framed ("cast") with no "as"."""
    doc = att.doc
    masked = doc.masked
    have = sorted((s.start, s.end) for s in found)
    reach = list(itertools.accumulate((e for _s, e in have), max))  # the furthest end of have[:k + 1]
    sources = {(s.mention.start, s.mention.end) for s in found if s.mention is not None}
    at = learned.cue_offsets(*doc.body_words())
    out = []
    for a, b, para in learned.sentences(doc.sentence_starts(), paras):  # the starts coref reads too
        k = bisect.bisect_left(at, a)
        if b - a < 12 or k == len(at) or at[k] >= b:
            continue
        if _covered(have, a, b) >= COVERED * (b - a):
            continue
        words, starts = doc.words_in(a, b)
        got = learned.runs(learned.tag(masked, words, starts))
        tagged = [(x, y) for r, x, y in got if r == learned.SOURCE]
        cue_runs = [(x, y) for r, x, y in got if r == learned.CUE]
        toks = None
        for role, i, j in got:
            if role != learned.CONTENT:
                continue
            toks = toks or as_tokens(words, starts)
            seg = _span(att, toks, i, j, para)
            if seg is None or _overlaps(have, reach, seg.start, seg.end):
                continue
            if any(ms <= seg.start < me for ms, me in sources):
                continue  # a source the rules found opens no content ("according to two councillors at …")
            source = _nearest(tagged, i, j)
            cue = _nearest(cue_runs, i, j)
            if cue and toks[cue[0]].cap and cue[0] > 0 and not _title_case(toks):
                continue
            seg.cue = " ".join(t.low for t in toks[cue[0]:cue[1]]) if cue else None
            if seg.cue in FRAMING_VERBS and not any(t.low == "as" for t in toks[i:j]):
                continue  # as for the rules: "cast the plan as a burden" frames, "cast a vote" does not
            # the source it tagged, else the subject of its cue, else a name opening the sentence: the
            # first that is one of the article's people, else the first found (as the mention)
            candidates = [np for np in (toks[source[0]:source[1]] if source else [],
                                   subject_before(toks, cue[0], 0) if cue and 0 < cue[0] < i else [],
                                   _opening_name(toks, i)) if np]
            for np in candidates:
                _assign(att, seg, np, seg.cue)
                if seg.speaker is not None:
                    break
            else:
                if candidates:
                    _assign(att, seg, candidates[0], seg.cue)
            out.append(seg)
    return out


def _opening_name(toks: list[Token], before: int) -> list[Token]:
    """A name that opens the sentence, before token ``before``: "Cruz on Friday played down ..."."""
    k = 0
    while k < before and toks[k].low in _OPENERS:
        k += 1
    np = np_forward(toks, k)
    return np if np and k + len(np) <= before and is_name_np(np) else []


def _covered(spans: list[tuple[int, int]], a: int, b: int) -> int:
    """Characters of [a, b) inside ``spans`` (sorted by start; an overlap counts twice: a gate, not a
    measure)."""
    lo, hi = bisect.bisect_left(spans, (a,)), bisect.bisect_left(spans, (b,))
    got = sum(min(b, y) - x for x, y in spans[lo:hi])
    if lo:
        got += max(0, min(b, spans[lo - 1][1]) - a)
    return got


def _overlaps(spans: list[tuple[int, int]], reach: list[int], start: int, end: int) -> bool:
    """Does [start, end) overlap one of ``spans`` (sorted; ``reach[k]``: the furthest end of spans[:k + 1])?"""
    k = bisect.bisect_left(spans, (end,))  # spans[:k] start before the end
    return k > 0 and reach[k - 1] > start


def _nearest(runs: list[tuple[int, int]], i: int, j: int) -> tuple[int, int] | None:
    """Of the runs outside tokens [i, j), the last before them, else the first after."""
    before = [r for r in runs if r[1] <= i]
    return before[-1] if before else next((r for r in runs if r[0] >= j), None)


def _predicates(att: Attributor, paras: list[tuple[int, int]], found: list[Segment]) -> list[Segment]:
    """Sentences with no cue that open with a person doing something to a stance or a topic: the
    predicate (``_predicate``)."""
    doc = att.doc
    masked = doc.masked
    have = sorted(s.start for s in found)
    para_starts = [lo for lo, _hi in paras]
    out = []
    shape = _PREDICATE_SHAPE.match
    for a in itertools.chain((0,), (m.end() for m in _SENTENCE_BREAK.finditer(masked))):
        m = shape(masked, a)
        if m is None or m.group("verb") in _EVENT_ONLY:
            continue
        para = bisect.bisect_right(para_starts, a) - 1
        if para < 0:
            continue
        lo, hi = paras[para]
        if a > lo and sentence_start(masked, lo, a + 1) != a:
            continue  # "Mr. Okafor ...": not a sentence start
        b = sentence_end(masked, a, hi)
        k = bisect.bisect_left(have, a)
        if b - a < 20 or k < len(have) and have[k] < b:
            continue
        seg = _predicate(att, doc.toks_in(a, b), para)
        if seg is not None:
            out.append(seg)
    return out


# The shape of a sentence ``_predicate`` reads, as a cheap first look: a name or a pronoun, perhaps
# adverbs and auxiliaries, a verb with an ending.
_SENTENCE_BREAK = re.compile(r"\n\s*|[.!?…][”’\"')\]]*\s+")
_PREDICATE_SHAPE = re.compile(
    r"(?:(?:But|And|So|Yet|Still|Then|Now|Also|However|Meanwhile|Instead),?\s+)?"
    r"(?!(?:The|A|An|It|Its|This|That|These|Those|There|Their|His|Her|Our|In|On|At|For|By|To|From|With|As|If|"
    r"When|While|After|Before|Some|Many|Most|All|One|Two|Three|What|Which|Who|How|Why|Where)\b)"
    r"(?:he|she|they|we|(?:[A-Z][\w.’'-]*\s+){0,4}[A-Z][\w.’'-]*)\s+"
    r"(?:[a-z]+ly\s+|(?:has|had|have|would|will|could|can|may|might|should|must|did|does|do|also|already|"
    r"long|still|never|not|is|was|are|were|now)\s+)*(?P<verb>[a-z]+(?:ed|s))\b"
)
_EVENT_ONLY = EVENT_VERBS - AUXILIARIES  # a verb that cannot go on to another ("has", "was")
_ADVERBS = frozenset("already long far more less soon yet now not never also still".split())
_OPENERS = frozenset("but and so yet still then now also however meanwhile instead , — –".split())


def _predicate(att: Attributor, toks: list[Token], para: int) -> Segment | None:
    """"Okafor voiced doubts about the levy", "She has long opposed the tax": a person (a name the
    article shows is a person's, or a pronoun resolved to one) at the start of the sentence, a finite
    verb, and what follows it: PolNeAR annotates a person's stances and acts of speech with any verb.
    Verbs of events (won, took, arrived ...) are not read, nor a plural noun taken for a verb
    ("Republican candidates have ...")."""
    n = len(toks)
    i = 0
    while i < n and toks[i].low in _OPENERS:
        i += 1
    np = np_forward(toks, i)
    if not np:
        return None
    if not (is_name_np(np) or (len(np) == 1 and np[0].low in ("he", "she", "they", "we", "i"))):
        return None
    k = i + len(np)
    aux = False
    while k < n and (is_adv(toks[k]) or toks[k].low in _ADVERBS):
        aux = True
        k += 1
    if k + 1 >= n:
        return None
    v = toks[k]
    if v.cap or not v.text.isalpha() or v.low in FUNCTION_WORDS or v.low in EVENT_VERBS:
        return None
    if not (aux or v.low.endswith(("ed", "es")) or v.low in COMMON_VERBS):
        return None
    nxt = toks[k + 1]
    if v.low.endswith("s") and (nxt.low in AUXILIARIES or nxt.low in COMMON_VERBS or nxt.low in REPORTED_CUES):
        return None  # "Republican candidates have ...": a noun, not a verb
    end = _content_to(toks, k + 1)
    seg = _span(att, toks, k + 1, end, para)
    if seg is None:
        return None
    _assign(att, seg, np, v.low)
    if seg.speaker is None:
        return None  # with no cue of saying, only a person's stance counts
    return seg


def _sentence(att: Attributor, toks: list[Token], para: int) -> list[Segment]:
    n = len(toks)
    tail, tried = _tail_attribution(att, toks, para)
    if tail is not None:
        return [tail]
    out: list[Segment] = []
    covered = -1  # tokens up to here are inside a content span already found
    for ci in range(n):
        if ci <= covered:
            continue
        t = toks[ci]
        low = t.low
        if t.cap and ci > 0 and not (low in _HEADLINE_CUES and _title_case(toks)):
            continue
        if low == "according" and ci + 1 < n and toks[ci + 1].low == "to":
            found = _according(att, toks, ci, para)
        elif low in REPORTED_CUES:
            found = _content_after(att, toks, ci, para) or (None if ci == tried else _content_before(att, toks, ci, para))
        elif low in REPORTED_PARTICIPLES and ci > 0 and toks[ci - 1].text in (",", "—", "–"):
            found = _participle(att, toks, ci, para)
        elif low in STANCE_VERBS or _stance_verb(toks, ci) or (
                low in FRAMING_VERBS and any(t.low == "as" for t in toks[ci + 1:ci + 5])):
            found = _content_after(att, toks, ci, para, people_only=True)
            if found is None and low in _SEEM:
                found = _seeming(att, toks, ci, para)
        else:
            continue
        if found is not None:
            seg, last = found
            out.append(seg)
            covered = last
    if not out and n > 4:
        found = _name_colon(att, toks, para) or _asked(att, toks, para) or _in_document(att, toks, para)
        if found is not None:
            out.append(found)
    return out


def _tail_attribution(att: Attributor, toks: list[Token], para: int) -> tuple[Segment | None, int]:
    """A sentence that ends with its attribution ("..., Stovall said.", "..., according to a
    spokeswoman.") is all that source's: the cues before it are inside the content ("Cruz promised to
    shake things up, Stovall said"). Returns the segment (or None) and the cue tried (or -1)."""
    n = len(toks)
    for ci in range(4, n - 2):
        if toks[ci].low == "according" and toks[ci + 1].low == "to" and not toks[ci].cap:
            found = _according(att, toks, ci, para)
            return (found[0] if found else None), -1
    for ci in range(n - 2, max(3, n - 14), -1):
        t = toks[ci]
        if t.text == ",":
            # "..., said Steve Grubbs, an Iowa operative.": the name and its apposition end the sentence
            cue = _inverted_cue_before_name(toks, ci)
            if cue > 0:
                found = _content_before(att, toks, cue, para)
                return (found[0] if found else None), cue
            break
        if t.text[0] == "\x00":
            break
        if t.cap:
            continue
        if t.low == "according" and toks[ci + 1].low == "to" and toks[ci - 1].text == ",":
            found = _according(att, toks, ci, para)
        elif t.low in INVERTIBLE_CUES and t.low not in REPORTED_TO_CUES and ci + 1 < n and (
                toks[ci + 1].low not in FUNCTION_WORDS or toks[ci + 1].low in _WHEN_START or toks[ci + 1].text in _END_PUNCT):
            found = _content_before(att, toks, ci, para)
        else:
            continue
        return (found[0] if found else None), ci
    return None, -1


def _inverted_cue_before_name(toks: list[Token], comma: int) -> int:
    """The cue of ", said Ivo Brandt," ending just before ``comma`` (its index), else -1."""
    k = comma - 1
    while k > comma - 5 and k > 1 and toks[k].cap:
        k -= 1
    cue = toks[k]
    if k == comma - 1 or cue.cap or cue.low not in INVERTIBLE_CUES or cue.low in REPORTED_TO_CUES:
        return -1
    return k if toks[k - 1].text == "," else -1


_HEADLINE_CUES = frozenset("says say said tells warns claims urges admits insists vows".split())
_HEADLINE_CUE_AT = re.compile(r"\b(?:Says|Say|Said|Tells|Warns|Claims|Urges|Admits|Insists|Vows)\b")


def _title_case(toks: list[Token]) -> bool:
    """A headline in title case ("Newspaper Says Council Must Act"): most words capitalised."""
    words = [t for t in toks if t.text[0].isalpha()]
    return len(words) >= 4 and sum(t.cap for t in words) * 4 >= len(words) * 3


_SEEM = frozenset("seem seems seemed appear appears appeared".split())
_CLAUSE_OPENERS = frozenset("which that who whom".split())


def _seeming(att: Attributor, toks: list[Token], ci: int, para: int) -> tuple[Segment, int] | None:
    """"The figures appear to be wrong", "the team seemed paralysed": a judgement with no source but
    the writer; the content is the clause, its subject included."""
    lo = 0
    for k in range(ci - 1, -1, -1):
        if toks[k].text in (",", ";", ":", "—", "–") or (toks[k].low in _CLAUSE_OPENERS and not toks[k].cap):
            lo = k + 1
            break
    if ci - lo < 1 or ci - lo > 14:
        return None
    end = _content_to(toks, ci + 1)
    seg = _span(att, toks, lo, end, para)
    if seg is None:
        return None
    seg.cue = toks[ci].low
    return seg, end


def _name_colon(att: Attributor, toks: list[Token], para: int) -> Segment | None:
    """A headline or a lead that gives a person's name, a colon and what the person holds: "Okafor:
    Levy Will Fail"."""
    k = next((k for k in range(min(len(toks), 5)) if toks[k].text == ":"), -1)
    if k < 1 or not all(t.cap for t in toks[:k]) or not is_name_np(toks[:k]) or toks[k + 1].text[0] == "\x00":
        return None
    seg = _span(att, toks, k + 1, _content_to(toks, k + 1), para)
    if seg is not None:
        _assign(att, seg, toks[:k], ":")
        if seg.speaker is None:
            return None  # "Editor’s Note: ...", "The Daily Briefing: ...": a label, no person
    return seg


_ASKED_NEXT = frozenset("if whether about what why how when where who to".split())


def _asked(att: Attributor, toks: list[Token], para: int) -> Segment | None:
    """"Asked (by X) whether the levy would pass, ...": the question is an attribution; the one who
    asks, when named, is its source (the one who answers speaks in the main clause)."""
    a = 1 if toks[0].low == "when" else 0
    if toks[a].low != "asked":
        return None
    k, np = a + 1, []
    if toks[k].low == "by":
        np = np_forward(toks, k + 1)
        k += 1 + len(np)
    # "Asked during a debate why ...", "Asked on Thursday about ...": past a short adverbial
    q = next((m for m in range(k, min(len(toks), k + 8)) if toks[m].low in _ASKED_NEXT or toks[m].text == ","), -1)
    if q < 0 or toks[q].text == ",":
        return None
    k = q
    end = next((m for m in range(k, len(toks)) if toks[m].text in (",", ";")), len(toks))
    seg = _span(att, toks, k, end, para)
    if seg is None:
        return None
    if np_ok(np):
        _assign(att, seg, np, "asked")
    else:
        seg.cue = "asked"
    return seg


def _in_document(att: Attributor, toks: list[Token], para: int) -> Segment | None:
    """"In a county poll last month, Okafor led by ten points": the poll, survey or report is the
    source of the clause after the comma."""
    if toks[0].low != "in":
        return None
    comma = next((m for m in range(1, min(len(toks), 14)) if toks[m].text == ","), -1)
    if comma < 3 or not any(t.low in _DOCUMENTS for t in toks[1:comma]):
        return None
    np = toks[1:comma]
    seg = _span(att, toks, comma + 1, _content_to(toks, comma + 1), para)
    if seg is not None:
        _assign(att, seg, np, "in")
    return seg


def _assign(att: Attributor, seg: Segment, np: list[Token], cue: str, core: list[Token] | None = None) -> None:
    """Attribute like a direct quote, but a speaker must be one of the article's people: reported
    speech is as often a country's, a company's or a poll's ("Russia has denied ...", "polls show
    ..."), and those are no speakers to search for (the mention keeps the words)."""
    att.assign(seg, np, cue, core)
    if seg.speaker is not None and not att.coref.is_person(seg.speaker):
        seg.speaker = None


def _span(att: Attributor, toks: list[Token], i: int, j: int, para: int) -> Segment | None:
    """A segment over tokens [i, j), trimmed of end punctuation; None when it is too short or a quote."""
    while j > i and (toks[j - 1].text in _END_PUNCT or toks[j - 1].text in (",", ":", "—", "–")):
        j -= 1
    if j - i < 2:
        return None
    body = att.doc.body
    words = sum(len(body[t.start : t.end].split()) if t.text[0] == "\x00" else t.text[0].isalnum() for t in toks[i:j])
    if words < MIN_WORDS:
        return None
    start, end = toks[i].start, toks[j - 1].end
    seg = Segment(-1, start, end, -1, para)
    seg.words = len(att.doc.body[start:end].split())
    return seg


def _content_start(toks: list[Token], ci: int) -> int:
    """Where the content of the cue at ``ci`` starts: after adverbs, the listener of a "told"-like cue,
    a short adverbial before "that" ("said on Thursday that"), and "that" itself."""
    k = ci + 1
    while k < len(toks) and is_adv(toks[k]) and toks[k].low not in ("that",):
        k += 1
    if toks[ci].low in REPORTED_TO_CUES and k < len(toks) and toks[k].low != "that":
        obj = np_forward(toks, k)
        if obj and obj[0].text[0] != "\x00":
            k += len(obj)
    for m in range(k, min(len(toks), k + 6)):
        if toks[m].low == "that" and not toks[m].cap:
            return m + 1
        if toks[m].text in (",", ".", ";", ":") or toks[m].text[0] == "\x00":
            break
    return _after_when(toks, k)


def _after_when(toks: list[Token], k: int) -> int:
    """Past a time adverbial before the content ("said on Thursday (Feb 10) the talks ..."): the
    content starts after the day, date or year; "said in a statement" has no content (len(toks))."""
    if k >= len(toks) or toks[k].low not in _WHEN_START:
        return k
    for m in range(k + 1, min(len(toks), k + 9)):
        prev = toks[m - 1]
        dated = prev.text == ")" or prev.text[0].isdigit() or prev.low in WEEKDAYS or prev.low in MONTHS
        if dated and (toks[m].low in DETERMINERS or toks[m].low in PRONOUNS or toks[m].cap):
            return m
        if toks[m].text in (",", ";", ".") or toks[m].low == "that":
            return m + 1 if toks[m].low == "that" else len(toks)
    return len(toks)


def _content_to(toks: list[Token], k: int) -> int:
    end = k
    while end < len(toks) and toks[end].text not in _CLAUSE_END:
        end += 1
    return end


def _stance_verb(toks: list[Token], ci: int) -> bool:
    """Any other past-tense verb that takes a clause or a topic ("pushed for", "complained about") with a
    person as its subject reports a stance in news prose."""
    t = toks[ci]
    if t.cap or not t.low.endswith("ed") or not t.text.isalpha() or t.low in FUNCTION_WORDS or t.low in AUXILIARIES:
        return False
    # a stance takes a clause or a topic ("urged that", "pushed for", "warned against"); an event takes
    # a thing ("joined the board", "served two terms")
    k = ci + 1
    while k < len(toks) and is_adv(toks[k]):
        k += 1
    return k < len(toks) and toks[k].low in _STANCE_NEXT


def _person_like(np: list[Token]) -> bool:
    if len(np) == 1 and np[0].low in ("he", "she", "they", "we", "i"):
        return True
    return is_name_np(np) or np[-1].low in ROLE_CONCEPTS or np[-1].low in SOURCE_NOUNS


def _content_after(att: Attributor, toks: list[Token], ci: int, para: int,
                   people_only: bool = False) -> tuple[Segment, int] | None:
    """Source, cue, content: "Lavrov said (that) ..."."""
    np = subject_before(toks, ci, 0)
    if not np and not people_only:
        np = _quantity_before(toks, ci)
    if not np or (people_only and not _person_like(np)):
        return None
    if not np[-1].cap and np[-1].low.endswith("ed") and np[-1].low not in ROLE_CONCEPTS:
        return None  # "Quist voiced doubts about ...": a noun after a verb, no cue
    return _attributed_after(att, toks, ci, _content_start(toks, ci), np, para)


def _quantity_before(toks: list[Token], ci: int) -> list[Token]:
    """A share of people as the subject ("Nearly six in 10 said", "Others say", "Most believe"): a
    source, and no speaker."""
    j = ci - 1
    while j >= 0 and is_adv(toks[j]):
        j -= 1
    if j < 0 or toks[j].cap and j > 0:
        return []
    if toks[j].text == "%" and j > 0:  # "42% say ..."
        j -= 1
    t = toks[j]
    if t.text[0].isdigit() or t.low in _QUANTITY_HEADS:
        i = j
        while i > 0 and toks[i - 1].text not in (",", ";", ":", "(") and j - i < 5 and toks[i - 1].text[0] != "\x00":
            if toks[i - 1].low in PHRASE_STOP and toks[i - 1].low not in ("in", "of", "out", "than"):
                break
            i -= 1
        return toks[i : j + 2] if j + 1 < ci and toks[j + 1].text == "%" else toks[i : j + 1]
    return []


_QUANTITY_HEADS = frozenset("others many most some few half percent majority minority".split())


def _attributed_after(att: Attributor, toks: list[Token], ci: int, k: int, np: list[Token],
                      para: int) -> tuple[Segment, int] | None:
    """The content from token ``k`` to the end of the clause, attributed to ``np`` with the cue at ``ci``;
    none where a direct quote follows ("X said, “…”", "X said “…”", "…, telling CNBC: “…”")."""
    if k < len(toks) and (toks[k].text in (",", ":") or (toks[k].text[0] == "\x00" and k == ci + 1)):
        return None
    end = _content_to(toks, k)
    seg = _span(att, toks, k, end, para)
    if seg is None:
        return None
    _assign(att, seg, np, toks[ci].low)
    return seg, end


def _participle(att: Attributor, toks: list[Token], ci: int, para: int) -> tuple[Segment, int] | None:
    """"…, saying the plan would fail": the subject of the clause before the comma speaks."""
    np = clause_subject(toks, 0, ci)
    if not np:
        return None
    return _attributed_after(att, toks, ci, _content_start(toks, ci), np, para)


def _content_before(att: Attributor, toks: list[Token], ci: int, para: int) -> tuple[Segment, int] | None:
    """Content, then source and cue at the end: "..., Lavrov said." / "..., said Lavrov."."""
    commas = [k for k in range(ci) if toks[k].text == ","]
    if not commas:
        return None
    comma = commas[-1]
    n = len(toks)
    if comma < 3 and not (comma >= 1 and ci + 1 < n and toks[ci + 1].text == ","):
        return None  # too short a content, unless it goes on after the cue ("But, he said, ...")
    end = 0  # the content: tokens [0, comma), and [end, n) when the attribution stands inside it
    inverted = with_pp(toks, ci + 1, np_forward(toks, ci + 1, stop_at_verbs=False)) if ci == comma + 1 else []
    if np_ok(inverted):  # "..., said Lavrov." / "..., said Lavrov, a historian at Ardent College."
        np = core = inverted
        rest = toks[ci + 1 + len(np) :]
        if len(rest) > 8 and not (is_name_np(np) and rest[0].text == "," and _apposition(rest[1:])):
            return None
    else:
        subj = None
        for c in reversed(commas[-3:]):  # "..., Ivo Brandt, a historian at Ardent College, said."
            if c < 1:
                break
            found = subject_span(toks, c + 1, ci)
            if found and is_name_np(found[1]):
                subj, comma = found, c
                break
            if subj is None and c == commas[-1]:
                subj = found
        if not subj:
            return None
        np, core = subj
        k = ci + 1
        while k < n and is_adv(toks[k]):
            k += 1
        if k < n and toks[k].text == "," and k + 1 < n and toks[k + 1].text[0] != "\x00":
            end = n  # "In her state, Lee said, first offenders go to treatment": the whole sentence
        elif n - ci - 1 > 8:
            return None
    tail = toks[ci + 1 :]
    if not end and any(t.low == "that" or t.text[0] == "\x00" for t in tail):
        return None
    seg = _span(att, toks, 0, end or comma, para)
    if seg is None:
        return None
    _assign(att, seg, np, toks[ci].low, core)
    return seg, n


def _apposition(toks: list[Token]) -> bool:
    """Words after a speaker's name that describe them ("a historian at Ardent College"): no cue, no
    quote, no clause of its own."""
    return bool(toks) and len(toks) <= 24 and not any(
        t.text[0] == "\x00" or t.low in REPORTED_CUES or t.low == "that" for t in toks)


def _according(att: Attributor, toks: list[Token], ci: int, para: int) -> tuple[Segment, int] | None:
    """"According to X, ..." (also after an opening word: "Now, according to X, ..."), and "...,
    according to X." (with or without the comma). The source runs to the next comma ("according to
    early results of the exit poll conducted for the networks, ...")."""
    n = len(toks)
    np = np_forward(toks, ci + 2, stop_at_verbs=False)
    if not np or np[0].text[0] == "\x00":
        return None
    comma = next((m for m in range(ci + 2, min(n, ci + 32)) if toks[m].text == ","), -1)
    opening = ci == 0 or (ci <= 3 and toks[ci - 1].text == ",")
    if opening and comma > 0:
        end = _content_to(toks, comma + 1)
        seg = _span(att, toks, comma + 1, end, para)
    elif ci > 3 and not opening:
        end = comma if comma > 0 else n
        seg = _span(att, toks, 0, ci, para)
    else:
        return None
    if seg is None:
        return None
    _assign(att, seg, np, "according to")
    return seg, end
