"""``story.json``: the briefing of one event across outlets. Its one writer and one reader."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.core.errors import StoryFormatError
from pipeline.record.base import format_error
from pipeline.record.sentence import StorySentence

# 2: the briefing's sentences are the summary sentence type (record.sentence.StorySentence:
# "unsupported" as in a briefing, claims typed); 1 is read, its "unsupported" derived
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)


@dataclass
class StoryArticle:
    id: str
    outlet: str
    title_en: str = ""
    url: str | None = None


@dataclass
class FigureValue:
    text: str
    value: float | None
    low: float | None
    high: float | None
    low_closed: bool
    high_closed: bool
    who: str
    who_is_outlet: bool
    outlet: str
    article: str
    sentence: int
    en: str
    nl: str | None


@dataclass
class FigureEntry:
    what: str
    agree: bool
    values: list[FigureValue]


@dataclass
class NameEntry:
    name: str
    outlets: list[str]
    variants: list[str]
    only_one_outlet: bool


@dataclass
class Story:
    """One event across outlets: the story briefing, who says what, names per outlet."""

    event: str
    articles: list[StoryArticle]
    briefing: list[StorySentence]
    figures: list[FigureEntry]
    names: list[NameEntry]
    briefing_notice: str | None = None
    models: dict = field(default_factory=dict)
    inputs: str | None = None  # sha256 of the member briefing files (the nightly's cache key)

    @property
    def disagreements(self) -> list[FigureEntry]:
        """The rows whose figures cannot all be true together."""
        return [row for row in self.figures if not row.agree]

    def to_dict(self) -> dict:
        """The JSON object of ``story-<event>.json`` and of ``briefing story --format json``."""
        data = asdict(self)
        data["briefing"] = [sentence.to_dict() for sentence in self.briefing]
        return {"schema_version": SCHEMA_VERSION, **data,
                "disagreements": len(self.disagreements)}

    @classmethod
    def from_dict(cls, data: Any) -> Story:
        """Read a story written by :meth:`to_dict`.

        Raises:
            StoryFormatError: not an object, an unknown ``schema_version``, or a field of
                the wrong shape.
        """
        if not isinstance(data, dict):
            raise StoryFormatError("a story must be a JSON object")
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise StoryFormatError(f"unsupported story schema_version {version!r} "
                                   f"(this version reads {list(READABLE_VERSIONS)})")
        try:
            return cls(
                event=str(data["event"]),
                articles=[StoryArticle(**a) for a in data["articles"]],
                briefing=[_sentence(s, version, n) for n, s in enumerate(data["briefing"])],
                figures=[FigureEntry(what=r["what"], agree=bool(r["agree"]),
                                     values=[FigureValue(**v) for v in r["values"]])
                         for r in data["figures"]],
                names=[NameEntry(**n) for n in data["names"]],
                briefing_notice=data.get("briefing_notice"),
                models=dict(data.get("models") or {}),
                inputs=data.get("inputs"),
            )
        except (KeyError, TypeError) as err:
            raise StoryFormatError(f"a story field is missing or of the wrong type ({err})") from err


def _sentence(data: Any, version: int, n: int) -> StorySentence:
    if version == 1 and isinstance(data, dict) and "unsupported" not in data:
        data = {**data, "unsupported": [
            {"text": c.get("text"), "label": c.get("label")} for c in data.get("claims") or []
            if isinstance(c, dict) and c.get("supported") is False]}
    try:
        return StorySentence.model_validate(data)
    except ValidationError as err:
        raise StoryFormatError(str(format_error(err, f"briefing[{n}]"))) from None


def is_story_record(data: object) -> bool:
    """Whether a decoded JSON object is a story (``story-<event>.json``), not a briefing:
    told by its content, never by its file name (a briefing may be named ``story-x.json``)."""
    return (isinstance(data, dict) and "event" in data and "figures" in data
            and "summary_sentences" not in data)


def read_story(path: Path) -> Story:
    """Read ``story-<event>.json`` (the one reader of the format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StoryFormatError(f"{path}: not a readable story JSON file ({err})") from err
    return Story.from_dict(data)
