"""SIGTERM ends a command as Ctrl-C does (exit 130, "interrupted", finished work kept), and
a native library that took SIGTERM over (Ray's crash handler) gives it back.

Each test runs in its own Python process: a signal handler set here would be pytest's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

ENV = os.environ | {"PYTHONPATH": str(REPO)}


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=ENV, cwd=REPO, timeout=120)


# What a native library does when it installs its own SIGTERM handler behind Python's back
# (Ray's absl crash handler does it with sigaction): here libc's signal() with SIG_DFL, so
# that the signal, if it reaches it, ends the process as that handler's fallback does.
NATIVE_TAKEOVER = """
import ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
libc.signal.restype = ctypes.c_void_p
libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]

def take_over():
    libc.signal(signal.SIGTERM, 0)  # SIG_DFL, unknown to Python's own record
"""


def test_sigterm_raises_keyboard_interrupt_and_is_remembered():
    proc = _python("""
        import os, signal
        from pipeline.core import interrupt
        interrupt.stop_on_sigterm()
        assert not interrupt.terminated()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10**6):
                pass
            print("not interrupted")
        except KeyboardInterrupt:
            print("interrupted")
        try:
            interrupt.raise_if_terminated()  # whoever caught it since, this says so
        except KeyboardInterrupt:
            print("still interrupted")
        interrupt.reset()
        interrupt.raise_if_terminated()
        print("reset")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["interrupted", "still", "interrupted", "reset"]


@pytest.mark.parametrize("restore", [False, True])
def test_restore_takes_sigterm_back_from_a_native_handler(restore):
    """The library's Python handler (previous: the default) is set again over the native
    one; without that the signal never reaches Python."""
    proc = _python(NATIVE_TAKEOVER
                   + f"""
import os, sys
from pipeline.core.interrupt import restore_sigterm, sigterm_handler
previous = sigterm_handler()                                    # the default
signal.signal(signal.SIGTERM, lambda *_: sys.exit(15))          # the library's Python one
take_over()                                                     # and its native one
if {restore}:
    restore_sigterm(previous)
try:
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10**6):
        pass
except SystemExit:
    print("Python's handler ran")
""")
    if restore:
        assert proc.returncode == 0, proc.stderr
        assert "Python's handler ran" in proc.stdout
    else:
        assert proc.returncode == -signal.SIGTERM  # the test shows the takeover is real


def test_restore_puts_the_callers_handler_back():
    proc = _python(NATIVE_TAKEOVER
                   + """
import os, sys
from pipeline.core import interrupt
interrupt.stop_on_sigterm()                                     # the command's handler
previous = interrupt.sigterm_handler()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(15))          # a library replaces it
take_over()
interrupt.restore_sigterm(previous)
assert interrupt.sigterm_handler() is previous
try:
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10**6):
        pass
except KeyboardInterrupt:
    print("interrupted", interrupt.terminated())
""")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["interrupted", "True"]


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (``SigCgt`` in /proc/<pid>/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sigterm_ends_a_local_batch_with_exit_130_and_keeps_finished_work(tiny_model_dirs,
                                                                         tmp_path):
    marian, bart = tiny_model_dirs
    text = sorted((SAMPLES / "articles").glob("*.txt"))[0].read_text(encoding="utf-8")
    inputs = tmp_path / "many.jsonl"  # far more than can be briefed before the signal lands
    inputs.write_text("".join(json.dumps({"id": f"a{i:03d}", "text": text}) + "\n"
                              for i in range(300)), encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "batch", str(inputs), "--out", str(out),
         "--translator", str(marian), "--summarizer", str(bart),
         "--set", "runtime.offline=true"],
        env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        first = run.stderr.readline()  # "briefing 300 item(s) into …": the work has begun
        assert first.startswith("briefing 300 item(s)"), first
        assert _catches_sigterm(run.pid)
        run.terminate()
        stderr = first + run.communicate(timeout=300)[1]
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, stderr[-3000:]
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not list(out.glob(".*.tmp"))  # every file there is whole
    done = list(out.glob("a*.json"))
    assert len(done) < 300
    for path in done:
        assert json.loads(path.read_text(encoding="utf-8"))["id"] == path.stem
