"""SIGTERM ends a run as Ctrl-C does: a ``KeyboardInterrupt`` in the main thread.

A service manager (systemd, Kubernetes) stops a process with SIGTERM. Python's default is to
die on the spot, with no message and no clean-up; with :func:`stop_on_sigterm` the command
unwinds instead, stops what it started (a local Ray), says "interrupted" and exits 130,
keeping every output finished before (each is written atomically).

Two libraries get in the way, and :func:`sigterm_handler` / :func:`restore_sigterm` put
things back around them: ``ray.init`` replaces the handler with its own (``sys.exit(15)``),
and then connecting the driver installs Ray's native crash handler for SIGTERM, which
prints a C++ stack and, if the signal lands while the driver is in native code, can abort
the process (exit -6). Code that may swallow the interrupt on its way up (Ray Data counts a
failing block as an error and goes on) can ask :func:`raise_if_terminated` afterwards.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

_terminated = threading.Event()


def _interrupt(signum: int, frame: Any) -> None:
    _terminated.set()
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Make SIGTERM raise ``KeyboardInterrupt`` in the main thread (elsewhere: nothing)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def sigterm_handler() -> Any:
    """The SIGTERM handler now in place (to give to :func:`restore_sigterm`)."""
    return signal.getsignal(signal.SIGTERM)


def restore_sigterm(previous: Any) -> None:
    """After a library changed SIGTERM's handling, put ``previous`` back.

    ``previous`` a Python function or ``SIG_IGN``: it is reinstalled. The default (or None,
    a handler set outside Python): the library's own Python handler stays, but is set again,
    so that Python, not a native crash handler installed since, receives the signal.
    Only the main thread can set handlers; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if callable(previous) or previous == signal.SIG_IGN:
        signal.signal(signal.SIGTERM, previous)
        return
    current = signal.getsignal(signal.SIGTERM)
    if current is not None:
        signal.signal(signal.SIGTERM, current)


def terminated() -> bool:
    """Whether SIGTERM arrived since :func:`stop_on_sigterm` (or the last :func:`reset`)."""
    return _terminated.is_set()


def raise_if_terminated() -> None:
    """Raise ``KeyboardInterrupt`` if SIGTERM arrived, even if something caught it since."""
    if _terminated.is_set():
        raise KeyboardInterrupt


def reset() -> None:
    """Forget an earlier SIGTERM (for a process that runs several jobs, and for tests)."""
    _terminated.clear()
