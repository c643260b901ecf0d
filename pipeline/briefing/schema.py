"""The briefing of one article: what the desk reads, plus everything needed to trust it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pipeline import __version__
from pipeline.support.marks import MARK, NOTE, marked_text

# 2: per-sentence "summary" (evidence, claims, support) and the briefing-level "support".
SCHEMA_VERSION = 2


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

