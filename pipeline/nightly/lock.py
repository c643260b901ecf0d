"""One nightly run at a time: an OS file lock that dies with its process.

The lock is ``flock(2)`` on a file (via filelock). The kernel releases it when the holder
exits for any reason, ``kill -9`` included, so there are no stale locks to clean up. A
second run does not wait: it refuses at once with :class:`RunActiveError` (exit code 3).

The owner file next to the lock (``<lock>.owner``) is written when the lock is taken and
removed when it is released, whatever ended the run. Found at the next start, it says that
the previous run died without releasing it (``kill -9``, an OOM killer, a systemd stop, a
segfault): :attr:`RunLock.previous_run_died`. Removing a file needs no space, so a run
stopped by a full disk is not mistaken for one that was killed.

A file lock guards one machine. With a server database shared by several hosts, point
``nightly.lock_path`` at a filesystem they share that supports ``flock`` (or run the job
from one host only). Filesystems without ``flock`` are refused rather than silently given a
lock that a crash would leave behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.core.errors import BriefingError, RunActiveError


class RunLock:
    """Context manager holding the single-run lock.

    Args:
        path: the lock file; ``<path>.owner`` records who holds it, for the refusal message.
        night: recorded in the owner file.
    """

    def __init__(self, path: Path, *, night: str = ""):
        self.path = Path(path)
        self.owner_path = self.path.with_name(self.path.name + ".owner")
        self.night = night
        self.previous_run_died = False
        """Set by :meth:`acquire`: the previous holder ended without releasing the lock."""
        self._lock: FileLock | None = None

    def acquire(self) -> None:
        """Take the lock or refuse.

        Raises:
            RunActiveError: another run holds it.
            BriefingError: the lock file cannot be created.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path), timeout=0, fallback_to_soft=False, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise RunActiveError(self._refusal()) from None
        except OSError as exc:
            raise BriefingError(f"cannot create the run lock {self.path}: {exc.strerror or exc}; "
                                "set nightly.lock_path to a local file") from None
        self._lock = lock
        self.previous_run_died = self.owner_path.exists()
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "night": self.night,
                 "since": datetime.now(UTC).isoformat(timespec="seconds")}
        with contextlib.suppress(OSError):  # for the refusal message and the next run
            self.owner_path.write_text(json.dumps(owner) + "\n", encoding="utf-8")

    def release(self) -> None:
        """Remove the owner file and release the lock."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self.owner_path.unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def _refusal(self) -> str:
        who = "another process"
        try:
            owner = json.loads(self.owner_path.read_text(encoding="utf-8"))
            who = (f"process {owner.get('pid')} on {owner.get('host')} (night "
                   f"{owner.get('night')}, since {owner.get('since')})")
        except (OSError, ValueError):
            pass
        return (f"another nightly run is active: {who} holds {self.path}; this run did "
                "nothing. Wait for it to finish (or stop it) and run again")

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
