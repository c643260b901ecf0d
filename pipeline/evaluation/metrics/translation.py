"""chrF and BLEU of the systems' English translations against reference translations (sacrebleu).

Each article is one segment (paragraph breaks become spaces). Scores are on
sacrebleu's 0-100 scale and come with sacrebleu's signature; the 95% interval is
sacrebleu's own bootstrap (``n_bootstrap``), seeded with the run's seed through
``SACREBLEU_SEED`` so that the signature records it (``bs:1000|rs:12345``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sacrebleu.metrics import BLEU, CHRF

TRANSLATION_METRICS = ("chrf", "bleu")


@dataclass(frozen=True)
class CorpusScore:
    """A corpus-level translation score.

    Attributes:
        value: the score on all articles (0-100).
        low, high: bootstrap mean -/+ sacrebleu's 95% half-width (None without bootstrap).
        n: number of articles.
        signature: sacrebleu's signature string.
        formatted: sacrebleu's own rendering (``chrF2 = 56.30 (μ = ... ± ...)``).
    """

    value: float
    low: float | None
    high: float | None
    n: int
    signature: str
    formatted: str


@contextmanager
def _sacrebleu_seed(seed: int) -> Iterator[None]:
    previous = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SACREBLEU_SEED"]
        else:
            os.environ["SACREBLEU_SEED"] = previous


def _segment(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score_translations(hypotheses: dict[str, str], references: dict[str, str], *, seed: int,
                       samples: int) -> dict[str, CorpusScore]:
    """chrF and BLEU over the ids present on both sides.

    Args:
        hypotheses: ``{id: system translation}``.
        references: ``{id: reference translation}``.
        seed: bootstrap seed.
        samples: bootstrap samples (0 or 1: no interval).

    Returns:
        ``{"chrf": ..., "bleu": ...}``; empty when no id is shared.
    """
    ids = sorted(hypotheses.keys() & references.keys())
    if not ids:
        return {}
    hyps = [_segment(hypotheses[i]) for i in ids]
    refs = [[_segment(references[i]) for i in ids]]
    results = {}
    for name, metric in (("chrf", CHRF()), ("bleu", BLEU())):
        with _sacrebleu_seed(seed):
            score = metric.corpus_score(hyps, refs, n_bootstrap=max(1, samples))
        signature = str(metric.get_signature())
        has_ci = samples > 1 and len(ids) > 1
        low = score._mean - score._ci if has_ci else None  # sacrebleu keeps these as attributes
        high = score._mean + score._ci if has_ci else None
        results[name] = CorpusScore(float(score.score), low, high, len(ids), signature,
                                    score.format(signature=signature))
    return results
