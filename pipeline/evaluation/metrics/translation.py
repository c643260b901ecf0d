"""chrF and BLEU of the systems' English translations against reference translations (sacrebleu).

Each article is one segment (paragraph breaks become spaces). Scores are on
sacrebleu's 0-100 scale and come with sacrebleu's signature; the 95% interval is
sacrebleu's own bootstrap (``n_bootstrap``), seeded with the run's seed through
``SACREBLEU_SEED`` so that the signature records it (``bs:1000|rs:12345``).

An empty translation is a translation that scored zero: it stays in the corpus (an
empty hypothesis adds reference n-grams and no matches) and :attr:`CorpusScore.n_empty`
says how many there were. Dropping it would inflate the score.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sacrebleu.metrics import BLEU, CHRF

TRANSLATION_METRICS = ("chrf", "bleu")


@dataclass(frozen=True)
class CorpusScore:
    """A corpus-level translation score.

    Attributes:
        value: the score on all articles (0-100).
        low, high: bootstrap mean -/+ sacrebleu's 95% half-width (None without bootstrap).
        n: number of articles (empty translations included).
        n_empty: how many of them had an empty translation (scored, not skipped).
        signature: sacrebleu's signature string.
        formatted: sacrebleu's own rendering (``chrF2 = 56.30 (μ = ... ± ...)``).
    """

    value: float
    low: float | None
    high: float | None
    n: int
    signature: str
    formatted: str
    n_empty: int = 0


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


def _corpus_score(metric: BLEU | CHRF, hyps: list[str], refs: list[list[str]],
                  samples: int) -> Any:
    """``metric.corpus_score(hyps, refs, n_bootstrap=samples)``, minus a sacrebleu crash.

    sacrebleu's chrF returns a Python ``0.0`` for a resample without any matching
    character and a NumPy ``float32`` otherwise; ``statistics.mean`` then raises
    "don't know how to coerce float and float32". The steps below are sacrebleu's own
    (same resampling, same seed, same signature) with every resampled score made a float.
    """
    if samples <= 1:
        return metric.corpus_score(hyps, refs)
    from sacrebleu.significance import _bootstrap_resample

    metric._check_corpus_score_args(hyps, refs)
    stats = metric._extract_corpus_statistics(hyps, refs)
    score = metric._aggregate_and_compute(stats)
    metric.n_bootstrap = samples
    metric.seed, resampled = _bootstrap_resample(stats, metric, samples)
    for item in resampled:
        item.score = float(item.score)
    score.estimate_ci(resampled)
    return score


def score_translations(hypotheses: dict[str, str], references: dict[str, str], *, seed: int,
                       samples: int) -> dict[str, CorpusScore]:
    """chrF and BLEU over the ids present on both sides.

    Args:
        hypotheses: ``{id: system translation}``; an empty one is scored (as zero
            matches), not skipped.
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
            score = _corpus_score(metric, hyps, refs, samples)
        signature = str(metric.get_signature())
        has_ci = samples > 1 and len(ids) > 1
        low = score._mean - score._ci if has_ci else None  # sacrebleu keeps these as attributes
        high = score._mean + score._ci if has_ci else None
        # sacrebleu's interval is mean +/- half-width, which can leave the 0-100 scale.
        low = None if low is None else max(0.0, float(low))
        high = None if high is None else min(100.0, float(high))
        results[name] = CorpusScore(float(score.score), low, high, len(ids), signature,
                                    score.format(signature=signature),
                                    n_empty=sum(1 for h in hyps if not h))
    return results
