"""HTML news pages -> one Article: metadata from JSON-LD / meta tags, main text by a readability-style extractor.

Pipeline for one page::

    bytes --decode_html--> str --BeautifulSoup(lxml)--> tree
          --_extract_metadata--> title, published, byline, publisher, url, JSON-LD articleBody
          --_extract_body--> body (main text only, paragraphs separated by "\n\n")

Metadata: JSON-LD article objects (NewsArticle, Article, ReportageNewsArticle, BlogPosting ..., also inside
``@graph`` and lists), then OpenGraph / ``article:*`` meta, then other common meta (author, pubdate,
parsely-*, sailthru.*, dc.*), then ``<time datetime>``, rel=author and byline classes, then the URL's date.

Main text (``_extract_body``) follows Mozilla Readability, re-done on BeautifulSoup:

1. One walk classifies elements: never text (script, style, form controls, nav/aside/footer/header,
   figure captions, hidden elements, ARIA navigation roles, class/id naming comments, share bars, related
   links, newsletters, cookie banners ...) or "unlikely" (class/id naming ads, sidebars, menus, banners ...
   unless it also says article/content/body).
2. Bottom-up statistics per element: text length, link text length, commas, counts of p/img/li/inputs.
3. Every paragraph of 25+ characters scores ``1 + commas + min(len/100, 3)`` for its container, and a
   share of that for up to four more ancestors; containers start from a tag weight and +-25 by class/id;
   each candidate's score is then multiplied by ``1 - link density``.
4. The best container wins; it moves up when its parent holds the text as well; a marked-up article body
   (``itemprop=articleBody``, class "article-body", "entry-content" ...) around it or inside it is preferred
   when it holds most of the text; otherwise siblings that score well, or read as paragraphs, join.
5. Inside the result, the headline ``<h1>`` and blocks that look like boilerplate (link lists, galleries,
   forms, short negative-class blocks) are dropped ("clean conditionally"); the text is written out block
   by block, and whole lines such as "Advertisement" are dropped.
6. Under 500 characters, Readability's retries: without the "unlikely" filter, without class weights,
   without conditional cleaning; the longest text wins.
7. JSON-LD ``articleBody`` replaces the result when it is long and the extracted text misses most of it.

Every walk uses an explicit stack (100,000 nested ``<div>`` neither recurse nor go quadratic), and class/id
strings are capped before regex matching (attribute soup). Parser: lxml through BeautifulSoup. On the
extraction benchmark it gives the same text as html.parser (pages there are browser-serialised) and is about
25 % faster overall; it also builds the tree the way browsers do for unclosed ``<p>``. html.parser is the
fallback if lxml rejects the markup.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import email.utils
import html
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning

from searchapp.article import Article, parse_iso_datetime
from searchapp.budget import OverBudget, step_seconds, time_limit
from searchapp.readers import ReadError, printable
from searchapp.readers.decode import decode_bytes
from searchapp.readers.ids import url_id
from searchapp.readers.limits import MAX_HTML_TAGS, count_tags, read_limited

__all__ = ["parse_html", "page_article", "read", "decode_html", "extract_text"]

# --------------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]{1,40})""")
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _XML_ENCODING_RE.match(head) or _META_CHARSET_RE.search(head)
    if not m:
        return None
    return _charset(m.group(1).decode("ascii", "ignore"))


