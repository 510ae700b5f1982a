"""One writer per index: a POSIX record lock (`lockf`) on ``<index>/.lock`` holding the writer's PID.

The kernel releases the lock when its process dies, even by `kill -9`, so a lock file left behind by
a killed writer is never mistaken for a live one: the next writer takes it and says so. Record locks
(unlike `flock`) are not inherited by forked worker processes, so an orphaned worker cannot keep an
index locked after its parent was killed.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class IndexBusy(Exception):
    """Another process holds the index's write lock."""


class WriteLock:
    def __init__(self, root: Path):
        self.path = Path(root) / ".lock"
        self._fd: int | None = None
        self.stale_pid: int | None = None  # set when we cleared a lock a dead writer left

    def acquire(self) -> "WriteLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            pid = _read_pid(fd)
            os.close(fd)
            who = f"PID {pid}" if pid else "another process"
            raise IndexBusy(f"index {self.path.parent} is being updated by {who}; try again when it finishes") from None
        previous = _read_pid(fd)
        if previous and previous != os.getpid():
            self.stale_pid = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriteLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
