"""The one table of exit codes every ``briefing`` command uses.

The library records them (the nightly run summary keeps the code a run ended with); only
the CLI exits with them.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a ``briefing`` process's exit status means."""

    OK = 0
    """Everything asked for was done."""
    PARTIAL = 1
    """Done, but not all good: some articles failed (each one recorded), an evaluation gate
    was missed, or a checked briefing has unsupported claims."""
    USAGE = 2
    """Usage, configuration, input or model-availability error; nothing was processed."""
    RUN_ACTIVE = 3
    """Another nightly run holds the lock (this one did nothing), or another process kept the
    state database locked past its busy timeout (work finished before is kept)."""
    INTERNAL = 4
    """An unexpected error (a bug) or a broken environment (disk full, read-only output);
    work finished before it is kept."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""

