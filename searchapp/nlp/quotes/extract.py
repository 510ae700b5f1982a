"""The quote extractor: runs the passes over one body, and the pipeline step."""
from __future__ import annotations

from searchapp.article import Article, EntityMention, Quote
from searchapp.nlp.quotes.attribution import Attributor, attribute
from searchapp.nlp.quotes.candidates import Doc
from searchapp.nlp.quotes.marks import HINT, find_segments, is_scare, mask
from searchapp.nlp.quotes.reported import cue_offsets, find_reported
from searchapp.nlp.text import Token, paragraphs


def extract_quotes(body: str, entities: list[EntityMention] | None = None, *, reported: bool = False) -> list[Quote]:
    """Quotes in ``body`` with their speakers, in order of their start: direct quotes and, with
    ``reported`` (as the pipeline step asks), reported speech; the rules are in the docstrings of the
    passes."""
    if not body:
        return []
    cues = cue_offsets(body) if reported else []
    indirect = bool(cues)
    direct = HINT.search(body) is not None
    if not direct and not indirect:
        return []
    paras = paragraphs(body)
    segs = find_segments(body, paras) if direct else []
    if not segs and not indirect:
        return []
    doc = Doc(body, mask(body, segs), entities, segs)
    for s in segs:
        s.words = len(body[s.start : s.end].split())

    # reported speech first: its speakers ("..., Biden said.") are who a pronoun after them most
    # often means, in the quotes that follow; then its own pronouns again, with the quotes' speakers
    att = Attributor(doc)
    found = find_reported(att, paras, cues) if indirect else []
    attribute(doc, paras, att)
    for r in found:
        m = r.mention
        if m is not None and m.text.lower() in ("he", "she"):
            r.speaker = att.coref.pronoun(Token(m.text, m.start, m.end, m.text.lower(), m.text[0].isupper(), False))

    out: list[Quote] = []
    for s in segs:
        text = body[s.start : s.end]
        outer = next((r for r in found if r.start <= s.start and s.end <= r.end), None)
        if outer is not None and outer.speaker is not None and (s.speaker is None or s.inherited):
            # a partial quote inside someone's reported speech is theirs: "X called the plan “a
            # blatant abuse”" (its own attribution, if any, was inherited from a quote nearby)
            out.append(Quote(text, s.start, s.end, outer.speaker, outer.mention, outer.cue, "mixed"))
            continue
        if is_scare(body, s):
            out.append(Quote(text, s.start, s.end))
            continue
        if s.words <= 3 and s.inherited:
            out.append(Quote(text, s.start, s.end))
            continue
        kind = "mixed" if outer is not None else "direct"
        out.append(Quote(text, s.start, s.end, s.speaker, s.mention, s.cue, kind))
    for r in found:
        out.append(Quote(body[r.start : r.end], r.start, r.end, r.speaker, r.mention, r.cue, "indirect"))
    out.sort(key=lambda q: q.start)
    return out


class QuoteStep:
    """Pipeline step: fills ``article.quotes`` (direct quotes and reported speech) from ``article.body``
    (and ``article.entities``)."""

    name = "quotes"

    def __call__(self, article: Article) -> Article:
        article.quotes = extract_quotes(article.body, article.entities or None, reported=True)
        canonical_speakers(article.quotes, article.people)
        return article

    def __repr__(self) -> str:
        return "QuoteStep()"


def canonical_speakers(quotes: list[Quote], people: list[str]) -> None:
    """Speakers named as the article's people are: the person whose name ends the speaker's words
    ("Staff Howard Baker" -> "Howard Baker", "Volcker" -> "Paul Volcker"). Several people joined by
    "and" are no one speaker; a speaker the article's people do not explain is left as found."""
    if not people:
        return
    for q in quotes:
        sp = q.speaker
        if not sp or sp in people:
            continue
        words = sp.split()
        if "and" in words or "&" in words:
            q.speaker = None
            continue
        found = {p for p in people if sp.endswith(" " + p) or p.endswith(" " + sp)}
        if len(found) == 1:
            q.speaker = found.pop()
