"""Does a claim appear in a text? The one place that answers it, for every stage.

Used by the evaluation's entity metrics (is a reference entity in the briefing, is a
briefing entity in the article), by the nightly grouping (which Dutch names survive in the
English translation; which short name is part of a longer one) and by the per-claim
support check. A *claim* is a name or a figure:

- **names** are compared as name tokens (:func:`pipeline.text.normalize.mention_tokens`:
  diacritics, possessives, acronym dots and a leading "the" do not matter; capitals do,
  so ``US`` is not ``us``: :func:`pipeline.text.normalize.token_matches`). A name is found
  when it, or any alias-table name of it (:class:`pipeline.text.aliases.AliasTable`), or,
  for a person, a trailing part of the full name (``Soleimani`` for ``Qassem Soleimani``)
  occurs as consecutive words. When no exact form occurs, a long capitalised word may
  match a *spelling variant* (transliterations: ``Kataib``/``Kaitab``,
  ``Soleimani``/``Suleimani``): same first letter, length within one, and a rapidfuzz
  ratio of at least :data:`FUZZY_MIN_RATIO` (words of :data:`FUZZY_MIN_LENGTH`+ letters).
- **figures** are compared by value (:mod:`pipeline.text.numbers`): ``2.500`` = ``2,500``
  = ``2500``, ``tachtig`` = ``eighty`` = ``80``, ``4,12`` = ``4.12``; units must agree
  unless one side has none. A figure is found when every value it states occurs.

Entry points: :meth:`Matcher.appears` for one claim in one text, :class:`TextIndex` to
index a text once when it is asked many questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from pipeline.text.alias_rules import (
    acronym_index,
    club_forms,
    demonym_stems,
    initials,
    is_acronym_claim,
    number_forms,
)
from pipeline.text.aliases import AliasTable
from pipeline.text.normalize import TokenStream, mention_tokens, token_matches
from pipeline.text.numbers import AtomBag, atoms_of
from pipeline.text.persons import (
    AGREES,
    CONTRADICTS,
    GivenNames,
    check_given_name,
    person_shaped,
)

NAME = "briefing.match.v3"  # v2: spelling variants by rapidfuzz; v3: first names checked
SUPPORTED, PARTIAL, UNSUPPORTED = "supported", "partial", "unsupported"
FIRST_NAME_MISSING = "first name not in the article"
FUZZY_MIN_RATIO = 80.0
FUZZY_MIN_LENGTH = 5


@dataclass
class TextIndex:
    """A text prepared for many "does this claim occur in it?" questions.

    Attributes:
        stream: its name tokens, indexed.
        lang: ``"en"`` or ``"nl"`` (number words, months and weekdays).
        bag: the values of every figure in it (found on first use: finding figures is the
            costly part, and a caller that asks only about names never pays for it).
    """

    stream: TokenStream
    lang: str = "en"
    text: str = field(default="", repr=False)
    _capitalised: list[str] = field(default_factory=list, repr=False)
    _bag: AtomBag | None = field(default=None, repr=False)
    _given: GivenNames | None = field(default=None, repr=False)
    _acronyms: dict[str, tuple[str, ...]] | None = field(default=None, repr=False)
    _demonyms: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, text: str, lang: str = "en") -> TextIndex:
        """Index ``text`` written in ``lang``."""
        stream = TokenStream(text)
        capitalised = sorted({t for t in stream.tokens
                              if t[:1].isupper() and len(t) >= FUZZY_MIN_LENGTH - 1})
        return cls(stream, lang, text, capitalised)

    @property
    def bag(self) -> AtomBag:
        """The values of every figure in the text."""
        if self._bag is None:
            self._bag = AtomBag.of_text(self.text, self.lang)
        return self._bag

    def contains_name(self, tokens: Sequence[str], *, fuzzy: bool = True) -> bool:
        """Whether the name tokens occur as consecutive words (spelling variants allowed
        for long capitalised words when ``fuzzy``)."""
        return self.find_name(tokens, fuzzy=fuzzy) is not None

    def find_name(self, tokens: Sequence[str], *, fuzzy: bool = True) -> tuple[str, ...] | None:
        """The text's own words where the name tokens occur (its spelling, which differs
        from the claim's for a spelling variant), or None."""
        start = self.stream.find(tokens)
        if start is None and fuzzy:
            start = self._find_variant(tokens)
        return None if start is None else tuple(self.stream.tokens[start:start + len(tokens)])

    @property
    def acronyms(self) -> dict[str, tuple[str, ...]]:
        """The acronyms the text's names make (``FA`` for its ``Football Association``)."""
        if self._acronyms is None:
            self._acronyms = acronym_index(self.text)
        return self._acronyms

    @property
    def demonyms(self) -> dict[str, str]:
        """The stems of the text's capitalised words (``uruguay`` for ``Uruguayan``)."""
        if self._demonyms is None:
            self._demonyms = {}
            for token in dict.fromkeys(self.stream.tokens):
                if token[:1].isupper() and not token.isupper():
                    for stem in demonym_stems(token):
                        self._demonyms.setdefault(stem, token)
        return self._demonyms

    @property
    def given(self) -> GivenNames:
        """The first names the text writes before each capitalised word, and its lower-case
        words (built on first use)."""
        if self._given is None:
            self._given = GivenNames.of(self.text)
        return self._given

    def contains_figure(self, atoms: frozenset) -> bool:
        """Whether every value in ``atoms`` occurs among the text's figures."""
        return self.bag.covers(atoms)

    def _variants(self, token: str) -> set[str]:
        if not (token[:1].isupper() and len(token) >= FUZZY_MIN_LENGTH):
            return set()
        found = process.extract(token, self._capitalised, scorer=fuzz.ratio,
                                score_cutoff=FUZZY_MIN_RATIO, limit=None)
        return {choice for choice, _, _ in found
                if choice[:1] == token[:1] and abs(len(choice) - len(token)) <= 1}

    def _find_variant(self, tokens: Sequence[str]) -> int | None:
        if not tokens:
            return None
        allowed = [self._variants(t) for t in tokens]
        if not any(allowed):
            return None
        text = self.stream.tokens
        n = len(tokens)
        for start in range(len(text) - n + 1):
            if all(token_matches(p, w) or w in ok
                   for p, w, ok in zip(tokens, text[start:start + n], allowed, strict=True)):
                return start
        return None


