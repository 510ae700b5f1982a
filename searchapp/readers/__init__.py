"""Readers turn files into Articles. One module per format, chosen by file suffix.

Readers know nothing of enrichment or the index. A file that cannot be read at all raises
`ReadError`; a bad record inside a readable file (a broken JSON line, say) is yielded as a
`Skipped` so the good records around it still arrive.
"""
from __future__ import annotations

from dataclasses import dataclass


class ReadError(Exception):
    """A whole file could not be read; the message says why."""


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not read, and why. ``where`` is the path, plus ``:line`` for a record."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
