"""`python -m bench startup`: the seconds and megabytes a user waits for the first briefing.

Three measurements, repeated in rounds (a b c a b c ...) so that a slow minute on a shared
machine moves one sample, not a figure; each is reported as median (min-max):

- **cli**: ``briefing summarize SEED --format json`` with the tiny test models on the
  default backends (CTranslate2 int8), wall time from the process start and its peak RSS;
- **phases**: the same command's work in one process, phase by phase (imports,
  configuration, language detector, tokenizers, models, NER, the briefing);
- **real-size load**: imports, configuration, tokenizers and models of the benchmark's
  real-size random models (Marian 6+6, DistilBART 12+6, ``../shared`` tokenizers) on the
  default backends.

Conversions to CTranslate2 happen once, before the rounds (a first use pays them, as a
download). Targets (issue 23): cli <= 3 s and <= 350 MB; real-size model loading <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.cpu import describe_cpu
from bench.inputs import article_paths, tokenizer_corpus
from bench.measure import StepFailed, run_step
from bench.settings import add_location_args, settings_from

TARGETS = {"cli_wall_s": 3.0, "cli_peak_rss_mb": 350.0, "real_size_load_s": 3.0}


def spread(values: list[float]) -> dict:
    """Median, min and max of the samples."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "samples": values}


def shown(stats: dict, digits: int = 2) -> str:
    """``median (min-max)``."""
    return (f"{stats['median']:.{digits}f} ({stats['min']:.{digits}f}-"
            f"{stats['max']:.{digits}f})")


