"""Memory-mapped index files without Whoosh's copy of each.

Whoosh memory-maps a segment and hands out each file in it as a `BufferFile`, whose constructor
copies the whole file into a BytesIO for stream reads (``read``/``seek``), though the search reads
them by position (``get``) from the map. The first hit's stored fields copied every article's
(tens of MB on Reuters), each searcher again: a search process on Reuters peaked at 442 MB, 169 MB
without the copies. Here stream reads move a cursor over the map, and nothing is copied. Reading the files
instead of mapping them saves the memory too, but made every term lookup a seek and a read
(the archive's tables built at each commit took 40% longer).

Installed into Whoosh's compound storage when the Whoosh backend is imported (whoosh-reloaded is
pinned at 2.7.5, whose `CompoundStorage.open_file` makes its BufferFile through this module name).
"""
from __future__ import annotations

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class MappedFile(BufferFile):
    """A file of a mapped segment read in place: by position (``get``) as Whoosh's own does, and as
    a stream (``seek``, ``read``, what a posting list's header and block headers are read with)
    through a cursor over the map. Whoosh copies the whole file into a BytesIO for its stream; a
    first stream access copied it here too, so that building the tables of a 1M-article index
    (which reads every name's postings, mapped) copied the postings file: 2.5 GB in the build's
    largest process instead of 1.3."""

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self._pos = 0
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property
    def file(self):  # what StructFile hands to pickle.load: this file, read through the cursor
        return self

    def read(self, n=-1):
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readline(self, size=-1):
        start = end = self._pos
        stop = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        while end < stop:
            chunk = bytes(self._buf[end:min(stop, end + 256)])
            nl = chunk.find(b"\n")
            if nl >= 0:
                end += nl + 1
                break
            end += len(chunk)
        self._pos = end
        return bytes(self._buf[start:end])

    def seek(self, offset, whence=0):
        base = 0 if whence == 0 else self._pos if whence == 1 else len(self._buf)
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    def write(self, *args, **kwargs):
        raise OSError(f"{self._name}: a mapped index file is read-only")

    def close(self):
        if self.is_closed:
            raise Exception("This file is already closed")
        if self.onclose:
            self.onclose(self)
        self.is_closed = True


compound.BufferFile = MappedFile