def _charset(name: str) -> str | None:
    """A charset's codec name as browsers read it, or None for one to ignore."""
    name = name.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # a page that says utf-16 but was readable as ASCII to find the meta is not utf-16
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"  # what browsers do (WHATWG encoding standard)
    return name


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Bytes of an HTML page -> text. Raises ReadError for empty or binary input. ``charset``: the one
    its HTTP Content-Type header names, if it came over HTTP (it goes before the page's own, as in
    browsers).

    Order: a byte order mark; then UTF-8 if the bytes are valid UTF-8 (valid non-ASCII UTF-8 is UTF-8 in
    practice, whatever the page declares: "iso-8859-1" on UTF-8 pages is common, and latin-1 would accept
    any bytes); then the charset declared in ``<meta charset>`` / ``http-equiv`` / ``<?xml encoding?>`` if
    the bytes decode with it (latin-1 and ASCII read as cp1252, as browsers do); then cp1252; then latin-1.
    So a cp1252 page that wrongly declares utf-8 still reads with the right characters.
    """
    return decode_bytes(data, (_charset(charset) if charset else None) or _declared_charset(data))


# --------------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------------


def _parse(text: str) -> BeautifulSoup:
    """Parse with lxml (html.parser if lxml rejects the markup). Control characters are dropped first."""
    text = _CONTROL_CHARS_RE.sub("", text)
    with warnings.catch_warnings():
        # We always parse HTML we decided to read: bs4's hints that short markup "looks like a URL or a file
        # name", or that an XHTML page "looks like XML", are noise here. Only those two are silenced.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(text, "lxml")
        except Exception:  # lxml rejected the markup (bs4's ParserRejectedMarkup or an lxml error)
            return BeautifulSoup(text, "html.parser")


# --------------------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def _is_text(node: Any) -> bool:
    """Visible text: plain strings only, not comments, CDATA, doctype, nor script/style/template contents
    (bs4 gives those their own NavigableString subclasses)."""
    return type(node) is NavigableString


def _strings(node: Tag) -> str:
    """All visible text under node, whitespace collapsed (iterative)."""
    return _norm("".join(s for s in node.descendants if type(s) is NavigableString))


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


# --------------------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------------------

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "socialmediaposting", "satiricalarticle", "webpage",
}
_LD_PRIORITY = {"newsarticle": 0, "reportagenewsarticle": 0, "analysisnewsarticle": 0, "opinionnewsarticle": 0,
                "reviewnewsarticle": 0, "backgroundnewsarticle": 0, "article": 1, "blogposting": 1,
                "liveblogposting": 2, "webpage": 5}
_HTML_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_BY_RE = re.compile(r"^\s*(?:(?:written|posted|words|reported|story|text)\s+)?by[:\s]+", re.IGNORECASE)
_AND_RE = re.compile(r"\s+(?:and|&)\s+|\s*;\s*", re.IGNORECASE)
_URLISH_RE = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net)(?:/|$)", re.IGNORECASE)
_BYLINE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:byline|author|authors|author-name|writer|contributor)(?:$|[\s_-])",
                              re.IGNORECASE)
_TITLE_SEP_RE = re.compile(r"\s+(?:\||-|--|–|—|::|·|»|/)\s+|\s*[｜|]\s*")
_WIDE_SEP_RE = re.compile(r"\s*[：｜|]\s*|\s+(?:\||-|--|–|—|::|·|»|/)\s+")
_DIGIT_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"\w+")
_BYLINE_TAGS = frozenset("a span div p address li".split())
_COMMENT_AREA_RE = re.compile(r"comment|respond|replies|disqus", re.IGNORECASE)
_NOT_NAMES = frozenset({"author", "authors", "by", "written by", "posted by", "staff", "admin", "share"})
_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/._-]|$)")
_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d\d)[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)"
    r"(?:[T\s]+(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?(?:\.\d+)?\s*(?P<tz>Z|[+-]\d\d:?\d\d|UTC|GMT)?)?"
)
_ORDINAL_RE = re.compile(r"(\d)(?:st|nd|rd|th)\b")
_DATE_LABEL_RE = re.compile(r"\b(?:updated|published|posted|on)\b:?", re.IGNORECASE)
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b. %d, %Y", "%Y%m%d",
                 "%A, %B %d, %Y", "%a, %b %d, %Y", "%d.%m.%Y", "%m/%d/%Y")
_DATE_META = (
    "article:published_time", "og:article:published_time", "article:published", "published_time",
    "datepublished", "date.published", "publishdate", "publish-date", "publish_date", "pubdate",
    "article.published", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
    "dc.date", "dcterms.date", "dc.date.created", "dcterms.created", "date", "og:published_time",
    "article_date_original", "original-publish-date", "originalpublicationdate", "publication_date",
    "cxenseparse:recs:publishtime", "displaydate", "datecreated",
)
_AUTHOR_META = (
    "article:author", "author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "byl", "byline", "article.author", "twitter:creator",
)


def _ld_types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower().rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.lower().rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


def _iter_ld_objects(data: Any) -> Iterator[dict]:
    stack = [data]
    seen = 0
    while stack and seen < 10000:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            for key in ("@graph", "mainEntity", "itemListElement"):
                sub = item.get(key)
                if isinstance(sub, (list, dict)):
                    stack.append(sub)


def _load_json_ld(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    try:  # trailing garbage ("};" or two objects back to back)
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None


def _ld_text(value: Any) -> str:
    """A JSON-LD value as text: a string, or the name / @value of an object, or the first of a list."""
    for _ in range(10):
        if isinstance(value, str):
            return _norm(html.unescape(value))
        if isinstance(value, dict):
            value = value.get("name") or value.get("@value") or ""
        elif isinstance(value, list) and value:
            value = value[0]
        else:
            break
    return ""


def _ld_names(value: Any) -> list[str]:
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        if isinstance(item, str):
            out.append(html.unescape(item))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = name[0] if name else ""
            if isinstance(name, str):
                out.append(html.unescape(name))
    return out


def _split_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        value = _norm(_HTML_TAG_RE.sub(" ", value))
        value = _BY_RE.sub("", value)
        if not value or _URLISH_RE.search(value) or value.startswith("@") and " " not in value:
            continue
        parts = _AND_RE.split(value) if len(value) < 200 else [value]
        for part in parts:
            part = _BY_RE.sub("", part).strip(" ,|-")
            key = part.casefold()
            # "Anna Menin" then "Anna MeninShare" / "Roger Gonzalez CBS Sports Writer": the same person.
            if 1 < len(part) <= 80 and not any(key.startswith(s) for s in seen):
                seen.add(key)
                names.append(part)
    return names


def _parse_date(value: Any) -> _dt.datetime | None:
    """A date as pages write it (ISO 8601, RFC 2822, epoch, "November 18, 2019" ...) -> naive UTC datetime."""
    if isinstance(value, list) and value:
        value = value[0]
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text or len(text) > 100:
        return None
    dt: _dt.datetime | None = None
    try:
        dt = parse_iso_datetime(text)
    except ValueError:
        pass
    if dt is None and text.isdigit() and len(text) in (10, 13):  # Unix epoch seconds / milliseconds
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        dt = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).replace(tzinfo=None)
    if dt is None:
        m = _DATE_RE.search(text)
        if m:
            try:
                dt = _dt.datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0),
                                  int(m["S"] or 0))
            except ValueError:
                dt = None
            tz = m["tz"] if dt else None
            if dt and tz and tz not in ("Z", "UTC", "GMT"):
                sign = 1 if tz[0] == "+" else -1
                digits = tz[1:].replace(":", "")
                dt -= sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if dt is None:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
            dt = parse_iso_datetime(parsed)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        cleaned = _norm(_ORDINAL_RE.sub(r"\1", _DATE_LABEL_RE.sub("", text))).strip(" :,")
        for fmt in _DATE_FORMATS:
            try:
                dt = _dt.datetime.strptime(cleaned, fmt)
                break
            except ValueError:
                continue
    if dt is None or not (1900 <= dt.year <= 2100):
        return None
    return dt


def _split_keep(regex: re.Pattern, text: str) -> tuple[list[str], list[str]]:
    parts, seps, pos = [], [], 0
    for m in regex.finditer(text):
        if m.start() == 0 or m.end() == len(text):
            continue
        parts.append(text[pos:m.start()])
        seps.append(m.group(0))
        pos = m.end()
    parts.append(text[pos:])
    return parts, seps


def _names_site(segment: str, site_cf: str) -> bool:
    seg = segment.casefold().strip()
    if len(seg) < 2 or not site_cf:
        return False
    return seg == site_cf or (seg in site_cf and 2 * len(seg) >= len(site_cf)) or (
        site_cf in seg and len(seg) <= len(site_cf) + 12)


def _looks_like_brand(segment: str) -> bool:
    words = segment.split()
    return 0 < len(words) <= 4 and all(not w[0].isalpha() or w[0].isupper() for w in words)


def _strip_site(title: str, site: str, *, brand_suffix: bool = True) -> str:
    """'Headline | Site', 'Site - Headline', 'Headline - Section - Site' -> 'Headline'."""
    title = _norm(title)
    site_cf = _norm(site).casefold()
    parts, seps = _split_keep(_WIDE_SEP_RE, title)
    if len(parts) > 1 and site_cf:
        while len(parts) > 1 and _names_site(parts[-1], site_cf):
            parts.pop()
            seps.pop()
        while len(parts) > 1 and _names_site(parts[0], site_cf):
            parts.pop(0)
            seps.pop(0)
        title = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:]))
    if not brand_suffix:
        return title.strip()
    # Then a short, capitalised trailing segment ("| The Daily Planet", "- BBC News") is a site or section.
    parts, seps = _split_keep(_TITLE_SEP_RE, title)
    while len(parts) > 1 and _looks_like_brand(parts[-1]) and len(" ".join(parts[:-1]).split()) >= 2:
        parts.pop()
        seps.pop()
    return (parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:]))).strip()


@dataclass
class _Meta:
    title: str = ""
    published: _dt.datetime | None = None
    byline: str = ""
    publisher: str = ""
    url: str = ""
    ld_body: str = ""
    site: str = ""


class _Found:
    """The elements metadata comes from, gathered in one walk over the page."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.meta: list[Tag] = []
        self.ld_scripts: list[Tag] = []
        self.times: list[Tag] = []
        self.links: list[Tag] = []
        self.h1: list[Tag] = []
        self.title: Tag | None = None
        self.date_published: Tag | None = None
        for el in soup.descendants:
            if not isinstance(el, Tag):
                continue
            name = el.name
            if name == "meta":
                self.meta.append(el)
            elif name == "script":
                if "ld+json" in _attr(el, "type").lower():
                    self.ld_scripts.append(el)
            elif name == "time":
                if len(self.times) < 20:
                    self.times.append(el)
            elif name == "link":
                if len(self.links) < 500:
                    self.links.append(el)
            elif name == "h1":
                if len(self.h1) < 10:
                    self.h1.append(el)
            elif name == "title":
                if self.title is None:
                    self.title = el
            if self.date_published is None and el.attrs and el.attrs.get("itemprop") == "datePublished":
                self.date_published = el


