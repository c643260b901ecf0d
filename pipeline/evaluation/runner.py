"""The library entry point: :func:`evaluate` reads the inputs, scores every system, and
returns a :class:`~pipeline.evaluation.results.Report` (writing files is the reports' job).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.core.errors import EvalInputError
from pipeline.evaluation.inputs.baseline import LEAD_SENTENCES, lead3_system
from pipeline.evaluation.inputs.loaders import (
    BASELINE_NAME,
    Sources,
    SystemInput,
    load_predictions,
    load_reference_translations,
    load_references,
    load_sources,
)
from pipeline.evaluation.metrics.bootstrap import (
    CONFIDENCE,
    METHOD,
    Estimate,
    mean_ci,
    ratio_ci,
    statistic_ci,
)
from pipeline.evaluation.metrics.entity import score_group
from pipeline.evaluation.metrics.gate import GateRule, check_requirements, evaluate_gate
from pipeline.evaluation.metrics.registry import METRICS, MetricSpec
from pipeline.evaluation.metrics.rouge import ROUGE_TYPES, TOKENIZER_NAME, RougeMetric
from pipeline.evaluation.metrics.translation import TRANSLATION_METRICS, score_translations
from pipeline.evaluation.provenance import git_commit, package_versions
from pipeline.evaluation.results import ArticleResult, Report, SystemResult
from pipeline.record.sentence import SummarySentence
from pipeline.text.aliases import AliasTable
from pipeline.text.entities import GROUPS, Extractor, load_extractor
from pipeline.text.matching import NAME as MATCHING_NAME
from pipeline.text.matching import TextIndex
from pipeline.text.mentions import Cluster, cluster_mentions
from pipeline.text.sentences import SPLITTER_NAME


@dataclass
class EvalConfig:
    """Everything :func:`evaluate` needs; mirrors the ``briefing eval`` options.

    Attributes:
        predictions: ``PATH`` or ``NAME=PATH`` per system.
        references: JSONL or directory of references.
        sources: directories of article texts (optional).
        reference_translations: JSONL or directory (optional).
        alias_files: user alias tables, added to the built-in one.
        seed: bootstrap seed.
        bootstrap_samples: bootstrap samples (0 disables intervals).
        use_spacy: False for the rule-based extractor.
        ner_model: spaCy pipeline to load (None: the default, with fallback).
        fail_under: parsed gate rules.
    """

    predictions: list[str]
    references: Path
    sources: list[Path] = field(default_factory=list)
    reference_translations: Path | None = None
    alias_files: list[Path] = field(default_factory=list)
    seed: int = 12345
    bootstrap_samples: int = 1000
    use_spacy: bool = True
    ner_model: str | None = None
    fail_under: list[GateRule] = field(default_factory=list)


class _Corpus:
    """Entity clusters and indexed texts, computed once per distinct text."""

    def __init__(self, extractor: Extractor, aliases: AliasTable):
        self._extractor = extractor
        self._aliases = aliases
        self._clusters: dict[str, dict[str, list[Cluster]]] = {}
        self._evidence: dict[tuple[str, str], TextIndex] = {}

    def extract(self, texts: Iterable[str]) -> None:
        todo = sorted({t for t in texts if t not in self._clusters})
        for text, entities in zip(todo, self._extractor.extract(todo), strict=True):
            self._clusters[text] = cluster_mentions(entities, self._aliases)

    def clusters(self, text: str) -> dict[str, list[Cluster]]:
        if text not in self._clusters:
            self.extract([text])
        return self._clusters[text]

    def support(self, prediction: str, source: Any) -> list[SummarySentence]:
        # Per-sentence claims of the briefing, checked by the support step's checker.
        from pipeline.support.claims import SupportChecker
        from pipeline.text.sentences import split_sentences

        if not hasattr(self, "_checker"):
            self._checker = SupportChecker(self._aliases, extractor=self._extractor)
        checked = self._checker.check(split_sentences(prediction), source.en or "", source.nl)
        return [SummarySentence.model_validate(s.to_dict()) for s in checked]

    def evidence(self, text: str, lang: str) -> TextIndex:
        if (text, lang) not in self._evidence:
            self._evidence[(text, lang)] = TextIndex.of(text, lang)
        return self._evidence[(text, lang)]


def evaluate(config: EvalConfig) -> Report:
    """Score every system against the references.

    Args:
        config: the run's settings.

    Returns:
        The report (including gate checks when ``config.fail_under`` is set).

    Raises:
        EvalInputError: an input is missing, unreadable or malformed.
        DuplicateIdError: an id occurs twice in one input, or two systems share a name.
        GateConfigError: a gate rule needs an input that was not given.
        NerModelError: an explicitly requested spaCy pipeline cannot be loaded.
    """
    check_requirements(config.fail_under, have_sources=bool(config.sources),
                       have_reference_translations=config.reference_translations is not None)
    systems = [load_predictions(spec) for spec in config.predictions]
    _check_system_names(systems)
    references = load_references(config.references)
    sources = load_sources(config.sources) if config.sources else Sources()
    ref_translations = (load_reference_translations(config.reference_translations)
                        if config.reference_translations else None)
    aliases = AliasTable.load(config.alias_files)
    extractor, extractor_info = load_extractor(aliases, use_spacy=config.use_spacy,
                                               model=config.ner_model)

    notes: list[str] = []
    if extractor_info.notice:
        notes.append(extractor_info.notice)
    baseline = lead3_system(sources.articles)
    baseline_status = "included"
    if baseline is not None:
        systems.append(baseline)
    else:
        baseline_status = ("skipped: no sources input given" if not config.sources else
                           "skipped: the sources hold no English text (only Dutch originals); "
                           "give an English translation (a briefing batch directory or <id>.txt "
                           "files) to get the lead-3 baseline")
        notes.append(f"{BASELINE_NAME} baseline {baseline_status}")
    if not systems:
        raise EvalInputError(
            "nothing to evaluate: give a predictions input, or a sources input with English text "
            "for the lead-3 baseline")
    if sources.ignored:
        notes.append(f"{len(sources.ignored)} source text(s) given by more than one sources input: "
                     "the first input's text was used (see report.json inputs.sources_ignored)")

    corpus = _Corpus(extractor, aliases)
    corpus.extract(_texts_to_tag(systems, references))
    rouge = RougeMetric(use_stemmer=True)
    results = []
    for system in systems:
        result = _score_system(system, references, sources, corpus, rouge, aliases, config)
        if ref_translations is not None and not system.baseline:
            # An empty translation_en is a translation that scored zero, not a missing one.
            hyps = {i: p.translation_en for i, p in system.predictions.items()
                    if p.translation_en is not None and i in references}
            if hyps:
                result.translation = score_translations(
                    hyps, ref_translations, seed=config.seed, samples=config.bootstrap_samples)
                notes += _empty_translation_notes(system.name, result.translation)
            else:
                notes.append(f"chrf/bleu not computed for {system.name}: its predictions carry no "
                             "translation_en (only briefing batch directories do)")
        empties = result.empty_predictions
        if empties:
            notes.append(f"{system.name}: {len(empties)} empty briefing(s) scored 0: "
                         + ", ".join(empties))
        results.append(result)

    skipped = _skipped_metrics(config, ref_translations)
    gated = {r.name: {m: r.score(m) for m in METRICS} for r in results if not r.baseline}
    gate = evaluate_gate(config.fail_under, gated)
    settings = _settings(config, aliases, extractor_info.to_dict(), baseline_status)
    return Report(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        settings=settings,
        versions=package_versions(),
        git_commit=git_commit(),
        inputs=_inputs(config, systems, references, sources, ref_translations),
        notes=notes,
        skipped_metrics=skipped,
        systems=results,
        id_mismatches=_id_mismatches(results, references, sources, ref_translations, config),
        gate_rules=list(config.fail_under),
        gate=gate,
    )


def _empty_translation_notes(system: str, scores: dict[str, Any]) -> list[str]:
    score = next(iter(scores.values()), None)
    if score is None or not score.n_empty:
        return []
    return [f"{system}: {score.n_empty} of {score.n} translation_en empty, scored as zero "
            "in chrf/bleu"]


def _check_system_names(systems: list[SystemInput]) -> None:
    names = [s.name for s in systems]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise EvalInputError(
            f"predictions inputs: two of them have the system name {', '.join(dupes)}; "
            "name them with NAME=PATH")


def _texts_to_tag(systems: list[SystemInput], references: dict[str, str]) -> list[str]:
    # Source texts are not tagged: support is looked up in their words (found_in).
    ids = {i for s in systems for i in s.predictions if i in references}
    texts = [references[i] for i in ids]
    texts += [p.text for s in systems for i, p in s.predictions.items() if i in references]
    return [t for t in texts if t.strip()]


def _score_system(system: SystemInput, references: dict[str, str], sources: Sources,
                  corpus: _Corpus, rouge: RougeMetric, aliases: AliasTable,
                  config: EvalConfig) -> SystemResult:
    ids = sorted(system.predictions.keys() & references.keys())
    articles = []
    for article_id in ids:
        prediction, reference = system.predictions[article_id].text, references[article_id]
        source = sources.articles.get(article_id)
        evidence = []
        if source and source.en:
            evidence.append(corpus.evidence(source.en, "en"))
        if source and source.nl:
            evidence.append(corpus.evidence(source.nl, "nl"))
        pred_clusters = corpus.clusters(prediction) if prediction.strip() else {
            g: [] for g in GROUPS}
        entities = {
            group: score_group(group, pred_clusters, corpus.clusters(reference),
                               corpus.evidence(prediction, "en"), corpus.evidence(reference, "en"),
                               evidence, aliases)
            for group in GROUPS
        }
        articles.append(ArticleResult(
            id=article_id,
            empty_prediction=not prediction.strip(),
            has_source=bool(evidence),
            rouge=rouge.score(prediction, reference),
            entities=entities,
            sentences=corpus.support(prediction, source) if evidence else [],
        ))
    return SystemResult(
        name=system.name,
        path=system.path,
        kind=system.kind,
        articles=articles,
        metrics=_aggregate(articles, config, with_sources=bool(config.sources)),
        missing_predictions=sorted(references.keys() - system.predictions.keys()),
        extra_predictions=sorted(system.predictions.keys() - references.keys()),
    )


def _aggregate(articles: list[ArticleResult], config: EvalConfig, *, with_sources: bool
               ) -> dict[str, Estimate]:
    seed, samples = config.seed, config.bootstrap_samples
    metrics: dict[str, Estimate] = {}
    for name, spec in METRICS.items():
        if spec.needs == "reference_translations" or (spec.needs == "sources" and not with_sources):
            continue
        if spec.aggregate == "mean":
            metrics[name] = mean_ci([a.value(name) for a in articles], seed, samples)
        elif spec.aggregate == "micro":
            metrics[name] = _micro(articles, spec, seed, samples)
    return metrics


def _micro(articles: list[ArticleResult], spec: MetricSpec, seed: int, samples: int) -> Estimate:
    kind = spec.stat
    scores = [a.entities[spec.entity_group or ""] for a in articles]
    if kind == "recall":
        return ratio_ci([s.n_reference_found for s in scores], [s.n_reference for s in scores],
                        seed, samples)
    if kind == "precision":
        return ratio_ci([s.n_prediction_in_reference for s in scores],
                        [s.n_prediction for s in scores], seed, samples)
    if kind == "source_precision":
        with_source = [s for s in scores if s.n_prediction_in_source is not None]
        return ratio_ci([s.n_prediction_in_source or 0 for s in with_source],
                        [s.n_prediction for s in with_source], seed, samples)
    # f1: from pooled precision and recall, resampled together
    columns = [[s.n_prediction_in_reference for s in scores], [s.n_prediction for s in scores],
               [s.n_reference_found for s in scores], [s.n_reference for s in scores]]

    def pooled_f1(cols: list[np.ndarray]) -> np.ndarray:
        hit_p, n_p, hit_r, n_r = (c.sum(axis=-1) for c in cols)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(n_p > 0, hit_p / np.where(n_p > 0, n_p, 1), 0.0)
            r = np.where(n_r > 0, hit_r / np.where(n_r > 0, n_r, 1), np.nan)
            f1 = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
        return np.where(np.isnan(r), np.nan, f1)

    return statistic_ci(columns, pooled_f1, seed, samples)


def _skipped_metrics(config: EvalConfig, ref_translations: dict[str, str] | None
                     ) -> dict[str, str]:
    skipped = {}
    for name, spec in METRICS.items():
        if spec.needs == "sources" and not config.sources:
            skipped[name] = "no sources input given"
        if spec.needs == "reference_translations" and ref_translations is None:
            skipped[name] = "no reference translations given"
    return skipped


def _settings(config: EvalConfig, aliases: AliasTable, entities: dict[str, Any],
              baseline_status: str) -> dict[str, Any]:
    return {
        "rouge": {
            "types": list(ROUGE_TYPES),
            "use_stemmer": True,
            "stemmer": "rouge-score's Porter stemmer (nltk), tokens longer than 3 characters",
            "tokenizer": TOKENIZER_NAME,
            "sentence_splitter": SPLITTER_NAME,
            "headline": "f1",
        },
        "bootstrap": {
            "seed": config.seed,
            "samples": config.bootstrap_samples,
            "confidence": CONFIDENCE,
            "method": METHOD,
        },
        "entities": {**entities, "matching": MATCHING_NAME},
        "aliases": [{"path": f.path, "sha256": f.sha256, "rows": f.rows} for f in aliases.files],
        "baseline": {"name": BASELINE_NAME, "sentences": LEAD_SENTENCES, "status": baseline_status},
        "translation": {"metrics": list(TRANSLATION_METRICS), "tool": "sacrebleu",
                        "segments": "one per article, whitespace collapsed"},
        "gate": {
            "rules": [{"metric": r.metric, "threshold": r.threshold} for r in config.fail_under],
            "scope": "every non-baseline system",
        },
    }


def _inputs(config: EvalConfig, systems: list[SystemInput], references: dict[str, str],
            sources: Sources, ref_translations: dict[str, str] | None) -> dict[str, Any]:
    return {
        "predictions": [
            {"system": s.name, "path": s.path, "kind": s.kind, "articles": len(s.predictions)}
            for s in systems
        ],
        "references": {"path": str(config.references), "articles": len(references)},
        "sources": sources.inputs,
        "sources_ignored": [
            {"id": i, "text": lang, "used": kept, "ignored": dropped}
            for i, lang, kept, dropped in sources.ignored
        ],
        "reference_translations": None if ref_translations is None else {
            "path": str(config.reference_translations), "articles": len(ref_translations)},
        "alias_files": [str(p) for p in config.alias_files],
    }


def _id_mismatches(results: list[SystemResult], references: dict[str, str], sources: Sources,
                   ref_translations: dict[str, str] | None, config: EvalConfig) -> dict[str, Any]:
    mismatches: dict[str, Any] = {
        "systems": {
            r.name: {"missing_predictions": r.missing_predictions,
                     "extra_predictions": r.extra_predictions}
            for r in results
        },
    }
    if config.sources:
        mismatches["sources"] = {
            "references_without_source": sorted(references.keys() - sources.articles.keys()),
            "sources_without_reference": sorted(sources.articles.keys() - references.keys()),
        }
    if ref_translations is not None:
        mismatches["reference_translations"] = {
            "references_without_translation": sorted(references.keys() - ref_translations.keys()),
            "translations_without_reference": sorted(ref_translations.keys() - references.keys()),
        }
    return mismatches
