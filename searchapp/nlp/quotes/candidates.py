"""Candidate speakers: the people an article names, with their genders, roles, countries and parties.

A PER ``EntityMention`` is a person; without entities, a capitalised name is a person with some
evidence: a known first name, a title (Sen., Minister), a role word before it, an age or role
appositive after it, or a cue right after it ("Tamm said"). Title Case headline lines hold no
names. A name is completed to the longest name in the article that ends with the same words
("Lavrov" -> "Sergey Lavrov"). Gender comes from first names, Mr./Mrs./Ms., gendered role nouns and
the he/she pronouns that follow a person; roles from the words before a name and an appositive after
it ("Ben Wallace, the UK’s defence secretary,").
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from searchapp.article import EntityMention
from searchapp.nlp.gazetteer import first_name_genders, place_words, same_person
from searchapp.nlp.lexicon import (
    COMMON_VERBS,
    COUNTRIES,
    DETERMINERS,
    FEMALE_ROLES,
    FINITE_CUES,
    LEADER_ROLES,
    MALE_ROLES,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    NOT_NAME_CAPS,
    OBJECT_PRONOUNS,
    ORG_WORDS,
    PARTICIPLE_CUES,
    PERSON_TITLES,
    PHRASE_STOP,
    PRONOUNS,
    ROLE_CONCEPTS,
    ROLE_WORDS,
    WEAK_CUES,
)
from searchapp.nlp.quotes.marks import Segment
from searchapp.nlp.quotes.phrases import affiliation, is_adv, strip_name
from searchapp.nlp.text import Token, as_tokens, base, sentence_starts, word_range, words, words_between


@dataclass
class Person:
    name: str
    gender: str = ""  # "m", "f" or ""
    votes_m: int = 0
    votes_f: int = 0
    roles: set[str] = field(default_factory=set)
    country: set[str] = field(default_factory=set)
    # capitalised modifiers of the person's roles ("the Green Party leader", "Labor spokesman"):
    # affiliations, compared as written, never looked up in a list of parties
    affiliations: set[str] = field(default_factory=set)

_WORDS_RE = re.compile(r"[^\W\d_][\w’'\-]*")


def _headline_spans(text: str) -> list[tuple[int, int]]:
    """Lines written in Title Case (headlines), where capitalised runs are not names."""
    out = []
    pos = 0
    for line in text.split("\n"):
        words = [w for w in _WORDS_RE.findall(line) if len(w) > 3]
        if len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words):
            # and small words are capitalised too ("Was", "To", "Says"): not just a row of names
            small = [w for w in _WORDS_RE.findall(line)[1:] if w[0].isupper() and (
                w.lower() in PHRASE_STOP or w.lower() in FINITE_CUES or w.lower() in COMMON_VERBS or w.lower() in PARTICIPLE_CUES
            )]
            if len(small) >= 2:
                out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _suffix_index(names: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], tuple[tuple[int, int], tuple[str, ...]]]:
    """Every ending of every name (up to 4 words) -> the best name with that ending: of one person's
    names the fullest ("Sergey Lavrov" over "Lavrov"), then the more frequent; of two people's
    ("Chris Murphy", "Anne Marie Murphy") the one the article names first, whom a bare surname
    usually goes on with. ``names`` is in the order of first mention."""
    idx: dict[tuple[str, ...], tuple[tuple[int, int], tuple[str, ...]]] = {}
    for full, count in names.items():
        core = tuple(p for p in full if p not in NAME_SUFFIXES)
        if not core or len(core) > 4:
            continue
        score = (len(core) - (len(core) != len(full)), count)
        for j in range(1, len(core) + 1):
            cur = idx.get(core[-j:])
            if cur is None or score > cur[0] and same_person(core, (p for p in cur[1] if p not in NAME_SUFFIXES)):
                idx[core[-j:]] = (score, full)
    return idx


class Doc:
    """Lazily built views of one article body: masked text, tokens, names, people."""

    def __init__(self, body: str, masked: str, entities: list[EntityMention] | None, segs: list[Segment],
                 whole: bool = False):
        self.body = body
        self.masked = masked
        self.entities = [e for e in (entities or []) if 0 <= e.start < e.end <= len(body)]
        self.segs = segs
        self._built = False
        self._sents: list[int] | None = None
        self._toks: list[Token] | None = None
        self._words: tuple[list[str], list[int]] | None = None
        # Names, people and pronoun antecedents are looked for up to a little after the last quote:
        # attribution looks back, and the text after the last quote cannot name its speaker.
        last = max((sg.close_end if sg.close_end > 0 else sg.end) for sg in segs) if segs else 0
        self.reach = len(masked) if whole else min(len(masked), last + 400)
        self._index: tuple[dict, dict] | None = None
        # (start, end, canonical) person mentions outside quotes, in order.
        self.mentions: list[tuple[int, int, str]] = []
        self.people: dict[str, Person] = {}
        self.names: list[tuple[int, int, tuple[str, ...]]] = []  # every name chunk (fallback)
        self.name_count: dict[tuple[str, ...], int] = {}

    # -- building ---------------------------------------------------------------------------
    def build(self) -> None:
        if self._built:
            return
        self._built = True
        body = self.body
        toks = self.toks_in(0, self.reach)
        self.toks = toks
        per_ents = [e for e in self.entities if e.label == "PER"]
        runs: list[list[int]] = []
        cur: list[int] = []
        for i, t in enumerate(toks):
            ok = (t.cap and t.text not in NOT_NAME_CAPS and t.text[0] != "\x00") or (
                cur and t.low in NAME_PARTICLES and i + 1 < len(toks) and toks[i + 1].cap
            )
            if ok and cur:
                prev = toks[cur[-1]]
                gap = body[prev.end : t.start]
                if gap != " " or prev.poss:
                    runs.append(cur)
                    cur = []
            if ok:
                cur.append(i)
            elif cur:
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
        chunks = []  # (title toks, name toks, run start index)
        headlines = _headline_spans(self.masked)
        for run in runs:
            rt = [toks[i] for i in run]
            if len(rt) > 1 and any(a <= rt[0].start < b for a, b in headlines):
                # Title Case Headline Words are not names, except a first name and the word after it
                j = next((j for j, t in enumerate(rt) if t.low in first_name_genders()), -1)
                if j < 0 or j + 1 >= len(rt):
                    continue
                run = run[: j + 2]
                rt = rt[: j + 2]
            titles, name = strip_name(rt)
            while name and name[-1].low in NAME_PARTICLES:
                name = name[:-1]
            if not name:
                continue
            key = tuple(base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
            self.names.append((name[0].start, name[-1].end - (2 if name[-1].poss else 0), key))
            self.name_count[key] = self.name_count.get(key, 0) + 1
            chunks.append((titles, name, run[0]))
        if per_ents:
            for e in per_ents:
                self._add_mention(e.start, e.end, e.name)
            # role information from the words just before an entity
            for e in per_ents:
                self._roles_before(e.start, e.name)
                self._roles_after(e.end, e.name)
        else:
            full_people: dict[str, str] = {}
            for titles, name, ri in chunks:
                if self._is_person(titles, name, ri):
                    canon = self.canonical(tuple(t.text for t in name), name[0].start)
                    full_people[canon.split()[-1]] = canon
            for titles, name, ri in chunks:
                key = tuple(base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
                canon = self.canonical(key, name[0].start)
                last = canon.split()[-1]
                if self._is_person(titles, name, ri) or full_people.get(last) == canon:
                    start, end = name[0].start, name[-1].end
                    self._add_mention(start, end, canon)
                    p = self.people[canon]
                    self._learn_roles(p, titles)
                    self._roles_before(toks[ri].start if titles else start, canon)
                    self._roles_after(end, canon)
                    for t in titles:
                        if t.low in MALE_ROLES:
                            p.votes_m += 3
                        elif t.low in FEMALE_ROLES:
                            p.votes_f += 3
        self.mentions.sort()
        self._gender_votes()

    def _is_person(self, titles: list[Token], name: list[Token], ri: int) -> bool:
        if any(t.low in ORG_WORDS for t in name):
            return False
        if len(name) == 1 and (name[0].low in COUNTRIES or place_words().get(name[0].low) == "country"):
            return False  # "Russia has denied": a country is no speaker's name, whatever verb follows
        if len(name) == 1 and ri > 0 and self.toks[ri - 1].low in ("in", "at") and name[0].low in place_words():
            return False  # "her challenger in Florida, law professor Ann Lee": a place, not an apposition's
        first = name[0].low
        if len(name) >= 2 and first in first_name_genders():
            return True
        if any(t.low in PERSON_TITLES for t in titles):
            return True
        if ri > 0:
            prev = self.toks[ri - 1]
            if prev.low in ROLE_CONCEPTS or (prev.text == "," and ri > 1 and self.toks[ri - 2].low in ROLE_CONCEPTS):
                return True  # "spokesman Ivo Brandt", "the group’s CEO, Rosa Lind"
        k = ri + len(titles) + len(name)
        if k + 1 < len(self.toks) and self.toks[k].text == ",":
            nxt = self.toks[k + 1]
            if nxt.text[:1].isdigit() and k + 2 < len(self.toks) and self.toks[k + 2].text in (",", ")"):
                return True  # "Mina Holt, 27,"
            for m in range(k + 1, min(k + 7, len(self.toks))):
                t = self.toks[m]
                if t.text == "," or t.low in PHRASE_STOP:
                    break
                if t.low in ROLE_CONCEPTS or t.low in ("member", "resident", "voter", "supporter", "student", "owner"):
                    return len(name) >= 2 or m - k <= 4  # "Greer, a former union leader,"
        # the subject of a cue: "Tamm said", "Tamm also told"
        k = ri + len(titles) + len(name)
        for m in range(k, min(k + 3, len(self.toks))):
            t = self.toks[m]
            if t.low in FINITE_CUES and not t.cap and t.low not in WEAK_CUES:
                return True
            if not is_adv(t):
                break
        return False

    def _add_mention(self, start: int, end: int, canon: str) -> None:
        if any(s.start <= start < s.end for s in self.segs):
            self.people.setdefault(canon, Person(canon))
            return
        self.mentions.append((start, end, canon))
        self.people.setdefault(canon, Person(canon))

    def _learn_roles(self, p: Person, toks: Iterable[Token]) -> None:
        toks = list(toks)
        words = [t.low[:-2] if t.poss else t.low for t in toks]
        p.affiliations.update(a for t in toks if (a := affiliation(t)))
        for i, w in enumerate(words):
            if w in ROLE_CONCEPTS:
                p.roles.add(ROLE_CONCEPTS[w])
                if ROLE_CONCEPTS[w] in LEADER_ROLES:
                    p.roles.add("leader")
            c = COUNTRIES.get(w)
            if c:
                p.country.add(c)
            if w == "foreign" and i + 1 < len(words) and words[i + 1] in ("minister", "secretary"):
                p.roles.add("diplomat")
            if w == "state" and i >= 2 and words[i - 1] == "of" and words[i - 2] == "secretary":
                p.roles.add("diplomat")
            if w == "prime" and i + 1 < len(words) and words[i + 1] == "minister":
                p.roles.add("prime_minister")
                p.roles.add("leader")
            if w in ("first",) and i + 1 < len(words) and words[i + 1] == "lady":
                p.roles.add("first_lady")
                p.votes_f += 3
            if w in MALE_ROLES:
                p.votes_m += 1
            elif w in FEMALE_ROLES:
                p.votes_f += 1

    def _roles_before(self, start: int, canon: str) -> None:
        """Lowercase role words right before a name: "the Russian defence minister, Sergei Shoigu"."""
        toks = self.toks_in(max(0, start - 80), start)
        words: list[Token] = []
        for k in range(len(toks) - 1, -1, -1):
            t = toks[k]
            if t.text == "," and not words:
                continue
            if t.text in (",", ".", ";", ":", "(", ")") or t.low in PHRASE_STOP or t.low in DETERMINERS:
                break
            base = t.low[:-2] if t.poss else t.low
            lone_cap = affiliation(t) and (k == 0 or not toks[k - 1].cap or toks[k - 1].low in DETERMINERS)
            if t.cap and not (base in ROLE_WORDS or base in COUNTRIES or t.poss or lone_cap):
                break  # another name: its roles are its own
            words.append(t)
            if len(words) >= 6:
                break
        if words:
            self._learn_roles(self.people.setdefault(canon, Person(canon)), reversed(words))

    def _roles_after(self, end: int, canon: str) -> None:
        """An appositive after a name: "Ben Wallace, the UK’s defence secretary,"."""
        if end < len(self.masked) and self.masked[end : end + 2] == ", ":
            toks = self.toks_in(end + 2, min(len(self.masked), end + 90))
            words: list[Token] = []
            for t in toks:
                if t.text in (",", ".", ";", ":", "(", ")", "—") or t.low in ("who", "which", "said", "says"):
                    break
                words.append(t)
                if len(words) >= 8:
                    break
            first = words[0].low if words else ""
            if words and (first in DETERMINERS or first in ROLE_CONCEPTS or words[0].poss
                          or first in COUNTRIES or affiliation(words[0]) or first in ROLE_WORDS):
                self._learn_roles(self.people.setdefault(canon, Person(canon)), words)

    def _gender_votes(self) -> None:
        for canon, p in self.people.items():
            first = canon.split()[0].lower()
            p.gender = first_name_genders().get(first, "")
        # titles Mr./Mrs./Ms. in front of any mention
        for s, e, canon in self.mentions:
            before = self.body[max(0, s - 5) : s]
            p = self.people[canon]
            if before.endswith(("Mr. ", "Mr ")):
                p.votes_m += 3
            elif before.endswith(("Mrs. ", "Ms. ", "Mrs ", "Ms ", "Miss ")):
                p.votes_f += 3
        # pronouns: each he/his/she/her votes for the nearest preceding person mention in reach
        if self.mentions:
            starts = [m[0] for m in self.mentions]
            for t in self.toks:
                g = PRONOUNS.get(t.low) or OBJECT_PRONOUNS.get(t.low)
                if g not in ("m", "f"):
                    continue
                k = bisect.bisect_left(starts, t.start) - 1
                if k < 0 or t.start - self.mentions[k][1] > 200:
                    continue
                p = self.people[self.mentions[k][2]]
                if g == "m":
                    p.votes_m += 1
                else:
                    p.votes_f += 1
        for p in self.people.values():
            if not p.gender:
                if p.votes_m >= 2 * p.votes_f + 1 and p.votes_m >= 1:
                    p.gender = "m"
                elif p.votes_f >= 2 * p.votes_m + 1 and p.votes_f >= 1:
                    p.gender = "f"

    def toks_in(self, lo: int, hi: int) -> list[Token]:
        """Tokens of the masked body inside [lo, hi) (the body is tokenised once; Token objects are
        kept for the words up to the names' reach, the first of the body's words)."""
        if hi > self.reach:
            return as_tokens(*self.words_in(lo, hi))
        if self._toks is None:
            self._toks = as_tokens(*self.words_in(0, self.reach))
        i, j = word_range(*self.body_words(), lo, hi)
        return self._toks[i:j]

    def body_words(self) -> tuple[list[str], list[int]]:
        """The masked body's words and where they start (`text.words`), tokenised once, for the rules'
        sentences and the model's alike."""
        if self._words is None:
            self._words = words(self.masked, 0, len(self.masked))
        return self._words

    def words_in(self, lo: int, hi: int) -> tuple[list[str], list[int]]:
        """The masked body's words inside [lo, hi) and where they start (`text.words_between`)."""
        return words_between(*self.body_words(), lo, hi)

    def sentence_starts(self) -> list[int]:
        """Offsets where sentences start in the masked body."""
        if self._sents is None:
            self._sents = sentence_starts(self.masked)
        return self._sents

    # -- names ------------------------------------------------------------------------------
    def canonical(self, key: tuple[str, ...], at: int = -1) -> str:
        """Longest name in the article that ends with ``key`` ("Lavrov" -> "Sergey Lavrov"): among PER
        entity names when there are any, else among the capitalised names of the body; ties go to
        the more frequent name; a suffix (Jr.) counts against a name unless asked for."""
        key = tuple(k for k in key if k not in NAME_SUFFIXES) or key
        self.build()
        if self._index is None:
            per = Counter(tuple(e.name.split()) for e in self.entities if e.label == "PER")
            self._index = (_suffix_index(per), _suffix_index(self.name_count))
        for idx in self._index:
            hit = idx.get(key)
            if hit is not None:
                return " ".join(hit[1])
        return " ".join(key)

    def entity_at(self, start: int, end: int) -> EntityMention | None:
        best = None
        for e in self.entities:
            if e.start < end and start < e.end:
                if best is None or (e.label == "PER") > (best.label == "PER") or e.end > best.end:
                    best = e
        return best