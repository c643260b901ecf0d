"""`python -m bench gpu`: the benchmark's work on a CUDA GPU, on both backends.

The same models, input and pinned output lengths as ``python -m bench`` (see
bench/README.md), with ``runtime.device: cuda``:

- (a) the naive recipe, the models moved to the GPU as the model cards do (float32);
- (b-hf) the pipeline on the transformers backend (float32, the exact path) and
- (b-ct2) the pipeline on the CTranslate2 backend (int8 weights, run as ``int8_float16``),
  both at the naive recipe's decoding settings (the models' own beams);
- (c) the product default (CTranslate2, translation beam 4).

A side that fails (CTranslate2's CUDA build needs the CUDA runtime libraries it was built
against) is reported with its error, and the others still run. Writes ``out/bench/gpu.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from bench.inputs import article_paths, load_articles, tokenizer_corpus
from bench.measure import StepFailed, run_step
from bench.random_models import build_models
from bench.report import git_head, machine, side_metrics
from bench.settings import REPO, add_location_args, settings_from

SIDES = (
    # (key, label, bench step, decoding, backend)
    ("naive", "(a) naive transformers, float32", "bench.naive", None, None),
    ("hf", "(b-hf) pipeline, transformers float32, naive decoding", "bench.fast", "naive",
     "transformers"),
    ("ct2", "(b-ct2) pipeline, CTranslate2 int8, naive decoding", "bench.fast", "naive",
     "ctranslate2"),
    ("default", "(c) product default (CTranslate2 int8, beam 4)", "bench.fast", "default", None),
)


def gpu_name(device: str) -> str:
    """The CUDA device torch sees, e.g. ``NVIDIA H200 (150 GB), torch CUDA 13.0``."""
    import torch

    if device == "cpu":
        return "none (--device cpu: a dry run of this benchmark on the CPU)"
    if not torch.cuda.is_available():
        raise SystemExit("error: no CUDA device: `python -m bench gpu` needs a GPU "
                         "(`python -m bench` measures the CPU)")
    props = torch.cuda.get_device_properties(0)
    return f"{props.name} ({props.total_memory / 1e9:.0f} GB), torch CUDA {torch.version.cuda}"


def main(argv: list[str]) -> int:
    """Run the GPU sides; returns the exit status (1 when no side ran)."""
    from bench.__main__ import pipeline_config

    parser = argparse.ArgumentParser(prog="python -m bench gpu", description=__doc__)
    add_location_args(parser)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                        help="cpu: a dry run of the same steps without a GPU")
    parser.add_argument("--sides", default=",".join(key for key, *_ in SIDES),
                        help="which sides, comma-separated (naive,hf,ct2,default)")
    parser.add_argument("--articles", type=int, default=None,
                        help="only the first N input articles (a shorter dry run)")
    args = parser.parse_args(argv)
    settings = settings_from(args)
    out = settings.out_dir
    gpu = gpu_name(args.device)
    print(f"gpu: {gpu}", flush=True)
    from bench.cpu import describe_cpu

    cpu = describe_cpu()
    print(f"cpu: {cpu['label']}", flush=True)

    paths, input_label = article_paths(settings.seeds_dir, settings.samples_dir)
    paths = paths[: args.articles] if args.articles else paths
    articles = load_articles(paths)
    models = build_models(out / "models", settings.shared_models,
                          tokenizer_corpus(paths, settings.samples_dir), settings.seed)
    import yaml

    job = {
        "marian": str(models.marian), "bart": str(models.bart), "device": args.device,
        "articles": [a.to_json() for a in articles], "article_paths": [str(p) for p in paths],
        "translation_new_tokens": settings.translation_new_tokens,
        "summary_new_tokens": settings.summary_new_tokens,
    }
    work = out / "gpu-steps"
    configs = {}
    for key, _, _, decoding, backend in SIDES:
        if decoding is not None:
            configs[key] = out / f"gpu-{key}.yaml"
            configs[key].write_text(yaml.safe_dump(pipeline_config(
                settings, models.marian, models.bart, out / "models", decoding=decoding,
                device=args.device, backend=backend)), "utf-8")
    results: dict[str, dict] = {}
    print("converting for CTranslate2 (on the CPU, once) ...", flush=True)
    try:
        run_step("bench.convert", job | {"config": str(configs["default"])}, work, "gpu-convert")
    except StepFailed as exc:
        print(f"  conversion failed: {str(exc).strip().splitlines()[-1]}", flush=True)
    chosen = set(args.sides.split(","))
    for key, label, module, _, _ in SIDES:
        if key not in chosen:
            continue
        side_job = job | ({"config": str(configs[key])} if key in configs else {})
        print(f"{label} ...", flush=True)
        started = time.perf_counter()
        try:
            raw = run_step(module, side_job, work, f"gpu-{key}")
            results[key] = {"label": label, "metrics": side_metrics(raw), "raw": raw}
        except StepFailed as exc:
            # Keep the error's last lines: they name the missing library or the CUDA error.
            reason = str(exc).strip().splitlines()[-1]
            results[key] = {"label": label, "error": reason, "log": str(exc)}
            print(f"  failed after {time.perf_counter() - started:.0f}s: {reason}", flush=True)

    report = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench gpu",
        "gpu": gpu,
        "machine": machine() | {"cpu_detail": cpu},
        "git_commit": git_head(REPO),
        "input": {"label": input_label, "articles": len(articles)},
        "settings": settings.to_json(),
        "sides": results,
    }
    from pipeline.core.provenance import package_versions

    report["versions"] = package_versions()
    path = out / "gpu.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print()
    print(format_table(report))
    print(f"wrote {path}")
    naive = results.get("naive", {}).get("metrics")
    for key in ("hf", "ct2", "default"):
        side = results.get(key, {}).get("metrics")
        if naive and side:
            print(f"speedup {results[key]['label'].split(')')[0]})/(a): "
                  f"{side['articles_per_min'] / naive['articles_per_min']:.2f}x [{gpu}]")
    return 0 if any("metrics" in r for r in results.values()) else 1


def format_table(report: dict) -> str:
    """The GPU results as Markdown."""
    lines = [f"GPU: {report['gpu']}; host CPU: {report['machine']['cpu']}", "",
             "| side | articles/min | source tokens/s | translate (s) | summarize (s) "
             "| load (s) | host peak RSS (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for side in report["sides"].values():
        if "error" in side:
            lines.append(f"| {side['label']} | failed: {side['error']} | | | | | |")
            continue
        m = side["metrics"]
        lines.append(f"| {side['label']} | {m['articles_per_min']:.1f} "
                     f"| {m['source_tokens_per_s']:.0f} | {m['translate_s']:.2f} "
                     f"| {m['summarize_s']:.2f} | {m['load_s']:.1f} | {m['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(sys.argv[1:]))