def _extract_metadata(soup: BeautifulSoup, url: str = "") -> _Meta:
    found = _Found(soup)
    meta: dict[str, list[str]] = {}
    for tag in found.meta:
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv") or "")
        content = tag.get("content")
        if isinstance(key, list):
            key = " ".join(key)
        if not key or content is None:
            continue
        if isinstance(content, list):
            content = " ".join(content)
        content = _norm(content)
        if content:
            meta.setdefault(key.strip().lower(), []).append(content)

    def first(*keys: str) -> str:
        for k in keys:
            if meta.get(k):
                return meta[k][0]
        return ""

    # JSON-LD article objects, best type first.
    articles: list[tuple[int, int, dict]] = []
    publishers: list[str] = []
    for script in found.ld_scripts:
        data = _load_json_ld(script.get_text())
        if data is None:
            continue
        for obj in _iter_ld_objects(data):
            types = _ld_types(obj)
            matched = types & _ARTICLE_TYPES
            if matched:
                prio = min(_LD_PRIORITY.get(t, 3) for t in matched)
                articles.append((prio, len(articles), obj))
            if types & {"organization", "newsmediaorganization", "website"} and obj.get("name"):
                publishers.append(_ld_text(obj.get("name")))
    articles.sort(key=lambda a: (a[0], a[1]))
    ld = [a[2] for a in articles]

    def ld_get(key: str) -> Any:
        for obj in ld:
            value = obj.get(key)
            if value:
                return value
        return None

    m = _Meta()
    site = first("og:site_name", "application-name", "twitter:site")
    publisher_value = ld_get("publisher")
    m.publisher = _ld_text(publisher_value) or (publishers[0] if publishers else "") or first(
        "og:site_name", "publisher", "dc.publisher", "dcterms.publisher", "application-name")
    if site.startswith("@"):
        site = m.publisher or site[1:]
    m.site = site or m.publisher

    # URL
    canonical = ""
    for link in found.links:
        if link.get("href") and "canonical" in [r.lower() for r in (link.get("rel") or [])]:
            canonical = str(link["href"]).strip()
            break
    og_url = first("og:url", "twitter:url")
    main_entity = ld_get("mainEntityOfPage")
    ld_url = _ld_text(ld_get("url")) or (main_entity.get("@id", "") if isinstance(main_entity, dict) else
                                          _ld_text(main_entity))
    if not isinstance(ld_url, str):
        ld_url = ""
    for candidate in (canonical, og_url, ld_url):
        if candidate.startswith(("http://", "https://")):
            m.url = candidate
            break

    # Title
    headline = _norm(_HTML_TAG_RE.sub("", _ld_text(ld_get("headline")) or ""))
    og_title = first("og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title", "title")
    if headline:
        m.title = _strip_site(headline, m.site, brand_suffix=False)
    elif og_title:
        m.title = _strip_site(og_title, m.site, brand_suffix=False)
    else:
        m.title = _title_from_html(found, m.site)

    # Date: JSON-LD, then meta tags, then marked-up <time>, then any <time>, then the URL, then "modified".
    candidates: list[Any] = [ld_get("datePublished"), ld_get("dateCreated")]
    candidates += [first(k) for k in _DATE_META]
    parsely = first("parsely-page")
    if parsely:
        try:
            candidates.append(json.loads(parsely).get("pub_date"))
        except (ValueError, AttributeError, RecursionError):
            pass
    marked = found.date_published
    if marked is not None:
        candidates.append(marked.get("content") or marked.get("datetime") or _strings(marked))
    times = found.times
    for tag in times:
        if tag.has_attr("pubdate") or "publish" in _name_of(tag).lower():
            candidates.append(tag.get("datetime") or _strings(tag))
    candidates += [tag.get("datetime") or _strings(tag) for tag in times]
    for source in (url, m.url):
        hit = _URL_DATE_RE.search(source or "")
        if hit:
            candidates.append("-".join(hit.groups()))
    candidates += [ld_get("dateModified"), first("article:modified_time", "og:updated_time", "last-modified")]
    for value in candidates:
        dt = _parse_date(value) if value else None
        if dt:
            m.published = dt
            break

    # Byline
    names = _split_names(_ld_names(ld_get("author")) if ld_get("author") else [])
    if not names:
        for key in _AUTHOR_META:
            names = _split_names(meta.get(key, []))
            if names:
                break
    if not names:
        names = _split_names(_html_bylines(soup))
    m.byline = ", ".join(names[:10])

    body = ld_get("articleBody")
    if isinstance(body, list):
        body = " ".join(b for b in body if isinstance(b, str))
    if isinstance(body, str):
        m.ld_body = body
    return m


