"""The enrichment pipeline: small steps run in order over one Article, like Whoosh's analysis chain.

A step is any callable ``step(article) -> Article`` (it may change the article in place and return
it). Steps compose with ``|``::

    enrich = Pipeline([metadata_step]) | entities_step | quotes_step
    article = enrich(article)

Steps that load a model load it once, lazily, on first call, so building a pipeline is free and a
pipeline can be handed to worker processes.

The enrichment steps of `default_pipeline` are `Limited`: one article's step that fails, runs over
its time budget or gets a body over MAX_ENRICH_CHARS is left out for that article, which goes on
without it and says so in ``article.notes`` (the index report lists them).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterable

from searchapp.article import Article
from searchapp.budget import OverBudget, step_seconds, time_limit

Step = Callable[[Article], Article]
# Longer bodies are indexed without enrichment: entity and quote extraction grow faster than the text
# (on generated prose dense with names and quotes, 1.6 MB took 10 s and 31 s and 300 MB; 0.4 MB 1.3 s
# and 1.8 s), and news articles are rarely over 50 KB.
MAX_ENRICH_CHARS = 256 * 1024


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


class Limited:
    """A step run within limits: the article goes on without the step (noted in ``article.notes``) when
    the body is over ``max_chars``, when the step runs over its time budget (`budget.step_seconds`),
    or when it raises. Whatever the step changed before it stopped is undone."""

    def __init__(self, step: Step, max_chars: int = MAX_ENRICH_CHARS):
        self.step = step
        self.max_chars = max_chars
        self.name = getattr(step, "name", getattr(step, "__name__", type(step).__name__))

    def __call__(self, article: Article) -> Article:
        size = len(article.body)
        if size > self.max_chars:
            article.notes.append(f"{self.name} not extracted: the body has {size:,} characters, over the "
                                 f"{self.max_chars:,} enrichment limit")
            return article
        saved = {f.name: list(v) if isinstance(v := getattr(article, f.name), list) else v
                 for f in dataclasses.fields(article) if f.name != "notes"}
        try:
            with time_limit(step_seconds(size)):
                return self.step(article)
        except OverBudget as e:
            why = f"the step ran {e}"
        except Exception as e:  # an enrichment bug costs this step of this article, not the article
            why = f"the step failed: {type(e).__name__}: {e}"
        for name, value in saved.items():
            setattr(article, name, value)
        article.notes.append(f"{self.name} not extracted: {why}")
        return article

    def __repr__(self) -> str:
        return f"Limited({self.step!r})"


def warm_up(pipeline: Pipeline) -> None:
    """Run every step once on a small article, without limits: the models load now, not within the
    first article's time budget (where an interruption could leave one half loaded)."""
    article = Article(id="warm-up", title="Council approves plan",
                      body='OSLO (Reuters) - The council approved the plan, Anna Berg said. "It helps," she said.')
    for step in pipeline.steps:
        article = (step.step if isinstance(step, Limited) else step)(article)


def default_pipeline(enrich: bool = True) -> Pipeline:
    """metadata | entities | sources | quotes. ``enrich=False`` keeps only the cheap metadata step."""
    from searchapp.nlp.metadata import MetadataStep

    steps: list[Step] = [MetadataStep()]
    if enrich:
        from searchapp.nlp.entities import EntityStep
        from searchapp.nlp.quotes import QuoteStep
        from searchapp.nlp.sources import SourceStep

        steps += [Limited(EntityStep()), Limited(SourceStep()), Limited(QuoteStep())]
    return Pipeline(steps)
