"""The briefing of one article: what the desk reads, plus everything needed to trust it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.errors import BriefingFormatError
from pipeline.support.marks import MARK, NOTE, marked_text

# 2: per-sentence "summary" (evidence, claims, support) and the briefing-level "support".
SCHEMA_VERSION = 2
# Versions from_dict reads: 1 lacks "summary" and "support" (read as not checked).
READABLE_VERSIONS = (1, 2)


@dataclass
class AlignedSentence:
    """One source sentence and its English translation (``nl`` is None for English input)."""

    nl: str | None
    en: str
    paragraph: int


@dataclass
class Briefing:
    """The English briefing of one article. ``to_dict`` is the JSON schema of the outputs."""

    id: str
    date: str | None
    source: str
    url: str | None
    title_nl: str | None
    title_en: str
    summary_sentences: list[str]
    sentences: list[AlignedSentence]
    source_language: str
    language_confidence: float
    removed_captions: list[str]
    models: dict
    summary_info: dict
    timings: dict
    extra: dict = field(default_factory=dict)
    # One object per summary sentence: text, evidence, support, claims, unsupported
    # (see pipeline.support.claims.SentenceSupport.to_dict); empty when not checked.
    summary: list[dict] = field(default_factory=list)
    # Claim counts, the NER used and the unsupported_claims policy; None when not checked.
    support: dict | None = None

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

    def to_dict(self) -> dict:
        """The JSON object written to ``<id>.json`` and printed by ``--format json``."""
        return {
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": __version__,
            "id": self.id,
            "date": self.date,
            "source": self.source,
            "url": self.url,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "briefing_en": self.briefing_en,
            "summary_sentences": list(self.summary_sentences),
            "summary": self.summary,
            "support": self.support,
            "translation_en": self.translation_en,
            "sentences": [asdict(s) for s in self.sentences],
            "source_language": self.source_language,
            "language_confidence": self.language_confidence,
            "removed_captions": list(self.removed_captions),
            "models": self.models,
            "summary_info": self.summary_info,
            "timings": self.timings,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Briefing:
        """Read a briefing written by :meth:`to_dict` (the one reader of ``<id>.json``).

        ``schema_version`` must be one this code reads (:data:`SCHEMA_VERSION`); a newer or
        unknown version is refused rather than half-read. Fields added by later versions of
        the same schema are ignored; fields this version writes may be missing (older
        files, hand-made test records) and get empty defaults. A record without
        ``sentences`` keeps its ``translation_en`` as one English sentence per paragraph,
        so :attr:`translation_en` reads back as written.

        Args:
            data: the decoded JSON object.

        Returns:
            The briefing.

        Raises:
            BriefingFormatError: not an object, a missing or unsupported
                ``schema_version``, or a field of the wrong type.
        """
        if not isinstance(data, dict):
            raise BriefingFormatError("a briefing must be a JSON object")
        version = data.get("schema_version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise BriefingFormatError(
                f"schema_version must be an integer, got {version!r}" if "schema_version" in data
                else "no schema_version: this is not a briefing written by briefing")
        if version not in READABLE_VERSIONS:
            newer = " (written by a newer briefing; upgrade)" if version > SCHEMA_VERSION else ""
            raise BriefingFormatError(
                f"schema_version {version} is not supported{newer}; this version reads "
                f"{', '.join(map(str, READABLE_VERSIONS))}")

        def text(key: str, default: str | None = None) -> str | None:
            value = data.get(key, default)
            if value is not None and not isinstance(value, str):
                raise BriefingFormatError(f"{key!r} must be a string, got {type(value).__name__}")
            return value

        def mapping(key: str) -> dict:
            value = data.get(key) or {}
            if not isinstance(value, dict):
                raise BriefingFormatError(f"{key!r} must be an object")
            return value

        def strings(key: str) -> list[str] | None:
            value = data.get(key)
            if value is not None and not (isinstance(value, list)
                                          and all(isinstance(v, str) for v in value)):
                raise BriefingFormatError(f"{key!r} must be a list of strings")
            return value

        raw_id = data.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
            raise BriefingFormatError("'id' must be a non-empty string")
        summary = strings("summary_sentences")
        if summary is None:
            briefing_en = text("briefing_en") or ""
            summary = [briefing_en] if briefing_en.strip() else []
        confidence = data.get("language_confidence", 0.0)
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise BriefingFormatError("'language_confidence' must be a number")
        return cls(
            id=str(raw_id).strip(),
            date=text("date"),
            source=text("source") or "",
            url=text("url"),
            title_nl=text("title_nl"),
            title_en=text("title_en") or "",
            summary_sentences=summary,
            sentences=_sentences_from(data.get("sentences"), text("translation_en")),
            source_language=text("source_language") or "",
            language_confidence=float(confidence),
            removed_captions=strings("removed_captions") or [],
            models=mapping("models"),
            summary_info=mapping("summary_info"),
            timings=mapping("timings"),
            extra=mapping("extra"),
            summary=_sentence_objects(data.get("summary")),
            support=mapping("support") if data.get("support") is not None else None,
        )

    def to_text(self) -> str:
        """The briefing as a short plain-text block for the terminal.

        With the ``flag`` policy, a name or figure the article does not contain is followed
        by ``[?]`` and a line under the title counts them; with ``drop``, the dropped
        sentences are counted and an emptied briefing says so.
        """
        header = self.title_en
        meta = " · ".join(x for x in (self.date, self.id) if x)
        support = self.support or {}
        flag = bool(self.summary) and support.get("policy", "flag") == "flag"
        body = (" ".join(marked_text(s, "{} " + MARK) for s in self.summary) if flag
                else self.briefing_en)
        lines = [header, meta]
        missing = support.get("unsupported", 0) if flag else 0
        if missing:
            lines.append(f"{MARK} {missing} name(s)/figure(s) not found in the article; "
                         "check before use")
        if support.get("dropped"):
            lines.append(f"{len(support['dropped'])} sentence(s) dropped: a name or figure "
                         "was not found in the article")
        if support.get("notice"):
            lines.append(support["notice"])
        lines += ["", body, ""]
        if flag:
            lines.append(NOTE)
        return "\n".join(lines) + ("\n" if flag else "")


def _sentences_from(raw: Any, translation_en: str | None) -> list[AlignedSentence]:
    if raw is None or raw == []:
        paragraphs = (translation_en or "").split("\n\n")
        return [AlignedSentence(None, p, i) for i, p in enumerate(paragraphs) if p.strip()]
    if not isinstance(raw, list):
        raise BriefingFormatError("'sentences' must be a list")
    sentences = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("en", ""), str) or not (
                item.get("nl") is None or isinstance(item.get("nl"), str)):
            raise BriefingFormatError("each of 'sentences' must be an object with string "
                                      "'en' and 'nl' (or null)")
        paragraph = item.get("paragraph", 0)
        if isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 0:
            raise BriefingFormatError("'sentences[].paragraph' must be a non-negative integer")
        sentences.append(AlignedSentence(item.get("nl"), item.get("en", ""), paragraph))
    return sentences


def _sentence_objects(value: Any) -> list[dict]:
    """The per-sentence ``summary`` objects (absent before schema 2)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BriefingFormatError("'summary' must be a list of objects")
    return value


def read_briefing(path: Path) -> tuple[Briefing, dict]:
    """Read one ``<id>.json``: the briefing, through :meth:`Briefing.from_dict`, and the JSON
    object as written (for callers that keep or show the file itself).

    Raises:
        OSError: the file cannot be read.
        ValueError: not JSON, or not a briefing this version reads (``BriefingFormatError``).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Briefing.from_dict(data), data
