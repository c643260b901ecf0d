"""Language identification with lingua (a statistical detector that is reliable on short text)."""

from __future__ import annotations

from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# Dutch and the languages an article on a Dutch/Flemish desk is most likely to be in instead.
# A closed set keeps the detector small and fast; anything else lands on its nearest member
# and is rejected as "not Dutch" all the same.
CANDIDATES = (
    Language.DUTCH, Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH,
    Language.ITALIAN, Language.PORTUGUESE, Language.TURKISH, Language.POLISH, Language.ARABIC,
)
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
            self._detector = LanguageDetectorBuilder.from_languages(*CANDIDATES).build()
        return self._detector

    def identify(self, text: str) -> LanguageGuess:
        """Return the best guess for ``text`` (its first few thousand characters)."""
        values = self._get().compute_language_confidence_values(text[:SAMPLE_CHARS])
        best = values[0]
        return LanguageGuess(
            code=best.language.iso_code_639_1.name.lower(),
            name=best.language.name.title(),
            confidence=float(best.value),
        )
