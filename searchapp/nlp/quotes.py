"""Direct quotes and who said them: rule-based, offline, no model, standard library only.

``extract_quotes(body, entities)`` finds the spans of ``body`` inside quote marks and attributes each
one to a speaker; ``QuoteStep`` is the pipeline step that fills ``article.quotes`` from
``article.body`` and ``article.entities`` (used when present; the module works without them).

Quote marks
    Curly double marks; straight double marks (opening and closing told apart by the characters
    around them); the typewriter double mark '' (two apostrophes); doubled marks such as "“; curly
    single marks ‘…’ (a ’ followed by a letter is an apostrophe: can’t, UK’s; "the players’ union"
    is not the end of a quote when a later end exists); straight single marks that clearly open and
    close ('rigged'). Curly and straight marks pair with their own kind, so "…" inside “…” is a
    nested quote, but a straight mark that can only be a closing one closes a curly quote (“… too"
    he said). Quotes nested inside a quote are part of it, not quotes of their own. A double-quoted
    span opened in one paragraph and not closed there continues when the next paragraph reopens
    with a mark: each paragraph's part becomes its own ``Quote`` (so the text never holds a
    paragraph break or a mark) and all parts share one attribution. A line break ends a paragraph.

Quote text
    The words between the marks, trimmed of spaces and of one trailing ``,`` ``.`` ``;`` ``:`` (the
    punctuation that belongs to the surrounding sentence in American style, kept after an
    abbreviation such as "U.S."); ``?`` ``!`` and ``…`` are kept. ``body[q.start:q.end] == q.text``
    always holds, and so does ``body[m.start:m.end] == m.text`` for the mention.

Attribution, in this order
    1. after the closing mark, in the same sentence: ``“…,” Lavrov said`` / ``“…,” said Lavrov`` /
       ``“…,” she said`` / ``“…” Russia’s top diplomat told reporters`` / ``“…,” Truss, 46, said`` /
       ``“…,” Sen. Ann Lee (D-Ore.) said`` / ``“…,” a spokesman for the campaign said`` /
       ``“…,” according to X`` / ``“…?” Hannity pressed.`` / ``“…” if she loses, said X.`` /
       ``“…” — Jane Doe, 34, Texas``. A quote that ends with a full stop is not attributed to a
       capitalised word after it (a new sentence starts there);
    2. before the opening mark, in the same sentence (words inside other quotes are ignored): the
       last cue and its subject: ``Lavrov said: “…”``, ``He added that the … “…”``,
       ``Truss, 46, the first …, added there were “…”`` (appositives skipped; a name among them
       wins), ``…, warning that … ‘…’`` (a participle after a comma takes the subject of the cue just
       before it, else of its clause), ``According to X, “…”``, ``Said Comey, “…”``,
       ``Pollster Jo Ames: “…”`` and ``Clinton released a statement: “…”`` (colon);
    3. otherwise the quote takes the attribution of the quotes around it: the other parts of a
       multi-paragraph quote, the previous (else the next) attributed quote in the same paragraph,
       a previous paragraph that ends with a colon (``Lavrov said:``), the quote that closes the
       previous paragraph when this paragraph opens with a quote, or a dash line under it
       (``— Hillary Clinton``). Such quotes share that quote's speaker, mention and cue; quotes of
       at most three words never inherit.

Cues
    Speech verbs in finite and participle form (said, told, added, warned, tweeted, wrote, asked,
    insisted, ... / saying, adding, warning, ...), phrasal cues (according to, pointed out, went
    on, put it) and weak cues (called, described, read) that count only close to the quote.
    ``cue`` is the cue as written, lower-cased ("said", "according to", "warning"), None when the
    speaker was found without one (dash line, colon).

Speaker
    The words naming the speaker (``mention``) are turned into a canonical name within the article:
    a PER ``EntityMention`` overlapping them gives its ``name``; a capitalised name, titles removed
    ("UK PM Boris Johnson" -> "Boris Johnson"), is completed to the longest name in the article that
    ends with the same words ("Lavrov" -> "Sergey Lavrov"; among the PER entity names when there are
    entities, else among the capitalised names up to a little after the last quote, Title Case
    headline lines left out); "Clinton’s statement" is Clinton's; a role description ("Russia’s top diplomat", "the
    Republican nominee") goes to the nearest preceding person introduced with that role and a
    matching country or party ("Russian Foreign Minister Sergey Lavrov"; diplomat = foreign
    minister, foreign secretary, secretary of state, ambassador); he/she goes to a person of the
    same gender, looking back sentence by sentence and preferring the leftmost (subject) person of
    a sentence. Gender comes from first names, Mr./Mrs./Ms., gendered role nouns and the he/she
    pronouns that follow a person. The speaker is None when unsure: the preferred person's gender
    is unknown while another person of the right gender is in that sentence, nobody fits, or the
    pronoun is they/we/I/it; and for descriptions that name no one ("a spokesman", "officials").
    Without entities, a person is a capitalised name with some evidence: a known first name, a title
    (Sen., Minister), a role word before it, an age or role appositive after it, or a cue right
    after it ("Feinstein said").

Scare quotes
    A quote of at most three words right after a determiner, possessive or "so-called" (the “facts”,
    Trump’s “Crooked Hillary”, so-called “experts”) is kept as a Quote with speaker, mention and cue
    None. So in "He added that the “facts” presented by his team “bounced off” ...", “facts” has no
    speaker and “bounced off” is Lavrov's.

Reported speech without marks ("Johnson said he did not believe ...") is not a quote.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable

from searchapp.article import Article, EntityMention, Mention, Quote

__all__ = ["QuoteStep", "extract_quotes"]

# --------------------------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _frozen(d: dict) -> MappingProxyType:
    return MappingProxyType(d)  # read-only: the module keeps no mutable state


# Cue verbs, finite forms (subject before or, for some, after them).
_FINITE = _words(
    """said says say told tells added adds asked asks explained explains noted notes wrote writes
    stated declared declares argued argues insisted insists claimed claims continued continues
    replied replies responded responds warned warns tweeted tweets posted recalled recalls
    acknowledged acknowledges admitted admits joked jokes quipped quips shouted yelled remarked
    suggested suggests concluded concludes announced announces called described describes urged
    urges reiterated reiterates complained complains conceded concedes boasted boasts vowed vows
    promised promises predicted predicts stressed stresses emphasized emphasised observed observes
    mused muses cautioned cautions countered counters retorted charged charges alleged alleges
    maintained maintains contended contends proclaimed proclaims repeated repeats asserted asserts
    thundered railed lamented laments scoffed mocked blasted slammed touted touts pledged pledges
    confirmed confirms confided exclaimed cried screamed chanted testified recounted recounts
    answered answers agreed agrees objected protested demanded demands wondered wonders opined
    marveled marvelled sighed whispered informed assured reminded reported reports elaborated
    clarified bragged gushed teased tweeted texted emailed wrote added predicted acknowledged
    reasoned summarized summarised snapped fumed growled read reads echoed cracked retaliated
    interrupted needled barked griped raved penned ridiculed taunted scolded pleaded begged
    explained say tell add ask note write quip announce declare argue insist claim explain warn
    respond reply joke gloated beamed questioned affirmed affirms sang sings labeled labelled
    began begins wrote tweeted"""
)
# Multi-word cues and cues that need a particle ("went on", "pointed out", "shot back", "put it").
_PHRASAL = _frozen({
    ("went", "on"): "went on",
    ("goes", "on"): "goes on",
    ("pointed", "out"): "pointed out",
    ("points", "out"): "points out",
    ("shot", "back"): "shot back",
    ("fired", "back"): "fired back",
    ("chimed", "in"): "chimed in",
    ("put", "it"): "put it",
    ("puts", "it"): "puts it",
    ("according", "to"): "according to",
    ("quoted", "as"): "quoted as",
})
_PARTICIPLE = _words(
    """saying telling adding warning noting arguing insisting claiming declaring explaining asking
    writing tweeting calling describing urging stressing suggesting vowing promising predicting
    complaining joking quipping boasting replying responding recalling acknowledging admitting
    charging blasting slamming reminding announcing proclaiming asserting lamenting conceding
    cautioning countering maintaining contending repeating reiterating exclaiming shouting
    yelling chanting testifying recounting answering demanding wondering observing remarking
    emphasizing emphasising touting pledging confirming posting texting concluding citing
    quoting labeling labelling branding dubbing gloating questioning"""
)
# Cues that may stand before their subject after a quote: “…,” said Lavrov.
_INVERTIBLE = _words(
    """said says added adds asked asks explained explains noted notes wrote writes continued
    continues replied replies responded responds recalled recalls declared declares insisted
    insists argued argues warned warns quipped joked tweeted posted concluded countered retorted
    observed observes cautioned conceded admitted acknowledged remarked stated announced
    suggested suggests boasted complained predicted told tells exclaimed cried shouted answered
    mused marveled marvelled agreed lamented laments reasoned pointed beamed gloated reads read
    begins began questioned affirmed"""
)
# Ambiguous cue forms that count only next to a quote (not as the last cue of a long lead-in).
_WEAK = _words("called calls described describes read reads put puts posted began begins labeled labelled sang sings")

_PRONOUNS = _frozen({"he": "m", "she": "f", "they": "p", "we": "p", "i": "s", "it": "n", "you": "s"})
_OBJ_PRONOUNS = _frozen({"him": "m", "his": "m", "himself": "m", "her": "f", "hers": "f", "herself": "f"})
_DETS = _words(
    """the a an his her their its our my your this that these those one another some several many
    both two three four five six seven eight nine ten other each every all most few any no"""
)
_AUX = _words(
    """also later then has had have would will once previously simply just again further finally
    recently earlier repeatedly often reportedly publicly privately bluntly flatly quickly was were
    is are did does do had've has't since still even first initially subsequently ultimately only
    never always not could can might may should must told"""
).difference({"told"})
# Lowercase words that end a noun phrase.
_STOP = _words(
    """and or but nor that which who whom whose when while as because if after before since although
    though where than so to on in at by for from with about into over under during of against
    without between among through across toward towards upon via per like unlike including
    is are was were be been being has have had do does did will would can could may might must
    shall should not also then there here what how why whether yet just only even
    said says say told tells"""
)
# Capitalised words that are not names (sentence starts, days, months).
_CAP_STOP = _words(
    """The A An This That These Those His Her Their Its Our My Your He She They We I It You Who What
    When Where Why How Which While But And Or Nor So Yet If As At In On By For From With About Into
    After Before Since During Under Over Although Though Because Until Unless Then There Here Now
    Still Also However Meanwhile Moreover Instead Indeed Yes No Not Some Many Most Several Both
    All Each Every Another One Two Three Four Five Other Such Even Only Just Asked According Speaking
    Earlier Later Last Next First Second Third Today Tonight Tomorrow Yesterday Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February April June July August September
    October November December Feb Aug Sep Sept Oct Nov Dec Mr Mrs Ms To Of Do Ever
    Does Did Is Are Was Were Be Has Have Had Will Would Can Could Should Must May Might Let Like
    Dear Oh Well Thanks Thank Please Sir Madam Madame Ladies Gentlemen Despite Through Without
    Among Between Within Upon Whether Whatever Whoever Never Always Often Perhaps Maybe Again Back
    Even Just Only Once Unlike Amid Across Along Around Behind Beyond Near Outside Inside Per Via
    Regardless Nevertheless Nonetheless Otherwise Overall Ultimately Finally Eventually Initially
    Recently Currently Previously Already Specifically Separately Similarly Additionally
    Furthermore Thus Therefore Hence Accordingly Besides Notably Importantly Interestingly Frankly
    Clearly Obviously Apparently Certainly Sure Sadly Unfortunately Fortunately Ironically Here’s
    Here's There’s There's That’s That's It’s It's What’s What's Said Says"""
).difference({"May"})  # Theresa May
_CAP_STOP_LOWER = frozenset(w.lower() for w in _CAP_STOP)

