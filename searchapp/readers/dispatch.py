"""Walk paths, pick a reader by suffix or content, and turn every failure into a reported `Skipped`."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchapp.article import Article, check_article
from searchapp.readers import ReadError, Skipped, not_regular, printable
from searchapp.readers.compressed import ERRORS as COMPRESSION_ERRORS, is_compressed, open_input
from searchapp.readers.ids import COMPRESSED, local_name, strip_suffixes
from searchapp.readers.jsonl import split as jsonl_split
from searchapp.readers.limits import MAX_ARTICLE_BYTES


def _reader(fmt: str) -> Callable[..., Iterable[Article | Skipped]] | None:
    # Imported lazily so that reading plain text does not pay for BeautifulSoup's import.
    if fmt == "txt":
        from searchapp.readers import text
        return text.read
    if fmt == "html":
        from searchapp.readers import html
        return html.read
    if fmt == "sgm":
        from searchapp.readers import reuters
        return reuters.read
    if fmt == "jsonl":
        from searchapp.readers import jsonl
        return jsonl.read
    if fmt == "warc":
        from searchapp.readers import warc
        return warc.read
    return None


FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".xhtml": "html", ".sgm": "sgm",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".warc": "warc"}
SUFFIXES = tuple(FORMATS)
# Formats read as a whole must fit the article limit; these stream record by record.
STREAMED = ("sgm", "jsonl", "warc")
# Readers that take the file's name for the ids of articles that name no URL.
_NAMED = ("txt", "html", "jsonl")


class NotRead(Skipped):
    """A file a folder walk passed over (not an article format, or a file already read under another
    name): reported, but not a failure: the exit code stays 0 for it, as for a folder's README."""


def format_of(path: Path) -> str | None:
    """The reader for ``path``: by its suffix under any compression suffix (``x.html.gz`` is html),
    else by its first bytes, decompressed if they say so (a gzipped page named ``x.dat``). None when
    neither says. Raises OSError or ReadError when the file cannot be opened."""
    fmt = FORMATS.get(Path(strip_suffixes(path.name, ())).suffix.lower())
    if fmt:
        return fmt
    with open_input(path) as f:
        head = f.read(1024)
    return _sniff(head)


def _sniff(head: bytes) -> str | None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:256].lower()
    if start.startswith(b"warc/1."):
        return "warc"
    if start.startswith((b"<!doctype html", b"<html", b"<head")) or (start.startswith(b"<?xml") and b"<html" in start):
        return "html"
    if start.startswith((b"<!doctype lewis", b"<reuters")):
        return "sgm"
    return None


def walk(paths: Iterable[str | os.PathLike]) -> Iterator[Task | Skipped]:
    """The files under ``paths`` to read, in a stable order, each as a `Task` that knows its format and
    its name (its path relative to the path given, for ids). Directories recurse (symlinked directories
    are not followed, so loops cannot trap the walk). A file reached twice (named twice, or inside a
    folder also named) is read once. Inside a folder, a file that is no article format is reported
    as `NotRead`; named explicitly, as `Skipped`."""
    seen: dict[tuple[int, int], str] = {}
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
                    yield _task(Path(root) / name, path, seen, named=False)
            for e in errors:
                yield Skipped(str(e.filename or path), e.strerror or str(e))
        elif path.exists():
            yield _task(path, path, seen, named=True)
        elif path.is_symlink():
            yield Skipped(str(path), "broken symbolic link")
        else:
            yield Skipped(str(path), "no such file or directory")


def _task(path: Path, root: Path, seen: dict[tuple[int, int], str], named: bool) -> Task | Skipped:
    """What to do with one file. A FIFO, device or socket named like an article is refused before
    anything opens it (opening a FIFO waits for a writer, with the index's write lock held). What goes
    wrong with a file of no article suffix inside a folder is reported as `NotRead`."""
    by_suffix = FORMATS.get(Path(strip_suffixes(path.name, ())).suffix.lower())
    report = Skipped if named or by_suffix else NotRead
    try:
        st = path.stat()
        why = not_regular(st.st_mode)
        if why:
            return report(str(path), why)
        first = seen.get((st.st_dev, st.st_ino))
        if first is not None:
            return NotRead(str(path), f"the same file as {printable(first)}, read once")
        seen[st.st_dev, st.st_ino] = str(path)
        fmt = by_suffix or (format_of(path) if st.st_size else None)
    except ReadError as e:
        return report(str(path), str(e))
    except OSError as e:
        return report(str(path), e.strerror or str(e))
    except COMPRESSION_ERRORS as e:
        return report(str(path), f"corrupt compressed data: {e}")
    if fmt is None:
        what = f"unsupported file type {path.suffix or '(none)'!r}; its content is no article format either"
        if not named:
            return NotRead(str(path), what)
        return Skipped(str(path), f"{what}; expected one of {', '.join(SUFFIXES)}, "
                                  f"or any of them compressed ({', '.join(COMPRESSED)})")
    return Task(path, local_name(path, root, SUFFIXES), fmt)


