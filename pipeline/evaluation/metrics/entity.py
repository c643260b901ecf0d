"""Entity coverage of a briefing, after Nan et al. (2021), "Entity-level Factual
Consistency of Abstractive Text Summarization" (EACL).

Per article and per group (``named``, ``figures``):

- recall: share of the reference's entities found in the briefing (coverage);
- precision: share of the briefing's entities found in the reference;
- source precision: share of the briefing's entities found in the article (their
  prec_s, a hallucination check): in the English source text or, through the
  alias table and number normalisation, in the Dutch original.

Entities are first merged within a text (:func:`cluster_mentions`), so "Qassem
Soleimani ... Soleimani ... Qasem Soleimani" counts once. "Found in a text" means
the entity occurs in that text's words, as Nan et al. match entities by string and
not by a second NER pass (:func:`found_in`, through the shared
:mod:`pipeline.text.matching`): any mention, any alias of it, a spelling variant, or,
for a person, the surname alone; a figure is found when every value it states occurs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.text.aliases import AliasTable
from pipeline.text.matching import TextIndex
from pipeline.text.mentions import Cluster, found_in


@dataclass
class GroupScore:
    """Entity scores of one group (named or figures) in one article.

    Counts are over distinct entities (clusters). Ratios are None when undefined
    (no entity to count), never silently 0.
    """

    n_reference: int
    n_reference_found: int
    n_prediction: int
    n_prediction_in_reference: int
    n_prediction_in_source: int | None
    missed: list[str]
    unsupported_reference: list[str]
    unsupported_source: list[str] | None

    @property
    def recall(self) -> float | None:
        """Reference entities found in the briefing / reference entities."""
        return _ratio(self.n_reference_found, self.n_reference)

    @property
    def precision(self) -> float | None:
        """Briefing entities found in the reference / briefing entities."""
        return _ratio(self.n_prediction_in_reference, self.n_prediction)

    @property
    def f1(self) -> float | None:
        """Harmonic mean; None without reference entities, 0 when the briefing has none."""
        return f1_score(self.precision, self.recall, self.n_prediction)

    @property
    def source_precision(self) -> float | None:
        """Briefing entities found in the article / briefing entities (None without source)."""
        if self.n_prediction_in_source is None:
            return None
        return _ratio(self.n_prediction_in_source, self.n_prediction)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def f1_score(precision: float | None, recall: float | None, n_prediction: int) -> float | None:
    """F1 as defined in eval/README.md: None when recall is undefined, 0 for an empty side."""
    if recall is None:
        return None
    if precision is None or n_prediction == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_group(
    group: str,
    prediction: dict[str, list[Cluster]],
    reference: dict[str, list[Cluster]],
    prediction_text: TextIndex,
    reference_text: TextIndex,
    sources: list[TextIndex],
    aliases: AliasTable,
) -> GroupScore:
    """Score one group of one article.

    Args:
        group: ``"named"`` or ``"figures"``.
        prediction, reference: clusters of the briefing and of the reference.
        prediction_text, reference_text: the two texts, indexed.
        sources: the article texts available (English source, Dutch original); empty
            when no source was given for this article.
        aliases: the alias table.

    Returns:
        The counts and the missed / unsupported entities.
    """
    ref, pred = reference[group], prediction[group]
    missed = [c.display for c in ref if not found_in(c, prediction_text, aliases)]
    unsupported_ref = [c.display for c in pred if not found_in(c, reference_text, aliases)]
    unsupported_src = None
    if sources:
        unsupported_src = [
            c.display for c in pred if not any(found_in(c, s, aliases) for s in sources)
        ]
    return GroupScore(
        n_reference=len(ref),
        n_reference_found=len(ref) - len(missed),
        n_prediction=len(pred),
        n_prediction_in_reference=len(pred) - len(unsupported_ref),
        n_prediction_in_source=None if unsupported_src is None else len(pred) - len(unsupported_src),
        missed=missed,
        unsupported_reference=unsupported_ref,
        unsupported_source=unsupported_src,
    )
