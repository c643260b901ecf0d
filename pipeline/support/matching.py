"""The one door from the support check to the shared matcher.

Whether a claim occurs in an article is decided by the shared matcher
(:mod:`pipeline.text.matching`, through the evaluation stage's
:func:`pipeline.text.mentions.found_in`: normalisation, alias table, surname of
a person named in full, spelling variants, numbers across formats and languages). This
module only adapts it: it indexes a source text once and, for a supported claim, reports
the words that matched so the reader can see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.text.aliases import AliasTable
from pipeline.text.entities import Entity
from pipeline.text.matching import (
    PARTIAL,
    SUPPORTED,
    UNSUPPORTED,
    Matcher,
    TextIndex,
    surname_forms,
)
from pipeline.text.mentions import Cluster, found_in, to_mention
from pipeline.text.names import PARTICLES
from pipeline.text.normalize import TokenStream, fold, mention_tokens, name_tokens
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
    """Where and how a claim was found: the words as written in the source, its language,
    ``status`` (``supported``, ``partial`` or ``unsupported``) and why it is not supported."""

    text: str | None
    lang: str | None
    status: str = SUPPORTED
    reason: str | None = None


PERSON_LABELS = frozenset({"PERSON", "NAME"})
# Labels a person's name is often given by a small NER model ("JK Rowling" as ORG).
PERSON_SHAPE_LABELS = frozenset({"ORG", "FAC", "GPE", "LOC", "NORP", "EVENT"})
PLACE_LABELS = frozenset({"GPE", "LOC", "NORP"})  # demonyms count: Uruguayan / Uruguay
_RANK = {SUPPORTED: 0, PARTIAL: 1, UNSUPPORTED: 2}


def match_claim(entity: Entity, sources: ArticleSources | list[SourceText],
                aliases: AliasTable, *, clause_initial: bool = False) -> Match | None:
    """Find ``entity`` (a claim of a summary sentence) in the article.

    Args:
        entity: a named entity or figure extracted from an English summary sentence.
        sources: the indexed article texts, English first.
        aliases: the alias table.
        clause_initial: the claim opens the sentence, a quote or a clause (its first
            capital says nothing about a name).

    Returns:
        The best match over the sources (status ``supported`` first); None when no source
        contains the claim at all. A claim with nothing left after normalisation
        (punctuation only) also returns None.
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
    tokens = mention_tokens(entity.text)
    if not tokens:
        return None
    # Only the word that opens the clause loses what its capital says: in "The Arctic
    # Embassy ..." that is "The", which mention_tokens has dropped, not "Arctic".
    clause_initial = clause_initial and fold(name_tokens(entity.text)[:1]) == fold(tokens[:1])
    english = next((s for s in sources if s.lang == "en"), None)
    if english is not None:  # once per claim, before the name is taken apart
        tokens = _rejoined(tokens, english.evidence.stream)
    at = _stutter(tokens)
    if at is not None and not any(s.evidence.stream.contains(tokens[at:at + 2])
                                  for s in sources):
        once = _match_name(tokens[:at] + tokens[at + 1:], entity.label, list(sources),
                           Matcher(aliases), clause_initial=clause_initial)
        return Match(once.text, once.lang, UNSUPPORTED,
                     f"a name word written twice ({' '.join(tokens[at:at + 2])}): the article "
                     "does not write the name so" + (f"; it has {once.text}" if once.text else ""))
    found = _match_name(tokens, entity.label, list(sources), Matcher(aliases),
                        clause_initial=clause_initial)
    return None if found.status == UNSUPPORTED and found.reason is None else found


