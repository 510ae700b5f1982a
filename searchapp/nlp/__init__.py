"""Enrichment: the language work done on an Article between reading and indexing."""
