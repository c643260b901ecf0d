"""Article in, briefing out: ties ingest, translation and summarization together.

Models are resolved and loaded on first use, so callers that find nothing to do never pay
for them. Articles are processed in windows: sentences of every article in a window are
translated together (fewer, fuller batches), then their summaries are generated together.
A failure inside a window is isolated by re-running its articles one at a time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.backends.base import Seq2SeqBackend, load_backend
from pipeline.core.config import AppConfig
from pipeline.core.errors import ArticleError, GenerationError, SummaryTooLongError
from pipeline.hub.registry import ResolvedModel, resolve_model
from pipeline.ingest.article import Article
from pipeline.ingest.prepare import ArticlePreparer, PreparedArticle
from pipeline.record.briefing import AlignedSentence, Briefing
from pipeline.summarize.summarizer import Summarizer
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from pipeline.support.consistency import ConsistencyCheck, load_consistency_check
from pipeline.translate.translator import TranslationCache, Translator

log = logging.getLogger(__name__)
Outcome = Briefing | ArticleError


@dataclass
class LoadedModels:
    """The two resolved models and their loaded backends (and the optional checker)."""

    translator: ResolvedModel
    summarizer: ResolvedModel
    translator_backend: Seq2SeqBackend
    summarizer_backend: Seq2SeqBackend
    consistency: ConsistencyCheck | None = None  # support.consistency, when enabled


class BriefingEngine:
    """Turns articles into briefings according to one :class:`AppConfig`.

    Args:
        config: the resolved configuration.
        cache: a translation cache shared across calls (default: none).
        window: how many articles are translated and summarized together.
    """

    def __init__(self, config: AppConfig, *, cache: TranslationCache | None = None,
                 window: int = 8):
        self.config = config
        self.cache = cache
        self.window = max(1, window)
        self.preparer = ArticlePreparer(config.ingest)
        self._models: LoadedModels | None = None
        self._translator: Translator | None = None
        self._summarizer: Summarizer | None = None
        self._checker: SupportChecker | None = None

    # -- models ---------------------------------------------------------------------------

    def resolve_models(self, *, download: bool = True) -> tuple[ResolvedModel, ResolvedModel]:
        """Find both models locally (downloading when allowed).

        Raises:
            ModelUnavailableError: a model is missing and cannot be fetched.
        """
        runtime = self.config.runtime
        kwargs = dict(model_cache=runtime.model_cache, offline=self.config.offline, download=download)
        if self.config.support.consistency.enabled:  # checked too, not returned
            resolve_model("consistency", self.config.support.consistency.model, **kwargs)
        return (
            resolve_model("translator", self.config.translation.model, **kwargs),
            resolve_model("summarizer", self.config.summarization.model, **kwargs),
        )

    def load_models(self) -> LoadedModels:
        """Resolve and load both models once; later calls return the loaded ones."""
        if self._models is None:
            translator, summarizer = self.resolve_models()
            runtime = self.config.runtime
            self._models = LoadedModels(
                translator=translator,
                summarizer=summarizer,
                translator_backend=load_backend(translator, runtime,
                                                self.config.translation.generation),
                summarizer_backend=load_backend(summarizer, runtime,
                                                self.config.summarization.generation),
                consistency=load_consistency_check(
                    self.config.support.consistency, runtime, offline=self.config.offline)
                if self.config.support.consistency.enabled else None,
            )
            self._translator = Translator(
                self._models.translator_backend, self.config.translation,
                identity=self._translator_identity(), cache=self.cache,
            )
            self._summarizer = Summarizer(self._models.summarizer_backend, self.config.summarization)
        return self._models

    @property
    def models_loaded(self) -> bool:
        """Whether any model has been loaded by this engine."""
        return self._models is not None

    @property
    def translator(self) -> Translator:
        """The translator (loads the models on first use)."""
        self.load_models()
        assert self._translator is not None
        return self._translator

    @property
    def summarizer(self) -> Summarizer:
        """The summarizer (loads the models on first use)."""
        self.load_models()
        assert self._summarizer is not None
        return self._summarizer

    @property
    def checker(self) -> SupportChecker:
        """The support checker (built-in alias table; NER loaded on first check)."""
        if self._checker is None:
            self._checker = SupportChecker()
        return self._checker

    def _translator_identity(self) -> str:
        models = self._models
        assert models is not None
        settings = self.config.translation
        return json.dumps({
            "model": models.translator.provenance() | {"resolved_path": None},
            "backend_generation": models.translator_backend.generation_settings,
            "max_input_tokens": settings.max_input_tokens,
            "max_length_ratio": settings.max_length_ratio,
        }, sort_keys=True, default=str)

    def model_provenance(self) -> dict:
        """Model ids, revisions, backends and effective decoding settings."""
        models = self.load_models()
        extra = {"consistency": models.consistency.settings()["model"]} \
            if models.consistency else {}
        return {
            "translator": models.translator.provenance() | {
                "generation": models.translator_backend.generation_settings,
                "max_input_tokens": self.translator.piece_limit,
                "max_length_ratio": self.config.translation.max_length_ratio,
            },
            "summarizer": models.summarizer.provenance() | {
                "generation": models.summarizer_backend.generation_settings,
                "max_input_tokens": self.summarizer.chunk_limit,
            },
            **extra,
        }

    # -- processing -----------------------------------------------------------------------

    def run(self, items: Iterable[Article | ArticleError],
            on_result: Callable[[Outcome], None] | None = None) -> Iterator[Outcome]:
        """Process articles (read errors pass straight through), yielding outcomes in order."""
        window: list[Article | ArticleError] = []
        for item in items:
            window.append(item)
            if len(window) >= self.window:
                yield from self._emit(self._process_window(window), on_result)
                window = []
        if window:
            yield from self._emit(self._process_window(window), on_result)

    @staticmethod
    def _emit(outcomes: list[Outcome], on_result) -> Iterator[Outcome]:
        for outcome in outcomes:
            if on_result is not None:
                on_result(outcome)
            yield outcome

    def process_one(self, article: Article) -> Briefing:
        """Brief a single article.

        Raises:
            ArticleError: the article is unusable.
            ModelUnavailableError: a model is missing.
        """
        outcome = self._process_window([article])[0]
        if isinstance(outcome, ArticleError):
            raise outcome
        return outcome

    def prepare(self, article: Article) -> tuple[PreparedArticle, float] | ArticleError:
        """Clean, language-check and segment one article (no model needed).

        Returns the prepared article with the seconds it took, or the article's error.
        """
        started = time.perf_counter()
        try:
            return self.preparer.prepare(article), time.perf_counter() - started
        except ArticleError as error:
            return error

    def brief_prepared(self, batch: list[tuple[PreparedArticle, float]]) -> list[Outcome]:
        """Translate and summarize prepared articles together, one outcome each, in order.

        A failure of the window is isolated by re-running its articles one at a time. Only
        an article's typed errors (and :class:`GenerationError`, raised around the model
        call itself) fail an article; any other exception is a bug and propagates.
        """
        if not batch:
            return []
        try:
            return list(self._brief(batch))
        except (ArticleError, SummaryTooLongError, GenerationError) as error:
            if len(batch) == 1:
                return [_as_article_error(batch[0][0].article, error)]
            log.warning("window failed (%s); retrying its articles one by one", error)
            return [self.brief_prepared([one])[0] for one in batch]

    def _process_window(self, items: list[Article | ArticleError]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(items)
        prepared: dict[int, tuple[PreparedArticle, float]] = {}
        for index, item in enumerate(items):
            ready = item if isinstance(item, ArticleError) else self.prepare(item)
            if isinstance(ready, ArticleError):
                outcomes[index] = ready
            else:
                prepared[index] = ready
        for index, outcome in zip(prepared, self.brief_prepared(list(prepared.values())),
                                  strict=True):
            outcomes[index] = outcome
        return [o for o in outcomes if o is not None]

    def _brief(self, batch: list[tuple[PreparedArticle, float]]) -> list[Briefing]:
        translator, summarizer = self.translator, self.summarizer
        # 1. translate every Dutch sentence and title of the window in one call.
        to_translate: list[str] = []
        for prep, _ in batch:
            if prep.language == "nl":
                to_translate.extend(s for _, s in prep.sentences)
                if prep.article.title:
                    to_translate.append(prep.article.title)
        started = time.perf_counter()
        translated = iter(translator.translate(to_translate))
        translate_s = time.perf_counter() - started
        english: list[list[AlignedSentence]] = []
        titles: list[str | None] = []
        for prep, _ in batch:
            if prep.language == "nl":
                english.append([AlignedSentence(nl=s, en=next(translated), paragraph=p)
                                for p, s in prep.sentences])
                titles.append(next(translated) if prep.article.title else None)
            else:
                english.append([AlignedSentence(nl=None, en=s, paragraph=p)
                                for p, s in prep.sentences])
                titles.append(prep.article.title)
        # 2. summarize all of them together.
        started = time.perf_counter()
        summaries = summarizer.summarize_many([[s.en for s in sents] for sents in english])
        summarize_s = time.perf_counter() - started
        provenance = self.model_provenance()
        words = [max(1, prep.word_count) for prep, _ in batch]
        total_words = sum(words)
        briefings = []
        for (prep, prep_s), sents, title, summary, n in zip(
            batch, english, titles, summaries, words, strict=True
        ):
            share = n / total_words
            article = prep.article
            # 3. support: evidence and per-claim check of every summary sentence.
            checked = support_summary(
                self.checker, summary.sentences, [s.en for s in sents],
                source_nl="\n".join([s.nl for s in sents if s.nl] + (
                    [article.title] if prep.language == "nl" and article.title else [])) or None,
                extra_en=title,
                policy=self.config.summarization.unsupported_claims,
                consistency=self.load_models().consistency)
            timings = {
                "prepare_s": round(prep_s, 4),
                "translate_s": round(translate_s * share, 4),
                "summarize_s": round(summarize_s * share, 4),
                "support_s": round(checked.seconds, 4),
                **({"consistency_s": round(checked.consistency_seconds, 4)}
                   if self.config.support.consistency.enabled else {}),
                "batched_with": len(batch),
            }
            timings["total_s"] = round(prep_s + (translate_s + summarize_s) * share
                                       + checked.seconds + checked.consistency_seconds, 4)
            briefings.append(Briefing(
                id=article.id, date=article.date, source=article.source or article.origin,
                url=article.url, title_nl=article.title if prep.language == "nl" else None,
                title_en=title or (sents[0].en if sents else ""),
                summary_sentences=checked.sentences, sentences=sents,
                source_language=prep.language, language_confidence=prep.language_confidence,
                removed_captions=prep.removed_captions, models=provenance,
                summary_info={"chunks": summary.chunks, "rounds": summary.rounds,
                              "input_tokens": summary.input_tokens,
                              "sentences": len(summary.sentences),
                              "below_min_sentences":
                                  len(summary.sentences) < self.config.summarization.min_sentences},
                timings=timings, extra=dict(article.extra),
                summary=checked.summary, support=checked.support,
            ))
        return briefings


def _as_article_error(article: Article, error: Exception) -> ArticleError:
    if isinstance(error, ArticleError):
        return error
    reason = "too-long" if isinstance(error, SummaryTooLongError) else "model-error"
    return ArticleError(f"{article.origin}: {error}", reason=reason, origin=article.origin,
                        article_id=article.id)
