"""Every exception the library raises on purpose, in one module (as huggingface_hub's
``errors.py``). Only the CLI turns them into messages and exit codes, through the one table
:data:`pipeline.core.exit_codes.ERROR_EXITS`.

The classes are grouped by the stage that raises them; each stage's module imports its own
from here.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence

# Failures that are the machine's, not the input's (a full disk, a read-only or failing
# device, a path the file system refuses): a run stops cleanly and keeps its work.
ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO,
                                errno.ENAMETOOLONG, errno.EACCES, errno.EPERM})


def is_environment_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the environment failing (see :data:`ENVIRONMENT_ERRNOS`)."""
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS


def count_reasons(reasons: Iterable[str]) -> dict[str, int]:
    """Failures per reason (``ArticleError.reason``), in the order each reason first occurs."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return counts


class BriefingError(Exception):
    """Base class for every error this package raises on purpose."""


class ConfigError(BriefingError):
    """The configuration file or an override is invalid."""


class InvalidArgumentError(ConfigError):
    """A value given to one run (a night's date, a reprocess selector) is invalid; the
    configuration itself is not at fault."""


class ModelUnavailableError(BriefingError):
    """A configured model cannot be found locally and cannot be downloaded."""


class RunActiveError(BriefingError):
    """Another nightly run holds the lock; this one did nothing."""


class EnvironmentFailure(BriefingError):
    """The environment failed under a run (a full disk, a read-only or failing device); work
    finished before is kept."""


class GenerationError(BriefingError):
    """The model library failed on this input (an input over the model's limit, or an error
    raised by the generate call itself). The article fails alone; the run goes on. Any other
    exception while briefing is a bug and stops the run (exit 4), so a bug never reads as
    bad articles to retry night after night."""


class ArticleError(BriefingError):
    """One article cannot be processed; a batch records it and goes on.

    Attributes:
        article_id: the article's id, or None when it could not be read at all.
        origin: where the article came from (path, ``path:line`` for JSONL, ``-`` for stdin).
        reason: a short machine-readable code (``empty``, ``binary``, ``not-utf8``, ...).
    """

    def __init__(self, message: str, *, reason: str, origin: str, article_id: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.origin = origin
        self.article_id = article_id

    def to_record(self) -> dict:
        """The JSON object written to ``errors.jsonl``."""
        return {
            "id": self.article_id,
            "origin": self.origin,
            "reason": self.reason,
            "message": str(self),
        }


class SummaryTooLongError(GenerationError, ValueError):
    """The input did not shrink under the summarizer's limit within ``max_reduce_rounds``
    (the article fails alone, reason ``too-long``)."""


# ---- models -------------------------------------------------------------------------------

class ModelVerificationError(ModelUnavailableError):
    """A model file's content does not match its recorded sha256."""


# ---- inputs -------------------------------------------------------------------------------

class BriefingFormatError(BriefingError, ValueError):
    """A briefing JSON object cannot be read: an unknown ``schema_version``, or a field that is
    missing or of the wrong type (the message names the file, when there is one, and the
    field's path, e.g. ``summary[2].claims[0].supported``)."""


class StoryFormatError(BriefingError, ValueError):
    """A ``story.json`` object cannot be read: unknown ``schema_version`` or a bad field."""


class InputUnavailableError(BriefingError):
    """An input stream cannot be read at all (e.g. standard input is closed)."""


class JsonInputError(BriefingError, ValueError):
    """One JSONL line, or one JSON file, that cannot be used.

    Attributes:
        reason: ``too-large``, ``not-utf8``, ``binary`` or ``malformed-jsonl``.
        line: the line number (1-based) in a JSONL file; 0 for the whole file.
        detail: the problem, without the file name (the message of the error).
    """

    def __init__(self, detail: str, *, reason: str, line: int = 0):
        super().__init__(detail)
        self.reason = reason
        self.line = line
        self.detail = detail


class CheckInputError(BriefingError):
    """A path or record ``briefing check`` cannot use."""


# ---- batch outputs and Ray ----------------------------------------------------------------

class OutputExistsError(BriefingError):
    """The output directory already holds briefings and overwriting was not allowed."""


class OutputNotWritableError(BriefingError):
    """The output directory cannot be created or written to."""


class RayUnavailableError(BriefingError):
    """Ray is not installed, or the cluster cannot be reached."""


class RayAuthenticationError(RayUnavailableError):
    """The cluster uses token authentication and the token is missing or wrong."""


# ---- the nightly: fetching, state, delivery -----------------------------------------------

class RefusedAddressError(BriefingError):
    """A URL names, or resolves only to, an address that is not fetched."""


class FetchError(BriefingError):
    """A URL could not be fetched (network, HTTP status, size, scheme)."""


class FetchRefusedError(FetchError):
    """A URL (or a redirect) names an address that is not fetched, or a scheme not followed."""


class StateError(BriefingError):
    """The state database cannot be opened or has an incompatible schema."""


class StateBusyError(StateError, RunActiveError):
    """Another process kept the state database locked past the busy timeout."""


class StateEnvironmentError(StateError, EnvironmentFailure):
    """The state database cannot be written: a full disk, a read-only or failing device."""


class DeliveryError(BriefingError):
    """A night cannot be delivered (no digest written for it, no delivery configured)."""


class DeliveryConfigError(BriefingError):
    """The e-mail settings cannot be used (the password variable or file is missing)."""


# ---- the archive and stories --------------------------------------------------------------

class UnsafePathError(BriefingError):
    """A name from a digest that would lead outside its folder, or cannot name a file."""


class StoryError(BriefingError):
    """A story cannot be built (no usable briefings, or no parser for the figures)."""


# ---- evaluation ---------------------------------------------------------------------------

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
    """A metric name (for example in a gate) is not one this stage computes.

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
    """A gate rule is malformed or asks for a metric this run cannot compute."""


class NerModelError(EvalError):
    """The requested spaCy pipeline cannot be loaded."""
