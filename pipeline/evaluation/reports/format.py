"""Shared helpers of the Markdown and HTML reports: formatting and the worst articles."""

from __future__ import annotations

from pipeline.evaluation.metrics.bootstrap import Estimate
from pipeline.evaluation.results import ArticleResult, Report, SystemResult

WORST_COUNT = 5
WORST_BY = "rougeLsum"  # then entity recall, then id: see worst_articles()


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a table cell; ``n/a`` when undefined."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def fmt_estimate(estimate: Estimate | None, digits: int = 3) -> str:
    """``0.412 [0.380, 0.445]``, ``0.412`` without interval, ``n/a`` when undefined."""
    if estimate is None or estimate.value is None:
        return "n/a"
    if estimate.low is None or estimate.high is None:
        return fmt(estimate.value, digits)
    return f"{fmt(estimate.value, digits)} [{fmt(estimate.low, digits)}, {fmt(estimate.high, digits)}]"


def shown_metrics(report: Report, candidates: tuple[str, ...]) -> list[str]:
    """The candidates that at least one system computed, in the given order."""
    return [m for m in candidates if any(m in s.metrics for s in report.systems)]


def worst_articles(system: SystemResult, k: int = WORST_COUNT) -> list[ArticleResult]:
    """The ``k`` articles with the lowest ROUGE-Lsum F1 (ties: lower entity recall, then id)."""

    def key(article: ArticleResult) -> tuple[float, float, str]:
        recall = article.entities["named"].recall
        return (article.rouge[WORST_BY].f1, 1.0 if recall is None else recall, article.id)

    return sorted(system.articles, key=key)[:k]


def entity_notes(article: ArticleResult) -> dict[str, list[str]]:
    """Missed and unsupported entities of one article, named and figures together.

    Returns:
        ``{"missed": [...], "unsupported_vs_reference": [...], "unsupported_vs_source": [...]}``.
    """
    named, figures = article.entities["named"], article.entities["figures"]
    return {
        "missed": named.missed + figures.missed,
        "unsupported_vs_reference": named.unsupported_reference + figures.unsupported_reference,
        "unsupported_vs_source": (named.unsupported_source or []) + (figures.unsupported_source or []),
    }


def mismatch_lines(report: Report) -> list[str]:
    """One sentence per id mismatch, for reports and stderr (empty when all ids line up)."""
    lines = []
    for name, sides in report.id_mismatches.get("systems", {}).items():
        if sides["missing_predictions"]:
            ids = sides["missing_predictions"]
            lines.append(f"{name}: no prediction for {len(ids)} reference id(s): {_ids(ids)}")
        if sides["extra_predictions"]:
            ids = sides["extra_predictions"]
            lines.append(f"{name}: {len(ids)} prediction id(s) without a reference: {_ids(ids)}")
    sources = report.id_mismatches.get("sources", {})
    if sources.get("references_without_source"):
        ids = sources["references_without_source"]
        lines.append(f"no source text for {len(ids)} reference id(s): {_ids(ids)}")
    if sources.get("sources_without_reference"):
        ids = sources["sources_without_reference"]
        lines.append(f"{len(ids)} source id(s) without a reference: {_ids(ids)}")
    translations = report.id_mismatches.get("reference_translations", {})
    if translations.get("references_without_translation"):
        ids = translations["references_without_translation"]
        lines.append(f"no reference translation for {len(ids)} reference id(s): {_ids(ids)}")
    if translations.get("translations_without_reference"):
        ids = translations["translations_without_reference"]
        lines.append(f"{len(ids)} reference translation id(s) without a reference: {_ids(ids)}")
    return lines


def _ids(ids: list[str], limit: int = 20) -> str:
    return ", ".join(ids[:limit]) + (f" ... (+{len(ids) - limit})" if len(ids) > limit else "")
