"""A benchmark step for tests/test_bench_measure.py: holds ``job["mb"]`` MB, reports its peak.

Run by ``bench.measure.run_step`` as ``python -m tests.helpers.rss_probe JOB.json RESULT.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.measure import own_peak_rss_mb


def main(argv: list[str]) -> None:
    """Allocate and touch the memory, then write the step's result."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    held = bytearray(job["mb"] * 2**20)  # zero-filled: every page is touched
    Path(argv[1]).write_text(json.dumps({"own_peak_rss_mb": own_peak_rss_mb(),
                                         "held": len(held)}), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