def _title_from_html(found: _Found, site: str) -> str:
    """The <h1> that agrees with <title> (a site-logo <h1> does not), else <title> without the site name."""
    title_text = _strings(found.title) if found.title is not None else ""
    stripped = _strip_site(title_text, site)
    # "Headline - Section | Site": the headline is the longest part.
    reference = max(_split_keep(_WIDE_SEP_RE, stripped)[0], key=len) if stripped else ""
    reference_words = set(_WORD_RE.findall(reference.casefold()))
    for h1 in found.h1:
        text = _strings(h1)
        if not 0 < len(text) <= 300:
            continue
        if not reference:
            return text
        if text in reference and 3 * len(text) >= len(reference):
            return text
        words = _WORD_RE.findall(text.casefold())
        if words and sum(w in reference_words for w in words) >= 0.6 * len(words) and (
                len(words) >= 2 or 2 * len(words) >= len(reference_words)):
            return text
    return stripped


def _in_comments(tag: Tag) -> bool:
    node = tag.parent
    depth = 0
    while node is not None and depth < 40:
        if isinstance(node, Tag) and node.attrs and _COMMENT_AREA_RE.search(_name_of(node)):
            return True
        node = node.parent
        depth += 1
    return False


def _html_bylines(soup: BeautifulSoup) -> list[str]:
    """Author names from rel=author links, itemprop=author and byline/author classes (not in comments)."""
    found: list[str] = []
    examined = 0
    for tag in soup.descendants:
        if not isinstance(tag, Tag) or not tag.attrs or tag.name not in _BYLINE_TAGS:
            continue
        rel = [r.lower() for r in (tag.get("rel") or [])] if tag.name == "a" else []
        itemprop = _attr(tag, "itemprop").lower()
        if not ("author" in rel or itemprop == "author" or _BYLINE_CLASS_RE.search(_name_of(tag))):
            continue
        examined += 1
        if examined > 50:
            break
        if _in_comments(tag):
            continue
        name_tag = tag.find(attrs={"itemprop": "name"}) if itemprop == "author" else None
        text = _strings(name_tag if name_tag is not None else tag)
        if not 2 < len(text) <= 150:
            continue
        # "Jane Doe - 2019-04-10", "By Jane Doe | Updated 5 pm": keep the parts without digits.
        parts = [p for p in _TITLE_SEP_RE.split(_BY_RE.sub("", text)) if p and not _DIGIT_RE.search(p)]
        text = parts[0].strip(" ,") if parts else ""
        if text and len(text.split()) <= 8 and text.casefold() not in _NOT_NAMES:
            found.append(text)
        if len(found) >= 5:
            break
    return found


# --------------------------------------------------------------------------------------------------------
# Main text extraction
# --------------------------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure "
    "footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav noframes ol p pre section "
    "summary table tbody td tfoot th thead tr ul caption legend".split()
)
_DROP_TAGS = frozenset(
    "script style noscript template svg math canvas iframe frame frameset object embed applet video audio "
    "source track map area button input select option optgroup textarea datalist output meter progress nav "
    "aside footer menu dialog head title meta link base figcaption picture img".split()
)
_FORM_CONTROLS = frozenset("button input select textarea".split())
_SCORE_TAG_WEIGHT = {"div": 5, "article": 5, "pre": 3, "td": 3, "blockquote": 3, "section": 0, "main": 5,
                     "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
                     "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5}
_PARAGRAPH_TAGS = frozenset("p pre td blockquote li dd h2 h3 h4 h5 h6".split())
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_UNLIKELY_ROLES = frozenset("menu menubar complementary navigation alert alertdialog dialog banner contentinfo "
                            "search".split())

_UNLIKELY_RE = re.compile(
    r"-ad-|^ad-|\bad-|\bads?\b|adslot|adunit|advert|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|"
    r"disqus|extra|footer|gdpr|cookie|consent|legends|menu|related|remark|replies|rss|shoutbox|sidebar|"
    r"skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|modal|yom-remote|"
    r"share|sharing|newsletter|subscri|signup|sign-up|promo(?!ted)|outbrain|taboola|recommend|trending|popular|"
    r"most-read|mostread|more-stories|read-more|readmore|also-read|next-article|toolbar|masthead|navbar|"
    r"skip-link|sr-only|screen-reader|visually-hidden|visuallyhidden|print-only|tags\b|tag-list|topics|"
    r"author-bio|bio-box|about-author|paywall|login|inline-ad|dfp|caption|credit|byline|timestamp|dateline|"
    r"post-meta|entry-meta|article-meta|meta-data|keywords|see-also|widget|jump-link|teaser|card-list",
    re.IGNORECASE,
)
_MAYBE_RE = re.compile(r"and|article|body|column|content|main|shadow|story|entry|post-text|text|tweet|embed",
                       re.IGNORECASE)
# Boilerplate that stays boilerplate even when the name also says "article"/"content".
_STRONG_UNLIKELY_RE = re.compile(
    r"comment|disqus|share|sharing|related|newsletter|subscri|signup|promo(?!ted)|outbrain|taboola|recommend|"
    r"cookie|consent|gdpr|popular|trending|most-read|read-more|readmore|more-stories|breadcrumb|author-bio|"
    r"about-author|caption|byline|tag-list|see-also|jump-link",
    re.IGNORECASE,
)
_NEGATIVE_RE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|"
    r"media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|"
    r"widget|caption|byline|author|newsletter|subscribe|social|recommend|cookie",
    re.IGNORECASE,
)
_POSITIVE_RE = re.compile(r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story",
                          re.IGNORECASE)
