"""The index's fields as the query language and every backend know them: what a user may type before a
colon, the name fields with their exact-value twins, and the word-pair fields that answer phrases."""

# Names a user may type before the colon -> the field searched.
FIELD_ALIASES = {
    "person": "people", "people": "people",
    "place": "places", "places": "places", "location": "places",
    "org": "orgs", "orgs": "orgs", "organisation": "orgs", "organization": "orgs",
    "source": "sources", "sources": "sources",
    "speaker": "speakers", "speakers": "speakers", "said": "speakers",
    "quote": "quote", "quotes": "quote",
    # direct (the exact words), indirect (reported speech) or mixed: "kind" is the document type's field
    "kind": "quote_kind", "quote_kind": "quote_kind",
    "date": "published", "published": "published",
    "title": "title", "headline": "title",
    "body": "body", "text": "body",
    "author": "byline", "byline": "byline", "by": "byline",
    "publisher": "publisher", "outlet": "publisher",
    "id": "id",
}
# The name fields, each with an exact-value twin (``f_<name>``) used for facets and filters.
FACETS = ("people", "places", "orgs", "sources", "speakers")
# Text field -> the field of its adjacent word pairs, which answers phrase queries (store/ranking.py).
PAIR_FIELDS = {"title": "title_pairs", "body": "body_pairs", "quote": "quote_pairs"}
# Joins a short form and its long form in one f_aliases term ("ICO" + "International Coffee Organization").
ALIAS_SEPARATOR = "\x1f"
