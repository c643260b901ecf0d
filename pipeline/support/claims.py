"""Per-claim support: is every name and figure of a briefing sentence in its article?

A *claim* is a named entity (PERSON, ORG, GPE, LOC, NORP, FAC, EVENT) or a figure (number,
quantity, amount, percentage, date, time) of a summary sentence, found by the evaluation
stage's NER (spaCy, or the documented rule-based fallback). A claim is *supported* when the
shared matcher (:mod:`pipeline.support.matching`) finds it in the English translation or the
Dutch original. A sentence is ``supported`` when all its claims are, ``unsupported`` when none
is, ``partial`` in between and ``no-claims`` without any. Two role errors are seen: a name
repeated in a second role of its sentence (:mod:`pipeline.support.repeats`) is marked
there, and an age the article gives to someone else is unsupported
(:mod:`pipeline.support.ages`). A sentence opening with a news page's call to the reader
("Click here for ...", :mod:`pipeline.text.furniture`) that the article does not make has
that call as an unsupported claim of its own, labelled ``CALL``. Other correct names in a
wrong role ("Kosten said" for a quote by someone else) are supported: the check asks
whether the article contains a claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.record.sentence import REPEATED as REPEATED_STATUS
from pipeline.record.sentence import is_marked
from pipeline.support.ages import ArticleAges, wrong_ages
from pipeline.support.matching import ArticleSources, match_claim
from pipeline.support.repeats import REPEATED, flat, name_mentions, repeated_mentions
from pipeline.text.aliases import AliasTable
from pipeline.text.entities import (
    NAMED_LABELS,
    Entity,
    Extractor,
    ExtractorInfo,
    load_extractor,
)
from pipeline.text.furniture import makes_call, reader_call
from pipeline.text.names import clause_initial
from pipeline.text.normalize import unescape_quotes
from pipeline.text.persons import lower_case_name_words, lower_key, with_first_name
from pipeline.text.rule_ner import RuleBasedExtractor
from pipeline.text.syntax import Parser, load_parser

SUPPORTED, PARTIAL, UNSUPPORTED, NO_CLAIMS = "supported", "partial", "unsupported", "no-claims"
# A summarizer's out-of-vocabulary placeholders: not words of the summary.
PLACEHOLDER = re.compile(r"(?<![\w<\[])(?:UNK|<unk>|\[UNK\])(?![\w>\]])")
# The label of a sentence's call to the reader (:mod:`pipeline.text.furniture`): page
# furniture the summarizer wrote, marked as a claim the article does not make.
CALL = "CALL"
CALL_REASON = "a news page's call to the reader, not the article's: page furniture"


@dataclass
class Claim:
    """One name or figure of a summary sentence and what the article says about it.

    ``supported`` says whether the article contains the claim. ``status`` is ``supported``,
    ``partial`` (a person's surname is in the article, the first name is not),
    ``unsupported``, or ``repeated``: the article has the name, but the sentence names it
    twice in two roles (:mod:`pipeline.support.repeats`), so it is still marked. ``reason``
    says why a claim is marked when there is more to say than "not found". ``checks`` holds
    the verdicts of further checks by name (each a JSON object), for checks added beside
    the lexical one.
    """

    text: str
    label: str
    start: int
    end: int
    supported: bool
    matched: str | None = None
    matched_in: str | None = None  # "en" or "nl"
    status: str = ""
    reason: str | None = None
    checks: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.status:
            self.status = SUPPORTED if self.supported else UNSUPPORTED

    @property
    def marked(self) -> bool:
        """Whether the check marks the claim (:func:`pipeline.record.sentence.is_marked`)."""
        return is_marked(self.supported, self.status)

    def to_dict(self) -> dict:
        """JSON form (offsets are into the sentence text)."""
        out: dict = {"text": self.text, "label": self.label, "start": self.start,
                     "end": self.end, "supported": self.supported, "status": self.status}
        if self.matched is not None:
            out["matched"] = self.matched
            out["matched_in"] = self.matched_in
        if self.reason:
            out["reason"] = self.reason
        if self.checks:
            out["checks"] = dict(self.checks)
        return out

    def brief(self) -> dict:
        """The short form listed under a sentence's ``unsupported``."""
        out = {"text": self.text, "label": self.label}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class SentenceSupport:
    """One summary sentence with its evidence indices and claims."""

    text: str
    claims: list[Claim]
    evidence: list[int] = field(default_factory=list)
    placeholders: int = 0  # placeholder tokens (UNK, <unk>) in the sentence

    @property
    def unsupported(self) -> list[Claim]:
        """The claims the check marks (:attr:`Claim.marked`): those the article does not
        contain, and names it contains that the sentence repeats in another role."""
        return [c for c in self.claims if c.marked]

    @property
    def support(self) -> str:
        """``supported``, ``partial``, ``unsupported`` or ``no-claims``."""
        if not self.claims:
            return NO_CLAIMS
        missing = len(self.unsupported)
        return SUPPORTED if not missing else UNSUPPORTED if missing == len(self.claims) else PARTIAL

    def to_dict(self) -> dict:
        """The per-sentence JSON object of the briefing's ``summary`` list."""
        return {
            "text": self.text,
            "evidence": list(self.evidence),
            "support": self.support,
            "claims": [c.to_dict() for c in self.claims],
            "unsupported": [c.brief() for c in self.unsupported],
        } | ({"placeholders": self.placeholders} if self.placeholders else {})


def summarize_support(sentences: Sequence[SentenceSupport], ner: ExtractorInfo | dict,
                      **extra) -> dict:
    """The briefing-level ``support`` object: claim counts and the NER used. ``unsupported``
    counts every marked claim, ``repeated`` (present when there are any) the marked names
    the article does contain."""
    claims = [c for s in sentences for c in s.claims]
    ner_dict = ner.to_dict() if isinstance(ner, ExtractorInfo) else dict(ner)
    notice = ner.notice if isinstance(ner, ExtractorInfo) else None
    out = {
        "claims": len(claims),
        "supported": sum(not c.marked for c in claims),
        "unsupported": sum(c.marked for c in claims),
        "sentences_with_unsupported": sum(bool(s.unsupported) for s in sentences),
        "ner": {k: ner_dict.get(k) for k in ("extractor", "name", "version", "package",
                                             "fallback_reason")},
    }
    if notice:
        out["ner_notice"] = notice
    repeated = sum(c.status == REPEATED_STATUS for c in claims)
    if repeated:
        out["repeated"] = repeated
    placeholders = sum(s.placeholders for s in sentences)
    if placeholders:
        out["placeholders"] = placeholders
        out["placeholder_notice"] = (
            f"the summary has {placeholders} placeholder token(s) (UNK, <unk>) where its "
            "summarizer wrote no word; they are not checked as names")
    out.update(extra)
    return out


class SupportChecker:
    """Checks summary sentences against their article; the NER is loaded on first use.

    Args:
        aliases: the alias table (default: the built-in one).
        use_spacy: False uses the rule-based fallback without trying spaCy.
        extractor, info: an extractor already loaded (the evaluation stage's) and its
            description, instead of loading one.
    """

    def __init__(self, aliases: AliasTable | None = None, *, use_spacy: bool = True,
                 extractor: Extractor | None = None, info: ExtractorInfo | None = None):
        self.aliases = aliases if aliases is not None else AliasTable.load()
        self.use_spacy = use_spacy
        self._extractor, self._info = extractor, info
        self._rules: RuleBasedExtractor | None = None
        self._parser: Parser | None | bool = None  # False: looked for, none to load
        if extractor is not None and not isinstance(extractor, RuleBasedExtractor):
            self._rules = RuleBasedExtractor(self.aliases)

    @classmethod
    def with_alias_files(cls, paths: Sequence[Path], *, use_spacy: bool = True) -> SupportChecker:
        """A checker using the built-in alias table extended by ``paths``.

        Raises:
            EvalInputError: an alias file is missing or malformed.
        """
        return cls(AliasTable.load(paths), use_spacy=use_spacy)

    @property
    def ner(self) -> ExtractorInfo:
        """How claims are extracted (loads the NER)."""
        self._load()
        assert self._info is not None
        return self._info

    def _load(self) -> Extractor:
        if self._extractor is None:
            self._extractor, self._info = load_extractor(self.aliases, use_spacy=self.use_spacy)
            if self._info.kind == "spacy":
                self._rules = RuleBasedExtractor(self.aliases)
        return self._extractor

    def parser(self) -> Parser | None:
        """The dependency parser of the spaCy pipeline used as NER (None with the
        rule-based fallback: the repeated-name rule then does not run)."""
        if self._parser is None:
            extractor = self._load()
            source = getattr(extractor, "source", None) or (
                self._info.package if self._info is not None and self._info.kind == "spacy"
                else None)
            found = load_parser(source) if source else None
            self._parser = found if found is not None else False
        return self._parser or None

    def extract(self, sentences: Sequence[str]) -> list[list[Entity]]:
        """The claims (entities) of each sentence.

        With spaCy, names the rules find and spaCy does not (a small model misses names
        such as "PSV" or "Jan Verburg") are added here, as the extractor itself completes
        spaCy's figures with the rule-based figure finder: a missed claim is a claim nobody
        checks.
        """
        found = self._load().extract(list(sentences))
        if self._rules is None:
            return found
        merged = []
        for entities, extra in zip(found, self._rules.extract(list(sentences)), strict=True):
            taken = [(e.start, e.end) for e in entities]
            entities = entities + [e for e in extra if e.group == "named" and all(
                e.end <= s or e.start >= t for s, t in taken)]
            merged.append(sorted(entities, key=lambda e: (e.start, e.end)))
        return merged

    def _with_first_name(self, sentence: str, entity: Entity, entities: list[Entity],
                         lower: frozenset[str]) -> Entity:
        """A person's name with the first name a small NER left out
        (:func:`pipeline.text.persons.with_first_name`), when the tagger calls it a proper
        noun and, opening the sentence, the article does not write it in lower case
        ("Spokesman Kosten", "Now Porto" are no names)."""
        if entity.label != "PERSON":
            return entity
        start = with_first_name(sentence, entity.start,
                                [(e.start, e.end) for e in entities if e is not entity])
        if start == entity.start or (clause_initial(sentence, start) and lower_key(
                sentence[start:entity.start].strip()) in lower):
            return entity
        parser = self.parser()
        if parser is None or not parser.is_proper_noun(sentence, start, entity.start - 1):
            return entity
        return Entity(sentence[start:entity.end], entity.label, entity.group, start, entity.end)

    def _with_lower_case_parts(self, sentence: str, entity: Entity, entities: list[Entity],
                               lower: frozenset[str]) -> tuple[Entity, str | None]:
        """A person's name with the words next to it whose capitals were lost
        (:func:`pipeline.text.persons.lower_case_name_words`: "Johan gusttrom"), when the
        tagger calls the word a proper noun and the article never writes it in lower case;
        and the name as the matcher is to read it, those words capitalised (None when
        nothing joined). Checked whole, an invented surname or first name is then found
        missing instead of passing on the part the NER kept."""
        if entity.label != "PERSON":  # not NAME: the rule-based names are any kind
            return entity, None
        parts = lower_case_name_words(sentence, entity.start, entity.end,
                                      [(e.start, e.end) for e in entities if e is not entity])
        parts = [(s, e) for s, e in parts if lower_key(sentence[s:e]) not in lower]
        parser = self.parser() if parts else None
        if parser is None:
            return entity, None
        parts = [(s, e) for s, e in parts if parser.is_proper_noun(sentence, s, e)]
        if not parts:
            return entity, None
        start = min(entity.start, *(s for s, _ in parts))
        end = max(entity.end, *(e for _, e in parts))
        name = list(sentence[start:end])
        for s, _ in parts:
            name[s - start] = name[s - start].upper()
        return (Entity(sentence[start:end], entity.label, entity.group, start, end),
                "".join(name))

    def check(self, sentences: Sequence[str], source_en: str, source_nl: str | None = None,
              ) -> list[SentenceSupport]:
        """The claims of each summary sentence, each checked against the article.

        Args:
            sentences: the summary, one sentence per item.
            source_en: the article in English (the translation, or the original).
            source_nl: the Dutch original, when there is one.

        Returns:
            One :class:`SentenceSupport` per sentence, in order (evidence left empty).
        """
        source_en = unescape_quotes(source_en)[0]
        sources = ArticleSources([(source_en, "en"),
                                  (unescape_quotes(source_nl or "")[0], "nl")])
        unescaped = [unescape_quotes(s) for s in sentences]
        clean = [text for text, _ in unescaped]
        english = next(iter(sources), None)
        lower = english.evidence.given.lower if english is not None and english.lang == "en" \
            else frozenset()
        results = []
        for original, sentence, entities in zip(sentences, clean, self.extract(clean),
                                                strict=True):
            claims: list[Claim] = []
            seen: set[tuple[int, int]] = set()
            call = reader_call(sentence)
            if call is not None and makes_call(source_en, sentence[call[0]:call[1]]):
                call = None  # the article has the call too: the summary copies it
            if call is not None:  # its words are no names ("Click" read as an ORG)
                entities = [e for e in entities if e.start >= call[1]]
            for entity in entities:
                entity = self._with_first_name(sentence, entity, entities, lower)
                entity, as_name = self._with_lower_case_parts(sentence, entity, entities, lower)
                joined = (entity.start, entity.end)
                entity = without_placeholders(sentence, without_stray_clock_mark(sentence,
                                                                                 entity))
                if entity is not None and (entity.start, entity.end) != joined:
                    as_name = None  # (a placeholder word is never a lost capital's)
                if entity is None or (entity.start, entity.end) in seen or \
                        not any(c.isalnum() for c in entity.text):
                    continue  # a bare "#" or "%" states nothing to look for
                seen.add((entity.start, entity.end))
                claim = self._claim(sentence, entity, sources, as_name=as_name)
                parts = figures_apart(sentence, entity) if not claim.supported else [entity]
                if len(parts) > 1:  # "Leeds Rhinos 29-10": the article may have each apart
                    claims += [self._claim(sentence, part, sources) for part in parts]
                else:
                    claims.append(claim)
            if call is not None:
                claims.insert(0, Claim(sentence[call[0]:call[1]], CALL, call[0], call[1],
                                       supported=False, status=UNSUPPORTED, reason=CALL_REASON))
            results.append(SentenceSupport(original, claims,
                                           placeholders=len(PLACEHOLDER.findall(sentence))))
        self._mark_repeated(results, clean, source_en)
        self._mark_wrong_ages(results, clean, [(source_en, "en"),
                                               (unescape_quotes(source_nl or "")[0], "nl")])
        for result, (text, offsets) in zip(results, unescaped, strict=True):
            if len(text) == len(result.text):
                continue
            for claim in result.claims:  # offsets into the sentence as given
                claim.start, claim.end = offsets[claim.start], offsets[claim.end - 1] + 1
                claim.text = result.text[claim.start:claim.end].strip() or claim.text
        return results

    def _claim(self, sentence: str, entity: Entity, sources: ArticleSources, *,
               as_name: str | None = None) -> Claim:
        """``entity`` checked against the article; ``as_name``: the text the matcher reads
        instead of the sentence's (a name with its lost capitals restored)."""
        probe = entity if as_name is None else Entity(as_name, entity.label, entity.group,
                                                      entity.start, entity.end)
        found = match_claim(probe, sources, self.aliases,
                            clause_initial=clause_initial(sentence, entity.start))
        return Claim(entity.text.strip(), entity.label, entity.start, entity.end,
                     supported=found is not None and found.status == SUPPORTED,
                     matched=found.text if found else None,
                     matched_in=found.lang if found else None,
                     status=found.status if found else UNSUPPORTED,
                     reason=found.reason if found else None)

    def _mark_repeated(self, results: list[SentenceSupport], clean: list[str],
                       article: str) -> None:
        """Mark the names a sentence repeats in another role (:mod:`pipeline.support.repeats`)."""
        mentions = [name_mentions(text, [(c.text, c.start, c.end) for c in r.claims
                                         if _named(c.label)],
                                  [(c.start, c.end) for c in r.claims if not _named(c.label)],
                                  {c.start: c.label for c in r.claims})
                    for r, text in zip(results, clean, strict=True)]
        todo = [i for i, m in enumerate(mentions) if len(m) > 1]
        if not todo or (parser := self.parser()) is None:
            return
        roles = parser.roles([clean[i] for i in todo],
                             [[(m.start, m.end) for m in mentions[i]] for i in todo])
        flat_article = flat(article)
        for i, sentence_roles in zip(todo, roles, strict=True):
            by_start = {c.start: c for c in results[i].claims}
            for k in repeated_mentions(clean[i], mentions[i], sentence_roles, flat_article):
                claim = by_start[mentions[i][k].claim_start]
                if claim.supported:  # an unsupported claim keeps its own, stronger mark
                    claim.status, claim.reason = REPEATED_STATUS, REPEATED

    @staticmethod
    def _mark_wrong_ages(results: list[SentenceSupport], clean: list[str],
                         article: list[tuple[str, str]]) -> None:
        """Mark an age the sentence gives to someone the article gives another age
        (:mod:`pipeline.support.ages`): the figure's claim, or a new one where the NER
        tagged no figure there."""
        ages = None
        for result, text in zip(results, clean, strict=True):
            if not any(c.isdigit() for c in text):
                continue
            if ages is None:
                ages = ArticleAges.of(article)
            persons = [(c.start, c.end) for c in result.claims if c.label in _MAY_BE_PERSONS]
            for age, reason in wrong_ages(text, ages, persons):
                claim = next((c for c in result.claims
                              if c.start <= age.start < c.end and not _named(c.label)), None)
                if claim is None:
                    result.claims.append(Claim(age.age, "CARDINAL", age.start, age.end,
                                               supported=False, status=UNSUPPORTED,
                                               reason=reason))
                    result.claims.sort(key=lambda c: c.start)
                elif claim.supported or claim.status == REPEATED_STATUS or not claim.reason:
                    # (a figure missing from the article gains the reason it is wrong)
                    claim.supported, claim.status, claim.reason = False, UNSUPPORTED, reason
                    claim.matched = claim.matched_in = None


# The NER labels a person's name may carry (a small NER tags some ORG, GPE or FAC): an age
# is read for a name under one of them, not for a people ("Dutch") or a place.
_MAY_BE_PERSONS = frozenset({"PERSON", "NAME", "ORG", "GPE", "FAC"})


def _named(label: str) -> bool:
    """Whether a claim of this label is a name (the rule-based ``NAME`` too), not a figure."""
    return label in NAMED_LABELS or label == "NAME"


# Figures that are no part of a name they stand next to: a score ("29-10") or a year.
_SCORE_OR_YEAR = re.compile(r"\d{1,3}\s?[-\u2013]\s?\d{1,3}|(?:1[89]|20)\d\d")


def figures_apart(sentence: str, entity: Entity) -> list[Entity]:
    """A name span with a score or a year in it (``Leeds Rhinos 29-10``, ``the 2016 Rio
    Olympics``: one span to a small NER) as its names and that figure, each a claim of its
    own; words without a capital between them ("the") are dropped. Any other entity as it
    is: a number that belongs to a name ("Radio 4", "Apollo 13", "G20") stays in it.

    The checker asks for the parts only when the article lacks the whole span."""
    if entity.group != "named" or not any(c.isdigit() for c in entity.text):
        return [entity]
    runs: list[list[re.Match]] = []
    for word in re.finditer(r"\S+", entity.text):
        is_figure = any(c.isdigit() for c in word.group(0))
        if runs and (any(c.isdigit() for c in runs[-1][0].group(0)) == is_figure):
            runs[-1].append(word)
        else:
            runs.append([word])
    parts = []
    for run in runs:
        start, end = run[0].start(), run[-1].end()
        text = entity.text[start:end].strip(" ,;:-")
        start += entity.text[start:end].find(text)
        if any(c.isdigit() for c in text):
            if not _SCORE_OR_YEAR.fullmatch(text.rstrip(".,;:'\u2019s")):
                return [entity]
            parts.append(Entity(text, "CARDINAL", "figures", entity.start + start,
                                entity.start + start + len(text)))
        elif any(w[:1].isupper() for w in text.split()):
            parts.append(Entity(text, entity.label, "named", entity.start + start,
                                entity.start + start + len(text)))
    return parts if len(parts) > 1 else [entity]


_CLOCK_MARK = re.compile(r"(?:[AaPp]\.?[Mm]\.?)(?=\s)")


def without_stray_clock_mark(sentence: str, entity: Entity) -> Entity:
    """A time span opening with "PM" or "AM" after no clock figure, without that word
    ("PM this morning faced criticism": the prime minister, then "this morning"); any other
    entity as it is. "PM" is a time of day only after a figure ("3 PM"); a small NER reads
    the capitals as one anywhere."""
    if entity.label not in ("TIME", "DATE"):
        return entity
    mark = _CLOCK_MARK.match(sentence, entity.start)
    if mark is None or sentence[:entity.start].rstrip()[-1:].isdigit():
        return entity  # "3 PM" with the 3 left out of the span is a time
    start = mark.end() + len(sentence[mark.end():entity.end]) - len(
        sentence[mark.end():entity.end].lstrip())
    if start >= entity.end:
        return entity
    return Entity(sentence[start:entity.end], entity.label, entity.group, start, entity.end)


def without_placeholders(sentence: str, entity: Entity) -> Entity | None:
    """The entity without placeholder tokens at its edges; None when nothing else is left,
    or when a name then ends in a lower-case word ("University of UNK": the placeholder was
    the name's own word). A summarizer's ``UNK`` is not a name the article lacks; the
    sentence counts it."""
    text = sentence[entity.start:entity.end]
    if not text.strip():
        return None
    if not PLACEHOLDER.search(text):
        return entity
    words = [m for m in re.finditer(r"\S+", text) if not PLACEHOLDER.fullmatch(
        m.group(0).strip(".,;:!?'\"()"))]
    if not words or not any(c.isalnum() for m in words for c in m.group(0)):
        return None
    start, end = entity.start + words[0].start(), entity.start + words[-1].end()
    if PLACEHOLDER.search(sentence[start:end]):  # a placeholder inside: keep the longest run
        return None
    if entity.group == "named" and words[-1].group(0).islower():
        return None  # "University of UNK": the placeholder was the name's own word
    return Entity(sentence[start:end], entity.label, entity.group, start, end)
