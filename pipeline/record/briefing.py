"""The briefing of one article: what the desk reads, plus everything needed to trust it.

:class:`Briefing` is the one type of ``<id>.json``: :func:`write_briefing` (through
:meth:`Briefing.to_dict`) is its one writer and :func:`read_briefing` (through
:meth:`Briefing.from_dict`) its one reader. Reading is strict: a missing key or a value of the
wrong type is a :class:`~pipeline.core.errors.BriefingFormatError` naming the file and the
field (``out/a.json: summary[2].claims[0].supported: field required``), never a default.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from pipeline import __version__
from pipeline.core.errors import BriefingFormatError
from pipeline.core.fileio import atomic_write_json
from pipeline.record.base import Record, format_error
from pipeline.record.marks import MARK, NOTE, marked_text, marks_claims
from pipeline.record.sentence import ClaimBrief, SummarySentence

# 2: per-sentence "summary" (evidence, claims, support) and the briefing-level "support".
SCHEMA_VERSION = 2
# Versions from_dict reads: 1 lacks "summary" and "support" (read as not checked).
READABLE_VERSIONS = (1, 2)
# Keys of the JSON object that are not fields: written from the fields, checked when read.
DERIVED_KEYS = ("briefing_en", "translation_en")


@dataclass
class AlignedSentence:
    """One source sentence and its English translation (``nl`` is None for English input)."""

    nl: str | None = Field(strict=True)
    en: str = Field(strict=True)
    paragraph: int = Field(strict=True, ge=0)


class NerInfo(Record):
    """The named-entity recogniser the claim check used."""

    extractor: str
    name: str | None
    version: str | None
    package: str | None
    fallback_reason: str | None


class DroppedSentence(Record):
    """A sentence the ``drop`` policy took out of the briefing, and why."""

    text: str
    unsupported: list[ClaimBrief]
    reason: str


class SupportTotals(Record):
    """The briefing-level ``support``: claim counts of the briefing as written, the NER used
    and the ``summarization.unsupported_claims`` policy (which decides whether marks show)."""

    claims: int = Field(ge=0)
    supported: int = Field(ge=0)
    unsupported: int = Field(ge=0)
    sentences_with_unsupported: int = Field(ge=0)
    repeated: int = Field(0, ge=0)  # of the unsupported: names the article has, repeated
    ner: NerInfo
    ner_notice: str | None = None
    placeholders: int = Field(0, ge=0)
    placeholder_notice: str | None = None
    policy: Literal["keep", "flag", "drop"]
    casing: dict[str, str] | None = None
    dropped: list[DroppedSentence] | None = None
    notice: str | None = None
    consistency: dict[str, Any] | None = None


class ModelInfo(Record):
    """Provenance of one model (translator, summarizer, consistency); each backend adds its
    own keys (generation settings, limits, conversion), kept as written."""

    id: str | None = None
    revision: str | None = None
    resolved_path: str | None = None
    snapshot: str | None = None
    origin: str | None = None
    backend: str | None = None
    quantization: str | None = None


class Timings(Record):
    """Seconds per step (in a batch, the article's share of its window's time, by word
    count; ``batched_with`` articles shared it). A step not measured is absent."""

    prepare_s: float | None = None
    translate_s: float | None = None
    summarize_s: float | None = None
    support_s: float | None = None
    consistency_s: float | None = None
    batched_with: int | None = None
    total_s: float | None = None


def _json_schema(schema: dict[str, Any]) -> None:
    """The file's schema: every key the writer writes is required; the derived keys too."""
    schema["properties"]["briefing_en"] = {
        "type": "string", "title": "Briefing En",
        "description": "The summary as one paragraph (summary_sentences joined)."}
    schema["properties"]["translation_en"] = {
        "type": "string", "title": "Translation En",
        "description": "The English translation, paragraphs separated by blank lines."}
    schema["required"] = list(READ_REQUIRED)


