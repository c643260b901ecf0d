"""The lead-3 baseline: the first three sentences of the English source text.

Lead-3 is the standard extractive baseline of news summarisation (See et al. 2017);
a system that does not beat it on ROUGE is not summarising better than copying the
top of the article.
"""

from __future__ import annotations

from pipeline.evaluation.inputs.loaders import BASELINE_NAME, Prediction, SourceText, SystemInput
from pipeline.text.sentences import split_sentences

LEAD_SENTENCES = 3


def lead_n(text: str, n: int = LEAD_SENTENCES) -> str:
    """The first ``n`` sentences of ``text`` (see :func:`split_sentences`), joined by spaces.

    Args:
        text: English text.
        n: number of sentences.

    Returns:
        The lead, possibly shorter when the text has fewer sentences.
    """
    return " ".join(split_sentences(text)[:n])


def lead3_system(sources: dict[str, SourceText]) -> SystemInput | None:
    """The lead-3 system over every article with an English source text.

    Args:
        sources: merged sources by id.

    Returns:
        The baseline system, or None when no English source text was given.
    """
    predictions = {i: Prediction(lead_n(s.en)) for i, s in sorted(sources.items()) if s.en}
    if not predictions:
        return None
    return SystemInput(BASELINE_NAME, "(built-in)", "baseline", predictions)