_BODY_CONTAINER_RE = re.compile(
    r"(?:^|[\s_-])(?:article|story|entry|post|news)[_-]{0,2}(?:body|content|text)(?:$|[\s_-])|"
    r"(?:^|\s)(?:articlebody|storybody|entry-content|post-content|article-content|story-content|"
    r"body-text|bodytext|article-text|story-text|text-content|rich-text|article__body|article-body|"
    r"story-body|content-body|post-body|articletext|storytext)(?:$|\s)",
    re.IGNORECASE,
)
_EMBED_RE = re.compile(r"tweet|instagram-media|embed", re.IGNORECASE)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_COMMA_RE = re.compile("[,،、，﹐﹑､]")
_SENTENCE_END_RE = re.compile(r"[.!?。！？\"”’)]\s*$")
# Whole lines that are page furniture, not article text.
_BOILERPLATE_LINES = frozenset({
    "advertisement", "advertising", "ad", "sponsored", "sponsored content", "story continues below",
    "story continues below advertisement", "continue reading", "continue reading below", "read more",
    "read more below", "share", "share this", "share this article", "share this story", "tweet", "email",
    "print", "comments", "loading", "please enable javascript", "scroll to continue with content",
    "skip advertisement", "skip to content", "related", "related articles", "related stories",
})

_CHAR_THRESHOLD = 500
_MAX_ANCESTOR_LEVELS = 5
_CONTAINER_TAGS = frozenset("div section article td main body form blockquote center font span".split())
_LEAF_BLOCK_TAGS = _PARAGRAPH_TAGS | frozenset("div section article span font main".split())
_CLEANABLE_TAGS = frozenset("div section ul ol table form fieldset dl span header figure aside center".split())

# Classification of an element in the first walk.
_KEEP, _WEAK, _DROP = 0, 1, 2


class _Stats:
    """Bottom-up numbers of one kept element (characters are counted after stripping each text node)."""

    __slots__ = ("text", "links", "commas", "p", "img", "li", "inputs", "embeds", "headings_text",
                 "inline", "inline_commas", "has_block", "score", "scored")

    def __init__(self) -> None:
        self.text = 0            # characters of kept text below
        self.links = 0           # of which inside <a>
        self.commas = 0
        self.p = 0
        self.img = 0
        self.li = 0
        self.inputs = 0
        self.embeds = 0
        self.headings_text = 0
        self.inline = 0          # characters not inside a block-level descendant: the element's own paragraph
        self.inline_commas = 0
        self.has_block = False   # a block-level element below
        self.score = 0.0
        self.scored = False


def _name_of(tag: Tag) -> str:
    """class and id, the string boilerplate patterns are matched against (capped against attribute soup)."""
    attrs = tag.attrs
    if not attrs:
        return ""
    return (_attr(tag, "class")[:200] + " " + _attr(tag, "id")[:100]).strip()


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs:
        return True
    if attrs.get("aria-hidden") == "true":
        return "fallback-image" not in _attr(tag, "class")
    style = attrs.get("style")
    return isinstance(style, str) and _HIDDEN_STYLE_RE.search(style[:500]) is not None


def _classify(tag: Tag) -> int:
    """_DROP: never article text (scripts, navigation, hidden, comments, share bars ...);
    _WEAK: probably boilerplate by its class/id (dropped on the first attempt only); _KEEP otherwise."""
    name = tag.name
    if name in _DROP_TAGS or name == "header" or _is_hidden(tag):
        return _DROP
    if name in ("body", "html", "a", "main"):
        return _KEEP
    attrs = tag.attrs
    if not attrs:
        return _KEEP
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in _UNLIKELY_ROLES:
        return _DROP
    if attrs.get("itemprop") == "articleBody":
        return _KEEP
    match = _name_of(tag)
    if not match or not _UNLIKELY_RE.search(match) or _MAYBE_RE.search(match):
        return _KEEP
    return _DROP if _STRONG_UNLIKELY_RE.search(match) else _WEAK


class _Collected:
    """Kept elements of one page (preorder) and their statistics, for one setting of "strip unlikely"."""

    def __init__(self, root: Tag, kinds: dict[int, int], strip_unlikely: bool) -> None:
        self.root = root
        self.order: list[Tag] = []
        self.stats: dict[int, _Stats] = {}
        self.dropped: set[int] = set()
        limit = _WEAK if strip_unlikely else _DROP
        stack: list[Tag] = [root]
        while stack:
            tag = stack.pop()
            if tag is not root and kinds.get(id(tag), _KEEP) >= limit:
                self.dropped.add(id(tag))
                continue
            self.order.append(tag)
            children = [c for c in tag.contents if isinstance(c, Tag)]
            children.reverse()
            stack.extend(children)
        stats = self.stats
        for tag in reversed(self.order):
            st = _Stats()
            stats[id(tag)] = st
            for child in tag.contents:
                if isinstance(child, Tag):
                    cst = stats.get(id(child))
                    if cst is None:  # dropped: only count what the cleaning rules look at
                        cname = child.name
                        if cname in _FORM_CONTROLS:
                            st.inputs += 1
                        elif cname in ("img", "picture"):
                            st.img += 1
                        elif cname in ("iframe", "embed", "object", "video", "audio"):
                            st.embeds += 1
                        continue
                    st.text += cst.text
                    st.links += cst.links
                    st.commas += cst.commas
                    st.p += cst.p
                    st.img += cst.img
                    st.li += cst.li
                    st.inputs += cst.inputs
                    st.embeds += cst.embeds
                    st.headings_text += cst.headings_text
                    if child.name in _BLOCK_TAGS:
                        st.has_block = True
                    else:
                        st.inline += cst.inline
                        st.inline_commas += cst.inline_commas
                        st.has_block = st.has_block or cst.has_block
                elif _is_text(child):
                    n = len(child.strip())
                    if n:
                        commas = len(_COMMA_RE.findall(child))
                        st.text += n + 1
                        st.inline += n + 1
                        st.commas += commas
                        st.inline_commas += commas
            name = tag.name
            if name == "a":
                st.links = st.text
            elif name == "p":
                st.p += 1
            elif name == "li":
                st.li += 1
            elif name in _HEADING_TAGS:
                st.headings_text = st.text


