"""``report.json``: everything machine-readable, describing itself (settings, versions, seeds).

Identical inputs and seed give a byte-identical file except the ``created`` field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pipeline
from pipeline.core.fileio import atomic_write_text
from pipeline.evaluation.metrics.bootstrap import Estimate
from pipeline.evaluation.metrics.entity import GroupScore
from pipeline.evaluation.metrics.registry import METRICS
from pipeline.evaluation.results import SCHEMA_VERSION, ArticleResult, Report, SystemResult

DIGITS = 6


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def _estimate(name: str, estimate: Estimate) -> dict[str, Any]:
    spec = METRICS[name]
    return {
        "value": _num(estimate.value),
        "ci_low": _num(estimate.low),
        "ci_high": _num(estimate.high),
        "n": estimate.n,
        "aggregate": spec.aggregate,
        "scale": spec.scale,
        "higher_is_better": spec.higher_is_better,
    }


def _group(score: GroupScore) -> dict[str, Any]:
    return {
        "recall": _num(score.recall),
        "precision": _num(score.precision),
        "f1": _num(score.f1),
        "source_precision": _num(score.source_precision),
        "counts": {
            "reference": score.n_reference,
            "reference_found": score.n_reference_found,
            "prediction": score.n_prediction,
            "prediction_in_reference": score.n_prediction_in_reference,
            "prediction_in_source": score.n_prediction_in_source,
        },
        "missed": score.missed,
        "unsupported_vs_reference": score.unsupported_reference,
        "unsupported_vs_source": score.unsupported_source,
    }


def _article(article: ArticleResult) -> dict[str, Any]:
    return {
        "id": article.id,
        "empty_prediction": article.empty_prediction,
        "has_source": article.has_source,
        "rouge": {
            name: {"precision": _num(s.precision), "recall": _num(s.recall), "f1": _num(s.f1)}
            for name, s in article.rouge.items()
        },
        "entities": {
            "named": _group(article.entities["named"]),
            "figures": _group(article.entities["figures"]),
        },
        # Per-sentence claim support, the briefing's own sentence type; [] without a source.
        "sentences": [s.to_dict() for s in article.sentences],
    }


def _system(system: SystemResult) -> dict[str, Any]:
    return {
        "name": system.name,
        "path": system.path,
        "kind": system.kind,
        "baseline": system.baseline,
        "n_articles": len(system.articles),
        "empty_predictions": system.empty_predictions,
        "metrics": {name: _estimate(name, est) for name, est in system.metrics.items()},
        "translation": {
            name: {
                "value": _num(score.value), "ci_low": _num(score.low), "ci_high": _num(score.high),
                "n": score.n, "n_empty": score.n_empty, "aggregate": "corpus", "scale": "0-100",
                "higher_is_better": True,
                "signature": score.signature, "formatted": score.formatted,
            }
            for name, score in system.translation.items()
        },
        "articles": [_article(a) for a in system.articles],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The JSON document of a report.

    Args:
        report: the evaluation result.

    Returns:
        A JSON-ready dict (floats rounded to 6 decimals).
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "created": report.created,
        "tool": {"name": "briefing eval", "version": pipeline.__version__},
        "git_commit": report.git_commit,
        "versions": report.versions,
        "settings": report.settings,
        "inputs": report.inputs,
        "notes": report.notes,
        "metrics": {
            name: {"family": spec.family, "stat": spec.stat,
                   "description": spec.description, "aggregate": spec.aggregate,
                   "scale": spec.scale, "higher_is_better": spec.higher_is_better}
            for name, spec in METRICS.items()
        },
        "skipped_metrics": report.skipped_metrics,
        "systems": [_system(s) for s in report.systems],
        "id_mismatches": report.id_mismatches,
        "gate": {
            "rules": [{"metric": r.metric, "threshold": r.threshold} for r in report.gate_rules],
            "checks": [
                {"system": c.system, "metric": c.metric, "threshold": c.threshold,
                 "value": _num(c.value), "passed": c.passed}
                for c in report.gate
            ],
            "passed": not report.gate_failures,
        },
    }


def write_json(report: Report, path: Path) -> Path:
    """Write ``report.json`` (UTF-8, indented, keys in a fixed order).

    Args:
        report: the evaluation result.
        path: the file to write.

    Returns:
        The path written.
    """
    text = json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n")
    return path
