"""The grammar attribution reads: cues of saying, noun phrases around them, and their subjects.

Rules over word tokens (``searchapp.nlp.text.tokens``) of masked text, with no model: a cue is a verb
or phrase of saying (``cue_at``); a speaker is the noun phrase that is the cue's subject, walking left
(``np_backward``, ``subject_before``) or right (``np_forward``, ``subject_span``, ``clause_subject``).
"""
from __future__ import annotations

from searchapp.nlp.gazetteer import canonical_place, first_name_genders
from searchapp.nlp.lexicon import (
    AUXILIARIES,
    COMMON_VERBS,
    COUNTRIES,
    DETERMINERS,
    FINITE_CUES,
    FUNCTION_WORDS,
    MONTHS,
    NAME_PARTICLES,
    NOT_NAME_CAPS,
    ORG_WORDS,
    PARTICIPLE_CUES,
    PHRASAL_CUES,
    PHRASE_STOP,
    PREPOSITIONS,
    PRONOUNS,
    ROLE_CONCEPTS,
    ROLE_WORDS,
    SOURCE_NOUNS,
    SUBORDINATORS,
    WEEKDAYS,
)
from searchapp.nlp.text import Token


def cue_at(toks: list[Token], i: int) -> tuple[str, int, str] | None:
    """If a cue starts at token i: (cue text, index after it, kind: finite/participle/according)."""
    low = toks[i].low
    if i + 1 < len(toks):
        ph = PHRASAL_CUES.get((low, toks[i + 1].low))
        if ph:
            if ph == "according to":
                return ph, i + 2, "according"
            if ph == "quoted as":
                return ph, i + 2, "finite"
            return ph, i + 2, "finite"
    if low in FINITE_CUES:
        return low, i + 1, "finite"
    if low in PARTICIPLE_CUES:
        return low, i + 1, "participle"
    return None


def is_adv(t: Token) -> bool:
    return t.low in AUXILIARIES or (t.low.endswith("ly") and not t.cap and len(t.low) > 3)


def np_ok(np: list[Token]) -> bool:
    if not np or len(np) > 9:
        return False
    if len(np) == 1 and np[0].low in PRONOUNS:
        return True
    if any(t.cap and t.text not in NOT_NAME_CAPS for t in np):
        return True
    if np[0].low in DETERMINERS or np[0].poss:
        return len(np) >= 2
    return np[-1].low in SOURCE_NOUNS or np[-1].low in ROLE_CONCEPTS


def is_np_tok(t: Token) -> bool:
    if t.text[0] == "\x00":
        return False
    if not (t.text[0].isalpha()):
        return t.text in ("-", "&") or t.text[0].isdigit()
    if t.cap:
        return t.text not in NOT_NAME_CAPS or t.low in DETERMINERS
    return t.low not in PHRASE_STOP and t.low not in PRONOUNS and t.low not in FINITE_CUES and t.low not in PARTICIPLE_CUES


def np_backward(toks: list[Token], j: int) -> list[Token]:
    """The noun phrase ending at token j (inclusive), walking left."""
    if j < 0:
        return []
    if toks[j].low in PRONOUNS or toks[j].low == "who":
        return [toks[j]]
    k = j
    while k >= 0 and j - k < 9:
        t = toks[k]
        if t.low in DETERMINERS and t.low != "that":
            k -= 1
            break
        if k < j and joining_of(toks, k):  # "Secretary of State", "Bank of Spain"
            k -= 1
            continue
        if not is_np_tok(t) or (t.text == "-" and (k == 0 or toks[k - 1].end != t.start)):
            break
        k -= 1
    np = toks[k + 1 : j + 1]
    # "a spokesman for Ruth Tamm", "the head of the FBI", "Ivo Brandt of The Ledger": take
    # in the noun the phrase hangs on (the speaker is resolved from the part before the preposition)
    if np and k >= 1 and (toks[k].low in ("for", "of", "at", "from", "with") or _aide_to(toks, k)) and k + 1 <= j:
        head = np_backward(toks, k - 1) if toks[k - 1].low not in PRONOUNS else []
        if head and (
            ((head[0].low in DETERMINERS or head[0].poss) and (head[-1].low in ROLE_CONCEPTS or head[-1].low in SOURCE_NOUNS))
            or (is_name_np(head) and toks[k].low in ("of", "from", "at") and len(head) >= 2)
        ):
            return toks[k - len(head) : j + 1]
    return np


