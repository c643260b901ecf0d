"""The result objects of an evaluation run, as returned by `runner.evaluate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.evaluation.metrics.bootstrap import Estimate
from pipeline.evaluation.metrics.entity import GroupScore
from pipeline.evaluation.metrics.gate import GateCheck, GateRule
from pipeline.evaluation.metrics.registry import METRICS
from pipeline.evaluation.metrics.rouge import RougeScore
from pipeline.evaluation.metrics.translation import CorpusScore
from pipeline.record.sentence import SummarySentence

SCHEMA_VERSION = 1  # of report.json


@dataclass
class ArticleResult:
    """Scores of one system on one article."""

    id: str
    empty_prediction: bool
    has_source: bool
    rouge: dict[str, RougeScore]
    entities: dict[str, GroupScore]
    # Per briefing sentence: claims checked against the article (pipeline.support); empty
    # without a source.
    sentences: list[SummarySentence] = field(default_factory=list)  # the claim check's

    def value(self, metric: str) -> float | None:
        """The per-article value of a ``mean``-aggregated metric (None when undefined)."""
        spec = METRICS[metric]
        if spec.entity_group is not None:
            return getattr(self.entities[spec.entity_group], spec.stat)
        return getattr(self.rouge[spec.family], spec.stat)


@dataclass
class SystemResult:
    """Everything computed for one system.

    Attributes:
        metrics: ``{metric name: Estimate}`` for every computed metric.
        translation: sacrebleu scores (empty when not computed).
        missing_predictions: reference ids this system has no prediction for.
        extra_predictions: prediction ids without a reference.
    """

    name: str
    path: str
    kind: str
    articles: list[ArticleResult]
    metrics: dict[str, Estimate]
    translation: dict[str, CorpusScore] = field(default_factory=dict)
    missing_predictions: list[str] = field(default_factory=list)
    extra_predictions: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> bool:
        """True for the built-in lead-3 system."""
        return self.kind == "baseline"

    def score(self, metric: str) -> float | None:
        """The system-level value of any metric (None when not computed or undefined)."""
        if metric in self.translation:
            return self.translation[metric].value
        estimate = self.metrics.get(metric)
        return None if estimate is None else estimate.value

    @property
    def empty_predictions(self) -> list[str]:
        """Ids whose briefing is empty (scored 0, not skipped)."""
        return [a.id for a in self.articles if a.empty_prediction]


@dataclass
class Report:
    """An evaluation run, ready to be written as JSON, Markdown and HTML.

    Attributes:
        created: UTC timestamp; the only field that differs between identical runs.
        settings: resolved settings (ROUGE, bootstrap, entities, aliases, baseline, gate).
        versions: package versions.
        git_commit: commit of this code, when known.
        inputs: what was read, with article counts.
        notes: sentences every report shows (fallback NER, skipped baseline, ...).
        skipped_metrics: ``{metric: reason}`` for metrics this run could not compute.
        systems: the systems, given order, baseline last.
        id_mismatches: ids present on one side only.
        gate_rules, gate: the ``--fail-under`` rules and their checks.
    """

    created: str
    settings: dict[str, Any]
    versions: dict[str, str | None]
    git_commit: str | None
    inputs: dict[str, Any]
    notes: list[str]
    skipped_metrics: dict[str, str]
    systems: list[SystemResult]
    id_mismatches: dict[str, Any]
    gate_rules: list[GateRule] = field(default_factory=list)
    gate: list[GateCheck] = field(default_factory=list)

    @property
    def gate_failures(self) -> list[GateCheck]:
        """The failed checks (empty when the gate passed or no rule was given)."""
        return [c for c in self.gate if not c.passed]
