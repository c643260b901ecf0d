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

from pipeline.text.aliases import AliasTable
from pipeline.text.normalize import TokenStream, mention_tokens, token_matches
from pipeline.text.numbers import AtomBag, atoms_of

NAME = "briefing.match.v2"  # v2: spelling variants by rapidfuzz
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
        if self.stream.contains(tokens):
            return True
        return fuzzy and self._contains_variant(tokens)

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

    def _contains_variant(self, tokens: Sequence[str]) -> bool:
        if not tokens:
            return False
        allowed = [self._variants(t) for t in tokens]
        if not any(allowed):
            return False
        text = self.stream.tokens
        n = len(tokens)
        for start in range(len(text) - n + 1):
            if all(token_matches(p, w) or w in ok
                   for p, w, ok in zip(tokens, text[start:start + n], allowed, strict=True)):
                return True
        return False


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
        """Whether a name (as written, or as name tokens) occurs in an indexed text."""
        tokens = mention_tokens(name) if isinstance(name, str) else tuple(name)
        if not tokens:
            return False
        forms = self.name_forms(tokens, person=person)
        if any(text.contains_name(f, fuzzy=False) for f in forms):
            return True
        return self.fuzzy and any(text.contains_name(f) for f in forms)

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
