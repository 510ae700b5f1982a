"""Memory-mapped index files without Whoosh's copy of each.

Whoosh memory-maps a segment and hands out each file in it as a `BufferFile`, whose constructor
copies the whole file into a BytesIO for stream reads (``read``/``seek``), though the search reads
them by position (``get``) from the map. The first hit's stored fields copied every article's
(tens of MB on Reuters), each searcher again: a search process on Reuters peaked at 442 MB, 169 MB
without the copies. Here the stream is made on first stream access only. Reading the files
instead of mapping them saves the memory too, but made every term lookup a seek and a read
(the archive's tables built at each commit took 40% longer).

Installed into Whoosh's compound storage when the Whoosh backend is imported (whoosh-reloaded is
pinned at 2.7.5, whose `CompoundStorage.open_file` makes its BufferFile through this module name).
"""
from __future__ import annotations

from io import BytesIO

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class MappedFile(BufferFile):
    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self._stream = None
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property
    def file(self):
        if self._stream is None:  # someone reads it as a stream: only now is it copied
            self._stream = BytesIO(self._buf)
        return self._stream

    def close(self):
        if self.is_closed:
            raise Exception("This file is already closed")
        if self.onclose:
            self.onclose(self)
        if self._stream is not None:
            self._stream.close()
        self.is_closed = True


compound.BufferFile = MappedFile