class _Attempt:
    """One readability pass over collected elements: score, choose, clean, render."""

    def __init__(self, col: _Collected, weight_classes: bool, clean_conditionally: bool) -> None:
        self.col = col
        self.stats = col.stats
        self.weight_classes = weight_classes
        self.clean_conditionally = clean_conditionally
        self.dropped = set(col.dropped)
        for st in self.stats.values():
            st.score = 0.0
            st.scored = False

    def run(self) -> str:
        chosen = self.choose(self.score())
        self.clean(chosen)
        return _render(chosen, self.dropped)

    def class_weight(self, tag: Tag) -> int:
        if not self.weight_classes or not tag.attrs:
            return 0
        weight = 0
        for value in (_attr(tag, "class")[:200], _attr(tag, "id")[:100]):
            if value:
                if _NEGATIVE_RE.search(value):
                    weight -= 25
                if _POSITIVE_RE.search(value):
                    weight += 25
        return weight

    def _init(self, tag: Tag) -> _Stats:
        st = self.stats[id(tag)]
        if not st.scored:
            st.scored = True
            st.score = _SCORE_TAG_WEIGHT.get(tag.name, 0) + self.class_weight(tag)
        return st

    def link_density(self, tag: Tag) -> float:
        st = self.stats[id(tag)]
        return st.links / st.text if st.text else 0.0

    # -- score: paragraphs give points to their container and its ancestors ----------------------------
    def score(self) -> list[Tag]:
        stats = self.stats
        candidates: dict[int, Tag] = {}
        for tag in self.col.order:
            st = stats[id(tag)]
            if st.inline < 25:
                continue
            name = tag.name
            if not st.has_block and name in _LEAF_BLOCK_TAGS:
                node = tag.parent  # the element is a paragraph
            elif st.has_block and name in _CONTAINER_TAGS:
                node = tag  # loose text between blocks: a paragraph directly inside the element
            else:
                continue
            if name in ("li", "dd") and self.link_density(tag) > 0.5:
                continue
            content_score = 1 + st.inline_commas + min(st.inline // 100, 3)
            level = 0
            while isinstance(node, Tag) and level < _MAX_ANCESTOR_LEVELS and id(node) in stats:
                if node.name == "html" or node.parent is None:
                    break
                self._init(node).score += content_score / (1 if level == 0 else 2 if level == 1 else level * 3)
                candidates[id(node)] = node
                node = node.parent
                level += 1
        for tag in candidates.values():
            stats[id(tag)].score *= 1 - self.link_density(tag)
        return list(candidates.values())

    # -- choose the article container ------------------------------------------------------------------
    def choose(self, candidates: list[Tag]) -> list[Tag]:
        stats = self.stats
        root = self.col.root
        if not candidates:
            return [root]
        ranked = sorted(candidates, key=lambda t: stats[id(t)].score, reverse=True)
        top = ranked[0]
        top_score = stats[id(top)].score
        if top is root or top.name in ("body", "html"):
            return [top]

        # Several near-top candidates under one ancestor: the ancestor is the article.
        alternatives = [c for c in ranked[1:5] if top_score > 0 and stats[id(c)].score / top_score >= 0.75]
        if len(alternatives) >= 3:
            ancestor_sets = [_ancestor_ids(a) for a in alternatives]
            parent = top.parent
            while isinstance(parent, Tag) and parent is not root and parent.name not in ("body", "html"):
                if sum(1 for anc in ancestor_sets if id(parent) in anc) >= 3:
                    top = parent
                    break
                parent = parent.parent
            self._init(top)

        # Move up while the parent holds the text as well (its score does not drop much).
        parent = top.parent
        last = stats[id(top)].score
        threshold = last / 3
        while isinstance(parent, Tag) and parent is not root and parent.name not in ("body", "html"):
            pst = stats.get(id(parent))
            if pst is None or not pst.scored:
                parent = parent.parent
                continue
            if pst.score < threshold:
                break
            if pst.score > last:
                top = parent
                break
            last = pst.score
            parent = parent.parent

        # An only child stands for its parent.
        parent = top.parent
        while isinstance(parent, Tag) and parent is not root and parent.name not in ("body", "html") and \
                id(parent) in stats and sum(1 for c in parent.contents if isinstance(c, Tag) and id(c) in stats) == 1:
            top = parent
            parent = top.parent

        semantic = self._prefer_semantic(top)
        if semantic is not top:
            return [semantic]  # a marked-up article body is the whole article: no siblings

        # Siblings that score well, or read like paragraphs, join.
        tst = self._init(top)
        parent = top.parent
        if not isinstance(parent, Tag):
            return [top]
        result: list[Tag] = []
        threshold = max(10.0, tst.score * 0.2)
        top_class = _attr(top, "class")
        for sib in parent.contents:
            if not isinstance(sib, Tag) or id(sib) not in stats:
                continue
            if sib is top:
                result.append(sib)
                continue
            sst = stats[id(sib)]
            bonus = tst.score * 0.2 if top_class and _attr(sib, "class") == top_class else 0
            if sst.scored and sst.score + bonus >= threshold:
                result.append(sib)
            elif sib.name == "p" or (not sst.has_block and sib.name in ("div", "span")):
                ld = self.link_density(sib)
                if sst.text > 80 and ld < 0.25:
                    result.append(sib)
                elif 0 < sst.text <= 80 and ld == 0 and _SENTENCE_END_RE.search(_strings(sib)):
                    result.append(sib)
        return result

    def _prefer_semantic(self, top: Tag) -> Tag:
        """A marked-up article body (itemprop=articleBody, class "article-body" ...) near the chosen container
        wins when it holds most of the chosen text, or the chosen text is most of it."""
        stats = self.stats
        tst = stats[id(top)]
        best: Tag | None = None
        for tag in self.col.order:
            st = stats[id(tag)]
            if st.text < 200 or not tag.attrs:
                continue
            if tag.attrs.get("itemprop") == "articleBody" or _BODY_CONTAINER_RE.search(_name_of(tag)):
                if best is None or st.text > stats[id(best)].text:
                    best = tag
        if best is None or best is top:
            return top
        bst = stats[id(best)]
        if id(best) in _ancestor_ids(top):  # the marked-up body contains the winner
            if self.link_density(best) < 0.25 and bst.text <= 3 * max(tst.text, 1):
                return best
            return top
        if id(top) in _ancestor_ids(best):  # the winner contains the marked-up body
            return best if bst.text >= 0.7 * tst.text else top
        if bst.text >= 0.8 * tst.text and self.link_density(best) < 0.25:
            return best
        return top

    # -- clean inside the chosen content ---------------------------------------------------------------
    def clean(self, roots: list[Tag]) -> None:
        stats = self.stats
        dropped = self.dropped
        for root in roots:
            stack = [c for c in reversed(root.contents) if isinstance(c, Tag)]
            while stack:
                tag = stack.pop()
                st = stats.get(id(tag))
                if st is None or id(tag) in dropped:
                    continue
                if self._junk(tag, st):
                    dropped.add(id(tag))
                    continue
                stack.extend(c for c in reversed(tag.contents) if isinstance(c, Tag))

    def _junk(self, tag: Tag, st: _Stats) -> bool:
        """Readability's "clean conditionally": link lists, galleries, forms, empty wrappers."""
        name = tag.name
        if name == "h1":
            return True  # the headline: it is Article.title, not body text
        if name in _HEADING_TAGS:
            return self.class_weight(tag) < 0 or self.link_density(tag) > 0.33
        if st.text == 0 or not self.clean_conditionally:
            return False
        if name not in _CLEANABLE_TAGS:
            return name == "p" and st.text < 200 and self.link_density(tag) > 0.5
        if st.text >= 50 and _EMBED_RE.search(_name_of(tag)):
            return False  # an embedded post (tweet, instagram) quoted by the article
        weight = self.class_weight(tag)
        if weight + (st.score if st.scored else 0) < 0:
            return True
        if st.commas >= 10:
            return False
        is_list = name in ("ul", "ol") or (st.li > 0 and st.p == 0)
        p = st.p
        ld = self.link_density(tag)
        length = st.text
        heading_density = st.headings_text / length
        return (
            (st.img > 1 and p / st.img < 0.5)
            or (not is_list and st.li - 100 > p)
            or (st.inputs > p // 3)
            or (not is_list and heading_density < 0.9 and length < 25 and (st.img == 0 or st.img > 2))
            or (not is_list and weight < 25 and ld > 0.2)
            or (weight >= 25 and ld > 0.5)
            or (st.embeds == 1 and length < 75) or st.embeds > 1
            or (is_list and ld > 0.5)
        )


def _ancestor_ids(tag: Tag) -> set[int]:
    out = set()
    node = tag.parent
    while node is not None:
        out.add(id(node))
        node = node.parent
    return out


def _render(roots: list[Tag], dropped: set[int]) -> str:
    """Text of roots without dropped elements; block elements make paragraphs ("\n\n"), <br> a line break."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            text = "".join(current)
            current.clear()
            if text.strip():
                paragraphs.append(text)

    end = object()
    stack: list[Any] = list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is end:
            flush()
        elif isinstance(node, Tag):
            if id(node) in dropped:
                continue
            name = node.name
            if name == "br":
                if current and current[-1] == "\n":
                    flush()  # <br><br>: a paragraph break
                else:
                    current.append("\n")
                continue
            if name in ("td", "th"):
                current.append(" ")
            if name in _BLOCK_TAGS:
                flush()
                stack.append(end)
            stack.extend(reversed(node.contents))
        elif _is_text(node):
            current.append(str(node))
    flush()
    out = []
    for para in paragraphs:
        lines = [line for line in (_norm(x) for x in para.split("\n")) if line and not _is_boilerplate_line(line)]
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def _is_boilerplate_line(line: str) -> bool:
    return len(line) <= 40 and line.strip(" .:!…>»|-").casefold() in _BOILERPLATE_LINES


def _text_len(text: str) -> int:
    return len(text) - text.count("\n")


def _extract_body(soup: BeautifulSoup, ld_body: str = "") -> str:
    """Readability with its retries: strict first; if that finds under 500 characters, again without the
    "unlikely" class filter, then without class weights, then without conditional cleaning; longest wins."""
    root = soup.body or soup.find("html") or soup
    if not isinstance(root, Tag):
        return ""
    kinds: dict[int, int] = {}
    stack: list[Tag] = [root]
    has_weak = False
    while stack:
        tag = stack.pop()
        kind = _classify(tag) if tag is not root else _KEEP
        if kind:
            kinds[id(tag)] = kind
            has_weak = has_weak or kind == _WEAK
            if kind == _DROP:
                continue
        stack.extend(c for c in tag.contents if isinstance(c, Tag))
    attempts: list[str] = []
    plans = [(True, True, True), (False, True, True), (False, False, True), (False, False, False)]
    if not has_weak:
        del plans[1]  # without "unlikely" elements the relaxed walk is the strict one
    collected: dict[bool, _Collected] = {}
    for strip_unlikely, weight_classes, clean in plans:
        key = strip_unlikely and has_weak
        if key not in collected:
            collected[key] = _Collected(root, kinds, strip_unlikely=key)
        col = collected[key]
        text = _Attempt(col, weight_classes, clean).run()
        if _text_len(text) >= _CHAR_THRESHOLD:
            attempts = [text]
            break
        attempts.append(text)
        if not key and _text_len(text) >= 0.9 * col.stats[id(root)].text:
            break  # the page has no more text to find: retrying cannot do better
    text = max(attempts, key=_text_len) if attempts else ""
    return _with_ld_body(text, ld_body)


_TOKEN_RE = re.compile(r"\w+")
_BLANK_LINE_RE = re.compile(r"\n\s*\n|\r\n")


def _with_ld_body(text: str, ld_body: str) -> str:
    """Use JSON-LD articleBody when it is long and the extracted text misses most of it."""
    if not ld_body:
        return text
    if "<" in ld_body and ">" in ld_body:
        ld_soup = _parse(ld_body)
        ld_text = _render([ld_soup], set())
    else:
        ld_text = "\n\n".join(p for p in (_norm(x) for x in _BLANK_LINE_RE.split(ld_body)) if p)
    ld_tokens = _TOKEN_RE.findall(ld_text)
    if len(ld_tokens) < 50 or ld_text.rstrip().endswith(("...", "…")):
        return text
    got = set(_TOKEN_RE.findall(text))
    covered = sum(1 for t in ld_tokens if t in got) / len(ld_tokens)
    if covered < 0.6:
        return ld_text
    return text


def extract_text(page: str | bytes) -> str:
    """Main text of an HTML page (what ``parse_html(...).body`` holds)."""
    text = decode_html(page) if isinstance(page, bytes) else page
    soup = _parse(text)
    meta = _extract_metadata(soup)
    return _extract_body(soup, meta.ld_body)


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------


def parse_html(data: bytes | str, *, path: str = "", url: str = "", id: str | None = None,
               name: str | None = None, charset: str | None = None) -> Article:
    """One HTML page -> Article. Raises ReadError for empty or binary input (the body may come out empty).

    ``url``: where the page was fetched from, if known. The id, unless given, is the page's own canonical
    URL, else ``url``, else ``name`` (the file's name, see `searchapp.readers.ids`), else the file's stem."""
    text = decode_html(data, charset) if isinstance(data, bytes) else data
    if not text.strip():
        raise ReadError("empty file")
    try:
        soup = _parse(text)
        meta = _extract_metadata(soup, url)
        body = _extract_body(soup, meta.ld_body)
    except RecursionError:
        raise ReadError("HTML too deeply nested to read") from None
    if id is None:
        id = url_id(meta.url) or url_id(url) or (name if name is not None else Path(path).stem if path else "")
    return Article(
        id=id,
        path=path,
        url=url or meta.url,
        title=meta.title,
        body=body,
        published=meta.published,
        byline=meta.byline,
        publisher=meta.publisher,
    )


def read(path: Path, name: str | None = None) -> Iterator[Article]:
    """Yield the one Article of an HTML file (plain or compressed). Raises ReadError if it is over the
    size limit, empty, binary or has no text. ``name``: the id when the page names no URL of its own
    (default: the file's stem)."""
    path = Path(path)
    try:
        data = read_limited(path)
    except OSError as e:
        raise ReadError(f"cannot read file: {e.strerror or e}") from None
    yield page_article(data, where=printable(str(path)), name=printable(path.stem) if name is None else name)


def page_article(data: bytes, *, where: str, name: str, url: str = "", charset: str | None = None) -> Article:
    """The Article of one page's bytes, from a file or a crawl record (``url``: where it was fetched;
    ``charset``: what its HTTP Content-Type said).

    Tag soup over MAX_HTML_TAGS is never parsed into a tree (bs4 spends ~1.5 KB and ~90 µs a tag), and
    extraction has a time budget (budget.step_seconds); past either, the page's whole text is the
    body (`whole_text`), and the article's notes say so. ReadError if no text comes out."""
    tags = count_tags(data)
    fallback = url_id(url) or name
    if tags > MAX_HTML_TAGS:
        article = _whole_page(data, where, fallback, f"{tags:,} tags, over the {MAX_HTML_TAGS:,}-tag limit", charset)
    else:
        try:
            with time_limit(step_seconds(len(data))):
                article = parse_html(data, path=where, url=url, name=name, charset=charset)
        except OverBudget as e:
            article = _whole_page(data, where, fallback, f"extraction ran {e}", charset)
    if not article.body.strip():
        raise ReadError("no extractable text")
    article.url = article.url or url
    return article


def _whole_page(data: bytes, path: str, article_id: str, why: str, charset: str | None = None) -> Article:
    text = decode_html(data, charset)
    article = Article(id=article_id, path=path, title=_title_of(text), body=whole_text(text))
    article.notes.append(f"main text not extracted ({why}): the page's whole text was indexed")
    return article


_HIDDEN = ("script", "style", "noscript", "template", "title")  # title: the article's title, not its body
_HIDDEN_START = re.compile(rf"<({'|'.join(_HIDDEN)})\b|<!--", re.IGNORECASE)
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN}
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|article|section|blockquote|header|footer)\b)"
                        r"[^<>]{0,2000}>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_TITLE = re.compile(r"<title\b[^<>]{0,2000}>([^<]{0,2000})</title", re.IGNORECASE)


def whole_text(page: str) -> str:
    """The text of a whole page without building a tree, in time linear in its length (tag soup, or a
    page whose extraction ran over its budget): scripts, styles, comments and the title dropped, block tags as
    paragraph breaks, other tags removed, entities decoded."""
    kept: list[str] = []
    pos = 0
    while (m := _HIDDEN_START.search(page, pos)) is not None:
        kept.append(page[pos:m.start()])
        if m.group(1):
            close = _HIDDEN_END[m.group(1).lower()].search(page, m.end())
            pos = close.end() if close else len(page)  # never closed: the rest of the page is inside it
        else:
            end = page.find("-->", m.end())
            pos = end + 3 if end >= 0 else len(page)
    kept.append(page[pos:])
    text = _ANY_TAG.sub(" ", _BLOCK_TAG.sub("\n\n", "".join(kept)))
    paragraphs = (_norm(p) for p in _BLANK_LINE_RE.split(html.unescape(text)))
    return "\n\n".join(p for p in paragraphs if p)


def _title_of(page: str) -> str:
    m = _TITLE.search(page, 0, 200_000)
    return _norm(html.unescape(m.group(1))) if m else ""
