"""`python -m bench`: build the models, run the three sides and the fidelity check, report.

(a) the naive transformers recipe, (b) the pipeline at the naive recipe's decoding settings,
(c) the product default. The last line printed is the speedup of (c) over (a) (articles/min).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.arithmetic import arithmetic_report, float32_gemm_rate, source_lengths
from bench.cpu import describe_cpu
from bench.inputs import article_paths, distinct_copies, load_articles, tokenizer_corpus
from bench.measure import StepFailed, run_step
from bench.random_models import build_models
from bench.report import (
    build_report,
    large_report,
    machine,
    median_run,
    print_report,
    repeat_stats,
    targets_for,
    write_report,
)
from bench.settings import BenchSettings, add_location_args, settings_from


def pipeline_config(settings: BenchSettings, marian: Path, bart: Path, model_cache: Path,
                    *, decoding: str, device: str = "cpu", backend: str | None = None) -> dict:
    """A pipeline configuration: the product defaults (CTranslate2 int8, batch sizes, beams)
    with the benchmark's models and lengths pinned as on the naive side.

    Args:
        decoding: ``naive`` -- side (b), the models' own num_beams (Marian 6, DistilBART 4),
            as the naive recipe decodes; ``default`` -- side (c), the product default
            (translation beam 4, see configs/default.yaml).
        device: ``runtime.device`` (``cuda`` for ``python -m bench gpu``).
        backend: both models' backend; None keeps the product default (ctranslate2).
    """

    def beams(model_dir: Path) -> int:
        generation = json.loads((model_dir / "generation_config.json").read_text("utf-8"))
        return int(generation.get("num_beams", 1))

    def section(model_dir: Path, new_tokens: int) -> dict:
        generation = {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens}
        if decoding == "naive":
            generation["num_beams"] = beams(model_dir)
        # Only the model and its lengths: backend, quantization and batch sizes stay the
        # product's defaults.
        model = {"id": str(model_dir), "revision": None}
        if backend is not None:
            model["backend"] = backend
        return {"model": model, "generation": generation}

    return {
        "translation": section(marian, settings.translation_new_tokens),
        "summarization": section(bart, settings.summary_new_tokens),
        "runtime": {"model_cache": str(model_cache), "offline": True, "device": device},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grouping"]:  # `python -m bench grouping`: see bench/grouping.py
        from bench.grouping import main as grouping_main

        return grouping_main(argv[1:])
    if argv[:1] == ["story"]:  # `python -m bench story`: the stories' share, bench/story.py
        from bench.story import main as story_main

        return story_main(argv[1:])
    if argv[:1] == ["gpu"]:  # `python -m bench gpu`: the same work on CUDA, see bench/gpu.py
        from bench.gpu import main as gpu_main

        return gpu_main(argv[1:])
    if argv[:1] == ["compute-types"]:  # CTranslate2 compute types vs torch dtypes
        from bench.compute_types import main as types_main

        return types_main(argv[1:])
    if argv[:1] == ["factuality"]:  # the claim check against FRANK: bench/factuality.py
        from bench.factuality import main as factuality_main

        return factuality_main(argv[1:])
    if argv[:1] == ["startup"]:  # `python -m bench startup`: see bench/startup.py
        from bench.startup import main as startup_main

        return startup_main(argv[1:])
    if argv[:1] == ["scale"]:  # `python -m bench scale`: local vs Ray, see bench/scale.py
        from bench.scale import main as scale_main

        return scale_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add_location_args(parser)
    parser.add_argument("--skip-naive", action="store_true",
                        help="reuse the naive side's last result (development only)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of sides (b) and (c), alternating; medians are reported (3)")
    parser.add_argument("--large", type=int, default=40,
                        help="articles of the larger run of side (c) (40; 0: none)")
    args = parser.parse_args(argv)
    settings = settings_from(args)
    out = settings.out_dir
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
    import yaml

    configs = {}
    for decoding in ("naive", "default"):
        configs[decoding] = out / f"pipeline-{decoding}.yaml"
        configs[decoding].write_text(yaml.safe_dump(pipeline_config(
            settings, models.marian, models.bart, out / "models", decoding=decoding)), "utf-8")
    cpu = describe_cpu()
    print(f"cpu: {cpu['label']}", flush=True)
    threads = machine()["cores"]
    gemm_rates = [float32_gemm_rate(threads)]
    print(f"float32 GEMM: {gemm_rates[0]:.0f} GMAC/s ({threads} threads)", flush=True)

    job = {
        "marian": str(models.marian), "bart": str(models.bart), "config": str(configs["default"]),
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
            naive.setdefault("peak_rss_mb", naive.get("own_peak_rss_mb"))
        else:
            print("side (a): naive transformers recipe ...", flush=True)
            naive = run_step("bench.naive", job, work, "naive")
        # The machine's speed drifts within a run: (b) and (c) alternate, b c b c ..., and
        # each is reported by its median run (with min-max); the naive side runs once.
        runs: dict[str, list[dict]] = {"pipeline": [], "default": []}
        large_paths = distinct_copies(articles, args.large, out / "large") if args.large else []
        large = None
        for round_ in range(max(1, args.rounds)):
            print(f"side (b): pipeline at the naive recipe's decoding settings, round "
                  f"{round_ + 1} ...", flush=True)
            runs["pipeline"].append(run_step("bench.fast", job | {"config": str(
                configs["naive"])}, work, f"fast-{round_ + 1}"))
            print(f"side (c): product default, round {round_ + 1} ...", flush=True)
            runs["default"].append(run_step("bench.fast", job, work, f"default-{round_ + 1}"))
            if large_paths and round_ == max(1, args.rounds) // 2:
                print(f"side (c), {len(large_paths)} articles ...", flush=True)
                large = run_step("bench.fast", job | {"article_paths": [
                    str(p) for p in large_paths]}, work, "default-large")
        fast, default = median_run(runs["pipeline"]), median_run(runs["default"])
        print("fidelity ...", flush=True)
        fidelity = run_step("bench.fidelity", {"steps": settings.fidelity_steps,
                                                "seed": settings.seed,
                                                "model_cache": str(out / "fidelity")},
                            work, "fidelity")
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    gemm_rates.append(float32_gemm_rate(threads))
    sentences = [text for a in articles for text in a.sentences + ([a.title] if a.title else [])]
    arithmetic = arithmetic_report(
        marian=models.marian, bart=models.bart,
        translation_lens=source_lengths(models.marian, sentences),
        summary_lens=naive["summary_input_tokens"],
        sides={"naive": naive, "pipeline": fast, "default": default}, settings=settings,
        gemm_rates=gemm_rates, threads=threads, targets=targets_for(cpu)[1],
        source_tokens=naive["source_tokens"],
    )
    report = build_report(
        settings=settings, input_label=input_label, models=models, build_s=build_s,
        convert=convert, naive=naive, fast=fast, default=default, fidelity=fidelity, cpu=cpu,
        load_before=load_before, load_after=os.getloadavg(),
        total_s=time.perf_counter() - started, arithmetic=arithmetic,
    )
    report["repeats"] = repeat_stats(runs)
    report["large"] = large_report(large, default, naive) if large else None
    path = write_report(report, out / "bench.json")
    print_report(report, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
