"""The registry of metric names: what each means, its scale, and what it needs.

These names are the keys of ``report.json`` and the names ``--fail-under`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.evaluation.metrics.rouge import ROUGE_TYPES

# What a metric is computed on: a ROUGE type, an entity group, or a sacrebleu metric.
ENTITY_FAMILIES = {"entity": "named", "figure": "figures"}  # family -> entity group


@dataclass(frozen=True)
class MetricSpec:
    """One metric, described by its parts rather than by its name.

    Attributes:
        name: the registry name (the key in report.json and for the gate).
        family: what is measured: a ROUGE type (``rouge2``), ``entity``, ``figure``,
            ``chrf`` or ``bleu``.
        stat: which statistic of it: ``f1``, ``precision``, ``recall``,
            ``source_precision`` or ``score`` (chrF/BLEU).
        description: one line for reports.
        aggregate: ``"mean"`` (macro: mean of per-article values), ``"micro"`` (corpus
            ratio of summed counts) or ``"corpus"`` (sacrebleu's corpus score).
        scale: ``"0-1"`` or ``"0-100"``.
        needs: ``None``, ``"sources"`` or ``"reference_translations"``.
        higher_is_better: always True for these.
    """

    name: str
    family: str
    stat: str
    description: str
    aggregate: str = "mean"
    scale: str = "0-1"
    needs: str | None = None
    higher_is_better: bool = True

    @property
    def maximum(self) -> float:
        """The largest possible value (1 or 100)."""
        return 100.0 if self.scale == "0-100" else 1.0

    @property
    def entity_group(self) -> str | None:
        """``"named"`` or ``"figures"`` for entity metrics, None otherwise."""
        return ENTITY_FAMILIES.get(self.family)


def _build() -> dict[str, MetricSpec]:
    specs: list[MetricSpec] = []
    for rouge in ROUGE_TYPES:
        specs.append(MetricSpec(rouge, rouge, "f1", f"{rouge} F1 (rouge-score, Porter stemming)"))
        specs.append(MetricSpec(f"{rouge}_precision", rouge, "precision", f"{rouge} precision"))
        specs.append(MetricSpec(f"{rouge}_recall", rouge, "recall", f"{rouge} recall"))
    for family, what in (("entity", "named entities"), ("figure", "figures")):
        texts = {
            "recall": f"{what} of the reference found in the briefing (coverage)",
            "precision": f"{what} of the briefing found in the reference",
            "f1": f"harmonic mean of {family}_precision and {family}_recall",
            "source_precision": f"{what} of the briefing found in the article (hallucination check)",
        }
        for stat, text in texts.items():
            needs = "sources" if stat == "source_precision" else None
            specs.append(MetricSpec(f"{family}_{stat}", family, stat,
                                    f"{text}; mean over articles", needs=needs))
            specs.append(MetricSpec(f"{family}_{stat}_micro", family, stat,
                                    f"{text}; pooled over articles", aggregate="micro",
                                    needs=needs))
    for name, label in (("chrf", "chrF"), ("bleu", "BLEU")):
        specs.append(MetricSpec(
            name, name, "score", f"{label} of translation_en vs reference translations (sacrebleu)",
            aggregate="corpus", scale="0-100", needs="reference_translations"))
    return {s.name: s for s in specs}


METRICS: dict[str, MetricSpec] = _build()
# The metrics shown in tables and charts, in this order.
HEADLINE = ("rouge1", "rouge2", "rougeL", "rougeLsum", "entity_recall", "entity_precision",
            "entity_f1", "entity_source_precision", "figure_recall", "figure_precision",
            "figure_f1", "figure_source_precision")
