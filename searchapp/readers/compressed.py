"""Compressed input: gzip, bzip2 and xz around any format, recognised by their first bytes.

The suffix is not trusted either way: a ``.txt`` that is gzipped is read, and a ``.gz`` that is not is
read as it is. Readers read the decompressed stream, so every limit of `searchapp.readers.limits`
(the 8 MiB article, a record's size) applies to the decompressed bytes: a small bomb is refused when
its output passes the limit, never inflated whole.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zlib
from typing import BinaryIO

from searchapp.readers import open_regular

_MAGIC = ((b"\x1f\x8b", "gzip", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")), (b"BZh", "bzip2", bz2.BZ2File),
          (b"\xfd7zXZ\x00", "xz", lzma.LZMAFile))
# What a damaged or truncated compressed file raises while it is read (besides OSError).
ERRORS = (EOFError, zlib.error, lzma.LZMAError)


class _Decompressed:
    """A decompressing reader that also closes the file under it."""

    def __init__(self, stream, raw: BinaryIO):
        self._stream, self._raw = stream, raw

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def __iter__(self):
        return iter(self._stream)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._raw.close()


def compression(head: bytes) -> str | None:
    """"gzip", "bzip2" or "xz" for data that begins with ``head``; None for anything else."""
    return next((name for magic, name, _ in _MAGIC if head.startswith(magic)), None)


def open_input(path: str | os.PathLike) -> BinaryIO:
    """``path`` opened for reading (a regular file only, see `open_regular`), decompressed on the fly
    when its first bytes say it is compressed."""
    raw = open_regular(path)
    try:
        head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        for magic, _, opener in _MAGIC:
            if head.startswith(magic):
                return _Decompressed(opener(raw), raw)  # type: ignore[return-value]
        return raw
    except BaseException:
        raw.close()
        raise


def is_compressed(path: str | os.PathLike) -> bool:
    with open_regular(path) as f:
        return compression(f.read(6)) is not None