# Words that introduce a role in front of a name, or make up a role description.
_TITLE_WORDS = _words(
    """mr mr. mrs mrs. ms ms. miss dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. sgt
    sgt. capt capt. adm adm. rev rev. prof prof. atty atty. president vice minister secretary
    prime pm chancellor premier senator governor general attorney foreign defence defense home
    interior finance trade state speaker house senate majority minority leader chairman chairwoman
    chair chief executive director deputy former candidate nominee presidential democratic
    republican gop democrat democrats republicans independent representative congressman
    congresswoman mayor ambassador envoy spokesman spokeswoman spokesperson press white
    secretary-general judge justice sheriff king queen prince princess pope lord lady sir dame
    councillor councilman councilwoman commissioner inspector detective officer sergeant
    lieutenant colonel major captain admiral commander ceo cfo coo founder co-founder professor
    the first lady former acting interim incoming outgoing top senior assistant campaign manager
    chairman adviser advisor aide strategist economist analyst pollster consultant rabbi bishop
    cardinal imam reverend pastor father dean provost chancellor gubernatorial coach host anchor
    author actor actress singer rapper comedian columnist producer trooper chef artist astronaut
    physician surgeon nurse officer agent correspondent reporter editor publisher"""
)
# Role nouns and the concepts they stand for, for "Russia’s top diplomat" -> the Foreign Minister.
_ROLE_CONCEPTS = _frozen({
    "diplomat": "diplomat", "ambassador": "diplomat", "envoy": "diplomat",
    "minister": "minister", "secretary": "secretary", "president": "president",
    "spokesman": "spokesperson", "spokeswoman": "spokesperson", "spokesperson": "spokesperson",
    "chancellor": "chancellor", "premier": "prime_minister", "pm": "prime_minister",
    "senator": "senator", "sen.": "senator", "governor": "governor", "gov.": "governor",
    "nominee": "candidate", "candidate": "candidate", "frontrunner": "candidate",
    "front-runner": "candidate", "hopeful": "candidate", "leader": "leader", "chairman": "chair",
    "chairwoman": "chair", "chair": "chair", "ceo": "ceo", "executive": "ceo", "director": "director",
    "mayor": "mayor", "congressman": "congress", "congresswoman": "congress",
    "representative": "congress", "rep.": "congress", "lawmaker": "congress", "judge": "judge",
    "justice": "judge", "general": "general", "gen.": "general", "king": "king", "queen": "queen",
    "pope": "pope", "billionaire": "billionaire", "businessman": "businessman", "mogul": "businessman",
    "manager": "manager", "strategist": "strategist", "adviser": "adviser", "advisor": "adviser",
    "aide": "adviser", "pollster": "pollster", "economist": "economist", "analyst": "analyst",
    "attorney": "lawyer", "lawyer": "lawyer", "prosecutor": "lawyer", "sheriff": "sheriff",
    "commissioner": "commissioner", "professor": "professor", "founder": "founder",
    "speaker": "speaker", "host": "host", "anchor": "host", "author": "author", "actor": "actor",
    "actress": "actor", "singer": "singer", "rapper": "singer", "pastor": "pastor",
    "reverend": "pastor", "rabbi": "rabbi", "bishop": "bishop", "cardinal": "bishop",
    "officer": "officer", "detective": "officer", "coach": "coach", "owner": "owner",
    "chief": "chief", "head": "chief", "ceo.": "ceo", "senator-elect": "senator", "veep": "vice",
    "vice": "vice", "running-mate": "running_mate", "mate": "running_mate",
})
_LEADER_ROLES = frozenset({"president", "prime_minister", "chancellor", "king", "queen", "leader"})
_FEMALE_ROLES = _words("spokeswoman congresswoman chairwoman businesswoman actress queen princess lady mrs mrs. ms ms. miss dame")
_MALE_ROLES = _words("spokesman congressman chairman businessman king prince mr mr. sir lord father")
# Generic plural / collective sources: "officials said", "sources said".
_SOURCE_NOUNS = _words(
    """officials official sources source aides aide critics supporters analysts experts people
    residents voters police authorities campaign spokesman spokeswoman spokesperson statement
    report reports documents memo crowd audience protesters demonstrators observers
    republicans democrats lawmakers leaders advisers advisors organizers organisers staff
    administration government ministry office department agency committee group
    representatives executives investigators prosecutors witnesses friends allies opponents
    members delegates donors strategists pollsters economists researchers scientists doctors
    historians reporters journalists"""
)
_PARTIES = _frozen({"republican": "republican", "republicans": "republican", "gop": "republican",
            "democratic": "democratic", "democrat": "democratic", "democrats": "democratic",
            "labour": "labour", "conservative": "conservative", "tory": "conservative",
            "libertarian": "libertarian", "green": "green"})
_COUNTRIES = _frozen({
    "russia": "ru", "russian": "ru", "russia’s": "ru", "kremlin": "ru", "moscow": "ru",
    "uk": "uk", "u.k.": "uk", "britain": "uk", "british": "uk", "england": "uk", "english": "uk",
    "us": "us", "u.s.": "us", "america": "us", "american": "us", "united": None,
    "france": "fr", "french": "fr", "germany": "de", "german": "de", "china": "cn", "chinese": "cn",
    "japan": "jp", "japanese": "jp", "india": "in", "indian": "in", "israel": "il", "israeli": "il",
    "iran": "ir", "iranian": "ir", "iraq": "iq", "iraqi": "iq", "syria": "sy", "syrian": "sy",
    "ukraine": "ua", "ukrainian": "ua", "poland": "pl", "polish": "pl", "italy": "it",
    "italian": "it", "spain": "es", "spanish": "es", "canada": "ca", "canadian": "ca",
    "mexico": "mx", "mexican": "mx", "brazil": "br", "brazilian": "br", "turkey": "tr",
    "turkish": "tr", "egypt": "eg", "egyptian": "eg", "saudi": "sa", "pakistan": "pk",
    "pakistani": "pk", "afghanistan": "af", "afghan": "af", "korea": "kr", "korean": "kr",
    "australia": "au", "australian": "au", "ireland": "ie", "irish": "ie", "scotland": "uk",
    "scottish": "uk", "netherlands": "nl", "dutch": "nl", "belgium": "be", "belgian": "be",
    "sweden": "se", "swedish": "se", "norway": "no", "norwegian": "no", "finland": "fi",
    "finnish": "fi", "denmark": "dk", "danish": "dk", "greece": "gr", "greek": "gr",
    "austria": "at", "austrian": "at", "switzerland": "ch", "swiss": "ch", "cuba": "cu",
    "cuban": "cu", "venezuela": "ve", "venezuelan": "ve", "nigeria": "ng", "nigerian": "ng",
    "kenya": "ke", "kenyan": "ke", "jordan": "jo", "jordanian": "jo", "lebanon": "lb",
    "lebanese": "lb", "palestinian": "ps", "libya": "ly", "libyan": "ly", "belarus": "by",
    "belarusian": "by", "hungary": "hu", "hungarian": "hu", "romania": "ro", "romanian": "ro",
    "nato": "nato", "eu": "eu", "european": "eu", "taiwan": "tw", "taiwanese": "tw",
    "vietnam": "vn", "vietnamese": "vn", "philippines": "ph", "philippine": "ph", "filipino": "ph",
    "indonesia": "id", "indonesian": "id", "argentina": "ar", "argentine": "ar", "chile": "cl",
    "chilean": "cl", "colombia": "co", "colombian": "co", "qatar": "qa", "qatari": "qa",
})

