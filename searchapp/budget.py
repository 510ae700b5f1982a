"""Time budgets for the per-article work of indexing (main-text extraction, enrichment steps).

A step that runs over its budget is interrupted, and the article is indexed without what that step
would have added; the report says so. The interruption is a SIGALRM timer, so it works where the
indexer runs that work: in the main thread of a process (the build's and add's worker processes, or
the command itself with one process). Anywhere else (a thread of the web app, a process that uses
SIGALRM itself) the block runs to its end, unbounded, as before, except in a thread that asked for
it (`interruptible_thread`: a Dask worker runs its tasks in a thread of its own), where a timer
thread raises the exception in it instead (the same check between bytecodes as for a signal).
Python checks for signals between bytecodes, so C code (a regular expression, lxml) is interrupted
when it returns: the readers bound the size of what they hand to such code (readers/limits.py),
which bounds that time too.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from typing import Iterator

# Per article and step (HTML main-text extraction, each enrichment step): a base plus a share per MiB
# of input. News articles take milliseconds a step; a 2.6 MB real page's extraction takes 0.1 s.
BASE_SECONDS = 1.0
SECONDS_PER_MIB = 2.0


def step_seconds(size: int) -> float:
    """The time budget of one step over ``size`` bytes (or characters) of input."""
    return BASE_SECONDS + SECONDS_PER_MIB * size / (1 << 20)


class OverBudget(Exception):
    """Raised inside a `time_limit` block when its time is up."""


def can_interrupt() -> bool:
    """True where `time_limit` can interrupt: the main thread, SIGALRM unused, no timer running."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0)


_thread = threading.local()


@contextlib.contextmanager
def interruptible_thread() -> Iterator[None]:
    """Within the block, `time_limit` interrupts this thread too, though it is not the main one."""
    _thread.interruptible = True
    try:
        yield
    finally:
        _thread.interruptible = False


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `OverBudget` inside the block once ``seconds`` have passed (see the module's notes on
    where this can interrupt; elsewhere, and with ``seconds`` None, the block is not limited)."""
    if seconds and not can_interrupt() and getattr(_thread, "interruptible", False):
        with _thread_limit(seconds):
            yield
        return
    if not seconds or not can_interrupt():
        yield
        return
    armed = [True]

    def expire(signum, frame):
        if armed[0]:  # not once the block has ended (the signal may arrive just after)
            raise OverBudget(f"over its {seconds:.3g} s budget")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def _thread_limit(seconds: float) -> Iterator[None]:
    """`time_limit` in a thread that is not the main one: a timer sets `OverBudget` as the thread's
    pending exception (PyThreadState_SetAsyncExc), raised at its next bytecode; a pending one that
    the block's end overtook is withdrawn."""
    target = threading.get_ident()
    message = f"over its {seconds:.3g} s budget"
    over = type("OverBudget", (OverBudget,), {"__init__": lambda self: OverBudget.__init__(self, message)})
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(over))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:  # raised here, it is the step's OverBudget still: it ran to its budget
            state["armed"] = False
        timer.cancel()
        if state["fired"]:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
