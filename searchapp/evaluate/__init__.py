"""Evaluations of searchapp components against shared benchmarks."""