@dataclass(frozen=True)
class Task:
    """A unit of reading work: a file, or a byte range of a large JSON-lines file. ``name`` is the id
    base of its articles that name no URL (`searchapp.readers.ids.local_name`), ``format`` its reader.

    ``enriched``: its records were enriched already (JSON lines written by `searchapp.cluster`) and are
    indexed as they are; ``source`` is then the input file they were read from, which reports name.
    Plain ``.jsonl`` input is never taken as enriched: it goes through enrichment like any other."""

    path: Path
    name: str = ""
    format: str = ""
    start: int = 0
    end: int | None = None
    first_line: int = 1
    enriched: bool = False
    source: str = ""

    @property
    def size(self) -> int:
        if self.end is not None:
            return self.end - self.start
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


def plan(paths: Iterable[str | os.PathLike]) -> Iterator[Task | Skipped]:
    """The reading tasks for ``paths``, in walk order; large JSON-lines files are split in ranges
    (compressed ones cannot be entered in the middle: they are read whole)."""
    for item in walk(paths):
        if isinstance(item, Skipped) or item.format != "jsonl":
            yield item
        else:
            yield from split_task(item)


def split_task(task: Task) -> list[Task | Skipped]:
    """A JSON-lines task as ranges of about `searchapp.readers.jsonl.CHUNK_BYTES`, so that several
    processes share a large file (a compressed one is read whole); its other fields are kept."""
    try:
        ranges = [] if is_compressed(task.path) else jsonl_split(task.path)
    except ReadError as e:
        return [Skipped(str(task.path), str(e))]
    except OSError as e:
        return [Skipped(str(task.path), e.strerror or str(e))]
    if len(ranges) <= 1:
        return [task]
    return [dataclasses.replace(task, start=start, end=end, first_line=line) for start, end, line in ranges]


def read_task(task: Task) -> Iterator[Article | Skipped]:
    ranges = {} if task.end is None else {"start": task.start, "end": task.end, "first_line": task.first_line}
    return read_file(task.path, name=task.name, format=task.format, **ranges)


def read_file(path: Path, *, name: str | None = None, format: str | None = None,
              **range_args) -> Iterator[Article | Skipped]:
    """One file's articles; never raises: whatever goes wrong becomes a `Skipped` naming the file
    (and the line or record). Every article passes `check_article` and knows where it was read.
    ``format`` and ``name`` as in `Task` (by default from the file itself)."""
    try:
        why = not_regular(path.stat().st_mode)
        if why:
            yield Skipped(str(path), why)
            return
        size = path.stat().st_size
        if size == 0:
            yield Skipped(str(path), "empty file")
            return
        format = format or format_of(path)
        reader = _reader(format or "")
        if reader is None:
            yield Skipped(str(path), f"unsupported file type {path.suffix.lower()!r}")
            return
        if format not in STREAMED and size > MAX_ARTICLE_BYTES:
            yield Skipped(str(path), f"file is {size / (1 << 20):.0f} MiB, over the "
                          f"{MAX_ARTICLE_BYTES >> 20} MiB article limit")
            return
        if format in _NAMED and name is not None:
            range_args["name"] = name
        for item in reader(path, **range_args):
            if isinstance(item, Article):
                item = _checked(item, path)
            yield item
    except ReadError as e:
        yield Skipped(str(path), str(e))
    except PermissionError:
        yield Skipped(str(path), "permission denied")
    except OSError as e:  # gzip.BadGzipFile too
        yield Skipped(str(path), e.strerror or str(e))
    except COMPRESSION_ERRORS as e:
        yield Skipped(str(path), f"corrupt or truncated compressed data: {e or type(e).__name__}")
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
            yield from read_task(item)