def np_forward(toks: list[Token], i: int, stop_at_verbs: bool = True) -> list[Token]:
    """The noun phrase starting at token i, walking right."""
    if i >= len(toks):
        return []
    if toks[i].low in PRONOUNS:
        return [toks[i]]
    out: list[Token] = []
    k = i
    seen_cap = False
    if toks[k].low in DETERMINERS:
        out.append(toks[k])
        k += 1
    while k < len(toks) and len(out) < 9:
        t = toks[k]
        if (
            t.cap and t.text in NOT_NAME_CAPS and k + 1 < len(toks) and toks[k + 1].cap
            and toks[k + 1].text not in NOT_NAME_CAPS
            # a function word too ("Will", "May") where a lowercase word puts it mid-sentence, not in a
            # headline in title case ("Levy Will Fail")
            and (t.low not in FUNCTION_WORDS or k > 0 and not toks[k - 1].cap and toks[k - 1].text[0].isalpha()
                 and t.low in first_name_genders())
        ):
            out.append(t)  # "Will Moss", "said Will Doyle"
            seen_cap = True
            k += 1
            continue
        if not is_np_tok(t):
            if (t.text == "-" and out) or joining_of(toks, k):
                out.append(t)
                k += 1
                continue
            break
        if t.cap:
            seen_cap = True
        else:
            if seen_cap and not toks[k - 1].poss and t.low not in NAME_PARTICLES:
                # a lowercase word after a name ends the phrase, unless it is a role noun
                # ("Okafor spokesman"), or leads to one ("Okafor’s state director") or to a name
                # ("Lakeside State University political scientist Ana Pruitt")
                if not (_role_ahead(toks, k) or _name_ahead(toks, k)):
                    break
            if stop_at_verbs and (
                (t.low.endswith("ed") and len(t.low) > 4 and t.low not in ROLE_CONCEPTS)
                or t.low in COMMON_VERBS
            ):
                break
        out.append(t)
        k += 1
    while out and (out[-1].low in DETERMINERS or out[-1].text == "-"):
        out.pop()
    return out


def _role_ahead(toks: list[Token], k: int) -> bool:
    """Token k, or one of the two lowercase words after it, is a role noun: "spokesman", "state
    director", "deputy campaign manager"."""
    for m in range(k, min(len(toks), k + 3)):
        t = toks[m]
        if t.low in ROLE_CONCEPTS or t.low in SOURCE_NOUNS:
            return True
        if t.cap or not is_np_tok(t) or t.low in COMMON_VERBS or t.low.endswith("ed"):
            return False
    return False


def _name_ahead(toks: list[Token], k: int) -> bool:
    for m in range(k, min(len(toks), k + 4)):
        t = toks[m]
        if t.cap:
            return t.text not in NOT_NAME_CAPS
        if not is_np_tok(t) or t.low in COMMON_VERBS or t.low.endswith("ed"):
            return False
    return False


def clause_subject(toks: list[Token], lo: int, hi: int | None = None) -> list[Token]:
    """Subject of the clause that governs a participle at token hi: the nearest subordinate clause
    ("…, when Tamm protesters interrupted her, shouting") or else the sentence's main clause
    (skipping "On Monday," and "But")."""
    if hi is not None:
        for k in range(hi - 1, lo, -1):
            if toks[k].low in SUBORDINATORS and not toks[k].cap:
                np = np_forward(toks, k + 1)
                if np_ok(np) and k + 1 + len(np) < hi:
                    return np
    i = lo
    # a dateline: "WASHINGTON — Sen. Ann Lee said ..."
    if i < len(toks) and len(toks[i].text) > 1 and toks[i].text.isupper() and toks[i].text.isalpha():
        # "WASHINGTON, Dec. 8 (UPI) — ...": past the dash within the first dozen tokens
        d = next((m for m in range(i + 1, min(len(toks), i + 12)) if toks[m].text in ("—", "–", "-")), -1)
        if d > 0 and all(t.text.isupper() or not t.text.isalpha() or t.cap for t in toks[i:d]):
            i = d + 1
    while i < len(toks) and toks[i].low in ("but", "and", "so", "yet", "still", "then", "now", "also", "however", "meanwhile", ",", "—", "–"):
        i += 1
    if i < len(toks) and toks[i].text in NOT_NAME_CAPS and toks[i].low not in DETERMINERS and toks[i].low not in PRONOUNS:
        # introductory phrase ("At a rally in Ames, Iowa, on Sunday,"): it ends at the first comma
        # within 12 tokens that a subject and its verb follow
        first = -1
        for k in range(i, min(len(toks), i + 12)):
            if toks[k].text == ",":
                if first < 0:
                    first = k
                np = np_forward(toks, k + 1)
                if np_ok(np) and k + 1 + len(np) < len(toks) and toks[k + 1 + len(np)].text != ",":
                    first = k
                    break
        if first >= 0:
            i = first + 1
    np = np_forward(toks, i)
    if not np_ok(np):
        return []
    k = i + len(np)
    if not is_name_np(np) and np[0].low not in PRONOUNS:
        # "Okafor’s state director, Lee Marsh, reached out": the appositive name
        if k + 1 < len(toks) and toks[k].text == ",":
            app = np_forward(toks, k + 1)
            e = k + 1 + len(app)
            if is_name_np(app) and e < len(toks) and toks[e].text == ",":
                return app
        return with_pp(toks, i, np)
    return np


