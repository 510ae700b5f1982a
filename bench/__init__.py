"""Benchmarks: searchapp against SQLite FTS5, tantivy and plain Whoosh. See bench/README.md.

Run from the project root as modules, e.g. ``python -m bench.index --sizes reuters``.
"""
