"""The regression gate: ``--fail-under METRIC=VALUE``.

Every non-baseline system must reach every threshold with its score on all
articles (the mean for per-article metrics, the pooled ratio for ``*_micro``, the
corpus score for chrf and bleu). A score that is undefined (for instance no
article has a figure) fails the gate: a gate must not pass on missing evidence.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pipeline.evaluation.errors import GateConfigError, UnknownMetricError
from pipeline.evaluation.metrics.registry import METRICS

NO_SYSTEM = "(no system to gate: only the baseline was scored)"


@dataclass(frozen=True)
class GateRule:
    """One threshold: ``metric`` must be >= ``threshold``."""

    metric: str
    threshold: float


@dataclass(frozen=True)
class GateCheck:
    """The outcome of one rule for one system."""

    system: str
    metric: str
    threshold: float
    value: float | None

    @property
    def passed(self) -> bool:
        """True when the value is defined and reaches the threshold."""
        return self.value is not None and self.value >= self.threshold

    def describe(self) -> str:
        """``system: rouge2 = 0.1234 < 0.15`` (or ``undefined``)."""
        shown = "undefined" if self.value is None else f"{self.value:.4f}"
        return f"{self.system}: {self.metric} = {shown} < {self.threshold:g}"


def check_metric_name(name: str) -> None:
    """Raise :class:`UnknownMetricError` with suggestions unless ``name`` is a metric.

    Args:
        name: the metric name as typed.
    """
    if name not in METRICS:
        valid = sorted(METRICS)
        lowered = {v.lower(): v for v in valid}
        suggestions = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        raise UnknownMetricError(name, [lowered[s] for s in suggestions], valid)


def parse_rules(specs: list[str]) -> list[GateRule]:
    """Parse ``METRIC=VALUE`` items (each item may also hold several, comma-separated).

    Args:
        specs: the ``--fail-under`` values.

    Returns:
        The rules, in the order given.

    Raises:
        UnknownMetricError: an unknown metric name (with "did you mean" and the valid names).
        GateConfigError: a malformed item, a non-number, or a value outside the metric's scale.
    """
    rules = []
    for spec in specs:
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, raw = item.partition("=")
            if not sep or not name.strip() or not raw.strip():
                raise GateConfigError(f"--fail-under {item!r}: expected METRIC=VALUE, e.g. rouge2=0.15")
            name = name.strip()
            check_metric_name(name)
            try:
                threshold = float(raw)
            except ValueError as err:
                raise GateConfigError(f"--fail-under {item!r}: {raw.strip()!r} is not a number") from err
            spec_ = METRICS[name]
            if not 0 <= threshold <= spec_.maximum:
                hint = (f"; did you mean {threshold / 100:g}?"
                        if spec_.maximum == 1 and 1 < threshold <= 100 else "")
                raise GateConfigError(
                    f"--fail-under {item!r}: {name} is on a {spec_.scale} scale{hint}")
            rules.append(GateRule(name, threshold))
    return rules


def check_requirements(rules: list[GateRule], *, have_sources: bool,
                       have_reference_translations: bool) -> None:
    """Fail early when a rule asks for a metric this run cannot compute.

    Raises:
        GateConfigError: naming the metric and the missing option.
    """
    for rule in rules:
        needs = METRICS[rule.metric].needs
        if needs == "sources" and not have_sources:
            raise GateConfigError(f"--fail-under {rule.metric} needs --sources")
        if needs == "reference_translations" and not have_reference_translations:
            raise GateConfigError(f"--fail-under {rule.metric} needs --reference-translations")


def evaluate_gate(rules: list[GateRule], scores: dict[str, dict[str, float | None]]
                  ) -> list[GateCheck]:
    """Check every rule for every gated system.

    Args:
        rules: the parsed rules.
        scores: ``{system: {metric: value}}`` for the non-baseline systems.

    Returns:
        One check per (system, rule), systems in the given order. Without any gated
        system (only the baseline was scored) every rule is one failed check: a gate
        must not pass on no evidence.
    """
    if not scores:
        return [GateCheck(NO_SYSTEM, rule.metric, rule.threshold, None) for rule in rules]
    return [
        GateCheck(system, rule.metric, rule.threshold, values.get(rule.metric))
        for system, values in scores.items()
        for rule in rules
    ]