def surname_forms(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """Trailing parts of a person's full name that may stand for it alone.

    ``("Qassem", "Soleimani")`` -> ``[("Soleimani",)]``; a part must hold a capital and
    end in a word of 3+ letters (``("Mark", "van", "der", "Berg")`` gives ``van der Berg``,
    ``der Berg`` and ``Berg``).
    """
    forms = []
    for k in range(1, len(tokens)):
        suffix = tuple(tokens[k:])
        if any(t[:1].isupper() for t in suffix) and len(suffix[-1]) >= 3:
            forms.append(suffix)
    return forms


def is_part_of_name(short: str, full: str) -> bool:
    """Whether ``short`` is a trailing or leading run of words of the longer name ``full``
    (``Verhoeven`` of ``Marco Verhoeven``), compared as name tokens."""
    a, b = mention_tokens(short), mention_tokens(full)
    if not 0 < len(a) < len(b):
        return False
    return all(map(token_matches, a, b[-len(a):])) or all(map(token_matches, a, b[:len(a)]))


@dataclass(frozen=True)
class NameMatch:
    """How a name occurs in a text: ``status``, the text's words (``written``) and why a
    name is not (fully) supported (``reason``)."""

    status: str
    written: str | None = None
    reason: str | None = None


def _full_name(given_written: str | None, surname_written: tuple[str, ...]) -> str:
    surname = " ".join(surname_written)
    if not given_written or given_written == surname:
        return surname
    given = given_written.rsplit(" ", 1)[0]  # the first name, with a middle name if any
    return f"{given} {surname}"


class Matcher:
    """Answers "does this claim occur in this text?" (see the module docstring).

    Args:
        aliases: the alias table; None means the built-in one.
        fuzzy: allow spelling variants of long capitalised words.
    """

    name = NAME

    def __init__(self, aliases: AliasTable | None = None, *, fuzzy: bool = True):
        self.aliases = aliases if aliases is not None else AliasTable.load()
        self.fuzzy = fuzzy

    def name_forms(self, tokens: Sequence[str], *, person: bool = False
                   ) -> list[tuple[str, ...]]:
        """Every way of writing this name that counts: itself, its aliases, and for a
        person (two or more tokens) the trailing parts of the full name."""
        forms = [tuple(tokens), *self.aliases.forms(tokens)]
        if person and len(tokens) >= 2:
            forms += surname_forms(tokens)
        return forms

    def name_in(self, name: str | Sequence[str], text: TextIndex, *,
                person: bool = False) -> bool:
        """Whether a name (as written, or as name tokens) occurs in an indexed text.

        For a person named in full whose surname alone occurs, True unless the text gives
        that surname a different first name (:meth:`find_name`: ``partial`` counts here).
        """
        tokens = mention_tokens(name) if isinstance(name, str) else tuple(name)
        return self.find_name(tokens, text, person=person).status != UNSUPPORTED

    def find_name(self, tokens: Sequence[str], text: TextIndex, *, person: bool = False,
                  person_by_shape: bool = False, place: bool = False) -> NameMatch:
        """How a name occurs in an indexed text: ``supported`` (itself, an alias, a spelling
        variant, or a person's surname with a first name that agrees), ``partial`` (a
        person's surname, the text never giving it a first name: :data:`FIRST_NAME_MISSING`)
        or ``unsupported`` (not there, or the text gives the surname another first name).

        Args:
            tokens: the name tokens.
            text: the indexed text.
            person: the name is a person's (the NER says so).
            person_by_shape: also treat it as a person's when it has a person's shape
                (:func:`pipeline.text.persons.person_shaped`: "JK Rowling" tagged ORG).
            place: the name is a country, place or people (demonyms count:
                :mod:`pipeline.text.alias_rules`).
        """
        tokens = tuple(tokens)
        if not tokens:
            return NameMatch(UNSUPPORTED)
        forms = [tokens, *self.aliases.forms(tokens)]
        for fuzzy in ((False, True) if self.fuzzy else (False,)):
            for form in forms:
                written = text.find_name(form, fuzzy=fuzzy)
                if written is not None:
                    return NameMatch(SUPPORTED, " ".join(written))
        written = self._rule_alias(tokens, text, place=place)
        if written is not None:
            return NameMatch(SUPPORTED, written)
        if len(tokens) >= 2 and (person or (person_by_shape and person_shaped(tokens, text.given)
                                            and not self.aliases.forms(tokens[:1]))):
            # (a first word the alias table knows, "US Airlines", names that, not a person)
            for form in surname_forms(tokens):
                written = text.find_name(form, fuzzy=False)
                if written is None and self.fuzzy:
                    written = text.find_name(form, fuzzy=True)
                if written is None:
                    continue
                capitalised = [w for w in written if w[:1].isupper()] or list(written)
                given = check_given_name(tokens, (capitalised[0],), text.given)
                if given.verdict == AGREES:
                    return NameMatch(SUPPORTED, _full_name(given.written, written))
                if given.verdict == CONTRADICTS:
                    return NameMatch(UNSUPPORTED, given.written,
                                     f"the article names {given.written}")
                return NameMatch(PARTIAL, " ".join(written), FIRST_NAME_MISSING)
        return NameMatch(UNSUPPORTED)

    @staticmethod
    def _rule_alias(tokens: tuple[str, ...], text: TextIndex, *, place: bool) -> str | None:
        for form in number_forms(tokens) + club_forms(tokens):
            written = text.find_name(form, fuzzy=False)
            if written is not None:
                return " ".join(written)
        if is_acronym_claim(tokens):
            words = text.acronyms.get(tokens[0])
            if words is not None:
                return " ".join(words)
        elif (acronym := initials(tokens)) is not None:
            written = text.find_name((acronym,), fuzzy=False)
            if written is not None:
                return " ".join(written)
        if place and len(tokens) == 1:
            for stem in demonym_stems(tokens[0]):
                if stem in text.demonyms:
                    return text.demonyms[stem]
        return None

    def figure_in(self, figure: str, text: TextIndex, *, lang: str = "en") -> bool:
        """Whether every value a figure states (``"1,5 miljoen euro"``) occurs in the text.

        A figure without any value (``last week``) is looked for as words.
        """
        atoms = atoms_of(figure, lang)
        if atoms:
            return text.contains_figure(atoms)
        return text.contains_name(mention_tokens(figure), fuzzy=False)

    def appears(self, claim: str, text: str | TextIndex, *, kind: str = "auto",
                lang: str = "en", claim_lang: str = "en", person: bool = False) -> bool:
        """Does ``claim`` occur in ``text``?

        Args:
            claim: a name or a figure, as written.
            text: the text, or a :class:`TextIndex` of it (index once, ask many times).
            kind: ``"name"``, ``"figure"`` or ``"auto"`` (a figure when the claim states
                a number, amount, date or time).
            lang: the text's language when ``text`` is a string.
            claim_lang: the claim's language (how its number words are read).
            person: the claim is a person's full name (its surname alone counts).
        """
        index = text if isinstance(text, TextIndex) else TextIndex.of(text, lang)
        if kind == "auto":
            kind = "figure" if atoms_of(claim, claim_lang) else "name"
        if kind == "figure":
            return self.figure_in(claim, index, lang=claim_lang)
        return self.name_in(claim, index, person=person)
