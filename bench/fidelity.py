"""The benchmark's fidelity step: ``pipeline.backends.fidelity.check`` in its own process.

The check itself (the copy model, the compared paths, the thresholds) lives in the package,
where the test suite asserts the same thresholds; this module only runs it on the
benchmark's settings and writes the result.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path


def run(job: dict) -> dict:
    """Train the copy model and compare every path (the benchmark's fidelity step)."""
    from bench.settings import BenchSettings
    from pipeline.backends.fidelity import check

    cache = Path(job["model_cache"])
    shutil.rmtree(cache, ignore_errors=True)  # a fresh model and conversion every run
    return check(BenchSettings().samples_dir, cache, steps=int(job["steps"]),
                 seed=int(job["seed"]))


def main(argv: list[str]) -> None:
    """``python -m bench.fidelity JOB.json RESULT.json``."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(job)
    Path(argv[1]).write_text(json.dumps(result, indent=2, default=_finite), encoding="utf-8")


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


if __name__ == "__main__":
    main(sys.argv[1:])