_MALE_NAMES = _words(
    """james john robert michael william david richard joseph thomas charles christopher daniel
    matthew anthony mark donald steven stephen paul andrew joshua kenneth kevin brian george timothy
    ronald edward jason jeffrey jeff ryan jacob gary nicholas eric jonathan larry justin scott
    brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron
    jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy keith roger terry
    gerald harold sean austin carl arthur lawrence dylan jesse bryan billy joe bruce gabriel logan
    albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip
    phillip louis bill bob jim tom mike dan dave chris steve rick ted jeb marco bernie barack mitt
    rand newt rudy reince mitch harry chuck tim ben hugh boris vladimir sergey sergei dmitry dmitri
    alexei alexey emmanuel olaf francois françois jens recep shinzo narendra jean-claude pierre
    jacques nicolas gerhard helmut friedrich hans klaus giuseppe matteo silvio mario pedro carlos
    luis miguel javier antonio manuel jorge ali mohammed muhammad mohamed ahmed hassan hussein omar
    abdul bibi yair ehud shimon moshe ariel imran nawaz rahul volodymyr petro viktor nikolai
    mikhail yuri igor oleg ivan andrei andrey wladimir kofi keir rishi ed nick gordon tony liam
    dominic sajid ken rex jared corey lindsey martin lincoln josh jake wolf anderson lester matt
    sheldon franklin al cory harry orrin trey darrell evan jimmy lyndon dwight herbert woodrow
    theodore abraham ulysses grover calvin warren dick colin sidney antonin clarence neil merrick
    bashar hosni muammar saddam fidel raul hugo enrique andres malcolm rodrigo xi reuven ashraf
    joaquin julian beto pete bret brett newt mickey marty mitchell rob ron randall rodney
    stanley todd troy wesley derek greg jon joel luke marcus nathaniel seth shawn travis vince
    glenn craig curtis duncan dustin edgar elliot erik floyd gene gil grant hal herman howard
    jay kent kirk lance leon lloyd marvin max nelson norman oscar otis perry reggie rex ross
    sam ted terrence toby van vernon wade ward warren wendell wilbur zach hakeem elijah karl
    geert nigel jeremy boris iain ian simon alastair alistair david-cameron ashton bernard
    cornel reince sebastian stephen tucker sean bret brit kurt anthony rahm newt hank dwayne"""
)
_FEMALE_NAMES = _words(
    """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty
    margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah
    stephanie rebecca sharon laura cynthia kathleen amy shirley angela helen anna brenda pamela
    nicole emma samantha katherine christine debra rachel catherine carolyn janet ruth maria
    heather diane virginia julie joyce victoria olivia christina lauren joan evelyn judith megan
    cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice alice
    madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa sophia
    marie diana brittany natalie isabella charlotte rose alexis kayla hillary hilary chelsea
    melania ivanka sasha malia huma kellyanne hope carly nikki condoleezza madeleine loretta
    sonia elena jill tulsi kamala dianne debbie maxine kirsten tammy patty jeanne megyn katy mika
    greta wendy sheila ursula marine nicola jacinda liz priti suella kemi penny yulia ana sofia
    carmen cristina dilma benazir indira golda corrine kate katie kathy sally jane anne annie
    becky beth peggy paula rosa roseanne meghan gina valerie omarosa sheryl oprah ellen beyonce
    gwen lena lydia erin brooke claire clare fiona gillian harriet joanna lucy sophie theresa
    yvette yvonne zoe amal angelina jennifer kristen kristin allison alison ivana tiffany
    marla rosie heidi hannah jodi jody kellie kelli lori lorraine louise lynne maureen nora
    norma rita roberta ronna shannon stacey stacy tara tina vanessa veronica vicki vivian
    wanda abby ayanna alexandria ilhan rashida elise jeanine jeannie juanita katrina kirstjen
    leslie mallory melinda mia molly naomi paige rachael regina samantha selina serena
    stephanie susana tamara tanya trisha whitney"""
)

# --------------------------------------------------------------------------------------------
# Regular expressions
# --------------------------------------------------------------------------------------------

_HINT = re.compile(r"[“”\"‘«]|''|(?<![\w’'])'(?=\w)")
_MARKS = re.compile(r"\"“|“\"|”\"|\"”|[“”\"]|'''|''")
_TOKEN = re.compile(
    r"\x00+"
    r"|(?:[A-Za-z]\.){2,}"  # U.S. D.C.
    r"|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Rev|Prof|Atty|St|Jr|Sr|Sec|Cmdr|Maj|Supt|Insp|Det)\.(?=\s)"
    r"|[A-Z]\.(?=\s[A-Z])"  # initials
    r"|[^\W\d_](?:[\w’'\-&]*\w)?(?:’s|'s)?"
    r"|\d[\d,.:]*\w*"
    r"|[^\w\s]"
)
_BOUNDARY = re.compile(r"[.!?…][”’\"')\]]*\s+(?=(?:[“‘\"(\[]|'')?[A-Z0-9\x00])")
_ABBREV = _words(
    """mr mrs ms dr sen rep gov gen lt col sgt capt adm rev prof atty st jr sr sec cmdr maj supt
    insp det no vs jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd mt ft univ
    dept est approx"""
)
_DASHES = frozenset("—–―-")
_BREAK = re.compile(r"\n\s*|" + _BOUNDARY.pattern)
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")
_QUOTE_CHARS = frozenset("“”\"‘’'«»")
_PREV_WORD = re.compile(r"([\w.]+)$")


# --------------------------------------------------------------------------------------------
# Quote segments
# --------------------------------------------------------------------------------------------


@dataclass
class _Seg:
    open: int  # offset of the opening mark (-1 for none)
    start: int  # text start
    end: int  # text end
    close: int  # offset of the closing mark, or -1 when the paragraph ended first
    para: int
    single: bool = False
    close_end: int = -1  # offset after the closing mark
    chain: int = -1
    # Attribution.
    inherited: bool = False
    cue: str | None = None
    speaker: str | None = None
    mention: Mention | None = None
    done: bool = False
    scare: bool = False
    words: int = 0


