"""The one-time conversion for the fast path (what `briefing models convert` does).

Run in its own subprocess before the pipeline side, so that loading the transformers
weights for conversion never counts towards the pipeline's peak RSS; its time and memory
are reported separately, like a download.

Run by ``bench.measure`` as ``python -m bench.convert JOB.json RESULT.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def run(job: dict) -> dict:
    """Convert both configured models; report per model whether an earlier one was reused."""
    from pipeline.backends.ct2 import convert_model, converted_dir
    from pipeline.core.config import load_config
    from pipeline.hub.registry import resolve_model

    config = load_config(Path(job["config"]))
    models = {}
    for role, section in (("translator", config.translation), ("summarizer", config.summarization)):
        resolved = resolve_model(role, section.model, model_cache=config.runtime.model_cache,
                                 offline=True)
        quantization = section.model.quantization
        reused = (converted_dir(resolved, config.runtime.model_cache, quantization)
                  / "model.bin").is_file()
        started = time.perf_counter()
        path = convert_model(resolved, config.runtime.model_cache, quantization)
        models[role] = {"path": str(path), "quantization": quantization, "reused": reused,
                        "seconds": time.perf_counter() - started,
                        "size_mb": (path / "model.bin").stat().st_size / 2**20}
    return {"side": "convert", "models": models}


def main(argv: list[str]) -> None:
    """``python -m bench.convert JOB.json RESULT.json``."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(json.dumps(run(job), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
