"""The in-memory form of one input article."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """A raw article as read from disk, JSONL or stdin (before cleaning).

    Attributes:
        id: stable identifier (file stem for ``.txt``, the ``id`` field for JSONL).
        text: the article body exactly as read (decoded, date prefix removed).
        origin: where it came from, for error messages and provenance.
        date: ``YYYY-MM`` or ``YYYY-MM-DD`` when known.
        title: a headline in the source language, when the input had one.
        url, source: optional provenance fields from JSONL or feeds.
    """

    id: str
    text: str
    origin: str
    date: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    extra: dict = field(default_factory=dict)
