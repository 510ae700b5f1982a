"""Bytes -> text for readers: refuse empty and binary input, honour a byte order mark, prefer valid
UTF-8, then a charset the document declares, then cp1252 (what browsers do with latin-1 and
undeclared pages), then latin-1, which maps every byte."""
from __future__ import annotations

import codecs

from searchapp.readers import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control bytes that do not occur in text (TAB, LF, FF, CR and ESC are allowed).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_BINARY_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media"),
)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode article bytes. ``declared`` (a charset named by the document) is tried after UTF-8,
    because pages often declare one encoding and are written in another. Raises ReadError for empty
    or binary input."""
    if not data or not data.strip():
        raise ReadError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise ReadError(f"not valid {encoding} after its byte order mark") from None
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ReadError(f"binary content ({what}), not text")
    sample = data[:65536]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        try:
            return _text(data.decode(utf16))
        except UnicodeDecodeError:
            pass
    # A stray NUL or control byte is damage in a text file; a text file has few of them.
    if len(sample.translate(None, delete=_BINARY_BYTES)) < 0.97 * len(sample):
        raise ReadError("binary content (NUL or control bytes), not text")
    for encoding in ("utf-8", declared, "cp1252"):
        if encoding:
            try:
                return _text(data.decode(encoding))
            except (UnicodeDecodeError, LookupError):
                continue
    return _text(data.decode("latin-1"))  # cp1252 leaves 5 bytes undefined; latin-1 maps every byte


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le" or "-be" for UTF-16 text without a byte order mark: in text of the Latin, Greek or
    Cyrillic scripts most code units have a zero high byte, which is every other byte of the file."""
    n = len(sample) // 2 * 2
    if n < 8:
        return None
    even, odd = sample[0:n:2], sample[1:n:2]
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.7 * len(zeros) and other.count(0) <= 0.05 * len(other):
            return encoding
    return None


def _text(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text
