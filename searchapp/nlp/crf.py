"""The trained models' taggers (python-crfsuite): one per model file and thread, opened once.

A crfsuite tagger keeps the sequence it last tagged, so threads (the web server's, a build's) must not
share one; opening a model costs a few hundred milliseconds, so each thread keeps its own."""
from __future__ import annotations

import threading
from pathlib import Path

_local = threading.local()


def tagger(path: str | Path):
    """The tagger of the model at ``path`` for this thread."""
    import pycrfsuite

    taggers = getattr(_local, "taggers", None)
    if taggers is None:
        taggers = _local.taggers = {}
    key = str(path)
    t = taggers.get(key)
    if t is None:
        t = taggers[key] = pycrfsuite.Tagger()
        t.open(key)
    return t


def forget() -> None:
    """Close this thread's taggers (after a model was retrained in place)."""
    _local.__dict__.pop("taggers", None)