def _match_name(tokens: tuple[str, ...], label: str, sources: list[SourceText],
                matcher: Matcher, *, clause_initial: bool, split: bool = True) -> Match:
    best = Match(None, None, UNSUPPORTED)
    english = next((s for s in sources if s.lang == "en"), None)
    lower = english.evidence.given.lower if english is not None else frozenset()
    if clause_initial and len(tokens) > 1 and fold([tokens[0]])[0] in lower:
        # A capital that opens the sentence says nothing: "Given Sherwood's ..." names
        # Sherwood when the article writes "given".
        tokens = tokens[1:]
    if label in PERSON_LABELS and "of" in tokens[1:-1] and split:
        # "Jurgen Schuttler of Ruhrtal": a person of an organisation, each checked alone
        # (unless the article has the whole span).
        whole = _match_name(tokens, "ORG", sources, matcher, clause_initial=False, split=False)
        if whole.status == SUPPORTED:
            return whole
        at = tokens.index("of", 1)
        parts = [_match_name(tokens[:at], label, sources, matcher,
                             clause_initial=clause_initial, split=False),
                 _match_name(tokens[at + 1:], "ORG", sources, matcher, clause_initial=False)]
        worst = max(parts, key=lambda m: _RANK[m.status])
        if worst.status == SUPPORTED:
            return Match(" … ".join(m.text or "" for m in parts), parts[0].lang)
        return worst
    for source in sources:
        found = matcher.find_name(tokens, source.evidence, person=label in PERSON_LABELS,
                                  person_by_shape=label in PERSON_SHAPE_LABELS,
                                  place=label in PLACE_LABELS)
        match = Match(found.written, source.lang, found.status, found.reason)
        if found.status == SUPPORTED:
            return match
        if _RANK[found.status] < _RANK[best.status] or (best.reason is None and found.reason):
            best = match
    if english is None:
        return best
    # A word the article writes in lower case is a common noun, whose capital inside a name
    # varies ("the Russian Parliament" / "the Russian parliament", "Southern India").
    relaxed = tuple(t.lower() if t[:1].isupper() and not t.isupper() and fold([t])[0] in lower
                    else t for t in tokens)
    if relaxed != tokens and any(t[:1].isupper() for t in relaxed):
        for source in sources:
            found = matcher.find_name(relaxed, source.evidence)
            if found.status == SUPPORTED:
                return Match(found.written, source.lang, SUPPORTED)
    common = tuple(t.lower() for t in tokens)
    if all(fold([t])[0] in lower for t in tokens) and (
            len(tokens) == 1 or english.evidence.find_name(common, fuzzy=False) is not None):
        # Words the article writes in lower case are common words, not names ("Tributes",
        # "Cannabis" opening a sentence): the article has them. Several words must stand
        # together there ("free trade"); "arctic" here and "embassy" there make no name.
        return Match(" ".join(common), "en")
    parts = _name_parts(tokens) if split else [tokens]
    if not parts or parts == [tokens]:
        return best
    # An over-long span ("Wood claims Saints", a sentence-initial "Given Sherwood"): each
    # name in it is checked on its own.
    found_parts = [_match_name(p, label, sources, matcher, clause_initial=False, split=False)
                   for p in parts]
    worst = max(found_parts, key=lambda m: _RANK[m.status])
    if worst.status == SUPPORTED:
        return Match(" … ".join(m.text or "" for m in found_parts), found_parts[0].lang)
    return worst


def _rejoined(tokens: tuple[str, ...], stream: TokenStream) -> tuple[str, ...]:
    """The name with a word the summarizer's subword decoder wrote in two pieces made one
    again ("Silv onek", "Silv Onek"): two neighbouring words that the article never writes,
    joined, make a word it does."""
    out = list(tokens)
    i = 0
    while i + 1 < len(out):
        left, right = out[i], out[i + 1]
        if left[:1].isupper() and right[:1].isalpha() and not stream.has_word(left) and \
                not stream.has_word(right) and stream.has_word(left + right):
            out[i:i + 2] = [left + right.lower()]
        else:
            i += 1
    return tuple(out)


def _stutter(tokens: tuple[str, ...]) -> int | None:
    """Where a name word is written twice in a row ("Tom Wood Wood": 1), a decoder's
    stutter unless the article writes the name so ("Chan Chan", "Bora Bora"); else None."""
    return next((i for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False))
                 if a[:1].isalpha() and fold([a]) == fold([b])), None)


def _name_parts(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The names inside a span: split at words written in lower case that are not name
    particles ("of", "van", "al" ...), and after an acronym opening the span ("FLOTUS
    Grammy"): initials run to three letters (``J.R.R.``), so a word of four or more capitals
    is a name of its own, never a first name."""
    if not any(t[:1].isupper() for t in tokens):
        return [tokens]
    parts: list[tuple[str, ...]] = []
    run: list[str] = []
    for i, token in enumerate(tokens):
        if token[:1].islower() and token not in PARTICLES:
            if run:
                parts.append(tuple(run))
            run = []
        elif i == 1 and _is_long_acronym(tokens[0]) and not _is_long_acronym(token):
            parts.append(tuple(run))
            run = [token]
        else:
            run.append(token)
    if run:
        parts.append(tuple(run))
    return [p for p in (_strip_particles(p) for p in parts) if p]


def _is_long_acronym(token: str) -> bool:
    """Four or more capital letters: longer than initials (``persons.is_initials``)."""
    return len(token) > 3 and token.isalpha() and token.isupper()


def _strip_particles(part: tuple[str, ...]) -> tuple[str, ...]:
    while part and part[0] in PARTICLES:
        part = part[1:]
    while part and part[-1] in PARTICLES:
        part = part[:-1]
    return part


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