def _paragraphs(body: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    n = len(body)
    while pos <= n:
        nl = body.find("\n", pos)
        end = n if nl < 0 else nl
        if body[pos:end].strip():
            spans.append((pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return spans


def _opens(body: str, i: int, lo: int, hi: int, j: int = -1) -> bool | None:
    """Does the mark at body[i:j] look like an opening mark (True), a closing one (False), or either (None)?"""
    j = i + 1 if j < 0 else j
    prev = body[i - 1] if i > lo else ""
    nxt = body[j] if j < hi else ""
    left_open = prev == "" or prev.isspace() or prev in "([{—–-/“‘"
    right_closed = nxt == "" or nxt.isspace() or nxt in ",.;:!?)]}—–…"
    if left_open and not right_closed:
        return True
    if right_closed and not left_open:
        return False
    return None


def _double_segments(body: str, lo: int, hi: int, para: int) -> tuple[list[_Seg], tuple[int, int] | None]:
    """Double-quoted spans in body[lo:hi]; also (mark offset, mark length) of an unclosed quote.

    Curly and straight marks pair only with their own kind: straight marks inside a curly quote (and
    curly ones inside a straight quote) belong to a nested quote. Two apostrophes ('') count as a
    straight double mark (a typewriter convention some newspapers keep)."""
    segs: list[_Seg] = []
    open_at = -1
    open_len = 1
    open_straight = False
    nested = False
    for m in _MARKS.finditer(body, lo, hi):
        i = m.start()
        ch = m.group()
        straight = "“" not in ch and "”" not in ch
        if not straight:
            ch = "“" if "“" in ch else "”"  # doubled marks ("“) count as one curly mark
        kind = _opens(body, i, lo, hi, m.end())
        if open_at >= 0 and straight != open_straight:
            # a nested quote of the other kind ("Allah hu Akbar!" inside “…”), or else a mismatched
            # closing mark (“… too" Sweeny said)
            if nested or kind is not False:
                nested = not nested
                continue
        if ch == "“":
            is_open = kind is not False or open_at < 0
        elif ch == "”":
            is_open = kind is True and open_at < 0
        else:  # straight mark
            is_open = kind is True or (kind is None and open_at < 0)
        if open_at < 0:
            if is_open:
                open_at, open_len, open_straight, nested = i, m.end() - i, straight, False
            continue
        if is_open and kind is True:
            # An opening mark while a quote is open: the earlier mark was unbalanced; restart here.
            open_at, open_len, open_straight, nested = i, m.end() - i, straight, False
            continue
        segs.append(_Seg(open_at, open_at + open_len, i, i, para, close_end=m.end()))
        open_at = -1
    return segs, ((open_at, open_len) if open_at >= 0 else None)


_SINGLE_SKIP = re.compile(r"‘(?:\d\d?s?\b|em\b|til\b|cause\b|n’)", re.I)


def _single_segments(body: str, lo: int, hi: int, para: int, taken: list[tuple[int, int]]) -> list[_Seg]:
    """‘…’ spans (and straight '…' spans) in body[lo:hi] outside the ranges in ``taken``."""
    segs: list[_Seg] = []

    def inside(i: int) -> bool:
        return any(a <= i < b for a, b in taken)

    for open_ch, close_ch in (("‘", "’"), ("'", "'")):
        i = body.find(open_ch, lo, hi)
        while 0 <= i < hi:
            nxt_search = i + 1
            prev = body[i - 1] if i > lo else ""
            nxt = body[i + 1] if i + 1 < hi else ""
            ok = (prev == "" or prev.isspace() or prev in "([{—–-“\"") and nxt.isalnum()
            if open_ch == "'" and (prev == "'" or nxt == "'"):
                ok = False
            if ok and not inside(i) and not _SINGLE_SKIP.match(body, i) and not (
                open_ch == "'" and body[i + 1 : i + 4].lower() in ("em ", "til", "cau", "90s", "80s", "70s", "60s")
            ):
                j = -1
                k = i + 1
                limit = min(hi, i + 400)
                candidates = []
                while True:
                    k = body.find(close_ch, k, limit)
                    if k < 0:
                        break
                    after = body[k + 1] if k + 1 < hi else ""
                    before = body[k - 1]
                    if not after.isalnum() and not before.isspace():
                        candidates.append(k)
                    k += 1
                # stop at the next opener that really opens
                nxt_open = -1
                p = body.find(open_ch, i + 1, limit)
                while p >= 0:
                    pp = body[p - 1]
                    if (pp.isspace() or pp in "([{—–-“\"") and p + 1 < hi and body[p + 1].isalnum():
                        nxt_open = p
                        break
                    p = body.find(open_ch, p + 1, limit)
                if nxt_open >= 0:
                    candidates = [c for c in candidates if c < nxt_open]
                for idx, c in enumerate(candidates):
                    # "the players’ union": a plural possessive is not the end when a later end exists.
                    if (
                        body[c - 1] in "sS"
                        and c + 2 < hi
                        and body[c + 1] == " "
                        and body[c + 2].islower()
                        and idx + 1 < len(candidates)
                    ):
                        continue
                    j = c
                    break
                if j > i + 1 and (open_ch == "‘" or (j - i) <= 120):
                    segs.append(_Seg(i, i + 1, j, j, para, single=True, close_end=j + 1))
                    taken = taken + [(i, j + 1)]
                    nxt_search = j + 1
            i = body.find(open_ch, nxt_search, hi)
    return segs


_TRAIL_STRIP = ",.;:"
_KEEP_DOT = re.compile(r"(?:\b[A-Za-z]|\b(?:Jr|Sr|Inc|Co|Corp|Ltd|St|etc|Mr|Mrs|Ms|Dr)|\.\.)\.$")


def _trim(body: str, seg: _Seg) -> bool:
    s, e = seg.start, seg.end
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    if e > s and body[e - 1] in _TRAIL_STRIP and not (body[e - 1] == "." and _KEEP_DOT.search(body, s, e)):
        e -= 1
        while e > s and body[e - 1].isspace():
            e -= 1
    seg.start, seg.end = s, e
    return e > s and any(ch.isalnum() for ch in body[s:e])


def _find_segments(body: str, paras: list[tuple[int, int]]) -> list[_Seg]:
    segs: list[_Seg] = []
    chain_id = 0
    pending: _Seg | None = None  # unclosed quote waiting for the next paragraph
    for pi, (lo, hi) in enumerate(paras):
        first_char = lo
        while first_char < hi and body[first_char].isspace():
            first_char += 1
        dsegs, unclosed = _double_segments(body, lo, hi, pi)
        if pending is not None:
            reopens = (unclosed is not None and unclosed[0] == first_char) or (dsegs and dsegs[0].open == first_char)
            if not reopens:
                pending = None  # the quote was never closed: it ends with its paragraph
        para_segs = list(dsegs)
        if unclosed is not None:
            para_segs.append(_Seg(unclosed[0], unclosed[0] + unclosed[1], hi, -1, pi))
        if pending is not None and para_segs and para_segs[0].open == first_char:
            if pending.chain < 0:
                pending.chain = chain_id
                chain_id += 1
            para_segs[0].chain = pending.chain
        pending = para_segs[-1] if (unclosed is not None) else None
        taken = [(s.open, s.close_end if s.close >= 0 else hi) for s in para_segs]
        if "‘" in body[lo:hi] or "'" in body[lo:hi]:
            para_segs.extend(_single_segments(body, lo, hi, pi, taken))
        segs.extend(para_segs)
    out = [s for s in segs if _trim(body, s)]
    out.sort(key=lambda s: s.start)
    return out


# --------------------------------------------------------------------------------------------
# Tokens, names and people
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int
    low: str
    cap: bool
    poss: bool


def _tokens(text: str, lo: int, hi: int) -> list[_Tok]:
    out = []
    append = out.append
    quote_chars = _QUOTE_CHARS
    for m in _TOKEN.finditer(text, lo, hi):
        t = m.group()
        if t in quote_chars:
            continue  # quote marks carry no words; the quoted words are masked
        low = t.lower()
        start = m.start()
        append(_Tok(t, start, start + len(t), low, t[0].isupper(), low[-2:] in _POSS))
    return out


_POSS = frozenset(("’s", "'s"))


def _base(tok: _Tok) -> str:
    """The token without a possessive ’s."""
    return tok.text[:-2] if tok.poss else tok.text


def _strip_name(toks: list[_Tok]) -> tuple[list[_Tok], list[_Tok]]:
    """Split a capitalised run into (title/role tokens, name tokens)."""
    i = 0
    while i < len(toks) - 1 and (
        toks[i].low.rstrip(".") in _TITLE_WORDS
        or toks[i].low in _TITLE_WORDS
        or toks[i].low in _COUNTRIES
        or toks[i].low in _PARTIES
        or toks[i].text in _CAP_STOP
        or (toks[i].poss and i < len(toks) - 1)
    ):
        i += 1
    return toks[:i], toks[i:]


_NAME_PARTICLES = _words("de da del della van von der den bin al la le du di dos das ibn")
_SUFFIXES = _words("Jr. Jr Sr. Sr II III IV")
_PERSON_TITLES = _words(
    """mr mr. mrs mrs. ms ms. miss dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. sgt sgt.
    capt capt. adm adm. rev rev. prof prof. atty atty. president minister secretary pm chancellor
    premier senator governor speaker chairman chairwoman mayor ambassador envoy spokesman
    spokeswoman spokesperson judge justice sheriff king queen prince princess pope lord lady sir
    dame councilman councilwoman commissioner detective sergeant lieutenant colonel captain
    admiral commander ceo founder professor rabbi bishop cardinal imam reverend pastor
    congressman congresswoman representative attorney director manager adviser advisor aide"""
)
_ORG_WORDS = _words(
    """Committee Party Convention House Department Agency Council Union Association Institute
    University College School Center Centre Foundation Inc Inc. Corp Corp. Co Co. Ltd Times Post
    News Journal Network Campaign Group Bank Fund Court Senate Congress Administration Ministry
    Office Board Commission Service Bureau Street Press Club League Society Organization
    Organisation Council Republicans Democrats Media Company Corporation Airlines Airways Motors
    Reserve Federation Alliance Coalition Movement Project Trust Authority Police Army Navy Force
    Guard Hospital Church Mosque Temple Magazine Radio Television TV Review Herald Tribune Daily
    Weekly Report Watch Caucus PAC Super Hall Tower Square Park River Valley County City State
    States Kingdom Republic Nations Affairs Security Intelligence Review Institution Museum"""
)


@dataclass
class _Person:
    name: str
    gender: str = ""  # "m", "f" or ""
    votes_m: int = 0
    votes_f: int = 0
    roles: set[str] = field(default_factory=set)
    country: set[str] = field(default_factory=set)
    party: set[str] = field(default_factory=set)


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
                w.lower() in _STOP or w.lower() in _FINITE or w.lower() in _VERBS or w.lower() in _PARTICIPLE
            )]
            if len(small) >= 2:
                out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _suffix_index(names: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], tuple[tuple[int, int], tuple[str, ...]]]:
    """Every ending of every name (up to 4 words) -> the best name with that ending."""
    idx: dict[tuple[str, ...], tuple[tuple[int, int], tuple[str, ...]]] = {}
    for full, count in names.items():
        core = tuple(p for p in full if p not in _SUFFIXES)
        if not core or len(core) > 4:
            continue
        score = (len(core) - (len(core) != len(full)), count)
        for j in range(1, len(core) + 1):
            cur = idx.get(core[-j:])
            if cur is None or score > cur[0]:
                idx[core[-j:]] = (score, full)
    return idx


