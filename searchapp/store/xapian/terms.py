"""How searchapp's index documents become Xapian documents, and back: the one place that knows the term
layout, shared by the writer and the snapshot.

- A field's term is ``X<field>:<text>`` (the field named in full, so no two fields can share a term);
  its wdf is Whoosh's posting weight for it: the term frequency, times the field boost (titles count
  twice, as in Whoosh), so the numpy ranker computes the same BM25F on either backend. A term longer
  than Xapian's limit (245 bytes) is replaced by a hash of it (``X<field>:#<hex>``): exact look-ups
  (an id) still find it; a lexicon leaves it out.
- A scorable field's length in words (the sum of its term frequencies, Whoosh's field length) is the
  wdf of the term ``ZL<field>``, and the field's total over the index is that term's collection
  frequency: both read in one posting list, also from remote shards, where value streams cost a round
  trip per document, and both global over shards.
- The publication time is three terms: ``ZDD`` (days since 0001-01-01, plus one), ``ZDS`` (second of
  the day) and ``ZDU`` (microseconds), each with its number as wdf (a wdf holds 32 bits).
- A word-pair field (store/pairs.py) keeps Whoosh's layout: a few thousand bucket terms, the pair's
  24-bit hash as the posting's wdf (an integer, exact). Xapian has one posting per term and document,
  so a document's second, third ... pair in the same bucket goes to the bucket's overflow term
  ``<bucket>#1``, ``#2`` ...; a bucket's postings are read with its overflow terms. A term per pair
  instead would have put millions of terms in the lexicon.
- Stored fields are the document's data, pickled (a dict, as Whoosh's stored fields).
"""
from __future__ import annotations

import datetime as dt
import pickle
from hashlib import blake2b
from typing import Any

import xapian

from searchapp.store.pairs import PairKeys

MAX_TERM = 240  # bytes; Xapian refuses terms over 245
LENGTH = b"ZL"
DAYS, SECONDS, MICROS = b"ZDD", b"ZDS", b"ZDU"
_EPOCH = dt.datetime(1, 1, 1)


def prefix(field: str) -> bytes:
    return b"X" + field.encode("utf-8") + b":"


def term(field: str, text: str | bytes) -> bytes:
    raw = prefix(field) + (text if isinstance(text, bytes) else text.encode("utf-8"))
    if len(raw) > MAX_TERM:
        return prefix(field) + b"#" + blake2b(raw, digest_size=16).hexdigest().encode("ascii")
    return raw


def overflow(bucket_term: bytes, n: int) -> bytes:
    """A pair bucket's n-th overflow term (n >= 1)."""
    return bucket_term + b"#%d" % n


def date_value(when: dt.datetime) -> int:
    """A time as one sortable integer: microseconds since 0001-01-01 (UTC), plus a day (0: undated)."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    delta = when - _EPOCH
    return ((delta.days + 1) * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def date_of(raw: int) -> dt.datetime | None:
    if not raw:
        return None
    try:
        return _EPOCH + dt.timedelta(microseconds=raw) - dt.timedelta(days=1)
    except OverflowError:
        return None


def date_parts(when: dt.datetime) -> tuple[int, int, int]:
    """(days + 1, second of the day, microseconds): the wdfs of the date terms."""
    raw = date_value(when)
    seconds, micros = divmod(raw, 1_000_000)
    days, second = divmod(seconds, 86400)
    return days, second, micros


def xapian_document(fields: dict[str, Any], schema) -> xapian.Document:
    """One index document (as schema.article_documents gives it) as a Xapian document. Raises, before
    anything is written anywhere, for a field the schema lacks or a value it cannot index."""
    doc = xapian.Document()
    stored: dict[str, Any] = {}
    for name in sorted(n for n in fields if not n.startswith("_")):
        value = fields[name]
        if value is None:
            continue
        field = schema[name]
        if field.indexed:
            if isinstance(value, PairKeys):
                seen: dict[bytes, int] = {}
                for bucket, weight in value:
                    t = term(name, bucket)
                    n = seen.get(t, 0)
                    seen[t] = n + 1
                    doc.add_term(overflow(t, n) if n else t, int(weight))
            else:
                length = 0
                for tbytes, freq, weight, _ in field.index(value):
                    doc.add_term(term(name, tbytes), int(round(weight)))
                    length += freq
                if field.scorable and length:
                    doc.add_term(LENGTH + name.encode("ascii"), length)
        if name == "published" and isinstance(value, dt.datetime):
            for t, n in zip((DAYS, SECONDS, MICROS), date_parts(value)):
                doc.add_term(t, n)
        if field.stored:
            stored[name] = fields.get("_stored_" + name, value)
    doc.set_data(pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    return doc


def route(fields: dict[str, Any], shards: int) -> int:
    """The shard of an index document: by a stable hash of its article's id (a quote follows its
    article, so an article and its quotes are deleted and replaced on one shard)."""
    return shard_of(fields.get("parent") or fields.get("id") or "", shards)


def shard_of(article_id: str, shards: int) -> int:
    if shards <= 1:
        return 0
    return int.from_bytes(blake2b(article_id.encode("utf-8"), digest_size=8).digest(), "big") % shards


def stored_of(doc: xapian.Document) -> dict[str, Any]:
    data = doc.get_data()
    return pickle.loads(data) if data else {}
