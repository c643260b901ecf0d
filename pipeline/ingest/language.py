"""Language identification with lingua (a statistical detector that is reliable on short text).

The detector knows every language lingua ships (75), so an article is rejected with the
language it is actually in (Afrikaans, Russian, Chinese, ...), not with the nearest member of
a short list. Lingua has no West Frisian or Limburgish model: text in either is detected as
Dutch and translated as Dutch (see docs/pipeline.md, step 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from lingua import LanguageDetector, LanguageDetectorBuilder

SAMPLE_CHARS = 3000


@dataclass(frozen=True)
class LanguageGuess:
    """The most likely language (ISO 639-1) and the detector's confidence in it."""

    code: str
    name: str
    confidence: float


class LanguageIdentifier:
    """Identifies the language of article text; builds its detector on first use."""

    def __init__(self) -> None:
        self._detector: LanguageDetector | None = None

    def _get(self) -> LanguageDetector:
        if self._detector is None:
            # Language models load lazily, on the first text that needs them.
            self._detector = LanguageDetectorBuilder.from_all_languages().build()
        return self._detector

    def identify(self, text: str) -> LanguageGuess:
        """Return the best guess for ``text`` (its first few thousand characters)."""
        values = self._get().compute_language_confidence_values(text[:SAMPLE_CHARS])
        best = values[0]
        return LanguageGuess(
            code=best.language.iso_code_639_1.name.lower(),
            name=best.language.name.replace("_", " ").title(),
            confidence=float(best.value),
        )
