"""Attribution: the cue and the words naming the speaker of each quote segment.

1. after the closing mark, in the same sentence: ``“…,” Lavrov said`` / ``“…,” said Lavrov`` /
   ``“…,” she said`` / ``“…” Russia’s top diplomat told reporters`` / ``“…,” Truss, 46, said`` /
   ``“…,” Sen. Ann Lee (D-Ore.) said`` / ``“…,” a spokesman for the campaign said`` /
   ``“…,” according to X`` / ``“…?” Okafor pressed.`` / ``“…” if she loses, said X.`` /
   ``“…” — Jane Doe, 34, Texas``. A quote that ends with a full stop is not attributed to a
   capitalised word after it (a new sentence starts there);
2. before the opening mark, in the same sentence (words inside other quotes are ignored): the last
   cue and its subject: ``Lavrov said: “…”``, ``He added that the … “…”``, ``Truss, 46, the first
   …, added there were “…”`` (appositives skipped; a name among them wins), ``…, warning that …
   ‘…’`` (a participle after a comma takes the subject of the cue just before it, else of its
   clause), ``According to X, “…”``, ``Said Brandt, “…”``, ``Pollster Jo Ames: “…”`` and ``Brandt
   released a statement: “…”`` (colon);
3. otherwise the quote takes the attribution of the quotes around it (``attribute``).

Cues are speech verbs in finite and participle form, phrasal cues (according to, pointed out, went
on, put it) and weak cues (called, described, read) that count only close to the quote. ``cue`` is
the cue as written, lower-cased, None when the speaker was found without one (dash line, colon).
The speaker's words are resolved to a person by ``coref``.
"""
from __future__ import annotations

from searchapp.article import Mention
from searchapp.nlp.lexicon import (
    AUXILIARIES,
    COMMON_VERBS,
    DETERMINERS,
    FINITE_CUES,
    INVERTIBLE_CUES,
    PHRASE_STOP,
    PRONOUNS,
    ROLE_CONCEPTS,
    UTTERANCE_NOUNS,
    WEAK_CUES,
)
from searchapp.nlp.quotes.candidates import Doc
from searchapp.nlp.quotes.coref import Resolver
from searchapp.nlp.quotes.marks import Segment, is_scare
from searchapp.nlp.quotes.phrases import (
    OBJECT_OF,
    clause_subject,
    cue_at,
    cut_pp,
    is_adv,
    is_place,
    is_name_np,
    np_backward,
    np_forward,
    np_ok,
    past,
    subject_before,
    subject_span,
    with_pp,
)
from searchapp.nlp.sources import canonical_outlet
from searchapp.nlp.text import DASHES, Token, sentence_end, sentence_start


_SAID_TO = OBJECT_OF - {"from", "by", "of", "with"}