OBJECT_OF = frozenset("to in at from with for on by of about after before during against into over under than".split())


def is_place(np: list[Token]) -> bool:
    """A place's name, as a state follows its town ("Berea, Ohio"; "Berea, OH")."""
    name = " ".join(t.text for t in np)
    return bool(canonical_place(name)) or (len(name) == 2 and name.isupper())


_TIME_WORDS = WEEKDAYS | MONTHS | frozenset(
    "today yesterday tonight morning afternoon evening night week weekend month year later earlier".split())
_TIME_LEAD = frozenset("on in this last late early earlier later next that".split())


def _before_time(toks: list[Token], j: int, sent_lo: int) -> int:
    """The end of the subject before a time phrase that ends at token j ("Lee on Thursday told", "Lee
    later Thursday said", "the company last week told"; past a preposition's object: "protesters in
    Ohio on Monday said"), or j when there is no such phrase or no subject before it."""
    k = j
    while k >= sent_lo and j - k < 4 and (toks[k].low in _TIME_WORDS or toks[k].text.isdigit()
                                          or k < j and toks[k].low in _TIME_LEAD):
        k -= 1
    if k == j or toks[j].low not in _TIME_WORDS or k < sent_lo:
        return j
    np, k, b = _past_objects(toks, k, sent_lo)
    if not np_ok(np) or _object_at(toks, b, sent_lo):  # nothing the object hangs on
        return j
    return k


def _object_at(toks: list[Token], b: int, sent_lo: int) -> bool:
    """Is token b, inside the sentence after its first token, a lowercase preposition (so that the
    phrase after it is its object)?"""
    return b > sent_lo and toks[b].low in OBJECT_OF and not toks[b].cap


def _past_objects(toks: list[Token], e: int, sent_lo: int, ok=None) -> tuple[list[Token], int, int]:
    """The noun phrase ending at token e, walking back past each preposition's object (that ``ok``, when
    given, lets go) to the phrase it hangs on: "protesters in Ohio" -> "protesters". Returns the phrase,
    its last token and the token before it; the walk stops at an object with nothing before it."""
    np = np_backward(toks, e)
    b = e - len(np)
    while np and _object_at(toks, b, sent_lo) and (ok is None or ok(np)):
        head = np_backward(toks, b - 1)
        if not head:
            break
        np, e, b = head, b - 1, b - 1 - len(head)
    return np, e, b


