"""Coreference: the words that name a speaker ("Lavrov", "he", "Russia’s top diplomat") -> one person.

A PER entity inside the words gives its name; a capitalised name, titles removed, is completed to the
longest name in the article that ends with it; "Brandt’s statement" is Brandt's; a role description
("Russia’s top diplomat", "the Green nominee") goes to the nearest preceding person introduced
with that role and a matching country or party (diplomat = foreign minister, foreign secretary,
secretary of state, ambassador); he/she goes to a person of the same gender, looking back sentence by
sentence and preferring the leftmost (subject) person of a sentence. None when unsure: the preferred
person's gender is unknown while another person of the right gender is in that sentence, nobody
fits, or the pronoun is they/we/I/it; and for descriptions that name no one ("a spokesman").
"""
from __future__ import annotations

import bisect

from searchapp.nlp.lexicon import (
    COUNTRIES,
    FUNCTION_WORDS,
    NAME_PARTICLES,
    ORG_WORDS,
    PRONOUNS,
    ROLE_CONCEPTS,
    ROLE_WORDS,
    SOURCE_NOUNS,
    UTTERANCE_NOUNS,
)
from searchapp.nlp.gazetteer import first_names
from searchapp.nlp.quotes.candidates import Doc
from searchapp.nlp.quotes.phrases import affiliation, is_name_np, joining_of, strip_name
from searchapp.nlp.text import Token, base


_OBLIQUE_BEFORE = frozenset("to with by for of from about against at on in toward towards than like over".split())