class _Doc:
    """Lazily built views of one article body: masked text, tokens, names, people."""

    def __init__(self, body: str, masked: str, entities: list[EntityMention] | None, segs: list[_Seg]):
        self.body = body
        self.masked = masked
        self.entities = [e for e in (entities or []) if 0 <= e.start < e.end <= len(body)]
        self.segs = segs
        self._built = False
        self._sents: list[int] | None = None
        self._toks: list[_Tok] | None = None
        # Names, people and pronoun antecedents are looked for up to a little after the last quote:
        # attribution looks back, and the text after the last quote cannot name its speaker.
        last = max((sg.close_end if sg.close_end > 0 else sg.end) for sg in segs) if segs else 0
        self.reach = min(len(masked), last + 400)
        self._tok_starts: list[int] = []
        self._index: tuple[dict, dict] | None = None
        # (start, end, canonical) person mentions outside quotes, in order.
        self.mentions: list[tuple[int, int, str]] = []
        self.people: dict[str, _Person] = {}
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
            ok = (t.cap and t.text not in _CAP_STOP and t.text[0] != "\x00") or (
                cur and t.low in _NAME_PARTICLES and i + 1 < len(toks) and toks[i + 1].cap
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
                j = next((j for j, t in enumerate(rt) if t.low in _MALE_NAMES or t.low in _FEMALE_NAMES), -1)
                if j < 0 or j + 1 >= len(rt):
                    continue
                run = run[: j + 2]
                rt = rt[: j + 2]
            titles, name = _strip_name(rt)
            while name and name[-1].low in _NAME_PARTICLES:
                name = name[:-1]
            if not name:
                continue
            key = tuple(_base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
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
                key = tuple(_base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
                canon = self.canonical(key, name[0].start)
                last = canon.split()[-1]
                if self._is_person(titles, name, ri) or full_people.get(last) == canon:
                    start, end = name[0].start, name[-1].end
                    self._add_mention(start, end, canon)
                    p = self.people[canon]
                    self._learn_roles(p, [t.low for t in titles])
                    self._roles_before(toks[ri].start if titles else start, canon)
                    self._roles_after(end, canon)
                    for t in titles:
                        if t.low in _MALE_ROLES:
                            p.votes_m += 3
                        elif t.low in _FEMALE_ROLES:
                            p.votes_f += 3
        self.mentions.sort()
        self._gender_votes()

    def _is_person(self, titles: list[_Tok], name: list[_Tok], ri: int) -> bool:
        if name[-1].text in _ORG_WORDS or any(t.text in _ORG_WORDS for t in name):
            return False
        first = name[0].low
        if len(name) >= 2 and (first in _MALE_NAMES or first in _FEMALE_NAMES):
            return True
        if any(t.low in _PERSON_TITLES for t in titles):
            return True
        if ri > 0:
            prev = self.toks[ri - 1]
            if prev.low in _ROLE_CONCEPTS or (prev.text == "," and ri > 1 and self.toks[ri - 2].low in _ROLE_CONCEPTS):
                return True  # "spokesman Brian Fallon", "the group’s CEO, Kimberley Fritts"
        k = ri + len(titles) + len(name)
        if k + 1 < len(self.toks) and self.toks[k].text == ",":
            nxt = self.toks[k + 1]
            if nxt.text[:1].isdigit() and k + 2 < len(self.toks) and self.toks[k + 2].text in (",", ")"):
                return True  # "Jillian Chase, 27,"
            for m in range(k + 1, min(k + 7, len(self.toks))):
                t = self.toks[m]
                if t.text == "," or t.low in _STOP:
                    break
                if t.low in _ROLE_CONCEPTS or t.low in ("member", "resident", "voter", "supporter", "student", "owner"):
                    return len(name) >= 2 or m - k <= 4  # "Walsh, a former labor leader,"
        # the subject of a cue: "Feinstein said", "Feinstein also told"
        k = ri + len(titles) + len(name)
        for m in range(k, min(k + 3, len(self.toks))):
            t = self.toks[m]
            if t.low in _FINITE and not t.cap and t.low not in _WEAK:
                return True
            if not _is_adv(t):
                break
        return False

    def _add_mention(self, start: int, end: int, canon: str) -> None:
        if any(s.start <= start < s.end for s in self.segs):
            self.people.setdefault(canon, _Person(canon))
            return
        self.mentions.append((start, end, canon))
        self.people.setdefault(canon, _Person(canon))

    def _learn_roles(self, p: _Person, words: Iterable[str]) -> None:
        words = [w[:-2] if w.endswith(("’s", "'s")) else w for w in words]
        for i, w in enumerate(words):
            if w in _ROLE_CONCEPTS:
                p.roles.add(_ROLE_CONCEPTS[w])
                if _ROLE_CONCEPTS[w] in _LEADER_ROLES:
                    p.roles.add("leader")
            c = _COUNTRIES.get(w)
            if c:
                p.country.add(c)
            if w in _PARTIES:
                p.party.add(_PARTIES[w])
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
            if w in _MALE_ROLES:
                p.votes_m += 1
            elif w in _FEMALE_ROLES:
                p.votes_f += 1

    def _roles_before(self, start: int, canon: str) -> None:
        """Lowercase role words right before a name: "the Russian defence minister, Sergei Shoigu"."""
        toks = self.toks_in(max(0, start - 80), start)
        words: list[str] = []
        for t in reversed(toks):
            if t.text == "," and not words:
                continue
            if t.text in (",", ".", ";", ":", "(", ")") or t.low in _STOP or t.low in _DETS:
                break
            base = t.low[:-2] if t.poss else t.low
            if t.cap and not (base in _TITLE_WORDS or base in _COUNTRIES or base in _PARTIES or t.poss):
                break  # another name: its roles are its own
            words.append(t.low)
            if len(words) >= 6:
                break
        if words:
            self._learn_roles(self.people.setdefault(canon, _Person(canon)), reversed(words))

    def _roles_after(self, end: int, canon: str) -> None:
        """An appositive after a name: "Ben Wallace, the UK’s defence secretary,"."""
        if end < len(self.masked) and self.masked[end : end + 2] == ", ":
            toks = self.toks_in(end + 2, min(len(self.masked), end + 90))
            words: list[str] = []
            for t in toks:
                if t.text in (",", ".", ";", ":", "(", ")", "—") or t.low in ("who", "which", "said", "says"):
                    break
                words.append(t.low)
                if len(words) >= 8:
                    break
            if words and (words[0] in _DETS or words[0] in _ROLE_CONCEPTS or words[0].endswith(("’s", "'s"))
                          or words[0] in _COUNTRIES or words[0] in _PARTIES or words[0] in _TITLE_WORDS):
                self._learn_roles(self.people.setdefault(canon, _Person(canon)), words)

    def _gender_votes(self) -> None:
        for canon, p in self.people.items():
            first = canon.split()[0].lower()
            if first in _MALE_NAMES and first not in _FEMALE_NAMES:
                p.gender = "m"
            elif first in _FEMALE_NAMES and first not in _MALE_NAMES:
                p.gender = "f"
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
            import bisect

            for t in self.toks:
                g = _PRONOUNS.get(t.low) or _OBJ_PRONOUNS.get(t.low)
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

    def toks_in(self, lo: int, hi: int) -> list[_Tok]:
        """Tokens of the masked body inside [lo, hi) (the body is tokenised once)."""
        if hi > self.reach:
            return _tokens(self.masked, lo, hi)
        if self._toks is None:
            self._toks = _tokens(self.masked, 0, self.reach)
            self._tok_starts = [t.start for t in self._toks]
        i = bisect.bisect_left(self._tok_starts, lo)
        j = bisect.bisect_left(self._tok_starts, hi, i)
        out = self._toks[i:j]
        if out and out[-1].end > hi:
            out.pop()
        return out

    def sentence_starts(self) -> list[int]:
        """Offsets where sentences start (paragraph starts and sentence boundaries), masked text."""
        if self._sents is None:
            starts = [0]
            text = self.masked
            for m in _BREAK.finditer(text):
                if m.group()[0] == "\n":
                    starts.append(m.end())
                    continue
                w = _PREV_WORD.search(text, max(0, m.start() - 12), m.start())
                if w:
                    word = w.group(1).lower()
                    if word in _ABBREV or len(word) == 1 or _INITIALS.fullmatch(word):
                        continue
                starts.append(m.end())
            self._sents = starts
        return self._sents

    # -- names ------------------------------------------------------------------------------
    def canonical(self, key: tuple[str, ...], at: int = -1) -> str:
        """Longest name in the article that ends with ``key`` ("Lavrov" -> "Sergey Lavrov"): among PER
        entity names when there are any, else among the capitalised names of the body; ties go to
        the more frequent name; a suffix (Jr.) counts against a name unless asked for."""
        key = tuple(k for k in key if k not in _SUFFIXES) or key
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


# --------------------------------------------------------------------------------------------
# Attribution
# --------------------------------------------------------------------------------------------


def _cue_at(toks: list[_Tok], i: int) -> tuple[str, int, str] | None:
    """If a cue starts at token i: (cue text, index after it, kind: finite/participle/according)."""
    low = toks[i].low
    if i + 1 < len(toks):
        ph = _PHRASAL.get((low, toks[i + 1].low))
        if ph:
            if ph == "according to":
                return ph, i + 2, "according"
            if ph == "quoted as":
                return ph, i + 2, "finite"
            return ph, i + 2, "finite"
    if low in _FINITE:
        return low, i + 1, "finite"
    if low in _PARTICIPLE:
        return low, i + 1, "participle"
    return None


def _is_adv(t: _Tok) -> bool:
    return t.low in _AUX or (t.low.endswith("ly") and not t.cap and len(t.low) > 3)


def _np_ok(np: list[_Tok]) -> bool:
    if not np or len(np) > 9:
        return False
    if len(np) == 1 and np[0].low in _PRONOUNS:
        return True
    if any(t.cap and t.text not in _CAP_STOP for t in np):
        return True
    if np[0].low in _DETS or np[0].poss:
        return len(np) >= 2
    return np[-1].low in _SOURCE_NOUNS or np[-1].low in _ROLE_CONCEPTS


def _is_np_tok(t: _Tok) -> bool:
    if t.text[0] == "\x00":
        return False
    if not (t.text[0].isalpha()):
        return t.text in ("-", "&") or t.text[0].isdigit()
    if t.cap:
        return t.text not in _CAP_STOP or t.low in _DETS
    return t.low not in _STOP and t.low not in _PRONOUNS and t.low not in _FINITE and t.low not in _PARTICIPLE


def _np_backward(toks: list[_Tok], j: int) -> list[_Tok]:
    """The noun phrase ending at token j (inclusive), walking left."""
    if j < 0:
        return []
    if toks[j].low in _PRONOUNS or toks[j].low == "who":
        return [toks[j]]
    k = j
    while k >= 0 and j - k < 9:
        t = toks[k]
        if t.low in _DETS and t.low != "that":
            k -= 1
            break
        if t.low == "of" and 0 < k < j and toks[k - 1].cap and toks[k + 1].cap:
            k -= 1
            continue
        if not _is_np_tok(t) or (t.text == "-" and (k == 0 or toks[k - 1].end != t.start)):
            break
        k -= 1
    np = toks[k + 1 : j + 1]
    # "a spokesman for Bernie Sanders", "the head of the FBI", "George Zornick of The Nation": take
    # in the noun the phrase hangs on (the speaker is resolved from the part before the preposition)
    if np and k >= 1 and toks[k].low in ("for", "of", "at", "from", "with") and k + 1 <= j:
        head = _np_backward(toks, k - 1) if toks[k - 1].low not in _PRONOUNS else []
        if head and (
            ((head[0].low in _DETS or head[0].poss) and (head[-1].low in _ROLE_CONCEPTS or head[-1].low in _SOURCE_NOUNS))
            or (_is_name_np(head) and toks[k].low in ("of", "from", "at") and len(head) >= 2)
        ):
            return toks[k - len(head) : j + 1]
    return np


def _np_forward(toks: list[_Tok], i: int, stop_at_verbs: bool = True) -> list[_Tok]:
    """The noun phrase starting at token i, walking right."""
    if i >= len(toks):
        return []
    if toks[i].low in _PRONOUNS:
        return [toks[i]]
    out: list[_Tok] = []
    k = i
    seen_cap = False
    if toks[k].low in _DETS:
        out.append(toks[k])
        k += 1
    while k < len(toks) and len(out) < 9:
        t = toks[k]
        if (
            t.cap and t.text in _CAP_STOP and t.low not in _FUNCTION and k + 1 < len(toks)
            and toks[k + 1].cap and toks[k + 1].text not in _CAP_STOP
        ):
            out.append(t)  # "Will Doyle"
            seen_cap = True
            k += 1
            continue
        if not _is_np_tok(t):
            if t.text == "-" and out:
                out.append(t)
                k += 1
                continue
            break
        if t.cap:
            seen_cap = True
        else:
            if seen_cap and not toks[k - 1].poss and t.low not in _NAME_PARTICLES:
                # a lowercase word after a name ends the phrase, unless it is a role noun
                # ("Trump spokesman") or leads to a name ("Montclair State University political
                # scientist Brigid Harrison")
                if not (t.low in _ROLE_CONCEPTS or t.low in _SOURCE_NOUNS or _name_ahead(toks, k)):
                    break
            if stop_at_verbs and (
                (t.low.endswith("ed") and len(t.low) > 4 and t.low not in _ROLE_CONCEPTS)
                or t.low in _VERBS
            ):
                break
        out.append(t)
        k += 1
    while out and (out[-1].low in _DETS or out[-1].text == "-"):
        out.pop()
    return out


def _name_ahead(toks: list[_Tok], k: int) -> bool:
    for m in range(k, min(len(toks), k + 4)):
        t = toks[m]
        if t.cap:
            return t.text not in _CAP_STOP
        if not _is_np_tok(t) or t.low in _VERBS or t.low.endswith("ed"):
            return False
    return False


_FUNCTION = _DETS | _STOP | frozenset(_PRONOUNS) | frozenset(_OBJ_PRONOUNS) | _words(
    """there here then now also however meanwhile moreover instead indeed yes no not still even only
    just today tonight tomorrow yesterday asked according speaking earlier later last next first"""
)
_UTTERANCE = _words(
    """statement response reply message tweet tweets post answer words remarks comments letter email
    memo note speech retort quote verdict view argument explanation reaction"""
)
_SUBORD = _words("when while as because after before since although though where whereas but if")


def _clause_subject(toks: list[_Tok], lo: int, hi: int | None = None) -> list[_Tok]:
    """Subject of the clause that governs a participle at token hi: the nearest subordinate clause
    ("…, when Sanders protesters interrupted her, shouting") or else the sentence's main clause
    (skipping "On Monday," and "But")."""
    if hi is not None:
        for k in range(hi - 1, lo, -1):
            if toks[k].low in _SUBORD and not toks[k].cap:
                np = _np_forward(toks, k + 1)
                if _np_ok(np) and k + 1 + len(np) < hi:
                    return np
    i = lo
    while i < len(toks) and toks[i].low in ("but", "and", "so", "yet", "still", "then", "now", "also", "however", "meanwhile", ",", "—", "–"):
        i += 1
    if i < len(toks) and toks[i].text in _CAP_STOP and toks[i].low not in _DETS and toks[i].low not in _PRONOUNS:
        # introductory phrase: skip to the first comma within 10 tokens
        for k in range(i, min(len(toks), i + 12)):
            if toks[k].text == ",":
                i = k + 1
                break
    np = _np_forward(toks, i)
    if not _np_ok(np):
        return []
    k = i + len(np)
    if not _is_name_np(np) and np[0].low not in _PRONOUNS:
        # "Trump’s state director, Mike Rubino, reached out": the appositive name
        if k + 1 < len(toks) and toks[k].text == ",":
            app = _np_forward(toks, k + 1)
            e = k + 1 + len(app)
            if _is_name_np(app) and e < len(toks) and toks[e].text == ",":
                return app
        return _with_pp(toks, i, np)
    return np


def _subject_before(toks: list[_Tok], ci: int, sent_lo: int) -> list[_Tok]:
    """Subject of a finite cue at token ci: skip adverbs, appositives; resolve "who"."""
    j = ci - 1
    skipped = 0
    while j >= sent_lo and skipped < 3 and _is_adv(toks[j]):
        j -= 1
        skipped += 1
    if j < sent_lo:
        return []
    if toks[j].text == ",":
        # appositive(s): "Truss, 46, the first foreign secretary ..., added"
        commas = [k for k in range(sent_lo, j + 1) if toks[k].text == ","]
        cands = []
        for c in commas[-4:]:
            np = _np_backward(toks, c - 1)
            if np and np[0].start >= toks[sent_lo].start and _np_ok(np):
                cands.append(np)
        for np in cands:
            if _is_name_np(np) or (len(np) == 1 and np[0].low in _PRONOUNS):
                return np
        return cands[-1] if cands else []
    if toks[j].low in ("and", "but") and not toks[j].cap:
        # "… was joined on stage by Al Franken and joked, “…”": the clause's subject
        return _clause_subject(toks, sent_lo, j)
    np = _np_backward(toks, j)
    if len(np) == 1 and np[0].low == "who":
        k = j - 1
        if k >= sent_lo and toks[k].text == ",":
            np = _np_backward(toks, k - 1)
        else:
            np = _np_backward(toks, k)
    if not _np_ok(np):
        # a relative clause between subject and cue: "a White House official who spoke … said"
        for k in range(j - 1, max(sent_lo, j - 14) - 1, -1):
            if toks[k].low in ("who", "whom") and not toks[k].cap:
                kk = k - 1
                if kk >= sent_lo and toks[kk].text == ",":
                    kk -= 1
                np = _np_backward(toks, kk)
                break
    return np if _np_ok(np) else []


def _is_name_np(np: list[_Tok]) -> bool:
    return bool(np) and np[-1].cap and not np[-1].poss and np[-1].text not in _CAP_STOP


_PREPS = _words("for of at from with in on by who which whose")
_VERBS = _words(
    """is was are were has had have will would can could may might must should did does do came went
    made took gave got began became held left met ran saw sent spoke stood thought won lost brought
    bought caught fought felt found kept knew led let put sat set showed struck taught threw wore
    tried seemed appeared remains remained needs wants wanted says said told argues hopes hoped"""
)


def _past(t: _Tok) -> bool:
    return not t.cap and (t.low in _FINITE or (t.low.endswith("ed") and len(t.low) > 4))


def _with_pp(toks: list[_Tok], i: int, np: list[_Tok]) -> list[_Tok]:
    """Extend a description with its prepositional tail: "the former top aide" + "to President Bush"."""
    if not np or _is_name_np(np) or np[-1].low not in _ROLE_CONCEPTS and np[-1].low not in _SOURCE_NOUNS:
        return np
    k = i + len(np)
    if k + 1 < len(toks) and toks[k].low in ("to", "for", "of", "at", "with") and not toks[k].cap:
        tail = _np_forward(toks, k + 1, stop_at_verbs=True)
        if tail and tail[0].low not in _PRONOUNS:
            return np + [toks[k]] + tail
    return np


def _cut_pp(np: list[_Tok]) -> list[_Tok]:
    """The phrase before its first prepositional tail ("a spokesman for the campaign" -> "a spokesman");
    "of" between capitalised words stays ("Secretary of State John Kerry")."""
    for k in range(1, len(np)):
        t = np[k]
        if t.low in _PREPS and not t.cap:
            if t.low == "of" and np[k - 1].cap and k + 1 < len(np) and np[k + 1].cap:
                continue
            return np[:k]
    return np


def _subject_span(toks: list[_Tok], i: int, k: int) -> tuple[list[_Tok], list[_Tok]] | None:
    """The subject between token i and a cue at k, after a quote: (mention tokens, head tokens).

    Allows adverbs before the cue, parenthesised asides (D-N.Y.), appositives after commas (the first
    name among them wins) and a prepositional tail ("a spokesman for committee Democrats")."""
    j = k - 1
    n = 0
    while j >= i and n < 3 and _is_adv(toks[j]):
        j -= 1
        n += 1
    span: list[_Tok] = []
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
    parts: list[list[_Tok]] = [[]]
    for t in span:
        if t.text in (",", "—", "–"):
            parts.append([])
        else:
            parts[-1].append(t)
    head = parts[0]
    if not head or len(head) > 9:
        return None
    if len(head) == 1 and head[0].cap and head[0].text in _CAP_STOP and head[0].low not in _FUNCTION:
        return head, head  # “…,” Will wrote.
    core = _cut_pp(head)
    if not all(_is_np_tok(t) or t.low in _DETS or t.low in _PRONOUNS for t in core) or not _np_ok(core):
        return None
    if len(core) > 1 and any(t.low in _PRONOUNS for t in core):
        return None
    if len(head) > len(core) and not all(
        _is_np_tok(t) or t.low in _DETS or t.low in _PREPS for t in head[len(core) :]
    ):
        return None
    if not _is_name_np(core) and core[0].low not in _PRONOUNS:
        for part in parts[1:]:
            pc = _cut_pp(part)
            if _is_name_np(pc) and all(_is_np_tok(t) for t in pc):
                return part, pc
    return head, core



class _Attributor:
    def __init__(self, doc: _Doc):
        self.doc = doc
        self.masked = doc.masked
        self.resolved: list[tuple[int, str]] = []  # (offset, canonical) of resolved speaker mentions

    # -- context windows -------------------------------------------------------------------
    def sentence_start(self, lo: int, pos: int) -> int:
        start = lo
        for m in _BOUNDARY.finditer(self.masked, lo, min(len(self.masked), pos + 2)):
            if m.end() > pos:
                break
            w = _PREV_WORD.search(self.masked, max(lo, m.start() - 12), m.start())
            if w:
                word = w.group(1).lower()
                if word in _ABBREV or len(word) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                    continue
            start = m.end()
        return start

    def sentence_end(self, pos: int, hi: int) -> int:
        for m in _BOUNDARY.finditer(self.masked, pos, min(len(self.masked), hi + 2)):
            w = _PREV_WORD.search(self.masked, max(pos, m.start() - 12), m.start())
            if w:
                word = w.group(1).lower()
                if word in _ABBREV or len(word) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                    continue
            return m.start() + 1
        return hi

    # -- patterns ----------------------------------------------------------------------------
    def after(self, seg: _Seg, hi: int, next_open: int) -> bool:
        """“…,” Lavrov said / “…,” said Lavrov / “…,” she said / “…” — Donald Trump."""
        if seg.close < 0:
            return False
        body = self.doc.body
        end = min(self.sentence_end(seg.close_end, hi), next_open if next_open > 0 else hi)
        toks = self.doc.toks_in(seg.close_end, end)
        if not toks:
            return False
        final_dot = "." in body[seg.end : seg.close]
        i = 0
        while i < len(toks) and (toks[i].text == "," or toks[i].text in _DASHES):
            i += 1
        if i >= len(toks) or toks[0].text == ".":
            return False
        # dash attribution: “…” — Donald Trump / “…” ― Jane Doe, 34, Texas
        if toks[0].text in _DASHES and i == 1:
            np = _np_forward(toks, i)
            rest = i + len(np)
            if _is_name_np(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(", ";")):
                self.assign(seg, np, None)
                return True
        if final_dot and toks[i].cap:
            return False
        # cue first: “…,” said Lavrov
        c = _cue_at(toks, i)
        if c and (c[0] in _INVERTIBLE or c[2] == "according"):
            np = _np_forward(toks, c[1], stop_at_verbs=False)
            if np and toks[c[1]].low in _PRONOUNS:
                np = [toks[c[1]]]
            np = _with_pp(toks, c[1], np)
            rest = c[1] + len(np)
            if _np_ok(np) and (
                rest >= len(toks) or toks[rest].text in (",", ".", "(", ";", ":", "—", "–", "!", "?")
                or not (toks[rest].low in _VERBS or _past(toks[rest]) or toks[rest].low in _AUX)
            ):
                self.assign(seg, np, c[0], _cut_pp(np))
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
                continue  # "Allentown, Pa., said"
            if t.text in (".", ";", ":", "?", "!") or t.text[0] == "\x00":
                break
            c = _cue_at(toks, k)
            if not c or c[2] != "finite":
                continue
            subj = _subject_span(toks, i, k)
            if subj:
                if (
                    body[seg.close - 1 : seg.close] in ("?", "!")
                    and next_open > 0
                    and all(t.text in (",", ":", "—") or _is_adv(t) or t.low in ("back", "that") for t in toks[c[1] :])
                ):
                    return False  # “Why now?” Mills then writes back, “…”: the cue is the next quote's
                self.assign(seg, subj[0], c[0], subj[1])
                return True
            break
        # “…?” Hannity pressed. / “…,” reacted Trump. (any past-tense verb that ends the sentence)
        rest = [t for t in toks[i:] if t.text not in (".", "!", "?")]
        if 2 <= len(rest) <= 5:
            np = _np_forward(rest, 0, stop_at_verbs=True)
            if np and len(np) < len(rest) and (_is_name_np(np) or np[0].low in ("he", "she")):
                v = rest[len(np)]
                if _past(v) and len(rest) - len(np) <= 2:
                    self.assign(seg, np, v.low)
                    return True
            if _past(rest[0]):
                np = _np_forward(rest, 1, stop_at_verbs=False)
                if _is_name_np(np) and len(np) == len(rest) - 1:
                    self.assign(seg, np, rest[0].low)
                    return True
        # the attribution closes the sentence: “…” if she loses, said David Wasserman. / …, Nefzi said.
        for k in range(i + 1, len(toks)):
            if toks[k - 1].text != ",":
                continue
            for m in range(k + 1, min(len(toks), k + 6)):
                c = _cue_at(toks, m)
                if c and c[2] == "finite":
                    if c[1] >= len(toks) or toks[c[1]].text in (".", ",", "!", "?") or all(
                        t.text not in (",", ";", ":") and t.low not in ("that",) for t in toks[c[1] : c[1] + 6]
                    ) and len(toks) - c[1] <= 6:
                        subj = _subject_span(toks, k, m)
                        if subj and (_is_name_np(subj[1]) or subj[1][0].low in ("he", "she")):
                            self.assign(seg, subj[0], c[0], subj[1])
                            return True
                    break
            c = _cue_at(toks, k)
            if c and c[0] in _INVERTIBLE and c[1] < len(toks):
                np = _np_forward(toks, c[1], stop_at_verbs=False)
                rest = c[1] + len(np)
                if _np_ok(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(")):
                    self.assign(seg, np, c[0], _cut_pp(np))
                    return True
        return False

    def before(self, seg: _Seg, lo: int) -> bool:
        """Lavrov said: “…” / He added that the … “…” / …, warning that … ‘…’ / According to X, “…”."""
        sent_lo = self.sentence_start(lo, seg.open)
        toks = self.doc.toks_in(sent_lo, seg.open)
        if not toks:
            return False
        for ci in range(len(toks) - 1, -1, -1):
            c = _cue_at(toks, ci)
            if not c:
                continue
            cue, after_i, kind = c
            gap = len(toks) - after_i
            near = gap <= 3 or all(t.text in (",", ":", "—", "that") for t in toks[after_i:])
            if cue in ("called", "calls", "described", "describes", "labeled", "labelled") and gap <= 7:
                near = not any(
                    t.text in (",", ";", ":") or (t.low in _STOP and t.low not in ("as", "of", "to", "in", "on"))
                    for t in toks[after_i:]
                )
            if cue in _WEAK and not near:
                continue
            if kind == "according":
                np = _np_forward(toks, after_i, stop_at_verbs=False)
                if _np_ok(np):
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
                    # "…, Spicer said, adding, “…”": the subject of the cue just before
                    for cj in range(pj - 1, max(-1, pj - 8), -1):
                        c2 = _cue_at(toks, cj)
                        if c2 and c2[2] == "finite":
                            np = _subject_before(toks, cj, 0)
                            break
                        if toks[cj].text in (".", ";", ":"):
                            break
                    if not np and prev is not None:
                        np = _clause_subject(toks, 0, ci)
                    if np:
                        self.assign(seg, np, cue)
                        return True
                    continue
                # "Trump was saying “…”", "Trump kept saying"
                j = ci - 1
                while j >= 0 and (_is_adv(toks[j]) or toks[j].low in ("was", "were", "is", "are", "kept", "keeps", "been", "began", "started", "continued")):
                    j -= 1
                np = _np_backward(toks, j)
                if _np_ok(np):
                    self.assign(seg, np, cue)
                    return True
                continue
            # "the 2005 tape, in which Trump said", "who said": subject right before the cue
            np = _subject_before(toks, ci, 0)
            if np:
                self.assign(seg, np, cue)
                return True
            if ci == 0 and cue in _INVERTIBLE:  # "Said Comey, “…”"
                np = _np_forward(toks, after_i, stop_at_verbs=False)
                if _is_name_np(np) or (np and np[0].low in _DETS and _np_ok(np)):
                    self.assign(seg, np, cue)
                    return True
            # passive/other: "was quoted as saying", keep looking for an earlier cue
        # a name and a colon right before the quote: "Republican pollster Daron Shaw: “…”"
        if len(toks) >= 2 and toks[-1].text == ":":
            np = _np_backward(toks, len(toks) - 2)
            if _is_name_np(np) and len(np) <= 6:
                self.assign(seg, np, None)
                return True
            # "Clinton released the following statement: “…”": the subject of the sentence
            np = _clause_subject(toks, 0)
            if np and (_is_name_np(np) or (len(np) == 1 and np[0].low in ("he", "she")) or (
                np[-1].low in _UTTERANCE and len(np) >= 2 and np[-2].poss
            )):
                self.assign(seg, np, None)
                return True
            # "… — Cruz called them on it:": the last name that is followed by a verb
            for k in range(len(toks) - 2, 0, -1):
                nxt = toks[k + 1]
                if toks[k].cap and not toks[k].poss and not nxt.cap and (
                    nxt.low in _VERBS or nxt.low in _FINITE or (nxt.low.endswith("ed") and len(nxt.low) > 4)
                ):
                    np = _np_backward(toks, k)
                    if _is_name_np(np):
                        self.assign(seg, np, None)
                        return True
                    break
        return False

    def intro(self, seg: _Seg, lo: int, prev_lo: int) -> bool:
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
            c = _cue_at(toks, ci)
            if not c or c[2] != "finite" or c[0] in _WEAK:
                continue
            tail = toks[c[1] :]
            if len(tail) > 6 or any(t.low in ("that", "he", "she", "they", "it", "we") or t.text[0] == "\x00" for t in tail):
                return False
            np = _subject_before(toks, ci, 0)
            if np and (_is_name_np(np) or np[0].low in ("he", "she") or np[-1].low in _ROLE_CONCEPTS):
                self.assign(seg, np, c[0])
                return True
            return False
        return False

    # -- speaker resolution ----------------------------------------------------------------------
    def assign(self, seg: _Seg, np: list[_Tok], cue: str | None, core: list[_Tok] | None = None) -> None:
        seg.done = True
        seg.cue = cue
        body = self.doc.body
        start, end = np[0].start, np[-1].end
        seg.mention = Mention(body[start:end], start, end)
        seg.speaker = self.resolve(core or _cut_pp(np))
        if seg.speaker:
            self.resolved.append((start, seg.speaker))

    def resolve(self, np: list[_Tok]) -> str | None:
        doc = self.doc
        doc.build()
        if len(np) == 1 and np[0].low in _PRONOUNS:
            return self.pronoun(np[0])
        # a PER entity inside the phrase: the last one is the head ("Clinton spokesman Brian Fallon")
        ents = [e for e in doc.entities if e.start < np[-1].end and np[0].start < e.end]
        if ents:
            pers = [e for e in ents if e.label == "PER"]
            last_tok = np[-1]
            head = [e for e in ents if e.start < last_tok.end and last_tok.start < e.end]
            if head and not last_tok.poss:
                return head[-1].name
            if pers and not (pers[-1].end <= np[-1].start and np[-1].low in _SOURCE_NOUNS):
                if pers[-1].end >= np[-1].end - 2 or np[-1].low in _ROLE_CONCEPTS:
                    return pers[-1].name
        if len(np) == 1 and np[0].cap and np[0].low not in _FUNCTION and not np[0].poss:
            return doc.canonical((np[0].text,), np[0].start)  # "Will", a surname that is also a word
        # "Clinton’s response", "Trump’s tweet": the possessor speaks
        if len(np) >= 2 and np[-1].low in _UTTERANCE and np[-2].poss and np[-2].cap:
            return doc.canonical((_base(np[-2]),), np[-2].start)
        # a capitalised head: a name
        if _is_name_np(np):
            run = []
            for t in reversed(np):
                if t.cap or t.low in _NAME_PARTICLES:
                    run.append(t)
                else:
                    break
            run.reverse()
            _titles, name = _strip_name(run)
            if name:
                key = tuple(_base(t) if k == len(name) - 1 else t.text for k, t in enumerate(name))
                return doc.canonical(key, name[0].start)
            return None
        # a role description: "Russia’s top diplomat", "the Republican nominee"
        return self.role(np)

    def role(self, np: list[_Tok]) -> str | None:
        words = [t.low[:-2] if t.poss else t.low for t in np]
        head = words[-1]
        concept = _ROLE_CONCEPTS.get(head)
        if not concept:
            return None
        want_roles = {concept}
        if "foreign" in words and head in ("minister", "secretary"):
            want_roles = {"diplomat"}
        if head == "minister" and "prime" in words:
            want_roles = {"prime_minister"}
        countries = {c for w in words if (c := _COUNTRIES.get(w))}
        parties = {_PARTIES[w] for w in words if w in _PARTIES}
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
            if parties and not (parties & p.party):
                continue
            score = (bool(countries & p.country), )
            if best is None or score > best[0]:
                best = (score, canon)
                if score[0] or not countries:
                    break
        return best[1] if best else None

    def pronoun(self, tok: _Tok) -> str | None:
        """he/she -> a person of the same gender, looking back sentence by sentence (current sentence
        first, at most four before it) and, within a sentence, preferring the leftmost person (the
        subject, usually). None when that person's gender is unknown and another person of the
        right gender is in the same sentence, or when no one fits."""
        g = _PRONOUNS.get(tok.low)
        if g not in ("m", "f"):
            return None
        doc = self.doc
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
        for si in range(cur, cur - 5, -1):
            group = sorted(by_sent.get(si, []))
            if not group:
                continue
            fits = [c for _s, c in group if people[c].gender in (g, "")]
            if not fits:
                continue
            first = fits[0]
            if people[first].gender == g:
                return first
            if any(people[c].gender == g for c in fits[1:]):
                return None  # the subject's gender is unknown but someone else fits: unsure
            if len(set(fits)) == 1:
                return first
            return None
        return None


# --------------------------------------------------------------------------------------------
# Scare quotes
# --------------------------------------------------------------------------------------------

_SCARE_BEFORE = _words(
    """the a an this that these those his her their its our my your so-called word words term
    phrase slogan nickname alleged supposed some any such"""
)


def _is_scare(body: str, seg: _Seg) -> bool:
    if seg.words > 3:
        return False
    text = body[seg.start : seg.end]
    if text[-1:] in "?!":
        return False
    m = re.search(r"([\w’'\-]+)[\s]*$", body[max(0, seg.open - 30) : seg.open])
    if not m:
        return False
    w = m.group(1).lower()
    return w in _SCARE_BEFORE or w.endswith(("’s", "'s"))


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def extract_quotes(body: str, entities: list[EntityMention] | None = None) -> list[Quote]:
    """Quotes in ``body`` with their speakers; see the module docstring for the rules."""
    if not body or not _HINT.search(body):
        return []
    paras = _paragraphs(body)
    segs = _find_segments(body, paras)
    if not segs:
        return []
    # Masked body: quoted words become NULs, so cues and names inside quotes are not seen.
    parts = []
    pos = 0
    for s in segs:
        if s.start < pos:
            continue
        parts.append(body[pos : s.start])
        parts.append("\x00" * (s.end - s.start))
        pos = s.end
    parts.append(body[pos:])
    masked = "".join(parts)
    doc = _Doc(body, masked, entities, segs)
    att = _Attributor(doc)
    for s in segs:
        s.words = len(body[s.start : s.end].split())

    by_para: dict[int, list[_Seg]] = {}
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
    chains: dict[int, list[_Seg]] = {}
    for s in segs:
        if s.chain >= 0:
            chains.setdefault(s.chain, []).append(s)

    def inherit(s: _Seg, src: _Seg) -> None:
        s.speaker, s.mention, s.cue, s.done, s.inherited = src.speaker, src.mention, src.cue, True, True

    def share_chains() -> None:
        for members in chains.values():
            src = next((m for m in members if m.done and not m.inherited), None)
            src = src or next((m for m in members if m.done), None)
            if src is not None:
                for m in members:
                    if not m.done:
                        inherit(m, src)

    # a dash line under a quote paragraph: “…” / — Hillary Clinton.
    for pi, plist in by_para.items():
        last = plist[-1]
        if last.done or pi + 1 >= len(paras):
            continue
        nlo, nhi = paras[pi + 1]
        if nhi - nlo > 120 or masked[nlo:nhi].lstrip()[:1] not in _DASHES:
            continue
        toks = doc.toks_in(nlo, nhi)
        i = 0
        while i < len(toks) and toks[i].text in _DASHES:
            i += 1
        np = _np_forward(toks, i)
        rest = i + len(np)
        if i and _is_name_np(np) and (rest >= len(toks) or toks[rest].text in (",", ".", "(", ";")):
            att.assign(last, np, None)
    share_chains()
    for pi, plist in by_para.items():
        for k, s in enumerate(plist):
            if s.done or s.words <= 3:
                continue
            src = next((x for x in reversed(plist[:k]) if x.done and not _is_scare(body, x)), None)
            if src is None:
                src = next((x for x in plist[k + 1 :] if x.done and not _is_scare(body, x)), None)
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
                    fake = _Seg(plo + len(ptxt), phi, phi, -1, pi - 1)
                    if att.before(fake, plo):
                        s.speaker, s.cue, s.mention, s.done = fake.speaker, fake.cue, fake.mention, True
                        continue
                # a paragraph that opens with a quote goes on with the speaker of the quote that
                # closed the previous paragraph: “…,” Le Pen told CNN. / “It’s everything but …”
                prev = by_para.get(pi - 1)
                if prev:
                    x = prev[-1]
                    if (
                        x.done and x.close >= 0 and not _is_scare(body, x) and x.words > 3
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
                src = next((x for x in reversed(plist[:k]) if x.done and not _is_scare(body, x)), None)
                if src is not None:
                    inherit(s, src)

    out: list[Quote] = []
    for s in segs:
        text = body[s.start : s.end]
        if _is_scare(body, s):
            out.append(Quote(text, s.start, s.end))
            continue
        if s.words <= 3 and s.inherited:
            out.append(Quote(text, s.start, s.end))
            continue
        out.append(Quote(text, s.start, s.end, s.speaker, s.mention, s.cue))
    return out


class QuoteStep:
    """Pipeline step: fills ``article.quotes`` from ``article.body`` (and ``article.entities``)."""

    name = "quotes"

    def __call__(self, article: Article) -> Article:
        article.quotes = extract_quotes(article.body, article.entities or None)
        canonical_speakers(article.quotes, article.people)
        return article


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

    def __repr__(self) -> str:
        return "QuoteStep()"
