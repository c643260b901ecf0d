"""From a raw article to clean, checked, segmented paragraphs ready for translation."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.config import IngestConfig
from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article
from pipeline.ingest.cleaning import (
    normalise_whitespace,
    strip_caption_sentences,
    strip_volledig_scherm,
)
from pipeline.ingest.language import LanguageIdentifier
from pipeline.ingest.segment import split_sentences


@dataclass
class PreparedArticle:
    """An article after cleaning: paragraphs of sentences in the source language."""

    article: Article
    language: str
    language_confidence: float
    paragraphs: list[list[str]]
    removed_captions: list[str]

    @property
    def sentences(self) -> list[tuple[int, str]]:
        """Every sentence with the index of its paragraph, in reading order."""
        return [(i, s) for i, para in enumerate(self.paragraphs) for s in para]

    @property
    def word_count(self) -> int:
        """Words in the cleaned text."""
        return sum(len(s.split()) for _, s in self.sentences)


class ArticlePreparer:
    """Cleans, language-checks and segments articles according to :class:`IngestConfig`."""

    def __init__(self, config: IngestConfig, identifier: LanguageIdentifier | None = None):
        self.config = config
        self.identifier = identifier or LanguageIdentifier()

    def prepare(self, article: Article) -> PreparedArticle:
        """Clean and segment one article.

        Raises:
            ArticleError: the article is empty after cleaning, too short, or not Dutch
                (English is accepted when ``ingest.english_input`` is ``passthrough``).
        """
        removed: list[str] = []
        raw_paragraphs = [strip_volledig_scherm(p, removed) for p in normalise_whitespace(article.text)]
        joined = "\n".join(p for p in raw_paragraphs if p)
        words = len(joined.split())
        if words < self.config.min_article_words:
            raise ArticleError(
                f"{article.origin}: only {words} word(s) of text; an article needs at least "
                f"{self.config.min_article_words} (ingest.min_article_words)",
                reason="empty" if words == 0 else "too-short",
                origin=article.origin, article_id=article.id,
            )
        guess = self.identifier.identify(joined)
        language = self._accept_language(article, guess)
        paragraphs = []
        for paragraph in raw_paragraphs:
            if not paragraph:
                continue
            sentences = strip_caption_sentences(split_sentences(paragraph, language), removed)
            if sentences:
                paragraphs.append(sentences)
        if not paragraphs:
            raise ArticleError(f"{article.origin}: nothing is left once photo captions are removed",
                               reason="empty", origin=article.origin, article_id=article.id)
        return PreparedArticle(
            article=article, language=language, language_confidence=round(guess.confidence, 4),
            paragraphs=paragraphs, removed_captions=removed,
        )

    def _accept_language(self, article: Article, guess) -> str:
        if guess.code == "nl" and guess.confidence >= self.config.min_language_confidence:
            return "nl"
        if guess.code == "en" and self.config.english_input == "passthrough":
            return "en"
        detail = f"it looks like {guess.name} (confidence {guess.confidence:.2f})"
        if guess.code == "nl":
            detail = f"Dutch is only {guess.confidence:.2f} likely"
        raise ArticleError(
            f"{article.origin}: not a Dutch article: {detail}", reason="not-dutch",
            origin=article.origin, article_id=article.id,
        )
