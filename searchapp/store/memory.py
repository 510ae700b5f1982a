"""Giving freed memory back to the system between the steps of a commit.

The archive's steps after a rebuild's commit (identities, duplicate groups, search tables) run one
after another in the build's parent process. What one step frees stays with the process in the C
allocator's free lists, and the next step's mapped index pages come on top of it: at 1M articles the
tables step began where the duplicate groups had left the process. ``malloc_trim`` (glibc) returns
those free pages; elsewhere this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc


def _trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _trim()


def release() -> None:
    """Collect garbage, then give the allocator's free pages back to the system where it can."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