def subject_before(toks: list[Token], ci: int, sent_lo: int) -> list[Token]:
    """Subject of a finite cue at token ci: skip adverbs, appositives; resolve "who"."""
    j = ci - 1
    skipped = 0
    while j >= sent_lo and skipped < 3 and is_adv(toks[j]):
        j -= 1
        skipped += 1
    j = _before_time(toks, j, sent_lo)
    if j < sent_lo:
        return []
    if toks[j].text == ")":  # "Rep. Ann Lee (D-Ore.) said"
        o = next((m for m in range(j - 1, max(sent_lo, j - 24) - 1, -1) if toks[m].text == "("), -1)
        if o > sent_lo:
            j = o - 1
    if toks[j].text == ",":
        # appositive(s): "Truss, 46, the first foreign secretary ..., added"
        commas = [k for k in range(sent_lo, j + 1) if toks[k].text == ","]
        cands = []
        objects: set[int] = set()  # the commas that close a preposition's object
        for c in commas[-4:]:
            e = c - 1
            if e > sent_lo and toks[e].text == ")":  # "Sen. Ann Lee (D-Ore.), ..."
                o = next((m for m in range(e - 1, max(sent_lo, e - 8) - 1, -1) if toks[m].text == "("), -1)
                e = o - 1 if o > sent_lo else e
            np = np_backward(toks, e)
            if np and np[0].start >= toks[sent_lo].start and np_ok(np):
                # the object of a preposition is seldom the subject, nor the place after it: "In a
                # statement to the Observer, her adviser, …", "in Berea, Ohio, …"
                before = e - len(np)
                obj = before >= sent_lo and (toks[before].low in OBJECT_OF and not toks[before].cap
                                             or before in objects and is_place(np))
                if obj:
                    objects.add(c)
                cands.append((obj, np))
        # a name, else a description: one that is no preposition's object first, then any
        for group in ([np for obj, np in cands if not obj], [np for _obj, np in cands]):
            for np in group:
                if is_name_np(np) or (len(np) == 1 and np[0].low in PRONOUNS):
                    return np
            for np in group:  # "An Israeli official, speaking on condition of anonymity about the schedule, said"
                if np[-1].low in ROLE_CONCEPTS or np[-1].low in SOURCE_NOUNS:
                    return np
        return cands[-1][1] if cands else []
    if toks[j].low in ("and", "but") and not toks[j].cap:
        # "… was joined on stage by Ivo Brandt and joked, “…”": the clause's subject
        return clause_subject(toks, sent_lo, j)
    np = np_backward(toks, j)
    if len(np) == 1 and np[0].low == "who":
        k = j - 1
        np = _antecedent(toks, k - 1 if k >= sent_lo and toks[k].text == "," else k, sent_lo)
    if not np_ok(np):
        # a relative clause between subject and cue: "a White House official who spoke … said"
        for k in range(j - 1, max(sent_lo, j - 14) - 1, -1):
            if toks[k].low in ("who", "whom") and not toks[k].cap:
                kk = k - 1
                if kk >= sent_lo and toks[kk].text == ",":
                    kk -= 1
                np = np_backward(toks, kk)
                break
    return np if np_ok(np) else []


def _antecedent(toks: list[Token], e: int, sent_lo: int) -> list[Token]:
    """Who a "who" after token e means: the noun phrase ending there, but past the places and
    organisations of its prepositional tail, and from a description to the name it describes
    ("Ann Lee, 32, a former aide to the campaign in Ohio who said"; "a deal with someone who" is
    someone)."""
    np, _e, b = _past_objects(toks, e, sent_lo, lambda np: is_place(np) or np[-1].low in ORG_WORDS)
    if np and not is_name_np(np) and b > sent_lo and toks[b].text == ",":
        k = b
        while k > sent_lo and (toks[k].text == "," or toks[k].text[0].isdigit()):  # "Ann Lee, 32, a …"
            k -= 1
        prev = np_backward(toks, k)
        before = k - len(prev)
        # not an opening place: "In Salem, a teacher who said …" is the teacher
        if is_name_np(prev) and not is_place(prev) and not (before >= sent_lo and toks[before].low in OBJECT_OF):
            return prev
    return np


def is_name_np(np: list[Token]) -> bool:
    return bool(np) and np[-1].cap and not np[-1].poss and np[-1].text not in NOT_NAME_CAPS


def past(t: Token) -> bool:
    return not t.cap and (t.low in FINITE_CUES or (t.low.endswith("ed") and len(t.low) > 4))


def with_pp(toks: list[Token], i: int, np: list[Token]) -> list[Token]:
    """Extend a description with its prepositional tail: "the former top aide" + "to President Okafor"."""
    if not np or is_name_np(np) or np[-1].low not in ROLE_CONCEPTS and np[-1].low not in SOURCE_NOUNS:
        return np
    k = i + len(np)
    if k + 1 < len(toks) and toks[k].low in ("to", "for", "of", "at", "with") and not toks[k].cap:
        tail = np_forward(toks, k + 1, stop_at_verbs=True)
        if tail and tail[0].low not in PRONOUNS:
            return np + [toks[k]] + tail
    return np


def cut_pp(np: list[Token]) -> list[Token]:
    """The phrase before its first prepositional tail ("a spokesman for the campaign" -> "a spokesman",
    "Ann Lee of Ohio" -> "Ann Lee"); the "of" of a title or an organisation stays ("Secretary of State
    John Kerry", "Bank of Spain")."""
    for k in range(1, len(np)):
        t = np[k]
        if (t.low in PREPOSITIONS or _aide_to(np, k)) and not t.cap:
            if joining_of(np, k):
                continue
            return np[:k]
    return np


_AIDES = frozenset(("adviser", "spokesperson", "strategist"))


