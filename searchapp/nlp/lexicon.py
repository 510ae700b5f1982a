"""Word lists of enrichment, in one place: verbs and phrases of saying, pronouns, function words, titles
and roles, and the words that make a capitalised run a company's rather than a person's.

Lists only: what a word means to a rule is said where the rule is. Every list is frozen (the module
keeps no mutable state, so worker processes share it as it is).
"""
from __future__ import annotations

from types import MappingProxyType


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def frozen(d: dict) -> MappingProxyType:
    return MappingProxyType(d) # read-only: the module keeps no mutable state

# Words before a person's name that are not part of it ("Foreign Minister Sergey Lavrov").
TITLE_WORDS = words("""
president vice prime minister ministers chancellor secretary general secretary-general foreign defence
defense finance interior justice home trade economy economics health energy agriculture education deputy
state senator sen sen. rep rep. representative congressman congresswoman governor gov gov. mayor king queen
prince princess sheikh emir sultan pope cardinal archbishop bishop rev rev. reverend father sister brother
dr dr. mr mr. mrs mrs. ms ms. miss sir dame lord lady judge justice chief commander colonel col col.
lieutenant lt lt. major maj maj. captain capt capt. sergeant sgt sgt. admiral adm adm. gen gen. general
ambassador envoy spokesman spokeswoman spokesperson director chairman chairwoman chair ceo executive
officer coach manager striker midfielder defender goalkeeper premier leader opposition speaker dictator
pm mp party first lady ayatollah imam rabbi professor prof prof. economist analyst
""")

# Verbs of saying: the one next to a name is evidence that the name is a person's ("Lavrov said",
# "said Lavrov", "Lavrov told reporters").
REPORTING_VERBS = words("""
said says say told tells added adds stated declared announced warned warns noted explained argued
insisted insists claimed claims replied responded testified predicted urged urges stressed acknowledged
admitted conceded complained recalled commented asked asks wrote writes believes believed thinks thought
estimated estimates disclosed denied denies suggested suggests confirmed confirms reiterated
""")

# Month names: "Pay May One", "April 15" are dates, never people.
MONTHS = frozenset("january february march april may june july august september october november december".split())
WEEKDAYS = words("monday tuesday wednesday thursday friday saturday sunday")

# Words that make a name a company's, a product's or a thing's, never a person's.
NOT_PERSON_WORDS = words("""
inc inc. corp corp. co co. cos ltd ltd. plc llc ag sa nv bv gmbh spa nl bancorp bancshares associates
holdings group bank banks securities capital partners brothers bros bros. industries international
trust fund company corporation airlines airways motors systems exchange administration department
ministry committee commission council office agency tower bay street avenue square park hotel airport
university college school hospital church party league club basin river lake island islands valley
canal bridge centre center building stadium
""")

# Title words that also modify other nouns ("General Electric", "State Street", "Home Depot"): only
# the others, before a name, show that it is a person's.
WEAK_TITLE_WORDS = words("""
vice foreign defence defense finance interior justice home trade economy economics health energy
agriculture education deputy state general chief major first party opposition executive officer leader
speaker chair father brother sister lady manager
""")
PERSON_TITLE_WORDS = TITLE_WORDS - WEAK_TITLE_WORDS

# Words that often end an organisation name.
ORG_SUFFIXES = words("""
inc inc. corp corp. co co. ltd ltd. plc llc ag sa nv bv gmbh spa group bank corporation company holdings
association union party council committee commission ministry department agency institute university
federation league club fund board authority organization organisation foundation trust bureau office
airlines airways motors industries systems technologies oil petroleum exchange news times post press
""")


