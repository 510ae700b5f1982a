"""The news sources an article credits: wire services and outlets, by canonical name.

``SourceStep`` fills ``article.sources`` (and ``article.dateline`` when the body starts with one) from

* agency tags: ``MOSCOW (Reuters) -``, ``(AP)``, ``(AFP)`` -- any known outlet in brackets;
* credit lines: ``With reporting by Politico, The Guardian``; a Reuters trailer (``Reporting by X;
  Editing by Y``: the names there are people, the source is Reuters) and Reuters' old sign-off line
  ``Reuter``;
* attribution phrases around a known outlet: ``according to the BBC``, ``told CNN``, ``in an interview
  with Le Monde``, ``TASS reported``, ``the Interfax news agency said``, ``citing Bloomberg``;
* ``article.publisher``, if set.

Outlets are only recognised from a list of canonical names and aliases ("AP" -> "Associated Press",
"AFP" -> "Agence France-Presse"); a mention of an outlet without a credit cue ("shares of the New York
Times fell") is not a source.
"""
from __future__ import annotations

import functools
import re

from searchapp.article import Article

# canonical name -> aliases (the canonical name itself is always an alias)
OUTLETS: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuter", "REUTERS", "REUTER", "Thomson Reuters"),
    "Associated Press": ("AP", "The Associated Press", "the Associated Press", "ASSOCIATED PRESS"),
    "Agence France-Presse": ("AFP", "Agence France Presse", "France-Presse", "France Presse"),
    "TASS": ("Tass", "ITAR-TASS", "Itar-Tass", "ITAR-Tass"),
    "RIA Novosti": ("RIA", "Ria Novosti"),
    "Interfax": ("INTERFAX", "Interfax-Ukraine"),
    "Xinhua": ("XINHUA", "New China News Agency"),
    "Kyodo": ("Kyodo News", "KYODO"),
    "Jiji Press": ("Jiji",),
    "Yonhap": ("Yonhap News Agency", "YONHAP"),
    "Deutsche Presse-Agentur": ("dpa", "DPA", "Deutsche Presse Agentur"),
    "ANSA": ("Ansa",),
    "EFE": (),
    "United Press International": ("UPI",),
    "Press Trust of India": ("PTI",),
    "IRNA": ("Islamic Republic News Agency",),
    "Anadolu Agency": ("Anadolu",),
    "Ukrinform": (),
    "Bloomberg": ("Bloomberg News", "BLOOMBERG"),
    "Dow Jones": ("Dow Jones Newswires", "Dow Jones News Service"),
    "BBC": ("BBC News", "the BBC", "British Broadcasting Corporation", "British Broadcasting Corp",
            "BBC Radio", "BBC World Service", "BBC Monitoring"),
    "CNN": ("CNN International",),
    "CNBC": (),
    "NBC News": ("NBC",),
    "CBS News": ("CBS",),
    "ABC News": ("ABC",),
    "Fox News": ("Fox News Channel",),
    "MSNBC": (),
    "NPR": ("National Public Radio",),
    "PBS": (),
    "Sky News": (),
    "ITV News": ("ITV",),
    "Channel 4 News": (),
    "Al Jazeera": ("Al-Jazeera", "Aljazeera"),
    "Al Arabiya": ("Al-Arabiya",),
    "Deutsche Welle": ("DW",),
    "France 24": (),
    "Euronews": (),
    "Radio Free Europe/Radio Liberty": ("RFE/RL", "Radio Free Europe", "Radio Liberty"),
    "Voice of America": ("VOA",),
    "RT": ("Russia Today",),
    "Sputnik": (),
    "Politico": ("POLITICO", "Politico Europe"),
    "Axios": (),
    "Semafor": (),
    "The Hill": (),
    "The New York Times": ("New York Times", "the New York Times", "NYT"),
    "The Washington Post": ("Washington Post", "the Washington Post"),
    "The Wall Street Journal": ("Wall Street Journal", "the Wall Street Journal", "WSJ"),
    "Los Angeles Times": ("LA Times", "the Los Angeles Times"),
    "USA Today": (),
    "Financial Times": ("the Financial Times", "The Financial Times", "FT"),
    "The Guardian": ("Guardian", "the Guardian", "The Observer"),
    "The Times": ("the Times", "The Times of London", "The Sunday Times", "the Sunday Times"),
    "The Daily Telegraph": ("The Telegraph", "the Telegraph", "Daily Telegraph", "the Daily Telegraph",
                            "The Sunday Telegraph"),
    "The Independent": ("the Independent",),
    "The Economist": ("the Economist", "Economist"),
    "Daily Mail": ("the Daily Mail", "Mail on Sunday", "MailOnline"),
    "The Sun": ("the Sun",),
    "Daily Mirror": ("the Daily Mirror", "The Mirror", "the Mirror"),
    "Evening Standard": ("the Evening Standard",),
    "Le Monde": (),
    "Le Figaro": (),
    "Liberation": ("Libération",),
    "Der Spiegel": ("Spiegel", "DER SPIEGEL"),
    "Bild": ("Bild am Sonntag",),
    "Die Welt": ("Welt am Sonntag",),
    "Frankfurter Allgemeine Zeitung": ("Frankfurter Allgemeine", "FAZ"),
    "Süddeutsche Zeitung": ("Sueddeutsche Zeitung", "Suddeutsche Zeitung"),
    "Handelsblatt": (),
    "El País": ("El Pais",),
    "El Mundo": (),
    "Corriere della Sera": (),
    "La Repubblica": (),
    "La Stampa": (),
    "Kommersant": (),
    "Izvestia": ("Izvestiya",),
    "Pravda": (),
    "Vedomosti": (),
    "Novaya Gazeta": (),
    "Kyiv Independent": ("The Kyiv Independent", "the Kyiv Independent"),
    "Haaretz": (),
    "The Times of Israel": ("Times of Israel",),
    "The Jerusalem Post": ("Jerusalem Post", "the Jerusalem Post"),
    "Asahi Shimbun": ("Asahi",),
    "Yomiuri Shimbun": ("Yomiuri",),
    "Nikkei": ("Nikkei Asia", "Nihon Keizai Shimbun"),
    "South China Morning Post": ("SCMP", "the South China Morning Post"),
    "Global Times": ("the Global Times",),
    "China Daily": (),
    "People's Daily": ("People’s Daily",),
    "Newsweek": (),
    "Time": ("Time magazine", "TIME magazine"),
    "Forbes": (),
    "Business Insider": ("Insider",),
    "The Atlantic": (),
    "The New Yorker": (),
    "ProPublica": (),
    "HuffPost": ("Huffington Post",),
    "BuzzFeed News": (),
    "Vox": (),
    "MarketWatch": (),
    "Barron's": ("Barron’s",),
    "Chicago Tribune": ("the Chicago Tribune",),
    "The Boston Globe": ("Boston Globe", "the Boston Globe"),
    "Agence Europe": (),
    "Itar": (),
}
# aliases that are also ordinary words or names: only credited in brackets, credit lines or with a cue
# right next to them, never by the weaker cues.
_WEAK = frozenset({"Time", "Insider", "The Sun", "the Sun", "ABC", "Itar", "Sputnik", "RT", "FT", "The Hill",
                   "The Times", "the Times", "Guardian", "Economist", "Spiegel"})

