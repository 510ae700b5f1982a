"""Readers turn files into Articles. One module per format, chosen by file suffix.

Readers know nothing of enrichment or the index. A file that cannot be read at all raises
`ReadError`; a bad record inside a readable file (a broken JSON line, say) is yielded as a
`Skipped` so the good records around it still arrive.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import BinaryIO


class ReadError(Exception):
    """A whole file could not be read; the message says why."""


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not read, and why. ``where`` is the path, plus ``:line`` for a record.

    Both are made printable on one line (see `printable`): a file name may hold any byte but "/"."""

    where: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", printable(self.where))
        object.__setattr__(self, "reason", printable(self.reason))

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match) -> str:
    char = m.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (Python's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code >= 0xD800:  # a lone surrogate (JSON can spell one): not text, cannot be encoded
        return f"\\u{code:04x}"
    return _CONTROL_NAMES.get(char, f"\\x{code:02x}")


def printable(text: str) -> str:
    """``text`` as one line of valid Unicode, for reports and for ids made of file names: the bytes of
    a file name that is not UTF-8 as ``\\xff``, other lone surrogates as ``\\ud800``, control
    characters (a newline in a file name) as ``\\n`` or ``\\x1b``."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` must not be read ("not a regular file (a FIFO)"), or None.
    A FIFO or a device can block an open or a read forever, or never end."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return f"not a regular file ({kind})"


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open ``path`` for reading in binary, only if it is a regular file (ReadError otherwise).

    Opened non-blocking, so that a FIFO put in place of a file answers at once instead of waiting for
    a writer (with the index's write lock held); the check is on the opened file itself."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        why = not_regular(os.fstat(fd).st_mode)
        if why:
            raise ReadError(why)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
