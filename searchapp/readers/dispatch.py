"""Walk paths, pick a reader by suffix, and turn every failure into a reported `Skipped`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchapp.article import Article, check_article
from searchapp.readers import ReadError, Skipped, not_regular, printable
from searchapp.readers.jsonl import split as jsonl_split
from searchapp.readers.limits import MAX_ARTICLE_BYTES


def _reader(suffix: str) -> Callable[[Path], Iterable[Article | Skipped]] | None:
    # Imported lazily so that reading plain text does not pay for BeautifulSoup's import.
    if suffix == ".txt":
        from searchapp.readers import text
        return text.read
    if suffix in (".html", ".htm", ".xhtml"):
        from searchapp.readers import html
        return html.read
    if suffix == ".sgm":
        from searchapp.readers import reuters
        return reuters.read
    if suffix in (".jsonl", ".ndjson"):
        from searchapp.readers import jsonl
        return jsonl.read
    return None


SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".sgm", ".jsonl", ".ndjson")
# Formats read as a whole must fit the article limit; these stream record by record.
STREAMED = (".sgm", ".jsonl", ".ndjson")


def walk(paths: Iterable[str | os.PathLike]) -> Iterator[Path | Skipped]:
    """Files under ``paths`` in a stable order. Directories recurse (symlinked directories are not
    followed, so loops cannot trap the walk); files of unknown type inside a directory are passed
    over silently, but a file named explicitly with an unknown type is reported."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            errors: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=errors.append):
                while errors:
                    e = errors.pop()
                    yield Skipped(str(e.filename or root), e.strerror or str(e))
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in SUFFIXES:
                        yield _regular(child)
            for e in errors:
                yield Skipped(str(e.filename or path), e.strerror or str(e))
        elif path.exists():
            if path.suffix.lower() in SUFFIXES:
                yield _regular(path)
            else:
                yield Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                              f"expected one of {', '.join(SUFFIXES)}")
        elif path.is_symlink():
            yield Skipped(str(path), "broken symbolic link")
        else:
            yield Skipped(str(path), "no such file or directory")


def _regular(path: Path) -> Path | Skipped:
    """``path`` if it is a regular file: a FIFO, device or socket named like an article is refused
    before anything opens it (opening a FIFO waits for a writer, with the index's write lock held)."""
    try:
        why = not_regular(path.stat().st_mode)
    except OSError as e:
        return Skipped(str(path), e.strerror or str(e))
    return Skipped(str(path), why) if why else path


@dataclass(frozen=True)
class Task:
    """A unit of reading work: a file, or a byte range of a large JSON-lines file."""

    path: Path
    start: int = 0
    end: int | None = None
    first_line: int = 1

    @property
    def size(self) -> int:
        if self.end is not None:
            return self.end - self.start
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


def plan(paths: Iterable[str | os.PathLike]) -> Iterator[Task | Skipped]:
    """The reading tasks for ``paths``, in walk order; large JSON-lines files are split in ranges."""
    for item in walk(paths):
        if isinstance(item, Skipped):
            yield item
        elif item.suffix.lower() in (".jsonl", ".ndjson"):
            try:
                ranges = jsonl_split(item)
            except ReadError as e:
                yield Skipped(str(item), str(e))
                continue
            except OSError as e:
                yield Skipped(str(item), e.strerror or str(e))
                continue
            if len(ranges) <= 1:
                yield Task(item)
            else:
                yield from (Task(item, start, end, line) for start, end, line in ranges)
        else:
            yield Task(item)


def read_task(task: Task) -> Iterator[Article | Skipped]:
    if task.end is None:
        return read_file(task.path)
    return read_file(task.path, start=task.start, end=task.end, first_line=task.first_line)


def read_file(path: Path, **range_args) -> Iterator[Article | Skipped]:
    """One file's articles; never raises: whatever goes wrong becomes a `Skipped` naming the file
    (and the line or record). Every article passes `check_article` and knows where it was read."""
    suffix = path.suffix.lower()
    reader = _reader(suffix)
    if reader is None:
        yield Skipped(str(path), f"unsupported file type {suffix!r}")
        return
    try:
        why = not_regular(path.stat().st_mode)
        if why:
            yield Skipped(str(path), why)
            return
        size = path.stat().st_size
        if size == 0:
            yield Skipped(str(path), "empty file")
            return
        if suffix not in STREAMED and size > MAX_ARTICLE_BYTES:
            yield Skipped(str(path), f"file is {size / (1 << 20):.0f} MiB, over the "
                          f"{MAX_ARTICLE_BYTES >> 20} MiB article limit")
            return
        for item in reader(path, **range_args):
            if isinstance(item, Article):
                item = _checked(item, path)
            yield item
    except ReadError as e:
        yield Skipped(str(path), str(e))
    except PermissionError:
        yield Skipped(str(path), "permission denied")
    except OSError as e:
        yield Skipped(str(path), e.strerror or str(e))
    except RecursionError:
        yield Skipped(str(path), "markup nested too deeply to parse")
    except Exception as e:  # a reader bug must not stop the build; report it with the file
        yield Skipped(str(path), f"reader failed: {type(e).__name__}: {e}")


def _checked(article: Article, path: Path) -> Article | Skipped:
    article.origin = article.origin or printable(str(path))
    if len(article.body) > MAX_ARTICLE_BYTES:
        return Skipped(f"{article.origin}#{article.id}", f"article body over the {MAX_ARTICLE_BYTES >> 20} MiB limit")
    try:
        return check_article(article)
    except ValueError as e:
        return Skipped(article.origin, f"invalid article: {e}")


def read_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Article | Skipped]:
    for item in walk(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item)
