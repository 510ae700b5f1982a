"""JSON lines: one article per line, with the Article's field names (the `extract` output reads back).

Reading is per record: whatever is wrong with one line (not UTF-8, not JSON, nested past what a
parser can follow, a wrong type, a date out of range) is reported once with its file, line and
reason, and the next line is read as if nothing happened.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from searchapp.article import Article
from searchapp.readers import Skipped, open_regular, printable
from searchapp.readers.compressed import open_input
from searchapp.readers.ids import url_id
from searchapp.readers.limits import MAX_ARTICLE_BYTES


# A large file is read as several ranges, which go to several processes. Small enough that the
# last range leaves no core idle for long (8 MiB ranges split Reuters 8+8+3.5: one worker did 60%).
CHUNK_BYTES = 1 << 20


def split(path: Path, chunk: int = CHUNK_BYTES) -> list[tuple[int, int, int]]:
    """Cut a file into (start byte, end byte, first line number) ranges that end at line breaks.
    Only a regular file is opened (ReadError otherwise: a FIFO would block here forever)."""
    ranges = []
    start, line = 0, 1
    with open_regular(path) as f:
        size = f.seek(0, 2)
        while start < size:
            f.seek(start + chunk)
            tail = _skip_line(f) if start + chunk < size else 0
            end = min(size, start + chunk + tail)
            f.seek(start)
            lines = sum(block.count(b"\n") for block in _blocks(f, end - start))
            ranges.append((start, end, line))
            start, line = end, line + lines
    return ranges


def _skip_line(f) -> int:
    """Read to the end of the current line, in bounded pieces (a line may be gigabytes): its length."""
    n = 0
    while piece := f.readline(1 << 20):
        n += len(piece)
        if piece.endswith(b"\n"):
            break
    return n


def _blocks(f, size: int) -> Iterator[bytes]:
    while size > 0 and (block := f.read(min(size, 1 << 20))):
        size -= len(block)
        yield block


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read(path: Path, start: int = 0, end: int | None = None, first_line: int = 1,
         name: str | None = None) -> Iterator[Article | Skipped]:
    """Articles of the whole file (plain or compressed), or of the byte range [start, end) that begins at
    line ``first_line``. A line without an id takes its URL, else ``name`` (the file's, see
    `searchapp.readers.ids`; default its stem) and its line number."""
    base = printable(path.stem) if name is None else name
    name = printable(str(path))
    with open_input(path) as f:
        f.seek(start)
        lineno = first_line - 1
        while end is None or f.tell() < end:
            line = f.readline(MAX_ARTICLE_BYTES + 1)
            if not line:
                break
            lineno += 1
            where = f"{name}:{lineno}"
            if len(line) > MAX_ARTICLE_BYTES and not line.endswith(b"\n"):
                _skip_line(f)  # the rest of the oversized line, never held
                yield Skipped(where, f"line longer than the {MAX_ARTICLE_BYTES // (1 << 20)} MiB article limit")
                continue
            if not line.strip():
                continue
            try:
                article = parse_line(line, default_id=f"{base}-{lineno}")
            except ValueError as e:
                yield Skipped(where, str(e))
                continue
            except Exception as e:  # a bug here must cost this line, not the rest of the file
                yield Skipped(where, f"invalid article: {type(e).__name__}: {e}")
                continue
            article.origin = where
            if not article.path:
                article.path = name
            yield article


def parse_line(line: bytes, default_id: str) -> Article:
    """One JSON line -> Article; ValueError with the true reason for anything wrong with it."""
    try:
        data = json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as e:
        raise ValueError(f"line is not UTF-8 (byte 0x{line[e.start]:02x} at byte {e.start + 1})") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply to read (more than about 1,000 levels)") from None
    except ValueError as e:  # NaN/Infinity, or an integer of thousands of digits
        raise ValueError(f"invalid JSON: {e}") from None
    if isinstance(data, dict) and data.get("id") in (None, ""):
        url = data.get("url")
        data = {**data, "id": (url_id(url) if isinstance(url, str) else "") or default_id}
    try:
        return Article.from_json(data)
    except RecursionError:
        raise ValueError("invalid article: nested too deeply") from None
    except ValueError as e:
        raise ValueError(f"invalid article: {e}") from None
