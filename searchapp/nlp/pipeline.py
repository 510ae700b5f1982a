"""The enrichment pipeline: small steps run in order over one Article, like Whoosh's analysis chain.

A step is any callable ``step(article) -> Article`` (it may change the article in place and return
it). Steps compose with ``|``::

    enrich = Pipeline([metadata_step]) | entities_step | quotes_step
    article = enrich(article)

Steps that load a model load it once, lazily, on first call, so building a pipeline is free and a
pipeline can be handed to worker processes.
"""
from __future__ import annotations

from typing import Callable, Iterable

from searchapp.article import Article

Step = Callable[[Article], Article]


class Pipeline:
    def __init__(self, steps: Iterable[Step] = ()):
        self.steps: list[Step] = list(steps)

    def __or__(self, step: Step) -> "Pipeline":
        return Pipeline(self.steps + [step])

    def __call__(self, article: Article) -> Article:
        for step in self.steps:
            article = step(article)
        return article

    @property
    def names(self) -> list[str]:
        return [getattr(s, "name", getattr(s, "__name__", type(s).__name__)) for s in self.steps]

    def __repr__(self) -> str:
        return f"Pipeline({' | '.join(self.names)})"


def default_pipeline(enrich: bool = True) -> Pipeline:
    """metadata | entities | sources | quotes. ``enrich=False`` keeps only the cheap metadata step."""
    from searchapp.nlp.metadata import MetadataStep

    steps: list[Step] = [MetadataStep()]
    if enrich:
        from searchapp.nlp.entities import EntityStep
        from searchapp.nlp.quotes import QuoteStep
        from searchapp.nlp.sources import SourceStep

        steps += [EntityStep(), SourceStep(), QuoteStep()]
    return Pipeline(steps)
