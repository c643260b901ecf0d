"""Where a watchlist's terms occur in an article: the product's one matcher, per sentence,
on the Dutch original and the English translation.

A term is matched on whole words as a name is (:mod:`pipeline.text.matching`): a term
with capitals needs them (``VS`` is not ``vs``), a lower-case term matches any case
(``stikstof`` finds ``Stikstof``), a phrase needs its words in order. With ``aliases`` on,
a term with capitals (a name) also matches the alias table's other names (a watch on
"United States" fires on "VS" and "Verenigde Staten") and spelling variants of long names
("Kataib" on "Kaitab"); a lower-case term is a word and matches only as written.
Each hit keeps the text as written in the article, the term that found it and the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline.core.config import Watchlist
from pipeline.text.aliases import AliasTable
from pipeline.text.matching import SUPPORTED, Matcher, TextIndex
from pipeline.text.normalize import mention_tokens


@dataclass(frozen=True)
class Hit:
    """One watchlist term found in one sentence of one article."""

    watchlist: str
    article: str
    sentence: int  # index into the article's sentences
    term: str  # the watchlist's term that matched
    matched: str  # the article's own words ("VS")
    lang: str  # "en" or "nl": where it was found
    en: str
    nl: str | None

    def to_dict(self) -> dict:
        """The JSON form (digest, ``briefing watch --format json``)."""
        return asdict(self)


class WatchMatcher:
    """Finds the terms of several watchlists in articles.

    Args:
        lists: the watchlists.
        aliases: the alias table (default: the built-in one).
    """

    def __init__(self, lists: Sequence[Watchlist], aliases: AliasTable | None = None):
        self.lists = list(lists)
        self._matcher = Matcher(aliases if aliases is not None else AliasTable.load())
        # Aliases and spelling variants are a name's: a term written in lower case is a word
        # ("stikstof", "us"), matched as written in any case, never as a name it resembles.
        self._terms = [(w, term, mention_tokens(term), w.aliases and term != term.lower())
                       for w in self.lists for term in w.terms]

    def _find(self, tokens: tuple[str, ...], index: TextIndex, aliases: bool) -> str | None:
        if not aliases:  # the term's own words only
            written = index.find_name(tokens, fuzzy=False)
            return " ".join(written) if written else None
        found = self._matcher.find_name(tokens, index)
        return found.written if found.status == SUPPORTED else None

    def hits(self, article: str, sentences: Sequence[tuple[str, str | None]]) -> list[Hit]:
        """Every hit in one article, in watchlist, then sentence order; one hit per
        watchlist and sentence (the first term that matches it).

        Args:
            article: the article's id.
            sentences: ``(english, dutch or None)`` per sentence.
        """
        if not self._terms or not sentences:
            return []
        whole = {"en": TextIndex.of(" ".join(en for en, _ in sentences), "en"),
                 "nl": TextIndex.of(" ".join(nl or "" for _, nl in sentences), "nl")}
        # Only terms found somewhere in the article are looked for sentence by sentence.
        present = [(w, term, tokens, aliases) for w, term, tokens, aliases in self._terms
                   if tokens and any(self._find(tokens, index, aliases)
                                     for index in whole.values())]
        found: list[Hit] = []
        taken: set[tuple[str, int]] = set()
        indexes: dict[tuple[int, str], TextIndex] = {}
        for watchlist, term, tokens, aliases in present:
            for n, (en, nl) in enumerate(sentences):
                if (watchlist.name, n) in taken:
                    continue
                for lang, text in (("en", en), ("nl", nl)):  # the reader's English first
                    if not text:
                        continue
                    index = indexes.get((n, lang))
                    if index is None:
                        index = indexes[(n, lang)] = TextIndex.of(text, lang)
                    written = self._find(tokens, index, aliases)
                    if written:
                        found.append(Hit(watchlist.name, article, n, term, written, lang, en, nl))
                        taken.add((watchlist.name, n))
                        break
        order = {w.name: i for i, w in enumerate(self.lists)}
        return sorted(found, key=lambda h: (order[h.watchlist], h.sentence))
