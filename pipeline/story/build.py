"""One event, every outlet: build a :class:`~pipeline.record.story.Story` from its briefings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.core.errors import StoryError
from pipeline.grouping.clustering import spelling_variants
from pipeline.record.briefing import Briefing
from pipeline.record.story import (
    FigureEntry,
    FigureValue,
    NameEntry,
    Story,
    StoryArticle,
    StorySentence,
)
from pipeline.story.compare import figure_rows, name_rows
from pipeline.story.figures import Figure, figures_of_sentence
from pipeline.support.claims import SupportChecker
from pipeline.support.evidence import find_evidence, tokens
from pipeline.text.entities import DEFAULT_SPACY_MODEL
from pipeline.text.matching import Matcher, TextIndex

# A story briefing is 3-5 sentences; the summarizer's own length settings decide within.
MAX_STORY_SENTENCES = 5
# Two sentences are the same (wire copy) when their content words overlap this much.
SAME_SENTENCE_JACCARD = 0.8


@dataclass
class Member:
    """One article of the event and the outlet that published it."""

    briefing: Briefing
    outlet: str


@dataclass
class Unit:
    """One sentence of the story's input: the sentence, once, with every place it occurs."""

    text: str
    places: list[tuple[int, int]]  # (member index, sentence index)


def load_parser(model: str | None = None) -> Any:
    """The spaCy pipeline with its parser (figures need the dependency parse).

    Raises:
        StoryError: the pipeline cannot be loaded.
    """
    from pipeline.text.spacy_pipeline import load_pipeline

    name = model or DEFAULT_SPACY_MODEL
    try:
        return load_pipeline(name, components="all")
    except (ImportError, OSError, ValueError) as err:
        raise StoryError(f"the spaCy pipeline {name!r} that reads figures could not be loaded "
                         f"({str(err).splitlines()[0]})") from err


def load_summarizer(config: Any) -> Any:
    """The summarizer alone (a story needs no translator), through the same hub machinery.

    Raises:
        ModelUnavailableError: the summarizer is missing and cannot be fetched.
    """
    from pipeline.backends.base import load_backend
    from pipeline.hub.registry import resolve_model
    from pipeline.summarize.summarizer import Summarizer

    runtime = config.runtime
    resolved = resolve_model("summarizer", config.summarization.model,
                             model_cache=runtime.model_cache, offline=config.offline)
    backend = load_backend(resolved, runtime, config.summarization.generation)
    summarizer = Summarizer(backend, config.summarization)
    summarizer.provenance = {"summarizer": resolved.provenance() | {  # type: ignore[attr-defined]
        "generation": backend.generation_settings, "max_input_tokens": summarizer.chunk_limit}}
    return summarizer


