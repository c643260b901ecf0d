"""The rule-based entity extractor used when no spaCy pipeline can be loaded (or ``--no-spacy``).

Named entities (label ``NAME``) are found three ways:

1. runs of capitalised words (``Qassem Soleimani``, ``Bank of England``, ``Ain al-Asad``),
   joined across the connectors in :data:`CONNECTORS`, minus leading titles
   (``President``, ``Mr``) and, at a sentence start, minus a leading function word
   (``The``, ``In``, ``Yesterday`` ...);
2. a single capitalised word counts only when it is not the first word of a sentence;
3. every name of the alias table found in the text, wherever it stands.

Overlapping candidates keep the longest. Figures are the spans of
:func:`pipeline.text.numbers.find_figures`. This is cruder than a trained NER
model: reports always say when it was used.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pipeline.text.aliases import AliasTable
from pipeline.text.entities import Entity
from pipeline.text.names import PARTICLES
from pipeline.text.normalize import name_tokens, token_matches
from pipeline.text.numbers import MONTHS, WEEKDAYS, find_figures
from pipeline.text.sentences import sentence_starts

NAME = "fallback.rules.v1"
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['\u2019\-][^\W_]+)*")
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|as|ash|an|ar|at|az|bin|ibn|abu)-[A-Z]")
CONNECTORS = PARTICLES  # the name particles shared with pipeline.text.names
TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "president", "prime", "minister", "premier", "general",
    "gen", "chancellor", "king", "queen", "prince", "princess", "pope", "senator", "sen",
    "governor", "gov", "secretary", "ayatollah", "commander", "colonel", "col", "lieutenant",
    "captain", "capt", "sheikh", "judge", "mayor", "spokesman", "spokeswoman", "ambassador",
    "leader", "sir", "lady", "lord",
})
# Only a title when a title follows: "Foreign Minister Zarif", not "Supreme Court".
TITLE_MODIFIERS = frozenset({"foreign", "defence", "defense", "prime", "supreme", "deputy",
                             "vice", "former", "acting", "interior", "finance"})
_SENTENCE_INITIAL_WORDS = """
a an the this that these those there here it its he she they we you i his her their our my your
in on at by for from to with without into onto after before during since until while when where
why how what which who whom whose but and or nor so yet if then than though although because as
also still even only just now today yesterday tomorrow tonight meanwhile however moreover
furthermore nevertheless instead thus hence therefore according some many most much more several
few all both each every no not none another other such one two three four five six seven eight
nine ten last next first earlier later about around over under between among despite
former
"""
SENTENCE_INITIAL = frozenset(_SENTENCE_INITIAL_WORDS.split())
_CALENDAR = frozenset(MONTHS["en"]) | frozenset(WEEKDAYS["en"])


class RuleBasedExtractor:
    """Extract entities with the rules in the module docstring.

    Args:
        aliases: the alias table whose names are also looked for.
    """

    name = NAME

    def __init__(self, aliases: AliasTable):
        self._forms = aliases.all_forms()

    def extract(self, texts: list[str]) -> list[list[Entity]]:
        """Entities of each text, in text order (named first by position, then figures)."""
        return [self._extract_one(text) for text in texts]

    def _extract_one(self, text: str) -> list[Entity]:
        words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        starts = _sentence_start_words(text, words)
        candidates = self._runs(text, words, starts) + self._alias_hits(words)
        named = _longest_first(candidates)
        entities = [Entity(text[s:e], "NAME", "named", s, e) for s, e in named]
        entities += [
            Entity(span.text, span.label, "figures", span.start, span.end)
            for span in find_figures(text, "en")
            if not span.weak
        ]
        return sorted(entities, key=lambda e: (e.start, e.end))

    def _runs(self, text: str, words: list[tuple[str, int, int]], starts: set[int]
              ) -> list[tuple[int, int]]:
        spans = []
        run: list[int] = []
        for i in range(len(words) + 1):
            word = words[i][0] if i < len(words) else ""
            joined = bool(run) and i < len(words) and text[words[i - 1][2] : words[i][1]] == " "
            if i < len(words) and _capitalised(word) and (not run or joined):
                run.append(i)
                continue
            if i < len(words) and run and joined and word in CONNECTORS:
                run.append(i)
                continue
            spans.extend(self._finish(words, run, starts))
            run = [i] if i < len(words) and _capitalised(word) else []
        return spans

    @staticmethod
    def _finish(words: list[tuple[str, int, int]], run: list[int], starts: set[int]
                ) -> list[tuple[int, int]]:
        while run and words[run[-1]][0] in CONNECTORS:
            run = run[:-1]
        at_sentence_start = bool(run) and run[0] in starts
        if at_sentence_start and words[run[0]][0].casefold() in SENTENCE_INITIAL:
            run = run[1:]
            at_sentence_start = False  # what follows a dropped word is not sentence-initial
            while run and words[run[0]][0] in CONNECTORS:
                run = run[1:]
        while len(run) > 1 and _is_title(words, run):
            run = run[1:]
        if not run or (len(run) == 1 and at_sentence_start):
            return []
        if len(run) == 1 and words[run[0]][0].casefold().rstrip(".") in TITLES | {"i"}:
            return []
        return [(words[run[0]][1], words[run[-1]][2])]

    def _alias_hits(self, words: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
        flat = [(tok, s, e) for word, s, e in words for tok in name_tokens(word)]
        by_first: dict[str, list[int]] = defaultdict(list)
        for i, (tok, _, _) in enumerate(flat):
            by_first[tok.casefold()].append(i)
        hits = []
        for form in self._forms:
            for i in by_first.get(form[0].casefold(), ()):
                window = flat[i : i + len(form)]
                if len(window) == len(form) and all(
                    token_matches(p, t) for p, (t, _, _) in zip(form, window, strict=True)
                ):
                    hits.append((window[0][1], window[-1][2]))
        return hits


def _is_title(words: list[tuple[str, int, int]], run: list[int]) -> bool:
    first = words[run[0]][0].casefold().rstrip(".")
    if first in TITLES:
        return True
    second = words[run[1]][0].casefold().rstrip(".") if len(run) > 2 else ""
    return first in TITLE_MODIFIERS and second in TITLES


def _capitalised(word: str) -> bool:
    if word.casefold() in _CALENDAR:  # dates are figures, not names
        return False
    return (word[:1].isupper() and word[:1].isalpha()) or bool(_ARABIC_ARTICLE.match(word))


def _sentence_start_words(text: str, words: list[tuple[str, int, int]]) -> set[int]:
    """Indices of words that open a sentence (quotes and brackets before them ignored)."""
    starts = sentence_starts(text)
    result = set()
    for i, (_, start, _) in enumerate(words):
        j = start
        while j > 0 and text[j - 1] in "\"'\u201c\u2018\u2019\u201d([\u00ab\u2014- \t":
            j -= 1
        if start in starts or j in starts or j == 0:
            result.add(i)
    return result


def _longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep non-overlapping spans, preferring longer ones (then earlier ones)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= s or start >= e for s, e in kept):
            kept.append((start, end))
    return sorted(kept)
