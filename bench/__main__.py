"""`python -m bench`: build the models, run both sides and the fidelity check, report.

The last line printed is the speedup of the pipeline over the naive recipe (articles/min).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.inputs import article_paths, load_articles, tokenizer_corpus
from bench.measure import StepFailed, run_step
from bench.random_models import build_models
from bench.report import build_report, print_report, write_report
from bench.settings import BenchSettings


def pipeline_config(settings: BenchSettings, marian: Path, bart: Path, model_cache: Path) -> dict:
    """The fast path's configuration: ctranslate2 + int8, lengths pinned as on the naive side."""

    def beams(model_dir: Path) -> int:
        generation = json.loads((model_dir / "generation_config.json").read_text("utf-8"))
        return int(generation.get("num_beams", 1))

    def section(model_dir: Path, new_tokens: int) -> dict:
        return {
            "model": {"id": str(model_dir), "revision": None, "backend": "ctranslate2",
                      "quantization": "int8"},
            "generation": {"num_beams": beams(model_dir), "max_new_tokens": new_tokens,
                           "min_new_tokens": new_tokens},
        }

    # Hand a whole window to CTranslate2 in one call: it cuts the call into cache-sized
    # sub-batches and decodes them on parallel workers, which stay busy to the end of one
    # large call but idle at the tail of each small one (the defaults, 6,000 tokens / 64
    # sentences and 4 summaries per call, suit the transformers backend).
    translation = section(marian, settings.translation_new_tokens)
    translation |= {"batch_tokens": 16384, "max_batch_size": 256}
    summarization = section(bart, settings.summary_new_tokens)
    summarization["batch_size"] = 8
    return {
        "translation": translation,
        "summarization": summarization,
        "runtime": {"model_cache": str(model_cache), "offline": True, "device": "cpu"},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grouping"]:  # `python -m bench grouping`: see bench/grouping.py
        from bench.grouping import main as grouping_main

        return grouping_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="output folder (out/bench)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the shared folder with models/ and seeds/ (../shared)")
    parser.add_argument("--skip-naive", action="store_true",
                        help="reuse the naive side's last result (development only)")
    args = parser.parse_args(argv)
    settings = BenchSettings()
    if args.out is not None:
        settings = replace(settings, out_dir=args.out)
    if args.shared is not None:
        settings = replace(settings, shared_dir=args.shared)
    out = settings.out_dir
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    load_before = os.getloadavg()
    started = time.perf_counter()

    paths, input_label = article_paths(settings.seeds_dir, settings.samples_dir)
    articles = load_articles(paths)
    print(f"input: {len(articles)} articles, {sum(len(a.sentences) for a in articles)} "
          f"sentences from {input_label}", flush=True)
    step = time.perf_counter()
    models = build_models(out / "models", settings.shared_models,
                          tokenizer_corpus(paths, settings.samples_dir), settings.seed)
    build_s = time.perf_counter() - step
    if models.tokenizers != "real":
        print(f"note: {settings.shared_models} not found: real architectures with tokenizers "
              "trained on the samples", flush=True)
    config_path = out / "pipeline.yaml"
    import yaml

    config_path.write_text(yaml.safe_dump(
        pipeline_config(settings, models.marian, models.bart, out / "models")), "utf-8")

    job = {
        "marian": str(models.marian), "bart": str(models.bart), "config": str(config_path),
        "articles": [a.to_json() for a in articles], "article_paths": [str(p) for p in paths],
        "translation_new_tokens": settings.translation_new_tokens,
        "summary_new_tokens": settings.summary_new_tokens,
    }
    work = out / "steps"
    try:
        print("converting for the fast path ...", flush=True)
        convert = run_step("bench.convert", job, work, "convert")
        if args.skip_naive and (work / "naive.result.json").is_file():
            naive = json.loads((work / "naive.result.json").read_text("utf-8"))
            naive.setdefault("peak_rss_mb", naive["self_peak_rss_mb"])
        else:
            print("side (a): naive transformers recipe ...", flush=True)
            naive = run_step("bench.naive", job, work, "naive")
        print("side (b): pipeline ...", flush=True)
        fast = run_step("bench.fast", job, work, "fast")
        print("fidelity ...", flush=True)
        fidelity = run_step("bench.fidelity", {"steps": settings.fidelity_steps,
                                                "seed": settings.seed,
                                                "model_cache": str(out / "fidelity")},
                            work, "fidelity")
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    report = build_report(
        settings=settings, input_label=input_label, models=models, build_s=build_s,
        convert=convert, naive=naive, fast=fast, fidelity=fidelity,
        load_before=load_before, load_after=os.getloadavg(),
        total_s=time.perf_counter() - started,
    )
    path = write_report(report, out / "bench.json")
    print_report(report, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
