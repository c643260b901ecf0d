"""Exceptions raised by the evaluation library.

Only :mod:`pipeline.cli.eval` turns them into one sentence and an exit code
(2 for every error below; 1 is reserved for an unmet ``--fail-under`` gate).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.errors import BriefingError


class EvalError(BriefingError):
    """Base class of every error the evaluation stage raises on purpose."""


class EvalInputError(EvalError):
    """An input file or directory is missing, unreadable or malformed."""


class DuplicateIdError(EvalInputError):
    """The same article id occurs more than once in one input.

    Attributes:
        source: the input (path) holding the duplicates.
        ids: the duplicated ids, sorted.
    """

    def __init__(self, source: str, ids: Sequence[str]):
        self.source = source
        self.ids = sorted(set(ids))
        shown = ", ".join(self.ids[:10]) + (" ..." if len(self.ids) > 10 else "")
        super().__init__(
            f"{source}: duplicate article ids ({len(self.ids)}): {shown}; "
            "each id must occur once per input"
        )


class UnknownMetricError(EvalError):
    """A metric name (for example in ``--fail-under``) is not one this stage computes.

    Attributes:
        name: the name as given.
        suggestions: close matches, best first (may be empty).
        valid: every valid metric name.
    """

    def __init__(self, name: str, suggestions: Sequence[str], valid: Sequence[str]):
        self.name = name
        self.suggestions = list(suggestions)
        self.valid = list(valid)
        hint = f"; did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"unknown metric {name!r}{hint} Valid names: {', '.join(self.valid)}"
        )


class GateConfigError(EvalError):
    """A ``--fail-under`` rule is malformed or asks for a metric this run cannot compute."""


class NerModelError(EvalError):
    """The requested spaCy pipeline cannot be loaded (use ``--no-spacy`` to skip spaCy)."""
