"""Text normalisation shared by entity extraction and matching.

Two texts mention the same name when their *name tokens* agree. Name tokens are
words with diacritics stripped (NFKD), acronym dots removed (``U.S.`` -> ``US``),
English possessives removed (``Iran's`` -> ``Iran``), and every other character that
is not a letter or digit treated as a separator (``al-Asad`` -> ``al Asad``).
Case is kept so that matching can tell the acronym ``US`` from the pronoun ``us``:
see :func:`token_matches`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

# Curly quotes and accents used as apostrophes, all read as "'".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Letter-dot sequences: U.S., U.S.A., U.S (no final dot). One letter and a dot
# ("W. Bush") is an initial, not an acronym, and is left alone.
_ACRONYM = re.compile(r"(?<!\w)(?:[^\W\d_]\.)+[^\W\d_](?:\.(?!\w))?")
_POSSESSIVE_S = re.compile(r"(?<=\w)'s(?!\w)", re.IGNORECASE)
_POSSESSIVE_BARE = re.compile(r"(?<=[sS])'(?!\w)")
_WORD = re.compile(r"[^\W_]+")
# A backslash before a quote: escaping left behind by a serializer ("Britain\\'s").
_ESCAPED_QUOTE = re.compile(r"\\(?=['\"\u2019])")

# A leading article is not part of a name: "the Netherlands" = "Netherlands".
LEADING_ARTICLES = frozenset({"the"})
# Particles inside names, written with or without a capital: "Van Gaal" / "van Gaal",
# "Del Bosque" / "del Bosque", "Al-Douri" / "al-Douri".
NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "ter", "ten", "al", "el", "bin",
                            "ibn", "du", "da", "di", "del", "della", "la", "le", "dos", "das"})


def unescape_quotes(text: str) -> tuple[str, list[int]]:
    """``text`` without the backslashes that escape a quote (``Britain\\'s`` -> ``Britain's``),
    and for each character of the result (and its end) its offset in ``text``."""
    if "\\" not in text:
        return text, list(range(len(text) + 1))
    kept = [i for i in range(len(text)) if not (text[i] == "\\" and _ESCAPED_QUOTE.match(text, i))]
    return "".join(text[i] for i in kept), kept + [len(text)]


def strip_diacritics(text: str) -> str:
    """Remove combining marks after NFKD decomposition (``Aïn`` -> ``Ain``, ``België`` -> ``Belgie``).

    Args:
        text: any text.

    Returns:
        The text in NFC with every combining mark removed; case is kept.
    """
    if text.isascii():  # the common case: nothing to decompose
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def name_tokens(text: str) -> list[str]:
    """Split text into case-preserving name tokens (see the module docstring).

    Args:
        text: an entity mention or a whole text.

    Returns:
        The tokens in order; empty for text without letters or digits.
    """
    text = strip_diacritics(text).translate(_APOSTROPHES)
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _POSSESSIVE_S.sub("", text)
    text = _POSSESSIVE_BARE.sub("", text)
    return _WORD.findall(text)


def mention_tokens(text: str) -> tuple[str, ...]:
    """Name tokens of an entity mention, without a leading article (``the``).

    Args:
        text: the mention as written (``the U.S.``, ``Iran's``).

    Returns:
        A tuple of case-preserving tokens (``("US",)``, ``("Iran",)``).
    """
    tokens = name_tokens(text)
    while len(tokens) > 1 and tokens[0].casefold() in LEADING_ARTICLES:
        tokens = tokens[1:]
    return tuple(tokens)


def fold(tokens: Sequence[str]) -> tuple[str, ...]:
    """Case-fold name tokens into a matching key.

    Args:
        tokens: case-preserving name tokens.

    Returns:
        The case-folded tokens as a tuple (hashable).
    """
    return tuple(t.casefold() for t in tokens)


def is_acronym(token: str) -> bool:
    """True for tokens written in capitals throughout (``US``, ``VS``, ``EU``, ``G7``)."""
    return len(token) > 1 and token.isupper()


def token_matches(pattern: str, token: str) -> bool:
    """Whether a text token matches a token of a name, respecting the name's case.

    Case-insensitive, except that a capitalised name token needs a capitalised text
    token and an acronym needs capitals throughout: ``US`` does not match ``us``,
    ``Rutte`` does not match ``rutte``, while ``the`` matches ``The``.

    Args:
        pattern: a token of the name being looked for.
        token: a token of the text.

    Returns:
        True when they match.
    """
    if pattern.casefold() != token.casefold():
        return False
    if pattern.casefold() in LEADING_ARTICLES:
        return True  # "The Hague" is also "the Hague"
    if is_acronym(pattern) and not token.isupper():
        return False  # "LA" is no "La", though "la" is a name particle
    if pattern.casefold() in NAME_PARTICLES:
        return True  # "Del Bosque" is also "del Bosque"
    if pattern[:1].isupper() and not token[:1].isupper():
        return False
    return not (is_acronym(pattern) and not token.isupper())


class TokenStream:
    """A text's name tokens with an index for fast phrase lookup.

    Args:
        text: the text to index.
    """

    def __init__(self, text: str):
        self.tokens = name_tokens(text)
        self._positions: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(self.tokens):
            self._positions[token.casefold()].append(i)

    def contains(self, phrase: Sequence[str]) -> bool:
        """Whether the token sequence ``phrase`` occurs in the text (see :func:`token_matches`).

        Args:
            phrase: case-preserving name tokens; empty never matches.

        Returns:
            True when every token matches at consecutive positions.
        """
        return self.find(phrase) is not None

    def has_word(self, word: str) -> bool:
        """Whether the text has ``word`` as one of its tokens, in any case."""
        return word.casefold() in self._positions

    def find(self, phrase: Sequence[str]) -> int | None:
        """The first token index where ``phrase`` occurs, or None (empty never matches)."""
        if not phrase:
            return None
        n = len(phrase)
        for start in self._positions.get(phrase[0].casefold(), ()):
            window = self.tokens[start : start + n]
            if len(window) == n and all(map(token_matches, phrase, window)):
                return start
        return None