class Attributor:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.masked = doc.masked
        self.coref = Resolver(doc)

    def sentence_start(self, lo: int, pos: int) -> int:
        return sentence_start(self.masked, lo, pos)

    def sentence_end(self, pos: int, hi: int) -> int:
        return sentence_end(self.masked, pos, hi)

    # -- patterns ----------------------------------------------------------------------------
    def after(self, seg: Segment, hi: int, next_open: int) -> bool:
        """“…,” Lavrov said / “…,” said Lavrov / “…,” she said / “…” — Jane Roe."""
        if seg.close < 0:
            return False
        body = self.doc.body
        end = min(self.sentence_end(seg.close_end, hi), next_open if next_open > 0 else hi)
        toks = self.doc.toks_in(seg.close_end, end)
        if not toks:
            return False
        final_dot = "." in body[seg.end : seg.close]
        i = 0
        while i < len(toks) and (toks[i].text == "," or toks[i].text in DASHES):
            i += 1
        if i >= len(toks) or toks[0].text == ".":
            return False
        # dash attribution: “…” — Jane Roe / “…” ― Jane Doe, 34, Texas
        if toks[0].text in DASHES and i == 1:
            np = np_forward(toks, i)
            rest = i + len(np)
            if is_name_np(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(", ";")):
                self.assign(seg, np, None)
                return True
        if final_dot and toks[i].cap:
            # a new sentence, unless it is only the attribution: “… are missing.” Okafor said.
            np = np_forward(toks, i)
            c = cue_at(toks, i + len(np)) if np and i + len(np) < len(toks) else None
            if c and c[2] == "finite" and (is_name_np(np) or np[0].low in ("he", "she")) and all(
                t.text not in (":", ",") and t.text[0] != "\x00" and t.low != "that" for t in toks[c[1] :]
            ) and len(toks) - c[1] <= 4:
                self.assign(seg, np, c[0])
                return True
            return False
        # cue first: “…,” said Lavrov
        c = cue_at(toks, i)
        closing = body[seg.end : seg.close].strip()[-1:] or (toks[0].text if toks[0].text == "," else "")
        if c and c[0] not in INVERTIBLE_CUES and c[2] == "finite" and closing in (",", "!", "?"):
            # any cue inverts before a name that its clause ends on: “…,” scoffed Ann Lee, 22, who …
            # (not after a quote inside a sentence: Her “no comment” reminded Ann Lee, 41, of …)
            np = np_forward(toks, c[1], stop_at_verbs=False)
            rest = c[1] + len(np)
            if is_name_np(np) and np[0].cap and (rest >= len(toks) or toks[rest].text in (",", ".", "(")):
                self.assign(seg, np, c[0], cut_pp(np))
                return True
        if c and (c[0] in INVERTIBLE_CUES or c[2] == "according"):
            np = np_forward(toks, c[1], stop_at_verbs=False)
            if np and toks[c[1]].low in PRONOUNS:
                np = [toks[c[1]]]
            np = with_pp(toks, c[1], np)
            rest = c[1] + len(np)
            if len(np) > 1 and _reduced_relative(toks, rest - 1):  # "one councillor involved in ..."
                np, rest = np[:-1], rest - 1
            if np and not is_name_np(cut_pp(np)) and (np[0].low in DETERMINERS and not np[0].cap or np[0].poss):
                # “…,” said another harbour pilot, Ann Lee. / said Lee’s campaign manager, Ann Roe, who …
                comma = next((m for m in range(rest, min(len(toks), rest + 4)) if toks[m].text == ","), -1)
                app = np_forward(toks, comma + 1, stop_at_verbs=False) if comma > 0 else []
                after = comma + 1 + len(app)
                if is_name_np(app) and app[0].cap and (after >= len(toks) or toks[after].text in (",", ".", "(")
                                                       or toks[after].low == "of"):
                    self.assign(seg, app, c[0], cut_pp(app))
                    return True
            if np_ok(np) and (
                rest >= len(toks) or toks[rest].text in (",", ".", "(", ";", ":", "—", "–", "!", "?")
                or not (toks[rest].low in COMMON_VERBS or past(toks[rest]) or toks[rest].low in AUXILIARIES)
                or _reduced_relative(toks, rest)
            ):
                self.assign(seg, np, c[0], cut_pp(np))
                return True
            return False
        # subject first: “…,” Lavrov said / “…,” Truss, 46, said / “…” Russia’s top diplomat told
        limit = min(len(toks), i + 22)
        depth = 0
        for k in range(i + 1, limit):
            t = toks[k]
            if t.text in ("(", "["):
                depth += 1
                continue
            if t.text in (")", "]"):
                depth = max(0, depth - 1)
                continue
            if depth:
                continue
            if t.text == "." and k + 1 < len(toks) and (toks[k + 1].text == "," or not toks[k + 1].cap):
                continue  # "Erie, Pa., said"
            if t.text in (".", ";", ":", "?", "!") or t.text[0] == "\x00":
                break
            c = cue_at(toks, k)
            if not c or c[2] != "finite":
                continue
            subj = subject_span(toks, i, k)
            if subj:
                if (
                    body[seg.close - 1 : seg.close] in ("?", "!")
                    and next_open > 0
                    and all(t.text in (",", ":", "—") or is_adv(t) or t.low in ("back", "that") for t in toks[c[1] :])
                ):
                    return False  # “Why now?” Vance then writes back, “…”: the cue is the next quote's
                self.assign(seg, subj[0], c[0], subj[1])
                return True
            break
        # “…?” Okafor pressed. / “…,” reacted Okafor. (any past-tense verb that ends the sentence)
        rest = [t for t in toks[i:] if t.text not in (".", "!", "?")]
        if 2 <= len(rest) <= 5:
            np = np_forward(rest, 0, stop_at_verbs=True)
            if np and len(np) < len(rest) and (is_name_np(np) or np[0].low in ("he", "she")):
                v = rest[len(np)]
                if past(v) and len(rest) - len(np) <= 2:
                    self.assign(seg, np, v.low)
                    return True
            if past(rest[0]):
                np = np_forward(rest, 1, stop_at_verbs=False)
                if is_name_np(np) and len(np) == len(rest) - 1:
                    self.assign(seg, np, rest[0].low)
                    return True
        # the attribution closes the sentence: “…” if she loses, said Ruth Tamm. / …, Tamm said.
        for k in range(i + 1, len(toks)):
            if toks[k - 1].text != ",":
                continue
            for m in range(k + 1, min(len(toks), k + 6)):
                c = cue_at(toks, m)
                if c and c[2] == "finite":
                    if c[1] >= len(toks) or toks[c[1]].text in (".", ",", "!", "?") or all(
                        t.text not in (",", ";", ":") and t.low not in ("that",) for t in toks[c[1] : c[1] + 6]
                    ) and len(toks) - c[1] <= 6:
                        subj = subject_span(toks, k, m)
                        if subj and (is_name_np(subj[1]) or subj[1][0].low in ("he", "she")):
                            self.assign(seg, subj[0], c[0], subj[1])
                            return True
                    break
            c = cue_at(toks, k)
            if c and c[0] in INVERTIBLE_CUES and c[1] < len(toks):
                np = np_forward(toks, c[1], stop_at_verbs=False)
                rest = c[1] + len(np)
                if np_ok(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(")):
                    self.assign(seg, np, c[0], cut_pp(np))
                    return True
        return False

    def before(self, seg: Segment, lo: int) -> bool:
        """Lavrov said: “…” / He added that the … “…” / …, warning that … ‘…’ / According to X, “…”."""
        sent_lo = self.sentence_start(lo, seg.open)
        toks = self.doc.toks_in(sent_lo, seg.open)
        if not toks:
            return False
        for ci in range(len(toks) - 1, -1, -1):
            c = cue_at(toks, ci)
            if not c:
                continue
            cue, after_i, kind = c
            gap = len(toks) - after_i
            near = gap <= 3 or all(t.text in (",", ":", "—", "that") for t in toks[after_i:])
            if cue in ("called", "calls", "described", "describes", "labeled", "labelled") and gap <= 7:
                near = not any(
                    t.text in (",", ";", ":") or (t.low in PHRASE_STOP and t.low not in ("as", "of", "to", "in", "on"))
                    for t in toks[after_i:]
                )
            if cue in WEAK_CUES and not near:
                continue
            if kind == "according":
                np = np_forward(toks, after_i, stop_at_verbs=False)
                if np_ok(np):
                    self.assign(seg, np, cue)
                    return True
                continue
            if kind == "participle":
                pj = ci - 1
                while pj >= 0 and toks[pj].low.endswith("ly") and not toks[pj].cap:
                    pj -= 1  # "alternately shouting"
                prev = toks[pj] if pj >= 0 else None
                if prev is None or prev.text in (",", "—", "–", ":") or prev.low in (
                    "and", "while", "before", "after", "by", "when", "upon", "on", "without", "in", "then", "also"
                ):
                    np = []
                    # "…, Brandt said, adding, “…”": the subject of the cue just before
                    for cj in range(pj - 1, max(-1, pj - 8), -1):
                        c2 = cue_at(toks, cj)
                        if c2 and c2[2] == "finite":
                            np = subject_before(toks, cj, 0)
                            break
                        if toks[cj].text in (".", ";", ":"):
                            break
                    if not np and prev is not None:
                        np = clause_subject(toks, 0, ci)
                    if np:
                        self.assign(seg, np, cue)
                        return True
                    continue
                # "Okafor was saying “…”", "Okafor kept saying"
                j = ci - 1
                while j >= 0 and (is_adv(toks[j]) or toks[j].low in ("was", "were", "is", "are", "kept", "keeps", "been", "began", "started", "continued")):
                    j -= 1
                np = np_backward(toks, j)
                b = j - len(np)
                if (np and b >= 0 and toks[b].low in ("to", "on", "in", "at", "via") and not toks[b].cap
                        and (is_place(np) or canonical_outlet(" ".join(t.text for t in np)))):
                    # "Lee wrote in a statement to The Guardian explaining “…”", "spoke in Oregon saying": the
                    # clause's subject; people are their own ("with Lee yelling", "fired on protesters chanting")
                    np = clause_subject(toks, 0, ci) or np
                if np_ok(np):
                    self.assign(seg, np, cue)
                    return True
                continue
            # "the 2005 tape, in which Okafor said", "who said": subject right before the cue
            np = subject_before(toks, ci, 0)
            if np:
                self.assign(seg, np, cue)
                return True
            if ci == 0 and cue in INVERTIBLE_CUES:  # "Said Brandt, “…”"
                np = np_forward(toks, after_i, stop_at_verbs=False)
                if is_name_np(np) or (np and np[0].low in DETERMINERS and np_ok(np)):
                    self.assign(seg, np, cue)
                    return True
            # passive/other: "was quoted as saying", keep looking for an earlier cue
        # a name and a colon right before the quote: "pollster Jo Ames: “…”"
        if len(toks) >= 2 and toks[-1].text == ":":
            np = np_backward(toks, len(toks) - 2)
            before = len(toks) - 2 - len(np)
            # not who it was said to or about ("a message to Trump:"); "a lesson from Lynch:", "in the
            # words of Lee:" are theirs
            if is_name_np(np) and len(np) <= 6 and not (before >= 0 and toks[before].low in _SAID_TO):
                self.assign(seg, np, None)
                return True
            # "Brandt released the following statement: “…”": the subject of the sentence
            np = clause_subject(toks, 0)
            if np and (is_name_np(np) or (len(np) == 1 and np[0].low in ("he", "she")) or (
                np[-1].low in UTTERANCE_NOUNS and len(np) >= 2 and np[-2].poss
            )):
                self.assign(seg, np, None)
                return True
            # "… — Tamm called them on it:": the last name that is followed by a verb
            for k in range(len(toks) - 2, 0, -1):
                nxt = toks[k + 1]
                if toks[k].cap and not toks[k].poss and not nxt.cap and (
                    nxt.low in COMMON_VERBS or nxt.low in FINITE_CUES or (nxt.low.endswith("ed") and len(nxt.low) > 4)
                ):
                    np = np_backward(toks, k)
                    if is_name_np(np):
                        self.assign(seg, np, None)
                        return True
                    break
        return False

    def intro(self, seg: Segment, lo: int, prev_lo: int) -> bool:
        """The sentence just before a quote that opens its own sentence ends with a cue and a short
        adverbial: "Sam Lau, the party spokesman, said in a statement. “…”"."""
        start = self.sentence_start(lo, seg.open)
        if self.masked[start : seg.open].strip():
            return False
        if start == lo:  # first sentence of its paragraph: look at the previous paragraph
            if lo == prev_lo:
                return False
            lo = prev_lo
        end = start
        while end > lo and self.masked[end - 1].isspace():
            end -= 1
        if end <= lo or self.masked[end - 1] not in ".:":
            return False
        p_start = self.sentence_start(lo, end - 1)
        toks = self.doc.toks_in(p_start, end - 1)
        for ci in range(len(toks) - 1, max(-1, len(toks) - 9), -1):
            c = cue_at(toks, ci)
            if not c or c[2] != "finite" or c[0] in WEAK_CUES:
                continue
            tail = toks[c[1] :]
            if len(tail) > 6 or any(t.low in ("that", "he", "she", "they", "it", "we") or t.text[0] == "\x00" for t in tail):
                return False
            np = subject_before(toks, ci, 0)
            if np and (is_name_np(np) or np[0].low in ("he", "she") or np[-1].low in ROLE_CONCEPTS):
                self.assign(seg, np, c[0])
                return True
            return False
        return False

    def assign(self, seg: Segment, np: list[Token], cue: str | None, core: list[Token] | None = None) -> None:
        seg.done = True
        seg.cue = cue
        body = self.doc.body
        start, end = np[0].start, np[-1].end
        seg.mention = Mention(body[start:end], start, end)
        seg.speaker = self.coref.speaker(core or cut_pp(np), start)

    def dash_line(self, seg: Segment, lo: int, hi: int) -> bool:
        """A line under a quote paragraph that names the speaker after a dash: “…” / — Jane Roe."""
        if hi - lo > 120 or self.masked[lo:hi].lstrip()[:1] not in DASHES:
            return False
        toks = self.doc.toks_in(lo, hi)
        i = 0
        while i < len(toks) and toks[i].text in DASHES:
            i += 1
        np = np_forward(toks, i)
        rest = i + len(np)
        if i and is_name_np(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(", ";")):
            self.assign(seg, np, None)
            return True
        return False


def _reduced_relative(toks: list[Token], k: int) -> bool:
    """A participle that describes the speaker before it: "one Republican involved in the planning",
    "a person familiar with the talks"."""
    return k + 1 < len(toks) and past(toks[k]) and toks[k + 1].low in ("in", "on", "with", "by", "at", "to", "for", "about")


def attribute(doc: Doc, paras: list[tuple[int, int]], att: Attributor | None = None) -> Attributor:
    """Attribute every segment of ``doc``, in this order: after or before it in its sentence, in
    document order (resolved speakers feed later pronouns and roles); a dash line under it; then the
    attribution of the quotes around it: the other parts of a multi-paragraph quote, the previous
    (else the next) attributed quote in the same paragraph, a previous paragraph that ends with a
    colon, the quote that closes the previous paragraph when this one opens with a quote; a sentence
    that only introduces it. Quotes of at most three words never inherit. ``att`` is an attributor
    that has already read the document (reported speech), whose speakers feed the pronouns here."""
    body, masked, segs = doc.body, doc.masked, doc.segs
    att = att or Attributor(doc)
    by_para: dict[int, list[Segment]] = {}
    for s in segs:
        by_para.setdefault(s.para, []).append(s)

    # 1-2: explicit attribution, in document order (resolved speakers feed later pronouns/roles)
    for s in segs:
        lo, hi = paras[s.para]
        siblings = by_para[s.para]
        k = siblings.index(s)
        next_open = next((x.open for x in siblings[k + 1 :] if x.words > 3), -1)
        if not att.after(s, hi, next_open):
            att.before(s, lo)

    # 3: inheritance
    chains: dict[int, list[Segment]] = {}
    for s in segs:
        if s.chain >= 0:
            chains.setdefault(s.chain, []).append(s)

    def inherit(s: Segment, src: Segment) -> None:
        s.speaker, s.mention, s.cue, s.done, s.inherited = src.speaker, src.mention, src.cue, True, True

    def share_chains() -> None:
        for members in chains.values():
            src = next((m for m in members if m.done and not m.inherited), None)
            src = src or next((m for m in members if m.done), None)
            if src is not None:
                for m in members:
                    if not m.done:
                        inherit(m, src)

    # a dash line under a quote paragraph: “…” / — Jane Roe.
    for pi, plist in by_para.items():
        last = plist[-1]
        if not last.done and pi + 1 < len(paras):
            att.dash_line(last, *paras[pi + 1])
    share_chains()
    for pi, plist in by_para.items():
        for k, s in enumerate(plist):
            if s.done or s.words <= 3:
                continue
            src = next((x for x in reversed(plist[:k]) if x.done and not is_scare(body, x)), None)
            if src is None:
                src = next((x for x in plist[k + 1 :] if x.done and not is_scare(body, x)), None)
            if src is not None:
                inherit(s, src)
                continue
            lo, _hi = paras[pi]
            if k == 0 and pi > 0 and not body[lo : s.open].strip():
                phi = paras[pi - 1][1]
                # the previous paragraph introduces the quote: "Lavrov said:"
                plo = paras[pi - 1][0]
                ptxt = masked[plo:phi].rstrip()
                if ptxt.endswith(":"):
                    fake = Segment(plo + len(ptxt), phi, phi, -1, pi - 1)
                    if att.before(fake, plo):
                        s.speaker, s.cue, s.mention, s.done = fake.speaker, fake.cue, fake.mention, True
                        continue
                # a paragraph that opens with a quote goes on with the speaker of the quote that
                # closed the previous paragraph: “…,” Vance told the radio. / “It’s everything but …”
                prev = by_para.get(pi - 1)
                if prev:
                    x = prev[-1]
                    if (
                        x.done and x.close >= 0 and not is_scare(body, x) and x.words > 3
                        and att.sentence_end(x.close_end, phi) >= phi - 1
                    ):
                        inherit(s, x)
    share_chains()
    # a sentence that only introduces the quote after it: "Sam Lau said in a statement. “…”"
    for s in segs:
        if not s.done and s.words > 3:
            att.intro(s, paras[s.para][0], paras[s.para - 1][0] if s.para else paras[0][0])
    share_chains()
    for plist in by_para.values():
        for k, s in enumerate(plist):
            if not s.done and s.words > 3:
                src = next((x for x in reversed(plist[:k]) if x.done and not is_scare(body, x)), None)
                if src is not None:
                    inherit(s, src)
    return att
