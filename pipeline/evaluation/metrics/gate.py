"""The regression gate: ``--fail-under METRIC=VALUE`` and gate files (``eval/gate.yaml``).

Every non-baseline system must reach every threshold with its score on all
articles (the mean for per-article metrics, the pooled ratio for ``*_micro``, the
corpus score for chrf and bleu). A score that is undefined (for instance no
article has a figure) fails the gate: a gate must not pass on missing evidence.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.core.errors import GateConfigError, UnknownMetricError
from pipeline.evaluation.metrics.registry import METRICS

GATE_FILE_VERSION = 1
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


def make_rule(name: str, raw: object, where: str) -> GateRule:
    """One validated rule: a known metric and a number on its scale.

    Args:
        name: the metric name.
        raw: the threshold as given (text or number).
        where: what to name in messages (``gate rule 'rouge2=x'``, ``gate file eval/gate.yaml``).

    Raises:
        UnknownMetricError: an unknown metric name.
        GateConfigError: a non-number, or a value outside the metric's scale.
    """
    check_metric_name(name)
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        threshold = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise GateConfigError(f"{where}: {str(raw).strip()!r} is not a number") from err
    spec = METRICS[name]
    if not 0 <= threshold <= spec.maximum:
        hint = (f"; did you mean {threshold / 100:g}?"
                if spec.maximum == 1 and 1 < threshold <= 100 else "")
        raise GateConfigError(f"{where}: {name} is on a {spec.scale} scale{hint}")
    return GateRule(name, threshold)


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
                raise GateConfigError(f"gate rule {item!r}: expected METRIC=VALUE, e.g. rouge2=0.15")
            rules.append(make_rule(name.strip(), raw, f"gate rule {item!r}"))
    return rules


def load_gate_file(path: Path) -> list[GateRule]:
    """Read a gate file (``eval/gate.yaml``): ``schema_version: 1`` and a
    ``fail_under:`` mapping of metric names to thresholds.

    Args:
        path: the YAML file.

    Returns:
        The rules, in file order.

    Raises:
        GateConfigError: unreadable file, invalid YAML, unknown version or keys, bad values.
        UnknownMetricError: an unknown metric name.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise GateConfigError(f"gate file {path}: cannot read it ({err})") from err
    except yaml.YAMLError as err:
        raise GateConfigError(f"gate file {path}: not valid YAML ({err})".splitlines()[0]) from err
    if not isinstance(data, dict) or not isinstance(data.get("fail_under"), dict):
        raise GateConfigError(f"gate file {path}: expected a 'fail_under:' mapping of "
                              "metric: threshold")
    version = data.get("schema_version", GATE_FILE_VERSION)
    if version != GATE_FILE_VERSION:
        raise GateConfigError(f"gate file {path}: schema_version {version!r} is not supported "
                              f"(this version reads {GATE_FILE_VERSION})")
    unknown = sorted(set(data) - {"schema_version", "fail_under"})
    if unknown:
        raise GateConfigError(f"gate file {path}: unknown key(s) {', '.join(unknown)}")
    return [make_rule(str(name), value, f"gate file {path}: {name}")
            for name, value in data["fail_under"].items()]


def merge_rules(*groups: list[GateRule]) -> list[GateRule]:
    """Rules of several sources; a later rule for the same metric replaces an earlier one."""
    merged: dict[str, GateRule] = {}
    for group in groups:
        for rule in group:
            merged[rule.metric] = rule
    return list(merged.values())


def check_requirements(rules: list[GateRule], *, have_sources: bool,
                       have_reference_translations: bool) -> None:
    """Fail early when a rule asks for a metric this run cannot compute.

    Raises:
        GateConfigError: naming the metric and the missing option.
    """
    for rule in rules:
        needs = METRICS[rule.metric].needs
        if needs == "sources" and not have_sources:
            raise GateConfigError(f"the gate rule for {rule.metric} needs a sources input")
        if needs == "reference_translations" and not have_reference_translations:
            raise GateConfigError(f"the gate rule for {rule.metric} needs the reference translations")


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