def main(argv: list[str] | None = None) -> int:
    """Run the start-up benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__)
    add_location_args(parser)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three (5)")
    parser.add_argument("--no-real-size", action="store_true",
                        help="skip the real-size models (building them takes minutes once)")
    args = parser.parse_args(argv)
    settings = settings_from(args)
    out = settings.out_dir / "startup"
    work = out / "steps"
    paths, input_label = article_paths(settings.seeds_dir, settings.samples_dir)
    article = str(paths[0])
    cache = out / "cache"
    sets = [f"runtime.model_cache={cache}", "runtime.offline=true"]
    load_before = os.getloadavg()
    cpu = describe_cpu()
    print(f"cpu: {cpu['label']}; load average {load_before[0]:.2f}", flush=True)
    try:
        tiny = run_step("bench.startup_step", {"mode": "build", "out": str(out / "tiny")},
                        work, "build")
        argv_cli = ["summarize", article, "--translator", tiny["marian"], "--summarizer",
                    tiny["bart"], "--format", "json"]
        for item in sets:
            argv_cli += ["--set", item]
        # The first run converts the tiny models (once, as a first use does).
        run_step("bench.startup_step", {"mode": "cli", "argv": argv_cli}, work, "warm")
        real_job = None if args.no_real_size else _real_size_job(settings, paths, work)
        jobs = {"cli": {"mode": "cli", "argv": argv_cli},
                "phases": {"mode": "phases", "article": article, "marian": tiny["marian"],
                           "bart": tiny["bart"], "sets": sets}}
        if real_job is not None:
            jobs["real-size load"] = real_job
        samples: dict[str, list[dict]] = {name: [] for name in jobs}
        for round_ in range(args.rounds):
            for name, job in jobs.items():
                result = run_step("bench.startup_step", job, work, name.replace(" ", "-"))
                if name == "cli" and result["exit_code"] != 0:
                    raise StepFailed(f"briefing summarize exited {result['exit_code']}; log "
                                     f"{work / 'cli.log'}")
                samples[name].append(result)
            print(f"round {round_ + 1}/{args.rounds}: cli "
                  f"{samples['cli'][-1]['process_wall_s']:.2f}s", flush=True)
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = build_report(samples, cpu=cpu, input_label=input_label, article=article,
                          load=(load_before, os.getloadavg()))
    path = out / "startup.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print_report(report, path)
    return 0


def _real_size_job(settings, paths, work: Path) -> dict:
    """Build (or reuse) the benchmark's real-size models, convert them once, and return the
    job that loads them with the default backends."""
    import yaml

    from bench.__main__ import pipeline_config

    built = run_step("bench.startup_step", {
        "mode": "build-real", "root": str(settings.out_dir / "models"),
        "shared": str(settings.shared_models), "seed": settings.seed,
        "corpus": tokenizer_corpus(paths, settings.samples_dir)}, work, "build-real")
    config = settings.out_dir / "startup" / "real-size.yaml"
    config.write_text(yaml.safe_dump(pipeline_config(
        settings, Path(built["marian"]), Path(built["bart"]), settings.out_dir / "models",
        decoding="default")), "utf-8")
    print("converting the real-size models (once) ...", flush=True)
    run_step("bench.convert", {"config": str(config)}, work, "convert-real")
    return {"mode": "load", "config": str(config), "article": str(paths[0]),
            "tokenizers": built["tokenizers"]}


def build_report(samples: dict[str, list[dict]], *, cpu: dict, input_label: str,
                 article: str, load) -> dict:
    """Medians and ranges of every measurement, with the targets."""
    from bench.report import git_head, machine
    from bench.settings import REPO
    from pipeline.core.provenance import package_versions

    cli = samples["cli"]
    report: dict = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python -m bench startup", "git_commit": git_head(REPO),
        "machine": machine() | {"cpu_detail": cpu}, "versions": package_versions(),
        "load_average": {"before": list(load[0]), "after": list(load[1])},
        "input": {"label": input_label, "article": article},
        "cli": {"wall_s": spread([r["process_wall_s"] for r in cli]),
                "peak_rss_mb": spread([r["peak_rss_mb"] for r in cli]),
                "heavy_modules": cli[-1]["heavy_modules"]},
    }
    for name in ("phases", "real-size load"):
        if not samples.get(name):
            continue
        runs = samples[name]
        keys = list(runs[0]["phases"])
        report[name] = {
            "phases": {k: spread([r["phases"][k] for r in runs]) for k in keys},
            "sum_s": spread([sum(r["phases"].values()) for r in runs]),
            "process_wall_s": spread([r["process_wall_s"] for r in runs]),
            "peak_rss_mb": spread([r["peak_rss_mb"] for r in runs]),
            "heavy_modules": runs[-1]["heavy_modules"],
            "heavy_modules_after_models": runs[-1]["heavy_modules_after_models"],
            "backends": runs[-1]["backends"],
        }
        if name == "phases":
            report[name]["ner"] = runs[-1]["ner"]
            report[name]["briefing_total_s"] = spread(
                [r["briefing_total_s"][0] for r in runs])
        else:
            report[name]["model_loading_s"] = spread(
                [r["phases"]["tokenizers"] + r["phases"]["models"] for r in runs])
    targets = {"cli_wall_s": report["cli"]["wall_s"]["median"],
               "cli_peak_rss_mb": report["cli"]["peak_rss_mb"]["median"]}
    if "real-size load" in report:
        targets["real_size_load_s"] = report["real-size load"]["model_loading_s"]["median"]
    report["targets"] = {k: {"value": v, "target": f"<= {TARGETS[k]:g}", "met": v <= TARGETS[k]}
                         for k, v in targets.items()}
    return report


def format_table(report: dict) -> str:
    """The phase table as Markdown (printed, and pasted into bench/README.md)."""
    columns = [name for name in ("phases", "real-size load") if name in report]
    keys: list[str] = []
    for name in columns:
        keys += [k for k in report[name]["phases"] if k not in keys]
    header = " | ".join(["phase"] + [f"{c} (s)" for c in columns])
    lines = [f"| {header} |", "|---" + "|---:" * len(columns) + "|"]
    for key in keys:
        cells = [shown(report[c]["phases"][key]) if key in report[c]["phases"] else "-"
                 for c in columns]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines.append("| **sum** | " + " | ".join(shown(report[c]["sum_s"]) for c in columns) + " |")
    lines.append("| process wall | " + " | ".join(shown(report[c]["process_wall_s"])
                                                 for c in columns) + " |")
    lines.append("| peak RSS (MB) | " + " | ".join(shown(report[c]["peak_rss_mb"], 0)
                                                  for c in columns) + " |")
    return "\n".join(lines)


def print_report(report: dict, path: Path) -> None:
    """The table, which heavy libraries each side imported, the targets; last, the CLI."""
    cpu = report["machine"]["cpu_detail"]["label"]
    print()
    print(format_table(report))
    print()
    for name in ("phases", "real-size load"):
        if name in report:
            side = report[name]
            print(f"{name}: backends {'/'.join(side['backends'])}; heavy libraries imported "
                  f"by the models {side['heavy_modules_after_models']}, in all "
                  f"{side['heavy_modules']}")
    if "phases" in report:
        print(f"phases: NER {report['phases']['ner']}; the briefing's own timings.total_s "
              f"{shown(report['phases']['briefing_total_s'])}")
    for name, target in report["targets"].items():
        print(f"target {name}: {target['value']:.2f} ({target['target']}) -> "
              f"{'met' if target['met'] else 'NOT met'} [{cpu}]")
    load = report["load_average"]
    print(f"load average before/after {load['before'][0]:.2f}/{load['after'][0]:.2f}; "
          f"wrote {path}")
    cli = report["cli"]
    print(f"briefing summarize, tiny models, default backends: {shown(cli['wall_s'])} s wall, "
          f"{shown(cli['peak_rss_mb'], 0)} MB peak RSS; imported {cli['heavy_modules']} [{cpu}]")
