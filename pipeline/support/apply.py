"""The support step of a briefing: evidence and claims per sentence, then the configured policy.

``summarization.unsupported_claims`` decides what happens to a sentence with a claim the
article does not contain:

- ``keep``: recorded in the JSON only; readers' renderings do not mark it;
- ``flag`` (default): recorded and marked wherever the briefing is shown;
- ``drop``: the sentence leaves the briefing; ``support.dropped`` says which and why. When
  every sentence would go, the briefing is left empty and ``support.notice`` says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.support.casing import casing_report
from pipeline.support.claims import SupportChecker, summarize_support
from pipeline.support.consistency import ConsistencyCheck, not_checked, summarize_consistency
from pipeline.support.evidence import find_evidence

log = logging.getLogger(__name__)
POLICIES = ("keep", "flag", "drop")


@dataclass
class SupportResult:
    """What the support step adds to a briefing."""

    sentences: list[str]  # the summary sentences that stay (all of them unless dropping)
    summary: list[dict]  # the per-sentence JSON objects of the sentences that stay
    support: dict  # the briefing-level summary
    seconds: float  # time spent checking (evidence and claims)
    consistency_seconds: float = 0.0  # time spent in the consistency model, apart


def support_summary(checker: SupportChecker, sentences: Sequence[str],
                    translation: Sequence[str], *, source_nl: str | None = None,
                    extra_en: str | None = None, policy: str = "flag",
                    evidence_limit: int = 3,
                    consistency: ConsistencyCheck | None = None) -> SupportResult:
    """Evidence and claim support for each summary sentence, with ``policy`` applied.

    Args:
        checker: the support checker (its NER is loaded on first use).
        sentences: the summary, one sentence per item.
        translation: the article's English sentences (evidence indices point into it).
        source_nl: the Dutch original, when there is one.
        extra_en: more English article text to check against (the translated title).
        policy: ``keep``, ``flag`` or ``drop``.
        evidence_limit: at most this many evidence sentences per summary sentence.
        consistency: the optional model check of each kept sentence against its evidence
            (None: every sentence is recorded as ``not-checked``).
    """
    if policy not in POLICIES:
        raise ValueError(f"unsupported_claims must be one of {POLICIES}, got {policy!r}")
    source_en = " ".join(list(translation) + ([extra_en] if extra_en else []))
    _ = checker.ner  # load the NER outside the timing: it is loaded once per process
    started = time.perf_counter()
    checked = checker.check(sentences, source_en, source_nl)
    for sentence in checked:
        sentence.evidence = [e.index for e in find_evidence(sentence.text, translation,
                                                            limit=evidence_limit)]
    kept, dropped = list(checked), []
    if policy == "drop":
        kept = [s for s in checked if not s.unsupported]
        dropped = [{"text": s.text,
                    "unsupported": [c.brief() for c in s.unsupported],
                    "reason": "marked: " + ", ".join(
                        f"{c.text} ({c.label}: {c.reason or 'not found in the article'})"
                        for c in s.unsupported)}
                   for s in checked if s.unsupported]
    extra: dict = {"policy": policy}
    casing = casing_report(" ".join(sentences), source_en)
    if casing:
        extra["casing"] = casing
    if policy == "drop":
        extra["dropped"] = dropped
        if checked and not kept:
            extra["notice"] = (f"all {len(checked)} summary sentences had a name or figure not "
                               "found in the article and were dropped; the briefing is empty")
            log.warning(extra["notice"])
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    consistent = (consistency.check([s.text for s in kept], [s.evidence for s in kept],
                                    translation) if consistency else not_checked(len(kept)))
    model_seconds = time.perf_counter() - started
    extra["consistency"] = summarize_consistency(
        consistent, consistency.settings() if consistency else None)
    # Counts describe the briefing as written (after dropping); dropped lists the rest.
    return SupportResult(sentences=[s.text for s in kept],
                         summary=[s.to_dict() | c.fields() for s, c in zip(kept, consistent,
                                                                           strict=True)],
                         support=summarize_support(kept, checker.ner, **extra),
                         seconds=seconds, consistency_seconds=model_seconds)
