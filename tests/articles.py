"""Small article files written by the tests themselves."""
from __future__ import annotations

from pathlib import Path


def write_text_article(folder: Path, name: str, title: str, body: str) -> Path:
    """A plain-text article (title line, blank line, body) at ``folder/name``."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path