class Resolver:
    """Resolves speakers of one article, in document order: each resolved speaker is a candidate for
    the pronouns and role descriptions after it."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.resolved: list[tuple[int, str]] = []  # (offset, canonical) of resolved speaker mentions
        self._mention_end: dict[int, int] = {}

    def speaker(self, np: list[Token], at: int) -> str | None:
        """The speaker the phrase names; remembered, as named at offset ``at``, for later pronouns and roles."""
        found = self.resolve(np)
        if found:
            self.resolved.append((at, found))
        return found

    def is_person(self, name: str) -> bool:
        """A PER entity's name, or one of the people the article names."""
        labels = {e.label for e in self.doc.entities if e.name == name}
        if labels:
            return "PER" in labels
        self.doc.build()
        return name in self.doc.people

    def resolve(self, np: list[Token]) -> str | None:
        doc = self.doc
        # a PER entity inside the phrase: the last one is the head ("Okafor spokesman Ivo Brandt"). The
        # article's people are built only by what needs them (names, roles, pronouns): most reported
        # speech in wire copy is a named entity's or a company's.
        ents = [e for e in doc.entities if e.start < np[-1].end and np[0].start < e.end]
        if ents and not (len(np) == 1 and np[0].low in PRONOUNS):
            pers = [e for e in ents if e.label == "PER"]
            last_tok = np[-1]
            head = [e for e in ents if e.start < last_tok.end and last_tok.start < e.end]
            if head and not last_tok.poss:
                return head[-1].name
            if pers and not (pers[-1].end <= np[-1].start and np[-1].low in SOURCE_NOUNS):
                if pers[-1].end >= np[-1].end - 2 or np[-1].low in ROLE_CONCEPTS:
                    return pers[-1].name
        if len(np) == 1 and np[0].low in PRONOUNS:
            return self.pronoun(np[0])
        if len(np) == 1 and np[0].cap and np[0].low not in FUNCTION_WORDS and not np[0].poss:
            return doc.canonical((np[0].text,), np[0].start)  # "Will", a surname that is also a word
        # "Brandt’s response", "Okafor’s tweet": the possessor speaks
        if len(np) >= 2 and np[-1].low in UTTERANCE_NOUNS and np[-2].poss and np[-2].cap:
            return doc.canonical((base(np[-2]),), np[-2].start)
        # a capitalised head: a name
        if is_name_np(np):
            run = []
            for m in range(len(np) - 1, -1, -1):
                t = np[m]
                # an organisation's "of" keeps its name whole ("Bank of America"); a title's goes with
                # the title ("Minister of Transport Ruth Becker" is Ruth Becker)
                if t.cap or t.low in NAME_PARTICLES or joining_of(np, m) and np[m - 1].low in ORG_WORDS:
                    run.append(t)
                else:
                    break
            run.reverse()
            _titles, name = strip_name(run)
            if name:
                key = tuple(base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
                return doc.canonical(key, name[0].start)
            return None
        # a role description: "Russia’s top diplomat", "the Green nominee"
        return self.role(np)

    def role(self, np: list[Token]) -> str | None:
        words = [t.low[:-2] if t.poss else t.low for t in np]
        head = words[-1]
        concept = ROLE_CONCEPTS.get(head)
        if not concept:
            return None
        self.doc.build()
        want_roles = {concept}
        if "foreign" in words and head in ("minister", "secretary"):
            want_roles = {"diplomat"}
        if head == "minister" and "prime" in words:
            want_roles = {"prime_minister"}
        countries = {c for w in words if (c := COUNTRIES.get(w))}
        parties = {a for t in np[:-1] if (a := affiliation(t))}
        best = None
        doc = self.doc
        pos = np[0].start
        seen: set[str] = set()
        cands = [(s, c) for s, _e, c in doc.mentions if s < pos] + [(s, c) for s, c in self.resolved if s < pos]
        cands.sort(reverse=True)
        for _s, canon in cands:
            if canon in seen:
                continue
            seen.add(canon)
            p = doc.people.get(canon)
            if not p or not (want_roles & p.roles):
                continue
            if countries and p.country and not (countries & p.country):
                continue
            if parties and not (parties & p.affiliations):
                continue
            score = (bool(countries & p.country), )
            if best is None or score > best[0]:
                best = (score, canon)
                if score[0] or not countries:
                    break
        return best[1] if best else None

    def _oblique(self, start: int) -> bool:
        """Is the person mention at ``start`` a possessor or a preposition's object?"""
        body = self.doc.body
        end = self._mention_end.get(start)
        if end is None:
            self._mention_end = {s: e for s, e, _c in self.doc.mentions}
            end = self._mention_end.get(start, start)
        if body[end : end + 2] in ("’s", "'s") or body[end - 2 : end] in ("’s", "'s"):
            return True
        prev = body[max(0, start - 40) : start].split()
        while prev and prev[-1].lower().rstrip(".") in ROLE_WORDS:  # "ties to Vice President Joe Biden"
            prev.pop()
        return bool(prev) and prev[-1].lower() in _OBLIQUE_BEFORE

    def pronoun(self, tok: Token) -> str | None:
        """he/she -> the speaker of the quote just before when of the same gender and at most a sentence
        back; else a person of the same gender, looking back sentence by sentence (current sentence
        first, at most seven before it) and, within a sentence, preferring the leftmost person (the
        subject, usually) unless their gender is unknown and another's is the pronoun's. None when no
        one fits."""
        g = PRONOUNS.get(tok.low)
        if g not in ("m", "f"):
            return None
        doc = self.doc
        doc.build()
        pos = tok.start
        people = doc.people
        cands = [(s, c) for s, _e, c in doc.mentions if s < pos and pos - s < 2000]
        cands += [(s, c) for s, c in self.resolved if s < pos and pos - s < 2000 and c in people]
        if not cands:
            return None
        starts = doc.sentence_starts()
        cur = bisect.bisect_right(starts, pos) - 1
        by_sent: dict[int, list[tuple[int, str]]] = {}
        for s_, c in cands:
            by_sent.setdefault(bisect.bisect_right(starts, s_) - 1, []).append((s_, c))
        # The speaker of the quote just before, if the pronoun is in the same or the next sentence:
        # "“…,” Okafor wrote. He then listed ..." goes on with the one who spoke, whoever was named
        # in between.
        spoke = [(s_, c) for s_, c in self.resolved if s_ < pos and c in people and people[c].gender == g]
        if spoke:
            s_, c = max(spoke)
            if cur - (bisect.bisect_right(starts, s_) - 1) <= 1:
                return c
        for si in range(cur, cur - 8, -1):
            group = sorted(by_sent.get(si, []))
            if not group:
                continue
            # a person named as an owner or after a preposition ("Okafor’s plan", "a letter to Lee")
            # is seldom the one a pronoun goes on with: the others first
            marked = [(self._oblique(s_), c) for s_, c in group]
            # the others first; and one of them whose gender is unknown for want of a first name still
            # goes before an owner or an object of the pronoun's gender ("Walsh had ties to Vice President
            # Joe Biden. … he said"); a first name of either gender does not ("Pat Walsh met with Ann Lee.
            # She said")
            for fits in ([c for obl, c in marked if not obl and (people[c].gender == g or not people[c].gender
                                                                 and c.split()[0].lower() not in first_names())],
                         [c for obl, c in sorted(marked, key=lambda m: m[0]) if people[c].gender in (g, "")]):
                if not fits:
                    continue
                first = fits[0]
                if people[first].gender == g or len(set(fits)) == 1:
                    return first
                # the subject's gender is unknown: the person of the pronoun's gender, else no one
                return next((c for c in fits if people[c].gender == g), None)
        return None