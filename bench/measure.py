"""Run one benchmark step in its own subprocess and read that process's peak RSS.

Each step reports its own peak RSS, read from ``VmHWM`` in ``/proc/self/status``: the high
water mark of the process's memory since its ``exec``. Not ``ru_maxrss`` (``os.wait4`` or
``getrusage``): Linux carries it across ``exec``, so a step forked from a parent that holds
2 GB (``python -m bench`` after building the models) reported the parent's 2 GB whatever
it used itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def own_peak_rss_mb() -> float:
    """This process's peak resident memory since its ``exec``, in MB (called by a step)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    import resource  # not Linux: the closest figure there is

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def histogram(lengths) -> dict[str, int]:
    """Output lengths as ``{"length": count}``, sorted by length, from a mapping of length to
    count (a backend's counter) or from the lengths themselves."""
    counts: dict[int, int] = {}
    if hasattr(lengths, "items"):
        counts = {int(k): int(v) for k, v in lengths.items()}
    else:
        for n in lengths:
            counts[int(n)] = counts.get(int(n), 0) + 1
    return {str(k): v for k, v in sorted(counts.items())}


def step_main(run, argv: list[str]) -> None:
    """A step's entry point: ``python -m bench.<step> JOB.json RESULT.json`` runs ``run(job)``
    and writes its result."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(json.dumps(run(job), indent=2, default=str), encoding="utf-8")


class StepFailed(RuntimeError):
    """A benchmark subprocess exited with an error."""


def run_step(module: str, job: dict, work_dir: Path, name: str) -> dict:
    """Run ``python -m <module> JOB RESULT`` and return its result plus ``peak_rss_mb``.

    Raises:
        StepFailed: the subprocess failed; its stderr tail is in the message.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    job_path, result_path = work_dir / f"{name}.job.json", work_dir / f"{name}.result.json"
    log_path = work_dir / f"{name}.log"
    job_path.write_text(json.dumps(job, indent=2, default=str), encoding="utf-8")
    result_path.unlink(missing_ok=True)
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", PYTHONWARNINGS="ignore",
               TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1")
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(job_path), str(result_path)],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).resolve().parent.parent,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall_s = time.perf_counter() - started
    if process.returncode != 0 or not result_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise StepFailed(f"{module} failed (exit {process.returncode}); log {log_path}:\n{tail}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    # What wait4 says, kept for comparison: it includes the parent's size at fork (above).
    result["wait4_maxrss_mb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    # The measured sides report their own peak; the conversion and fidelity steps do not.
    result["peak_rss_mb"] = result.get("own_peak_rss_mb", result["wait4_maxrss_mb"])
    result["process_wall_s"] = wall_s
    # CPU time is less sensitive than wall time to other load on a shared machine.
    result["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    # Saved with the measurements, so a later run can reuse the step (--skip-naive).
    result_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return result
