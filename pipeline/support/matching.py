"""The one door from the support check to the shared matcher.

Whether a claim occurs in an article is decided by the shared matcher
(:mod:`pipeline.text.matching`, through the evaluation stage's
:func:`pipeline.evaluation.metrics.entity.found_in`: normalisation, alias table, surname of
a person named in full, spelling variants, numbers across formats and languages). This
module only adapts it: it indexes a source text once and, for a supported claim, reports
the words that matched so the reader can see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.evaluation.metrics.entity import Cluster, found_in, to_mention
from pipeline.text.aliases import AliasTable
from pipeline.text.entities import Entity
from pipeline.text.matching import TextIndex, surname_forms
from pipeline.text.numbers import AtomBag, FigureSpan, find_figures


@dataclass
class SourceText:
    """One article text (English translation or Dutch original) indexed for matching."""

    lang: str
    evidence: TextIndex
    figures: list[FigureSpan]

    @classmethod
    def of(cls, text: str, lang: str) -> SourceText:
        """Index ``text``; ``lang`` is ``"en"`` or ``"nl"`` (number words, month names)."""
        return cls(lang, TextIndex.of(text, lang), find_figures(text, lang))


class ArticleSources:
    """The texts of one article, each indexed only when a claim first needs it.

    Indexing (figures above all) is the costly part of the check; most claims are found in
    the English text, so the Dutch original is often never indexed.

    Args:
        texts: ``(text, lang)`` pairs, English first.
    """

    def __init__(self, texts: list[tuple[str, str]]):
        self._texts = [(t, lang) for t, lang in texts if t]
        self._indexed: list[SourceText] = []

    def __iter__(self) -> Iterator[SourceText]:
        for i, (text, lang) in enumerate(self._texts):
            if i == len(self._indexed):
                self._indexed.append(SourceText.of(text, lang))
            yield self._indexed[i]


@dataclass(frozen=True)
class Match:
    """Where a claim was found: the words as written in the source and its language."""

    text: str
    lang: str


def match_claim(entity: Entity, sources: ArticleSources | list[SourceText],
                aliases: AliasTable) -> Match | None:
    """Find ``entity`` (a claim of a summary sentence) in the article.

    Args:
        entity: a named entity or figure extracted from an English summary sentence.
        sources: the indexed article texts, English first.
        aliases: the alias table.

    Returns:
        The first match, or None when no source contains the claim. A claim with nothing
        left after normalisation (punctuation only) also returns None.
    """
    if entity.group == "figures":
        # A figure's words carry no name capitals: "Hundreds" at a sentence start is the
        # article's "hundreds" (names keep their case: "US" is not "us").
        entity = Entity(entity.text.lower(), entity.label, entity.group, entity.start, entity.end)
    mention = to_mention(entity, aliases)
    if mention is None:
        return None
    cluster = Cluster(entity.group, [mention])
    for source in sources:
        if found_in(cluster, source.evidence, aliases):
            return Match(_matched_text(cluster, source, aliases) or mention.text, source.lang)
    return None


def _matched_text(cluster: Cluster, source: SourceText, aliases: AliasTable) -> str | None:
    # Only for display: the decision above is found_in's alone.
    mention = cluster.mentions[0]
    if cluster.group == "figures" and mention.atoms:
        hits = [s.text for s in source.figures
                if any(AtomBag(s.atoms).has(a) for a in mention.atoms)]
        return " … ".join(dict.fromkeys(hits)) or None
    forms = [mention.tokens]
    if cluster.group == "named":
        forms += aliases.forms(mention.tokens)
        if mention.person_like:
            forms += surname_forms(mention.tokens)
    stream = source.evidence.stream
    for form in forms:
        start = stream.find(form)
        if start is not None:
            return " ".join(stream.tokens[start:start + len(form)])
    return None
