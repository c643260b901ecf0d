"""The optional consistency check: does the article say what a summary sentence says?

The claim check (:mod:`pipeline.support.claims`) finds every name and figure of a sentence in
the article, but not whether the sentence uses them as the article does: a name in the wrong
role, two people swapped, "X trains Y" where the article says X rides. A pretrained fact
checker (MiniCheck-Flan-T5, :mod:`pipeline.backends.scoring`) reads each summary sentence
against a short *premise*: its evidence sentences (:mod:`pipeline.support.evidence`) and
``neighbours`` article sentences either side of each, in article order, not the whole
article. Each sentence gets one label beside its claim label:

- ``consistent``: the model's P(supported) is above ``threshold``;
- ``inconsistent``: it is not;
- ``not-checked``: the check is off, the sentence has no evidence sentence, or the input is
  longer than the model takes (``consistency_reason`` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

CONSISTENT, INCONSISTENT, NOT_CHECKED = "consistent", "inconsistent", "not-checked"
LABELS = (CONSISTENT, INCONSISTENT, NOT_CHECKED)
OFF, NO_EVIDENCE, TOO_LONG = "disabled", "no evidence sentence", "input too long for the model"


class Scorer(Protocol):
    """The contract of a consistency model: P(premise supports hypothesis), 0..1."""

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """One probability per (premise, hypothesis) pair, in order."""
        ...

    def fits(self, premise: str, hypothesis: str) -> bool:
        """Whether the model takes this pair whole."""
        ...

    def provenance(self) -> dict:
        """How scores are computed."""
        ...


@dataclass(frozen=True)
class Consistency:
    """The check's outcome for one summary sentence."""

    label: str
    score: float | None = None
    premise: tuple[int, ...] = ()  # the article sentences read, indices into the translation
    reason: str | None = None  # why not checked

    def fields(self) -> dict:
        """The keys added to the sentence's JSON object."""
        out: dict[str, Any] = {"consistency": self.label,
                               "consistency_score": None if self.score is None
                               else round(self.score, 4)}
        if self.label == NOT_CHECKED:
            out["consistency_reason"] = self.reason
        else:
            out["consistency_premise"] = list(self.premise)
        return out


def premise_indices(evidence: Sequence[int], sentences: int, neighbours: int) -> list[int]:
    """The evidence sentences and ``neighbours`` either side of each, in article order."""
    wanted = {i + d for i in evidence for d in range(-neighbours, neighbours + 1)}
    return sorted(i for i in wanted if 0 <= i < sentences)


@dataclass
class ConsistencyCheck:
    """A loaded scorer and how its scores become labels.

    Args:
        scorer: the model (see :class:`Scorer`).
        threshold: P(supported) above which a sentence is consistent.
        neighbours: article sentences added either side of each evidence sentence.
        model: the model's provenance (id, revision, backend), recorded with the results.
    """

    scorer: Scorer
    threshold: float = 0.5
    neighbours: int = 1
    model: dict = field(default_factory=dict)

    def check(self, sentences: Sequence[str], evidence: Sequence[Sequence[int]],
              translation: Sequence[str]) -> list[Consistency]:
        """One :class:`Consistency` per summary sentence, in order; scored in one batch."""
        results: list[Consistency | None] = [None] * len(sentences)
        pending: list[tuple[int, tuple[int, ...], str]] = []
        for n, (sentence, found) in enumerate(zip(sentences, evidence, strict=True)):
            indices = tuple(premise_indices(found, len(translation), self.neighbours))
            premise = " ".join(translation[i].strip() for i in indices).strip()
            if not premise:
                results[n] = Consistency(NOT_CHECKED, reason=NO_EVIDENCE)
            elif not self.scorer.fits(premise, sentence):
                results[n] = Consistency(NOT_CHECKED, premise=indices, reason=TOO_LONG)
            else:
                pending.append((n, indices, premise))
        scores = self.scorer.score_pairs([(premise, sentences[n]) for n, _, premise in pending])
        for (n, indices, _), score in zip(pending, scores, strict=True):
            label = CONSISTENT if score > self.threshold else INCONSISTENT
            results[n] = Consistency(label, score, indices)
        return [r for r in results if r is not None]

    def settings(self) -> dict:
        """What the briefing records about the check."""
        return {"enabled": True, "model": self.model | self.scorer.provenance(),
                "threshold": self.threshold, "neighbours": self.neighbours}


def not_checked(count: int, reason: str = OFF) -> list[Consistency]:
    """``count`` sentences the check did not read."""
    return [Consistency(NOT_CHECKED, reason=reason) for _ in range(count)]


def summarize_consistency(results: Sequence[Consistency], settings: dict | None) -> dict:
    """The briefing-level ``support.consistency`` object: settings and counts."""
    out = dict(settings or {"enabled": False})
    for label in LABELS:
        out[label.replace("-", "_")] = sum(r.label == label for r in results)
    return out


def consistency_of(sentence: Any) -> tuple[str, float | None]:
    """(label, score) of a summary sentence's JSON object, from any briefing JSON.

    Briefings written before the check existed, or by other systems, lack the fields or
    carry anything; those read as ``not-checked`` without a score.
    """
    if not isinstance(sentence, dict) or sentence.get("consistency") not in LABELS:
        return NOT_CHECKED, None
    score = sentence.get("consistency_score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        score = None
    if sentence["consistency"] == NOT_CHECKED or score is None:
        return NOT_CHECKED, None
    return sentence["consistency"], float(score)


def load_consistency_check(settings, runtime, *, offline: bool,
                           download: bool = True) -> ConsistencyCheck:
    """Resolve and load the configured model (``support.consistency``) into a check.

    Args:
        settings: a :class:`pipeline.core.config.ConsistencyConfig`.
        runtime: the :class:`pipeline.core.config.RuntimeConfig` (cache, device, threads).
        offline: never contact the hub.
        download: fetch a missing hub model when online.

    Raises:
        ModelUnavailableError: the model is missing and cannot be fetched, or is not a
            seq2seq checker; one clear sentence.
    """
    from pipeline.backends.scoring import load_scorer
    from pipeline.hub.registry import resolve_model

    resolved = resolve_model("consistency", settings.model, model_cache=runtime.model_cache,
                             offline=offline, download=download)
    scorer = load_scorer(resolved, runtime, max_tokens=settings.max_input_tokens,
                         batch_size=settings.batch_size)
    return ConsistencyCheck(scorer, threshold=settings.threshold,
                            neighbours=settings.neighbours, model=resolved.provenance())
