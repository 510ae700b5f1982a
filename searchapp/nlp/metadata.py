"""Metadata a plain-text article carries in its first lines: a byline ("By Jane Doe") and a dateline
("MOSCOW, Feb 10 (Reuters) -"). Structured formats (HTML, Reuters SGML) fill these in their readers;
this step only fills what is still empty.
"""
from __future__ import annotations

import re

from searchapp.article import Article

_BYLINE = re.compile(r"^\s*By\s+([A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|and|de|van|von))*(?:\s*,\s*[A-Z][\w.'’ -]+)?)\s*$")
# "MOSCOW (Reuters) -", "WASHINGTON, March 3 (AP) —", "LONDON -"
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Z .'’-]{2,40}?)(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)]{2,40}\))?\s*[-–—]{1,2}\s+"
)


class MetadataStep:
    name = "metadata"

    def __call__(self, article: Article) -> Article:
        body = article.body
        if not article.byline:
            first, _, rest = body.partition("\n")
            m = _BYLINE.match(first)
            if m and rest.strip():
                article.byline = m.group(1).strip()
                article.body = body = rest.lstrip("\n")
        if not article.dateline:
            m = _DATELINE.match(body[:120])
            if m:
                article.dateline = m.group(1).strip().title()
        return article
