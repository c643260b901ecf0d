"""The benchmark's table, its self-describing JSON, and the closing speedup line."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

from bench.settings import REPO, BenchSettings

TARGETS = {
    "speedup_articles_per_min": (">=", 5.0),
    "pipeline_translation_source_tokens_per_s": (">=", 600.0),
    "pipeline_peak_rss_mb": ("<=", 2048.0),
}


def side_metrics(result: dict) -> dict:
    """Articles/min, source tokens/s and peak RSS of one side."""
    return {
        "articles_per_min": 60.0 * result["articles"] / result["work_s"],
        "source_tokens_per_s": result["source_tokens"] / result["translate_s"],
        "peak_rss_mb": result["peak_rss_mb"],
        "load_s": result["load_s"],
        "translate_s": result["translate_s"],
        "summarize_s": result["summarize_s"],
        "work_s": result["work_s"],
        "process_cpu_s": result.get("process_cpu_s"),
    }


def build_report(*, settings: BenchSettings, input_label: str, models, build_s: float,
                 convert: dict, naive: dict, fast: dict, fidelity: dict,
                 load_before, load_after, total_s: float) -> dict:
    """Everything bench.json holds: results, what produced them, and the targets."""
    from pipeline.core.provenance import package_versions

    a, b = side_metrics(naive), side_metrics(fast)
    speedup = b["articles_per_min"] / a["articles_per_min"]
    same_lengths = {
        "translation": naive["translation_output_tokens"] == fast["translation_output_tokens"],
        "summary": naive["summary_output_tokens"] == fast["summary_output_tokens"],
        "same_source_tokens": naive["source_tokens"] == fast["source_tokens"],
        "summary_source_tokens": naive["summary_source_tokens"] == fast["summary_source_tokens"],
        "one_summary_call_per_article": all(c == 1 for c in fast["summary_chunks"]),
    }
    measured = {
        "speedup_articles_per_min": speedup,
        "pipeline_translation_source_tokens_per_s": b["source_tokens_per_s"],
        "pipeline_peak_rss_mb": b["peak_rss_mb"],
    }
    targets = {}
    for name, (op, bound) in TARGETS.items():
        value = measured[name]
        targets[name] = {"value": value, "target": f"{op} {bound:g}",
                         "met": value >= bound if op == ">=" else value <= bound}
    targets["fidelity"] = {"value": fidelity["passed"], "target": "all thresholds",
                           "met": bool(fidelity["passed"])}
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench",
        "machine": machine(),
        "load_average": {"before": list(load_before), "after": list(load_after)},
        "versions": package_versions(),
        "git_commit": git_head(REPO),
        "settings": settings.to_json(),
        "input": {"label": input_label, "articles": naive["articles"],
                  "sentences": naive["sentences"], "source_tokens": naive["source_tokens"]},
        "models": {"marian": str(models.marian), "bart": str(models.bart),
                   "tokenizers": models.tokenizers, "weights": "random (seeded)",
                   "built_now": models.built, "build_s": build_s},
        "conversion": convert["models"],
        "naive": {"metrics": a, "raw": naive},
        "pipeline": {"metrics": b, "raw": fast},
        "same_work": same_lengths,
        "fidelity": fidelity,
        "speedup": speedup,
        "targets": targets,
        "higher_is_better": {"articles_per_min": True, "source_tokens_per_s": True,
                             "peak_rss_mb": False, "speedup": True,
                             "token_agreement": True, "exact_match": True},
        "total_s": total_s,
    }


def write_report(report: dict, path: Path) -> Path:
    """Write bench.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return path


def format_table(report: dict) -> str:
    """The results table as Markdown (printed, and pasted into bench/README.md)."""
    rows = [("(a) naive transformers", report["naive"]),
            ("(b) pipeline (ctranslate2 int8)", report["pipeline"])]
    lines = [
        "| side | articles/min | source tokens/s | peak RSS (MB) | translate (s) "
        "| summarize (s) | load (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, side in rows:
        m = side["metrics"]
        lines.append(
            f"| {label} | {m['articles_per_min']:.2f} | {m['source_tokens_per_s']:.0f} "
            f"| {m['peak_rss_mb']:.0f} | {m['translate_s']:.1f} | {m['summarize_s']:.1f} "
            f"| {m['load_s']:.1f} |"
        )
    return "\n".join(lines)


def print_report(report: dict, path: Path) -> None:
    """Print the table, the checks and, last, the speedup ratio."""
    raw_a, raw_b = report["naive"]["raw"], report["pipeline"]["raw"]
    print()
    print(format_table(report))
    print()
    print(f"input: {report['input']['articles']} articles, {report['input']['sentences']} "
          f"sentences, {report['input']['source_tokens']} Marian source tokens "
          f"({report['input']['label']}); tokenizers: {report['models']['tokenizers']}")
    print(f"output lengths (tokens: count) translation naive {raw_a['translation_output_tokens']}"
          f" / pipeline {raw_b['translation_output_tokens']}; summary naive "
          f"{raw_a['summary_output_tokens']} / pipeline {raw_b['summary_output_tokens']}")
    print(f"summarizer input tokens naive {raw_a['summary_source_tokens']} / pipeline "
          f"{raw_b['summary_source_tokens']}; pipeline chunks per article "
          f"{raw_b['summary_chunks']}")
    print(f"process CPU time (s) naive {raw_a['process_cpu_s']:.0f} / pipeline "
          f"{raw_b['process_cpu_s']:.0f} (wall {raw_a['process_wall_s']:.0f} / "
          f"{raw_b['process_wall_s']:.0f}, model loading included)")
    print("same work: " + ", ".join(f"{k}={v}" for k, v in report["same_work"].items()))
    fid = report["fidelity"]
    for name, bound in fid["thresholds"].items():
        res = fid[name]
        print(f"fidelity {name}: token agreement {res['token_agreement']:.2%} "
              f"(>= {bound:.1%}), exact match {res['exact_match']:.2%}")
    print(f"fidelity model: copy accuracy {fid['copy_accuracy']:.0%}, mean greedy probability "
          f"{fid['mean_greedy_probability']:.3f}")
    for name, target in report["targets"].items():
        value = target["value"]
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"target {name}: {shown} ({target['target']}) -> "
              f"{'met' if target['met'] else 'NOT met'}")
    load = report["load_average"]
    print(f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
          f"{report['machine']['memory_gb']} GB; load average before/after "
          f"{load['before'][0]:.2f}/{load['after'][0]:.2f}")
    print(f"wrote {path}")
    print(f"speedup (b)/(a): {report['speedup']:.2f}x")


def machine() -> dict:
    """CPU model, cores and memory of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    memory_gb = None
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {"cpu": cpu, "cores": cores, "memory_gb": memory_gb,
            "platform": platform.platform()}


def git_head(repo: Path) -> str | None:
    """The checked-out commit, read from .git without running git (which may lock)."""
    head = repo / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        name = ref[5:]
        loose = repo / ".git" / name
        if loose.is_file():
            return loose.read_text().strip()
        for line in (repo / ".git" / "packed-refs").read_text().splitlines():
            if line.endswith(" " + name):
                return line.split(" ", 1)[0]
    except OSError:
        return None
    return None