# Cue verbs, finite forms (subject before or, for some, after them): the verbs of saying and more
# that only quotes use ("“…,” he quipped").
FINITE_CUES = REPORTING_VERBS | words(
    """
    acknowledges add admits affirmed affirms agreed agrees alleged alleges announce announces
    answered answers argue argues ask asserted asserts assured barked beamed began begged begins
    blasted boasted boasts bragged called cautioned cautions chanted charged charges claim clarified
    complains concedes concluded concludes confided contended contends continued continues countered
    counters cracked cried declare declares demanded demands described describes echoed elaborated
    emailed emphasised emphasized exclaimed explain explains fumed gloated griped growled gushed
    informed insist interrupted joke joked jokes labeled labelled lamented laments maintained
    maintains marveled marvelled mocked mused muses needled note notes objected observed observes
    opined penned pleaded pledged pledges posted predicts proclaimed proclaims promised promises
    protested questioned quip quipped quips railed raved read reads reasoned recalls recounted
    recounts reiterates remarked reminded repeated repeats replies reply reported reports respond
    responds retaliated retorted ridiculed sang scoffed scolded screamed shouted sighed sings
    slammed snapped stresses summarised summarized taunted teased tell texted thundered touted touts
    tweeted tweets vowed vows warn whispered wondered wonders write yelled"""
)