_LEFT_CUE = re.compile(
    r"(?:according\s+to|told|tells|telling|speaking\s+to|spoke\s+to|said\s+to|talking\s+to|interview\s+with"
    r"|interviewed\s+by|quoted\s+by|quoted\s+in|cited\s+by|reported\s+by|citing|via|report\s+by|report\s+in"
    r"|reports?\s+from|report\s+from|wrote\s+in|writing\s+in|op-ed\s+in|published\s+by|published\s+in"
    r"|carried\s+by|broadcast\s+by|aired\s+on|appearance\s+on|appeared\s+on|statement\s+to|comments\s+to"
    r"|confirmed\s+to|news\s+agency|newspaper|daily|broadcaster|agency|outlet|channel|reporting\s+by"
    r"|(?:with|and)\s+(?:additional\s+)?reporting\s+by|contributed\s+by|sources?\s+told)"
    r"(?:\s+(?:the|a|an))?(?:\s+[a-z][a-z\-]*){0,2}[\s,:]*$",
    re.I,
)
_RIGHT_CUE = re.compile(
    r"^(?:['’]s?\s+)?(?:\s*,)?\s*(?:reported|reports|reporting|quoted|cited|learned|has\s+learned|first\s+reported"
    r"|news\s+agency|newswire|newspaper|said,?\s+citing|wrote|correspondent|reporter|journalist"
    r"|was\s+told|were\s+told|obtained|revealed|broke\s+the\s+news|contributed|(?:\w+\s+){0,3}reported)\b",
    re.I,
)
# an outlet's name inside a company's or an index's name: "Dow Jones and Co Inc", "Dow Jones Industrial"
_NOT_OUTLET_AFTER = re.compile(r"^(?:\s*(?:&|and)\s+Co\b|\s+(?:Inc|Co|Corp|Ltd|Plc|Industrial|Transportation"
                               r"|Utilit|index|average|stock|shares))", re.I)
_DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z.'\-]+(?:[ /][A-Z][A-Z.'\-]+){0,3}"
    r"|[A-Z][a-z.'\-]+(?: [A-Z][a-z.'\-]+){0,2}(?=\s*(?:,[^\n(]{0,30})?\s*\())"
    r"(?:\s*,\s*[A-Za-z][A-Za-z.]*(?:\s+\d{1,2})?(?:,?\s+\d{4})?)?"
    r"\s*(?:\((?P<agency>[^()\n]{1,40})\))?\s*[-–—]+\s"
)
_TRAILER = re.compile(r"(?:^|[\n;.(])\s*(?:\w+\s+)?(?:additional\s+)?(?:reporting|writing|editing|compiled|"
                      r"production)\s+by\b", re.I)
_EDITING = re.compile(r"\bediting\s+by\b", re.I)
_REPORTING_LIST = re.compile(r"\b(?:with|and|additional)?\s*reporting\s+by\s+(?P<list>[^\n;]+)", re.I)


def _trie_regex(words: list[str]) -> str:
    """A regex alternation factored by common prefixes (much faster than a flat alternation)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


@functools.lru_cache(maxsize=1)
def _outlets() -> tuple[re.Pattern, dict[str, str]]:
    alias: dict[str, str] = {}
    for canonical, aliases in OUTLETS.items():
        alias[canonical] = canonical
        for a in aliases:
            alias[a] = canonical
    pattern = re.compile(r"(?<![\w&-])" + _trie_regex(sorted(alias)) + r"(?![\w&]|-\w)")
    return pattern, alias


@functools.lru_cache(maxsize=65536)
def canonical_outlet(name: str) -> str | None:
    """Canonical name of a known outlet ("AP" -> "Associated Press"), else None."""
    _, alias = _outlets()
    name = " ".join(name.split()).strip(" .,;:")
    if name in alias:
        return alias[name]
    if name.lower().startswith("the ") and name[4:] in alias:
        return alias[name[4:]]
    return None


def find_sources(body: str) -> list[str]:
    """Canonical names of the outlets ``body`` credits, in order of first credit."""
    pattern, alias = _outlets()
    found: dict[str, None] = {}
    # credit lines
    trailer_reuters = False
    for m in _REPORTING_LIST.finditer(body):
        items = re.split(r",|\band\b|&", m.group("list"))
        for item in items:
            name = canonical_outlet(item.strip())
            if name:
                found.setdefault(name, None)
    if _EDITING.search(body) and _TRAILER.search(body):
        trailer_reuters = True
    for m in pattern.finditer(body):
        s, e = m.span()
        word = m.group()
        name = alias[word]
        if name in found:
            continue
        before = body[max(0, s - 2):s]
        after = body[e:e + 2]
        if before.endswith("(") and after.startswith(")"):
            found[name] = None
            continue
        # a sign-off line that is just the outlet ("Reuter")
        line_start = body.rfind("\n", 0, s) + 1
        line_end = body.find("\n", e)
        line_end = len(body) if line_end < 0 else line_end
        if not body[line_start:s].strip() and not body[e:line_end].strip(" .") and line_end >= len(body.rstrip()):
            found[name] = None
            continue
        right = body[e:e + 60]
        if _NOT_OUTLET_AFTER.match(right):
            continue
        if _RIGHT_CUE.match(right):
            found[name] = None
            continue
        if word in _WEAK and not body[max(0, s - 4):s].lower().endswith(("the ", "by ")):
            continue
        left = body[max(0, s - 60):s]
        if _LEFT_CUE.search(left):
            found[name] = None
    if trailer_reuters:
        found.setdefault("Reuters", None)
    return list(found)


def find_dateline(body: str) -> tuple[str, str | None] | None:
    """(place, agency or None) when ``body`` starts with a dateline ("MOSCOW (Reuters) -")."""
    m = _DATELINE.match(body[:200])
    if not m:
        return None
    city = m.group("city").strip()
    agency = m.group("agency")
    if not agency and not city.isupper():
        return None
    if agency and canonical_outlet(agency) is None and not city.isupper():
        return None
    return city, agency


class SourceStep:
    """Pipeline step: fills ``article.sources`` (and ``article.dateline`` if empty)."""

    name = "sources"

    def __call__(self, article: Article) -> Article:
        body = article.body or ""
        sources: dict[str, None] = {}
        if article.publisher:
            sources[canonical_outlet(article.publisher) or article.publisher.strip()] = None
        dl = find_dateline(body)
        if dl:
            city, agency = dl
            if agency:
                for part in re.split(r"[/,]|\band\b", agency):
                    name = canonical_outlet(part)
                    if name:
                        sources.setdefault(name, None)
            if not article.dateline:
                article.dateline = city
        for name in find_sources(body):
            sources.setdefault(name, None)
        article.sources = list(sources)
        return article
