"""Joining a Ray cluster, or starting (and always stopping) a local one, for the Ray engine.

Joining: Ray 2.59+ turns token authentication on by default; a driver given an explicit
``HOST:PORT`` sends the token only when ``RAY_AUTH_MODE=token``. Here a driver uses the
token whenever one is available (``RAY_AUTH_TOKEN``, the file ``RAY_AUTH_TOKEN_PATH``
names, or ``~/.ray/auth_token``; a cluster without authentication ignores it), and the
cluster is probed first, within a bounded time, so that an unreachable address or a
missing token is one clear error instead of Ray's retries (about ten minutes).

Starting: a local Ray that this process starts is recorded (``briefing-driver.json`` in
its session folder: the driver's pid) and stopped on every exit path this process
controls. A driver killed with SIGKILL leaves Ray's agents running; the next start stops
what is left of every session recorded this way whose driver is dead. A cluster the user
started has no such record and is never touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import RayAuthenticationError, RayUnavailableError
from pipeline.core.interrupt import restore_sigterm, sigterm_handler

log = logging.getLogger(__name__)
DRIVER_FILE = "briefing-driver.json"
TOKEN_FILE = Path("~/.ray/auth_token")


@dataclass
class LocalSession:
    """A local Ray this process started: its session folder."""

    session_dir: Path


def quiet_ray() -> None:
    """Keep Ray's own notices off a successful run's stderr: its Python loggers at ERROR
    ("token authentication is enabled", "progress bars disabled", Ray Data's "no available
    CPUs" while the actors hold them). Called again once Ray Data is imported, which sets
    its loggers up itself. Errors still surface as the run's own messages."""
    for name in ("ray", "ray.data", "ray._private", "ray.train", "ray.tune"):
        logging.getLogger(name).setLevel(logging.ERROR)


def token_source() -> str | None:
    """Where Ray would read an authentication token from, in Ray's order; None if nowhere."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return "RAY_AUTH_TOKEN"
    path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    if path:
        return f"RAY_AUTH_TOKEN_PATH ({path})" if _non_empty(Path(path)) else None
    default = TOKEN_FILE.expanduser()
    return str(default) if _non_empty(default) else None


def _non_empty(path: Path) -> bool:
    try:
        return bool(path.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        return False


def connect(ray, address: str | None, *, timeout_s: float,
            init_kwargs: dict[str, Any] | None = None) -> LocalSession | None:
    """Join the cluster at ``address`` ('auto', ``HOST:PORT``), or start a local Ray (None).

    Returns the started session (to pass to :func:`stop`), or None when a cluster was
    joined or Ray was already initialised.

    Raises:
        RayAuthenticationError: the cluster wants a token that is missing or wrong.
        RayUnavailableError: nothing answered at ``address`` within ``timeout_s``.
    """
    if ray.is_initialized():
        return None
    from ray._private import services

    try:
        gcs_address = services.canonicalize_bootstrap_address(
            address, (init_kwargs or {}).get("_temp_dir"))
    except (ConnectionError, ValueError) as exc:
        raise RayUnavailableError(f"cannot join the Ray cluster '{address}': {exc}") from exc
    quiet_ray()
    kwargs = {"include_dashboard": False, "log_to_driver": False,
              "logging_level": logging.ERROR} | (init_kwargs or {})
    if gcs_address is None:
        return _start_local(ray, kwargs)
    # None or 'auto': RAY_ADDRESS, or the cluster `ray start` last started on this machine.
    where = address if address not in (None, "auto") else f"{gcs_address} (found on this machine)"
    _use_token_if_available(ray)
    _probe(gcs_address, where, timeout_s)
    previous = sigterm_handler()
    try:
        ray.init(address=gcs_address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailableError(f"cannot join the Ray cluster at {where}: {exc}") from exc
    finally:
        restore_sigterm(previous)  # ray.init took SIGTERM over (see pipeline.core.interrupt)
    return None


def _use_token_if_available(ray) -> None:
    """Send the token when one is available and RAY_AUTH_MODE does not say otherwise."""
    if os.environ.get("RAY_AUTH_MODE") is None and token_source() is not None:
        os.environ["RAY_AUTH_MODE"] = "token"
        ray._raylet.Config.initialize("")  # Ray caches the mode; read it again


def _probe(gcs_address: str, where: str, timeout_s: float) -> None:
    """Ask the cluster's GCS for its id, within ``timeout_s`` (Ray itself retries for
    minutes); the failure, as a typed error."""
    from ray._raylet import GcsClient

    outcome: dict[str, BaseException | bool] = {}

    def ask() -> None:  # GcsClient blocks in C++ with the GIL released
        try:
            GcsClient(address=gcs_address)
            outcome["ok"] = True
        except BaseException as exc:  # reported by the caller
            outcome["error"] = exc

    thread = threading.Thread(target=ask, name="ray-probe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    error = outcome.get("error")
    if error is None and outcome.get("ok"):
        return
    if error is None:
        raise RayUnavailableError(
            f"no Ray cluster answered at {where} within {timeout_s:g}s (is the address right "
            "and the head node running?)")
    if type(error).__name__ == "AuthenticationError":
        raise RayAuthenticationError(_auth_message(where)) from error
    raise RayUnavailableError(f"cannot join the Ray cluster at {where}: {error}") from error


def _auth_message(where: str) -> str:
    source = token_source()
    if source is None:
        return (f"the Ray cluster at {where} uses token authentication and no token was "
                "found: set RAY_AUTH_TOKEN to the head node's token (`ray get-auth-token` "
                "there), point RAY_AUTH_TOKEN_PATH at a file holding it, or copy it to "
                "~/.ray/auth_token")
    if os.environ.get("RAY_AUTH_MODE", "").lower() != "token":
        return (f"the Ray cluster at {where} uses token authentication and RAY_AUTH_MODE is "
                f"'{os.environ.get('RAY_AUTH_MODE')}': set RAY_AUTH_MODE=token")
    return (f"the Ray cluster at {where} rejected the authentication token from {source}: "
            "use the head node's token (`ray get-auth-token` there)")


# -- a local Ray this process starts ------------------------------------------------------------

def _start_local(ray, kwargs: dict[str, Any]) -> LocalSession:
    from ray._common.utils import get_default_ray_temp_dir

    stop_leftovers(Path(kwargs.get("_temp_dir") or get_default_ray_temp_dir()))
    previous = sigterm_handler()
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailableError(f"cannot start a local Ray instance: {exc}") from exc
    finally:
        restore_sigterm(previous)  # ray.init took SIGTERM over (see pipeline.core.interrupt)
    session = LocalSession(Path(ray._private.worker._global_node.get_session_dir_path()))
    record = {"pid": os.getpid(), "start": _start_time(os.getpid())}
    try:
        (session.session_dir / DRIVER_FILE).write_text(json.dumps(record), encoding="utf-8")
    except OSError as exc:  # cleanup after a SIGKILL is lost, the run is not
        log.warning("ray: cannot record the session for cleanup: %s", exc)
    return session


def stop(ray, session: LocalSession | None) -> None:
    """Stop a local Ray this process started, and whatever of it outlives ``ray.shutdown``."""
    if session is None:
        return
    try:
        ray.shutdown()
    finally:
        _kill_session(session.session_dir)
        (session.session_dir / DRIVER_FILE).unlink(missing_ok=True)


def stop_leftovers(temp_root: Path) -> list[int]:
    """Kill what is left of local Rays this package started whose driver has died; the
    pids killed."""
    killed: list[int] = []
    for record in sorted(temp_root.glob(f"session_*/{DRIVER_FILE}")):
        if record.parent.is_symlink():  # session_latest
            continue
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            pid, start = int(data["pid"]), data.get("start")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _start_time(pid) is not None and _start_time(pid) == start:
            continue  # its driver is still running
        left = _kill_session(record.parent)
        record.unlink(missing_ok=True)
        if left:
            log.warning("ray: stopped %d process(es) left by a killed run (%s)", len(left),
                        record.parent.name)
        killed += left
    return killed


def session_processes(session_dir: Path) -> list[int]:
    """Processes of one Ray session: those whose command line or open files name its
    folder (Ray's agents rename themselves ``ray::…`` but keep their logs open)."""
    root = str(session_dir)
    found = []
    for entry in _proc_entries():
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        try:
            if root in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(pid)
                continue
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd).startswith(root):
                    found.append(pid)
                    break
        except OSError:  # gone, or not ours to read
            continue
    return found


def _kill_session(session_dir: Path) -> list[int]:
    pids = session_processes(session_dir)
    for pid in pids:
        with contextlib.suppress(OSError):  # gone already
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_start_time(pid) is not None for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def _proc_entries():
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: nothing to find
        return []
    return [entry for entry in proc.iterdir() if entry.name.isdigit()]


def _start_time(pid: int) -> str | None:
    """The process's start time (``/proc/<pid>/stat`` field 22), None if it is gone (or a
    zombie): with the pid, it names one process even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if fields[0] == "Z":
        return None
    return fields[19]