class Briefing(Record):
    """The English briefing of one article: the one type of ``<id>.json``.

    Keys a later release of schema 2 adds are kept as written (``model_extra``) and written
    back unchanged.
    """

    model_config = ConfigDict(strict=True, extra="allow", json_schema_extra=_json_schema,
                              title="Briefing")

    schema_version: Literal[2] = SCHEMA_VERSION
    pipeline_version: str | None = Field(default_factory=lambda: __version__)
    id: str
    date: str | None
    source: str
    url: str | None
    title_nl: str | None
    title_en: str
    summary_sentences: list[str]
    # One object per summary sentence (evidence, claims, support); empty when not checked.
    summary: list[SummarySentence] = Field(default_factory=list)
    # Claim counts, the NER used and the unsupported_claims policy; None when not checked.
    support: SupportTotals | None = None
    sentences: list[AlignedSentence]
    source_language: str
    language_confidence: float
    removed_captions: list[str]
    models: dict[str, ModelInfo]
    summary_info: dict[str, Any]
    timings: Timings
    extra: dict[str, Any] = Field(default_factory=dict)
    # Written by the nightly: which night, run and attempt wrote the file (absent elsewhere).
    nightly: dict[str, Any] | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("must be a non-empty string")
            return value.strip()
        return value

    @property
    def briefing_en(self) -> str:
        """The summary as one paragraph."""
        return " ".join(self.summary_sentences)

    @property
    def translation_en(self) -> str:
        """The full English translation, paragraphs separated by blank lines."""
        paragraphs: list[list[str]] = []
        for sentence in self.sentences:
            while len(paragraphs) <= sentence.paragraph:
                paragraphs.append([])
            paragraphs[sentence.paragraph].append(sentence.en)
        return "\n\n".join(" ".join(p) for p in paragraphs if p)

    @property
    def checked_summary(self) -> list[SummarySentence] | None:
        """``summary`` when it holds the check of every summary sentence, in order (the same
        texts); None when it does not (not checked: a schema-1 file, or a summary edited
        after its check)."""
        if len(self.summary) != len(self.summary_sentences) or any(
                item.text != text for item, text in zip(self.summary, self.summary_sentences,
                                                        strict=True)):
            return None
        return self.summary

    @property
    def unsupported_count(self) -> int:
        """Unsupported claims readers see marked (0 without support data or with ``keep``)."""
        if not marks_claims(self.support):
            return 0
        return sum(len(s.unsupported) for s in self.summary)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object written to ``<id>.json`` and printed by ``--format json``."""
        return {
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": self.pipeline_version,
            "id": self.id,
            "date": self.date,
            "source": self.source,
            "url": self.url,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "briefing_en": self.briefing_en,
            "summary_sentences": list(self.summary_sentences),
            "summary": [s.to_dict() for s in self.summary],
            "support": self.support.to_dict() if self.support is not None else None,
            "translation_en": self.translation_en,
            "sentences": [asdict(s) for s in self.sentences],
            "source_language": self.source_language,
            "language_confidence": self.language_confidence,
            "removed_captions": list(self.removed_captions),
            "models": {name: model.to_dict() for name, model in self.models.items()},
            "summary_info": dict(self.summary_info),
            "timings": self.timings.to_dict(),
            **({"extra": dict(self.extra)} if self.extra else {}),
            **({"nightly": dict(self.nightly)} if self.nightly is not None else {}),
            **(self.model_extra or {}),
        }

    @classmethod
    def from_dict(cls, data: Any, origin: str | None = None) -> Briefing:
        """Read a briefing written by :meth:`to_dict` (the one reader of ``<id>.json``).

        ``schema_version`` must be one this code reads; a newer or unknown version is
        refused rather than half-read. Every key :meth:`to_dict` writes must be there with
        its type (``extra`` may be absent); keys a later release adds are kept. A schema-1
        file (before claim support) reads with its missing keys empty and ``summary`` and
        ``support`` as not checked. A record with empty ``sentences`` keeps its
        ``translation_en`` as one English sentence per paragraph.

        Args:
            data: the decoded JSON object.
            origin: the file it came from, named in errors.

        Raises:
            BriefingFormatError: not an object, a missing or unsupported ``schema_version``,
                or a field missing or of the wrong type (named by its path).
        """
        where = f"{origin}: " if origin else ""
        if not isinstance(data, dict):
            raise BriefingFormatError(f"{where}a briefing must be a JSON object")
        version = data.get("schema_version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise BriefingFormatError(where + (
                f"schema_version must be an integer, got {version!r}" if "schema_version" in data
                else "no schema_version: this is not a briefing written by briefing"))
        if version not in READABLE_VERSIONS:
            newer = " (written by a newer briefing; upgrade)" if version > SCHEMA_VERSION else ""
            raise BriefingFormatError(
                f"{where}schema_version {version} is not supported{newer}; this version reads "
                f"{', '.join(map(str, READABLE_VERSIONS))}")
        for key in DERIVED_KEYS:
            if key in data and not isinstance(data[key], str):
                raise BriefingFormatError(f"{where}{key}: input should be a valid string")
        data = _from_version_1(data) if version == 1 else dict(data)
        missing = [key for key in READ_REQUIRED if key not in data]
        if missing:
            raise BriefingFormatError(where + "; ".join(f"{key}: field required"
                                                        for key in missing))
        derived = {key: data.pop(key) for key in DERIVED_KEYS}
        if not data.get("sentences"):
            paragraphs = derived["translation_en"].split("\n\n")
            data["sentences"] = [{"nl": None, "en": p, "paragraph": i}
                                 for i, p in enumerate(paragraphs) if p.strip()]
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise format_error(err, origin) from None
        except RecursionError:
            raise BriefingFormatError(f"{where}nested too deeply") from None

    def to_text(self) -> str:
        """The briefing as a short plain-text block for the terminal.

        With the ``flag`` policy, a name or figure the article does not contain is followed
        by ``[?]`` and a line under the title counts them; with ``drop``, the dropped
        sentences are counted and an emptied briefing says so.
        """
        header = self.title_en
        meta = " · ".join(x for x in (self.date, self.id) if x)
        support = self.support
        flag = bool(self.summary) and support is not None and support.policy == "flag"
        body = (" ".join(marked_text(s, "{} " + MARK) for s in self.summary) if flag
                else self.briefing_en)
        lines = [header, meta]
        missing = support.unsupported if flag and support is not None else 0
        if missing:
            lines.append(f"{MARK} {missing} name(s)/figure(s) to check before use: not found "
                         "in the article, or named twice in two roles")
        if support is not None and support.dropped:
            lines.append(f"{len(support.dropped)} sentence(s) dropped: a name or figure "
                         "was not found in the article, or named twice in two roles")
        if support is not None and support.notice:
            lines.append(support.notice)
        lines += ["", body, ""]
        if flag:
            lines.append(NOTE)
        return "\n".join(lines) + ("\n" if flag else "")


# Every key to_dict writes but "extra" (written only when not empty).
READ_REQUIRED = ("schema_version", "pipeline_version", "id", "date", "source", "url",
                 "title_nl", "title_en", "briefing_en", "summary_sentences", "summary",
                 "support", "translation_en", "sentences", "source_language",
                 "language_confidence", "removed_captions", "models", "summary_info",
                 "timings")


def _from_version_1(data: dict) -> dict:
    """A schema-1 object as schema 2: what it lacks is empty, claim support not checked."""
    out = dict(data)
    briefing_en = out.get("briefing_en")
    if "summary_sentences" not in out and isinstance(briefing_en, str):
        out["summary_sentences"] = [briefing_en] if briefing_en.strip() else []
    for key in ("pipeline_version", "date", "url", "title_nl", "support"):
        out.setdefault(key, None)
    empty: dict[str, Any] = {
        "briefing_en": "", "source": "", "title_en": "", "summary": [], "translation_en": "",
        "sentences": [], "source_language": "", "language_confidence": 0.0,
        "removed_captions": [], "models": {}, "summary_info": {}, "timings": {}}
    for key, value in empty.items():
        if out.get(key) is None:  # schema 1 wrote null for some of these
            out[key] = value
    out["schema_version"] = SCHEMA_VERSION
    return out


NOT_A_BRIEFING = "not a briefing JSON (neither summary_sentences nor briefing_en)"


def is_briefing_record(data: object) -> bool:
    """Whether a decoded JSON object is meant as a briefing, told by its content (never by a
    file name): it has ``summary_sentences``, or it is a schema-1 briefing with only
    ``briefing_en``. Whether it is a *valid* one is :meth:`Briefing.from_dict`'s to say."""
    return isinstance(data, dict) and (
        "summary_sentences" in data or isinstance(data.get("briefing_en"), str))


def read_briefing(path: Path) -> Briefing:
    """Read one ``<id>.json`` through :meth:`Briefing.from_dict`.

    Raises:
        OSError: the file cannot be read.
        BriefingFormatError: not UTF-8 JSON, or not a briefing this version reads; the
            message names the file and the field.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BriefingFormatError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise BriefingFormatError(f"{path}: not JSON ({err.msg}, line {err.lineno})") from None
    except RecursionError:
        raise BriefingFormatError(f"{path}: JSON nested too deeply") from None
    return Briefing.from_dict(data, origin=str(path))


def write_briefing(path: Path, briefing: Briefing) -> Path:
    """Write one ``<id>.json`` atomically (a reader never sees half a file)."""
    atomic_write_json(Path(path), briefing.to_dict())
    return Path(path)