def _words(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def story_units(members: Sequence[Member]) -> list[Unit]:
    """Every member sentence once, ordered by position in its article, then by outlet.

    Sentences several outlets share (wire copy: the same content words, Jaccard at least
    :data:`SAME_SENTENCE_JACCARD`) become one unit that lists every place.
    """
    return _interleave(members, [[s.en for s in m.briefing.sentences] for m in members])


def _interleave(members: Sequence[Member], texts: Sequence[Sequence[str]]) -> list[Unit]:
    """``texts[m]`` of every member ``m`` once, by position, then outlet (wire copy once)."""
    order = sorted(range(len(members)), key=lambda m: (members[m].outlet, members[m].briefing.id))
    longest = max((len(t) for t in texts), default=0)
    units: list[Unit] = []
    seen: list[tuple[frozenset[str], Unit]] = []
    for position in range(longest):
        for m in order:
            if position >= len(texts[m]) or not texts[m][position].strip():
                continue
            text = texts[m][position]
            words = _words(text)
            same = next((unit for known, unit in seen if words and known and
                         len(words & known) / len(words | known) >= SAME_SENTENCE_JACCARD), None)
            if same is not None:
                same.places.append((m, position))
                continue
            unit = Unit(text, [(m, position)])
            units.append(unit)
            seen.append((words, unit))
    return units


def _reduce_texts(briefing: Briefing) -> list[str]:
    """A member's part of the story input: its briefing's sentences as the briefing keeps
    them (the claim policy applied), else (no summary: a briefing from elsewhere) its
    translation."""
    return list(briefing.summary_sentences) or [s.en for s in briefing.sentences]


def story_input(members: Sequence[Member]) -> list[str]:
    """What the summarizer reads for the story briefing: the members' own briefings.

    A night has already summarized every member; the story is the reduce step of that
    map-reduce (as for an article longer than the model's window), so it costs one short
    summary, not a second reading of every member's translation. Each sentence enters
    once (wire copy), by position in its briefing, then outlet; a member without a summary
    gives its translation. The story's own claims are checked against every member.
    """
    return [u.text for u in _interleave(members, [_reduce_texts(m.briefing) for m in members])]


def story_summaries(events: Sequence[Sequence[Member]], summarizer: Any) -> list[list[str]]:
    """The story briefing's sentences of each event, generated together (the summarizer
    batches them as it batches a night's articles); each reads one model window of
    :func:`story_input`. An event with nothing to summarize gets no sentences.
    """
    windows = []
    for members in events:
        texts = story_input(members)
        windows.append(summarizer.plan_chunks(texts)[0] if texts else None)
    made = iter(summarizer.summarize_many([[w] for w in windows if w is not None]))
    return [next(made).sentences[:MAX_STORY_SENTENCES] if w is not None else []
            for w in windows]


def _outlet_indexes(members: Sequence[Member]) -> dict[str, list[TextIndex]]:
    indexes: dict[str, list[TextIndex]] = {}
    for member in members:
        b = member.briefing
        indexes.setdefault(member.outlet, []).extend([
            TextIndex.of(" ".join(s.en for s in b.sentences) + " " + (b.title_en or ""), "en"),
            TextIndex.of(" ".join(s.nl or "" for s in b.sentences) + " " + (b.title_nl or ""), "nl"),
        ])
    return indexes


def story_briefing(members: Sequence[Member], summarizer: Any, checker: SupportChecker,
                   *, summary: Sequence[str] | None = None) -> list[StorySentence]:
    """The English briefing of the event, each sentence with its evidence across articles,
    its claims checked against the union of the members, and the outlets behind each claim.

    The summarizer reads one model window of :func:`story_input` (the members' briefings,
    wire copy once); ``summary`` gives sentences already made (:func:`story_summaries`).
    Evidence and claims are checked against every member sentence (:func:`story_units`)."""
    units = story_units(members)
    if not units:
        return []
    if summary is None:
        summary = story_summaries([members], summarizer)[0]
    sentences = list(summary)[:MAX_STORY_SENTENCES]
    union_en = " ".join(u.text for u in units)
    union_nl = "\n".join(s.nl for m in members for s in m.briefing.sentences if s.nl) or None
    checked = checker.check(sentences, union_en, union_nl)
    matcher = Matcher(checker.aliases)
    indexes = _outlet_indexes(members)
    several = len(indexes) > 1
    result = []
    for support in checked:
        evidence = find_evidence(support.text, [u.text for u in units], limit=3)
        places = [place for e in evidence for place in units[e.index].places]
        outlets = sorted({members[m].outlet for m, _ in places})
        claims = []
        claim_outlets: set[str] = set()
        for claim in support.claims:
            found = sorted(outlet for outlet, idx in indexes.items()
                           if claim.supported and any(matcher.appears(claim.text, i) for i in idx))
            claim_outlets.update(found)
            claims.append({**claim.to_dict(), "outlets": found})
        basis = claim_outlets if support.claims else set(outlets)
        result.append(StorySentence.model_validate({
            **support.to_dict(), "claims": claims,
            "evidence": [{"article": members[m].briefing.id, "sentence": i} for m, i in places],
            "outlets": outlets, "single_outlet": several and len(basis) == 1}))
    return result


def _figure_value(figure: Figure) -> FigureValue:
    low, high = figure.interval.bounds()
    return FigureValue(
        text=figure.text, value=low if figure.interval.exact else None, low=low, high=high,
        low_closed=figure.interval.low_closed, high_closed=figure.interval.high_closed,
        who=figure.who or figure.outlet, who_is_outlet=figure.who is None,
        outlet=figure.outlet, article=figure.article, sentence=figure.sentence,
        en=figure.en, nl=figure.nl)


def story_figures(members: Sequence[Member], nlp: Any) -> list[FigureEntry]:
    """Who says what: the figures of every member sentence, in rows about the same thing."""
    places = [(m, i, s) for m, member in enumerate(members)
              for i, s in enumerate(member.briefing.sentences) if s.en.strip()]
    figures: list[Figure] = []
    for (m, i, sentence), doc in zip(places, nlp.pipe(s.en for _, _, s in places), strict=True):
        figures.extend(figures_of_sentence(doc, article=members[m].briefing.id,
                                           outlet=members[m].outlet, sentence=i, nl=sentence.nl))
    return [FigureEntry(what=row.what, agree=row.agree,
                        values=[_figure_value(f) for f in row.figures])
            for row in figure_rows(figures)]


_SPACE = re.compile(r"\s+")


def story_names(members: Sequence[Member], checker: SupportChecker) -> list[NameEntry]:
    """Names only one outlet reports, and names spelled differently across outlets."""
    by_outlet: dict[str, list[str]] = {}
    for member, entities in zip(members, checker.extract(
            [" ".join(s.en for s in m.briefing.sentences) for m in members]), strict=True):
        names = by_outlet.setdefault(member.outlet, [])
        for entity in entities:
            if entity.group != "named":
                continue
            name = _SPACE.sub(" ", entity.text.strip())
            name = re.sub(r"^(?:the|The)\s+", "", name)
            canonical = checker.aliases.canonical(name.split()) or name
            if canonical not in names:
                names.append(canonical)
    variants = spelling_variants([n for names in by_outlet.values() for n in names])
    several = len(by_outlet) > 1
    return [NameEntry(row.name, row.outlets, row.variants,
                      only_one_outlet=several and len(row.outlets) == 1)
            for row in name_rows(by_outlet, variants)]


def build_story(members: Sequence[Member], *, event: str, nlp: Any, checker: SupportChecker,
                summarizer: Any | None = None, summary: Sequence[str] | None = None) -> Story:
    """The story of one event.

    Args:
        members: the event's articles (two or more for a comparison to mean anything).
        event: the event's name in file names (``story-<event>.json``).
        nlp: a spaCy pipeline with a parser (:func:`load_parser`).
        checker: the claim checker (the same one the briefings use).
        summarizer: the summarizer for the story briefing; None leaves the briefing out.
        summary: the story briefing's sentences when already made (:func:`story_summaries`).

    Raises:
        StoryError: no members.
    """
    if not members:
        raise StoryError("a story needs at least one briefing")
    briefing = story_briefing(members, summarizer, checker, summary=summary) \
        if summarizer is not None else []
    notice = None if summarizer is not None else "the story briefing was not made (no summarizer)"
    return Story(
        event=event,
        articles=[StoryArticle(m.briefing.id, m.outlet, m.briefing.title_en, m.briefing.url)
                  for m in members],
        briefing=briefing, figures=story_figures(members, nlp),
        names=story_names(members, checker), briefing_notice=notice,
        models=dict(getattr(summarizer, "provenance", {})) if summarizer is not None else {})
