"""Plain Whoosh, the peer that measurements compare searchapp with (`searchapp eval entities`)."""
from __future__ import annotations

import shutil
import tempfile
import time

from whoosh import fields, index

from searchapp.article import Article


def side_by_side(articles: list[Article], step) -> tuple[float, float]:
    """ms/article of plain Whoosh indexing (title, body, dateline; one writer) and of ``step``, timed
    back to back on the same articles, so that a busy machine slows both alike."""
    if not articles:
        return 0.0, 0.0
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), title=fields.TEXT(stored=True),
                           body=fields.TEXT(stored=True), dateline=fields.KEYWORD(stored=True))
    tmp = tempfile.mkdtemp(prefix="searchapp-eval-")
    try:
        ix = index.create_in(tmp, schema)
        t0 = time.perf_counter()
        writer = ix.writer()
        for a in articles:
            writer.add_document(id=a.id, title=a.title, body=a.body, dateline=a.dateline)
        writer.commit()
        whoosh_s = time.perf_counter() - t0
        ix.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    for a in articles:
        step(a)
    step_s = time.perf_counter() - t0
    return 1000 * whoosh_s / len(articles), 1000 * step_s / len(articles)
