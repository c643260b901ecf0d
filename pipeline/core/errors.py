"""Exceptions raised by the library. Only the CLI turns them into messages and exit codes."""

from __future__ import annotations


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


class BriefingFormatError(BriefingError, ValueError):
    """A briefing JSON object cannot be read: an unknown ``schema_version``, or a field that is
    missing or of the wrong type (the message names the file, when there is one, and the
    field's path, e.g. ``summary[2].claims[0].supported``)."""