def _aide_to(toks: list[Token], k: int) -> bool:
    """Token k is the "to" after an aide: "an aide to Senator Ann Lee" is the aide, not Ann Lee."""
    return k > 0 and toks[k].low == "to" and ROLE_CONCEPTS.get(toks[k - 1].low) in _AIDES


def subject_span(toks: list[Token], i: int, k: int) -> tuple[list[Token], list[Token]] | None:
    """The subject between token i and a cue at k, after a quote: (mention tokens, head tokens).

    Allows adverbs before the cue, parenthesised asides (D-N.Y.), appositives after commas (the first
    name among them wins) and a prepositional tail ("a spokesman for committee Liberals")."""
    j = k - 1
    n = 0
    while j >= i and n < 3 and is_adv(toks[j]):
        j -= 1
        n += 1
    span: list[Token] = []
    depth = 0
    for t in toks[i : j + 1]:
        if t.text in ("(", "["):
            depth += 1
        elif t.text in (")", "]"):
            depth = max(0, depth - 1)
        elif depth == 0:
            span.append(t)
    while span and span[-1].text in (",", "—", "–"):
        span.pop()
    if not span or len(span) > 16:
        return None
    parts: list[list[Token]] = [[]]
    for t in span:
        if t.text in (",", "—", "–"):
            parts.append([])
        else:
            parts[-1].append(t)
    head = parts[0]
    if not head or len(head) > 9:
        return None
    if len(head) == 1 and head[0].cap and head[0].text in NOT_NAME_CAPS and head[0].low not in FUNCTION_WORDS:
        return head, head  # “…,” Will wrote.
    core = cut_pp(head)
    if not all(is_np_tok(t) or t.low in DETERMINERS or t.low in PRONOUNS or joining_of(core, m)
               for m, t in enumerate(core)) or not np_ok(core):
        return None
    if len(core) > 1 and any(t.low in PRONOUNS for t in core):
        return None
    if len(head) > len(core) and not all(
        is_np_tok(t) or t.low in DETERMINERS or t.low in PREPOSITIONS or _aide_to(head, m)
        for m, t in enumerate(head) if m >= len(core)
    ):
        return None
    if not is_name_np(core) and core[0].low not in PRONOUNS:
        for part in parts[1:]:
            pc = cut_pp(part)
            if is_name_np(pc) and all(is_np_tok(t) for t in pc):
                return part, pc
    return head, core


def strip_name(toks: list[Token]) -> tuple[list[Token], list[Token]]:
    """Split a capitalised run into (title/role tokens, name tokens): titles, countries and
    possessives go, and so does whatever stands before the last title ("Green Party Sen. Ann Lee") or
    one word before a known first name with a surname after it ("Labor Ann Lee")."""
    i = 0
    while i < len(toks) - 1 and (
        _is_title(toks[i])
        or toks[i].low in COUNTRIES
        or toks[i].text in NOT_NAME_CAPS
        or (toks[i].poss and i < len(toks) - 1)
    ):
        i += 1
    last_title = max((j for j in range(i, len(toks) - 1) if _is_title(toks[j])), default=-1)
    if last_title >= 0:
        i = last_title + 1
    if len(toks) - i >= 3 and toks[i].low not in first_name_genders() and toks[i + 1].low in first_name_genders():
        i += 1
    return toks[:i], toks[i:]


def joining_of(toks: list[Token], k: int) -> bool:
    """Token k is the "of" inside one capitalised name, after a title or an organisation's word:
    "Secretary of State", "Bank of Spain"; not the "of" that starts a tail ("Ann Lee of Ohio")."""
    return (0 < k < len(toks) - 1 and toks[k].low == "of" and not toks[k].cap and toks[k - 1].cap
            and toks[k + 1].cap and (_is_title(toks[k - 1]) or toks[k - 1].low in ORG_WORDS))


def _is_title(t: Token) -> bool:
    return t.low.rstrip(".") in ROLE_WORDS or t.low in ROLE_WORDS


def affiliation(t: Token) -> str | None:
    """A capitalised word that modifies a role and is no title, country or first name ("the
    Green nominee", "Labor spokesman"): the first six letters, so that the noun and adjective
    forms of one affiliation meet ("Liberal", "Liberals", "Socialist", "Socialists")."""
    if not t.cap or t.poss or t.text in NOT_NAME_CAPS or _is_title(t) or t.low in COUNTRIES:
        return None
    if t.low in first_name_genders() or not t.text.isalpha():
        return None
    return t.low[:6]