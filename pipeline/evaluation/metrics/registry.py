"""The registry of metric names: what each means, its scale, and what it needs.

These names are the keys of ``report.json`` and the names ``--fail-under`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.evaluation.metrics.rouge import ROUGE_TYPES


@dataclass(frozen=True)
class MetricSpec:
    """One metric.

    Attributes:
        name: the registry name.
        description: one line for reports.
        aggregate: ``"mean"`` (macro: mean of per-article values), ``"micro"`` (corpus
            ratio of summed counts) or ``"corpus"`` (sacrebleu's corpus score).
        scale: ``"0-1"`` or ``"0-100"``.
        needs: ``None``, ``"sources"`` or ``"reference_translations"``.
        higher_is_better: always True for these.
    """

    name: str
    description: str
    aggregate: str = "mean"
    scale: str = "0-1"
    needs: str | None = None
    higher_is_better: bool = True

    @property
    def maximum(self) -> float:
        """The largest possible value (1 or 100)."""
        return 100.0 if self.scale == "0-100" else 1.0


def _build() -> dict[str, MetricSpec]:
    specs: list[MetricSpec] = []
    for rouge in ROUGE_TYPES:
        specs.append(MetricSpec(rouge, f"{rouge} F1 (rouge-score, Porter stemming)"))
        specs.append(MetricSpec(f"{rouge}_precision", f"{rouge} precision"))
        specs.append(MetricSpec(f"{rouge}_recall", f"{rouge} recall"))
    for prefix, what in (("entity", "named entities"), ("figure", "figures")):
        texts = {
            "recall": f"{what} of the reference found in the briefing (coverage)",
            "precision": f"{what} of the briefing found in the reference",
            "f1": f"harmonic mean of {prefix}_precision and {prefix}_recall",
            "source_precision": f"{what} of the briefing found in the article (hallucination check)",
        }
        for kind, text in texts.items():
            needs = "sources" if kind == "source_precision" else None
            specs.append(MetricSpec(f"{prefix}_{kind}", f"{text}; mean over articles", needs=needs))
            specs.append(MetricSpec(f"{prefix}_{kind}_micro", f"{text}; pooled over articles",
                                    aggregate="micro", needs=needs))
    specs.append(MetricSpec("chrf", "chrF of translation_en vs reference translations (sacrebleu)",
                            aggregate="corpus", scale="0-100", needs="reference_translations"))
    specs.append(MetricSpec("bleu", "BLEU of translation_en vs reference translations (sacrebleu)",
                            aggregate="corpus", scale="0-100", needs="reference_translations"))
    return {s.name: s for s in specs}


METRICS: dict[str, MetricSpec] = _build()
# The metrics shown in tables and charts, in this order.
HEADLINE = ("rouge1", "rouge2", "rougeL", "rougeLsum", "entity_recall", "entity_precision",
            "entity_f1", "entity_source_precision", "figure_recall", "figure_precision",
            "figure_f1", "figure_source_precision")
