"""JSON lines: one article per line, with the Article's field names (the `extract` output reads back)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from searchapp.article import Article
from searchapp.readers import Skipped
from searchapp.readers.limits import MAX_ARTICLE_BYTES


# A large file is read as several ranges, which go to several processes. Small enough that the
# last range leaves no core idle for long (8 MiB ranges split Reuters 8+8+3.5: one worker did 60%).
CHUNK_BYTES = 1 << 20


def split(path: Path, chunk: int = CHUNK_BYTES) -> list[tuple[int, int, int]]:
    """Cut a file into (start byte, end byte, first line number) ranges that end at line breaks."""
    ranges = []
    start, line = 0, 1
    size = path.stat().st_size
    with open(path, "rb") as f:
        while start < size:
            f.seek(start + chunk)
            tail = f.readline() if start + chunk < size else b""
            end = min(size, start + chunk + len(tail))
            f.seek(start)
            lines = f.read(end - start).count(b"\n")
            ranges.append((start, end, line))
            start, line = end, line + lines
    return ranges


def read(path: Path, start: int = 0, end: int | None = None, first_line: int = 1) -> Iterator[Article | Skipped]:
    """Articles of the whole file, or of the byte range [start, end) that begins at line ``first_line``."""
    with open(path, "rb") as f:
        f.seek(start)
        lineno = first_line - 1
        while end is None or f.tell() < end:
            line = f.readline(MAX_ARTICLE_BYTES + 1)
            if not line:
                break
            lineno += 1
            where = f"{path}:{lineno}"
            if len(line) > MAX_ARTICLE_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of the oversized line
                    line = f.readline(1 << 20)
                yield Skipped(where, f"line longer than the {MAX_ARTICLE_BYTES // (1 << 20)} MiB article limit")
                continue
            if not line.strip():
                continue
            try:
                data = json.loads(line.decode("utf-8"))
                if isinstance(data, dict) and not data.get("id"):
                    data = {**data, "id": f"{path.stem}-{lineno}"}
                article = Article.from_json(data)
            except UnicodeDecodeError:
                yield Skipped(where, "line is not UTF-8")
                continue
            except json.JSONDecodeError as e:
                yield Skipped(where, f"invalid JSON: {e.msg} at column {e.colno}")
                continue
            except (ValueError, TypeError, KeyError) as e:
                yield Skipped(where, f"invalid article: {e}")
                continue
            if not article.path:
                article.path = str(path)
            yield article