# Multi-word cues and cues that need a particle ("went on", "pointed out", "shot back", "put it").
PHRASAL_CUES = frozen({
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

PARTICIPLE_CUES = words(
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
INVERTIBLE_CUES = words(
    """said says added adds asked asks explained explains noted notes wrote writes continued
    continues replied replies responded responds recalled recalls declared declares insisted
    insists argued argues warned warns quipped joked tweeted posted concluded countered retorted
    observed observes cautioned conceded admitted acknowledged remarked stated announced
    suggested suggests boasted complained predicted told tells exclaimed cried shouted answered
    mused marveled marvelled agreed lamented laments reasoned pointed beamed gloated reads read
    begins began questioned affirmed"""
)

# Ambiguous cue forms that count only next to a quote (not as the last cue of a long lead-in).
WEAK_CUES = words("called calls described describes read reads put puts posted began begins labeled labelled sang sings")

PRONOUNS = frozen({"he": "m", "she": "f", "they": "p", "we": "p", "i": "s", "it": "n", "you": "s"})

OBJECT_PRONOUNS = frozen({"him": "m", "his": "m", "himself": "m", "her": "f", "hers": "f", "herself": "f"})

DETERMINERS = words(
    """the a an his her their its our my your this that these those one another some several many
    both two three four five six seven eight nine ten other each every all most few any no"""
)

AUXILIARIES = words(
    """also later then has had have would will once previously simply just again further finally
    recently earlier repeatedly often reportedly publicly privately bluntly flatly quickly was were
    is are did does do had've has't since still even first initially subsequently ultimately only
    never always not could can might may should must told"""
).difference({"told"})

# Lowercase words that end a noun phrase.
PHRASE_STOP = words(
    """and or but nor that which who whom whose when while as because if after before since although
    though where than so to on in at by for from with about into over under during of against
    without between among through across toward towards upon via per like unlike including
    is are was were be been being has have had do does did will would can could may might must
    shall should not also then there here what how why whether yet just only even
    said says say told tells"""
)

# Capitalised words that are not names (sentence starts, days, months).
NOT_NAME_CAPS = words(
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
    Here's There’s There's That’s That's It’s It's What’s What's Said Says
    Seconds Minutes Hours Days Weeks Months Years Decades Moments"""
).difference({"May"}) # Theresa May

# Words that introduce a role in front of a name, or make up a role description: the titles and
# the words of descriptions ("the former top campaign strategist").
ROLE_WORDS = TITLE_WORDS | words(
    """
    acting actor actress adviser advisor agent aide anchor artist assistant astronaut attorney atty
    atty. author campaign candidate cfo chef co-founder columnist comedian commissioner consultant
    coo correspondent councillor councilman councilwoman dean 
    detective editor former founder gubernatorial host house incoming inspector
    interim majority minority nominee nurse outgoing pastor physician pollster presidential press
    producer provost publisher rapper reporter senate senior sheriff singer
    strategist surgeon the top trooper white"""
)

# Role nouns and the concepts they stand for, for "Russia’s top diplomat" -> the Foreign Minister.
ROLE_CONCEPTS = frozen({
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

LEADER_ROLES = frozenset({"president", "prime_minister", "chancellor", "king", "queen", "leader"})

FEMALE_ROLES = words("spokeswoman congresswoman chairwoman businesswoman actress queen princess lady mrs mrs. ms ms. miss dame")

MALE_ROLES = words("spokesman congressman chairman businessman king prince mr mr. sir lord father")

# Generic plural / collective sources: "officials said", "sources said".
SOURCE_NOUNS = words(
    """percent majority minority poll polls survey surveys study studies data respondents officials official sources source aides aide critics supporters analysts experts people
    residents voters police authorities campaign spokesman spokeswoman spokesperson statement
    report reports documents memo crowd audience protesters demonstrators observers
      lawmakers leaders advisers advisors organizers organisers staff
    administration government ministry office department agency committee group
    representatives executives investigators prosecutors witnesses friends allies opponents
    members delegates donors strategists pollsters economists researchers scientists doctors
    historians reporters journalists"""
)


COUNTRIES = frozen({
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


NAME_PARTICLES = words("de da del della van von der den bin al la le du di dos das ibn")

NAME_SUFFIXES = words("Jr. Jr Sr. Sr II III IV")

# Titles that make the name after them a person's.
PERSON_TITLES = PERSON_TITLE_WORDS | words(
    """
    adviser advisor aide attorney atty atty. commissioner councilman councilwoman detective founder
    justice lady manager pastor sheriff speaker"""
)

# Words that make a capitalised run an organisation's or a place's, never a person's (lower case).
ORG_WORDS = NOT_PERSON_WORDS | ORG_SUFFIXES | words(
    """
    affairs alliance army campaign caucus city coalition congress convention county court daily
     force guard hall herald house institution intelligence journal kingdom magazine media
    mosque movement museum nations navy network pac police project radio report republic 
    reserve review security senate service society state states super television temple tribune tv
    watch weekly"""
)

FUNCTION_WORDS = DETERMINERS | PHRASE_STOP | frozenset(PRONOUNS) | frozenset(OBJECT_PRONOUNS) | words(
    """there here then now also however meanwhile moreover instead indeed yes no not still even only
    just today tonight tomorrow yesterday asked according speaking earlier later last next first"""
)

UTTERANCE_NOUNS = words(
    """statement response reply message tweet tweets post answer words remarks comments letter email
    memo note speech retort quote verdict view argument explanation reaction"""
)

SUBORDINATORS = words("when while as because after before since although though where whereas but if")

PREPOSITIONS = words("for of at from with in on by who which whose")

COMMON_VERBS = words(
    """is was are were has had have will would can could may might must should did does do came went
    made took gave got began became held left met ran saw sent spoke stood thought won lost brought
    bought caught fought felt found kept knew led let put sat set showed struck taught threw wore
    tried seemed appeared remains remained needs wants wanted says said told argues hopes hoped"""
)

SCARE_BEFORE = words(
    """the a an this that these those his her their its our my your so-called word words term
    phrase slogan nickname alleged supposed some any such"""
)


# Verbs that report what someone said or holds, in the writer's words ("Lavrov said the build-up posed
# no threat", "she denied that ..."): the finite cues of quotes (not the weak ones) and the verbs of
# thinking, wanting, judging and finding that attribution in news also reports ("polls show that ...").
REPORTED_CUES = FINITE_CUES - WEAK_CUES - words("continued continues") | words(
    """think thinks believe believes know knows knew feel feels felt hope hopes hoped fear fears feared
    expect expects expected worry worries worried doubt doubts doubted want wants wanted wish wishes
    wished plan plans planned intend intends intended accuse accuses accused blame blames blamed
    criticize criticizes criticized criticise criticises criticised praise praises praised defend
    defends defended deny reject rejects rejected dismiss dismisses dismissed support supports supported
    oppose opposes opposed endorse endorses endorsed propose proposes proposed demand refuse refuses
    refused decline declines declined reveal reveals revealed show shows showed find finds found
    indicate indicates indicated estimate cite cites cited acknowledge admit concede suggest predict
    promise vow pledge urge recall stress argue claim insist deny warn agree"""
)
# Participles that report, hanging on the clause before them (", saying ...", ", accusing him of ...").
REPORTED_PARTICIPLES = PARTICIPLE_CUES | words(
    """accusing blaming criticizing criticising praising defending denying rejecting dismissing
    supporting opposing endorsing proposing refusing declining revealing showing finding indicating
    referring hoping fearing expecting wanting"""
)
# Reporting verbs followed by their listener or target before the content ("told reporters that ...",
# "accused him of ...").
REPORTED_TO_CUES = words(
    """told tells tell warned warns warn urged urges urge assured assures reminded reminds informed
    informs asked asks ask accused accuses accuse blamed blames blame criticized criticised praised
    telling warning urging reminding asking accusing blaming criticizing praising"""
)


def _verb_forms(stems: str, irregular: str = "") -> frozenset[str]:
    """Finite forms of regular verbs (base, -s, -ed: "back backs backed", "rely relies relied",
    "praise praises praised") and the irregular forms given as they are."""
    out = set(irregular.split())
    for v in stems.split():
        out.add(v)
        if v.endswith("y") and v[-2:-1] not in "aeiou":
            out.update((v[:-1] + "ies", v[:-1] + "ied"))
        elif v.endswith("e"):
            out.update((v + "s", v + "d"))
        elif v.endswith(("s", "sh", "ch", "x", "z")):
            out.update((v + "es", v + "ed"))
        else:
            out.update((v + "s", v + "ed"))
    return frozenset(out)


# Verbs whose object is a stance, a view or a message when a person is their subject ("she backed the
# plan", "he cast himself as an outsider", "they seem to favour a delay"): what attribution in news
# reports besides saying. Read only after a person-like subject.
STANCE_VERBS = _verb_forms(
    """call describe portray characterize characterise label brand dub liken compare mention discuss
    talk speak highlight emphasize emphasise tout boast brag joke mock attack slam blast condemn
    denounce decry assail lambaste rail thank applaud laud hail champion advocate recommend request
    seek push offer signal indicate conclude calculate project identify question challenge
    dispute favor favour embrace back prefer consider regard view deem judge decide disagree seem
    appear sound remember learn understand realize realise recognize recognise imagine assume suspect
    release issue publish reiterate repeat highlight frame dismiss reject refuse decline welcome
    celebrate lament regret apologize apologise acknowledge admit concede confirm deny reveal
    disclose announce report suggest argue insist claim warn urge promise pledge vow threaten assure
    remind predict estimate expect hope fear worry doubt want wish plan intend aim vote""",
    """thought knew felt saw seen wrote written sought found shown showed told said""",
)

# Verbs that frame a person only with "as" ("he cast himself as an outsider"); without it they are
# events ("she cast the deciding vote").
FRAMING_VERBS = _verb_forms("cast")

# Verbs of events, moves and possessions: after a person they report what happened, not a stance
# ("she won the district", "he arrived in Ames on Monday").
EVENT_VERBS = _verb_forms(
    """win lose arrive return travel visit move live die join work serve lead leave start begin turn
    raise receive conduct host hold spend run meet finish end enter exit attend sign hire fire earn
    pay cost own buy sell grow rise fall drop climb jump walk stand sit sleep wake eat drink play
    watch launch open close release need capture face pick schedule use help spend speak""",
    """won lost took got gotten held became become came went gone met ran spent led left began begun
    grew rose fell stood sat ate drank paid bought sold born was were is are has had have did does
    do spoke spoken""",
)
