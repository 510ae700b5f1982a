"""Quotes, reported speech and who said them: rules, and one small trained model for the reported
speech the rules miss; offline.

``extract_quotes(body, entities)`` finds the spans of ``body`` inside quote marks and attributes each
one to a speaker; ``QuoteStep`` is the pipeline step that fills ``article.quotes`` from
``article.body`` and ``article.entities`` (used when present; the package works without them).

The passes, each a module with its own tests:

``marks``        quote marks, the segments between them, scare quotes, the masked body
``candidates``   the people the article names: names, genders, roles, countries, parties
``phrases``      cues of saying and the noun phrases around them
``attribution``  after / before / inside the sentence, dash lines, next paragraph, introducing
                 sentence, and sharing an attribution between the parts of one quote
``coref``        the speaker's words -> one person (names, pronouns, role descriptions)
``reported``     reported speech: the rules' shapes, then what the model adds
``learned``      the reported-speech model (a CRF trained on PolNeAR train, ``train_reported``)
``extract``      runs them over one body; the pipeline step

Offsets: ``body[q.start:q.end] == q.text`` always holds, and so does ``body[m.start:m.end] ==
m.text`` for the mention. ``speaker`` is a canonical name within the article, ``mention`` the words
that named the speaker at this quote ("Russia’s top diplomat", "he"), ``cue`` the verb ("said").
"""
from searchapp.nlp.quotes.extract import QuoteStep, canonical_speakers, extract_quotes

__all__ = ["QuoteStep", "canonical_speakers", "extract_quotes"]
