"""`python -m bench scale`: the local engine against Ray at equal parallelism, and 1 against
2 Ray actors, side by side in one run on this machine.

Every side briefs the same articles with the same models (the benchmark's real-size random
models, CTranslate2 int8 as by default) and the same total number of CPU threads:

- local, 2 threads: one process, ``runtime.threads: 2`` (today's ``--engine local``);
- Ray, 2 actors x 1 thread: ``--engine ray`` on a local Ray with 2 CPUs;
- Ray, 1 actor x 1 thread: the same cluster with one actor (to show how actors scale).

The figure that matters is Ray's throughput as a share of the local engine's at equal
parallelism (target: at least 85%); the last line printed is that share.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from bench.inputs import article_paths, tokenizer_corpus
from bench.random_models import build_models
from bench.settings import BenchSettings


def _config(marian: Path, bart: Path, cache: Path, settings: BenchSettings, **ray: object):
    from pipeline.core.config import load_config

    def section(model: Path, new_tokens: int) -> dict:
        return {"model.id": str(model), "model.revision": None,
                "generation.max_new_tokens": new_tokens, "generation.min_new_tokens": new_tokens}

    values = {"runtime.model_cache": str(cache), "runtime.offline": True,
              "runtime.device": "cpu"}
    for role, model, tokens in (("translation", marian, settings.translation_new_tokens),
                                ("summarization", bart, settings.summary_new_tokens)):
        values |= {f"{role}.{k}": v for k, v in section(model, tokens).items()}
    values |= {f"ray.{k}": v for k, v in ray.items()}
    return load_config(None, values)


def _side(label: str, run, articles: int, out: Path) -> dict:
    started_wall, started_cpu, started_at = time.perf_counter(), time.process_time(), time.time()
    briefed = run()
    wall = time.perf_counter() - started_wall
    first = _first_briefing_s(out, started_at)
    result = {"label": label, "briefed": briefed, "wall_s": round(wall, 2),
              "articles_per_min": round(60 * briefed / wall, 2) if wall else None,
              "first_briefing_s": first,
              "driver_cpu_s": round(time.process_time() - started_cpu, 2)}
    print(f"{label:<28} {briefed}/{articles} articles in {wall:6.1f}s: "
          f"{result['articles_per_min']:.2f} articles/min; first briefing written after "
          f"{first:.1f}s (start-up, models, first batch)", flush=True)
    return result


def _first_briefing_s(out: Path, started_at: float) -> float:
    """Seconds from the start of a side to its first briefing file: the fixed start-up cost
    (Ray's start, the models loading in each actor, the first batch)."""
    times = [p.stat().st_mtime for p in out.glob("*.json")
             if p.name not in ("run.json", "digest.json")]
    return round(min(times) - started_at, 1) if times else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Run the scale benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/bench-scale"))
    parser.add_argument("--articles", type=int, default=16,
                        help="articles per side (the sample articles, repeated)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import ray
    except ImportError:
        print("error: Ray is not installed (pip install 'briefing[ray]')", file=sys.stderr)
        return 2
    from transformers.utils import logging as hf_logging

    from pipeline.batch.ray_engine import run_batch_ray
    from pipeline.batch.run import run_batch
    from pipeline.ingest.readers import read_inputs

    hf_logging.set_verbosity_error()
    # The Ray engine's phase timings (started, read and planned, actors, briefed).
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    logging.getLogger("pipeline.batch.ray_engine").setLevel(logging.INFO)
    settings = BenchSettings()
    out = args.out
    paths, label = article_paths(settings.seeds_dir, settings.samples_dir)
    models = build_models(out / "models", settings.shared_models,
                          tokenizer_corpus(paths, settings.samples_dir), settings.seed)
    inputs = out / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    for stale in inputs.glob("*.txt"):
        stale.unlink()
    for n in range(args.articles):
        source = paths[n % len(paths)]
        (inputs / f"{n:03d}_{source.stem}.txt").write_bytes(source.read_bytes())
    print(f"input: {args.articles} articles from {label}; cpu: {os.cpu_count()} cores; "
          f"load average before: {os.getloadavg()[0]:.1f}", flush=True)

    cache = out / "models"
    local_config = _config(models.marian, models.bart, cache, settings)
    local_config.runtime.threads = 2
    max_bytes = local_config.ingest.max_article_bytes
    # Convert once up front, so no side pays for it.
    run_batch(read_inputs([str(inputs / sorted(os.listdir(inputs))[0])], max_bytes=max_bytes),
              out / "warm", local_config, overwrite=True)

    results = [_side("local, 2 threads", lambda: len(run_batch(
        read_inputs([str(inputs)], max_bytes=max_bytes), out / "local", local_config,
        overwrite=True).briefed), args.articles, out / "local")]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for actors in (2, 1):
            config = _config(models.marian, models.bart, cache, settings, actors=actors,
                             threads_per_actor=1, batch_size=8)
            results.append(_side(f"ray, {actors} actor(s) x 1 thread", lambda c=config: len(
                run_batch_ray([str(inputs)], out / "ray", c, overwrite=True).briefed),
                args.articles, out / "ray"))
    finally:
        ray.shutdown()

    local, ray2, ray1 = (r["articles_per_min"] for r in results)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"ray 2 actors / ray 1 actor: {ray2 / ray1:.2f}x")
    print(f"ray / local at equal parallelism: {100 * ray2 / local:.0f}% (target >= 85%)")
    return 0
