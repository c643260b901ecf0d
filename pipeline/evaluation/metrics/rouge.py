"""ROUGE with Google ``rouge-score`` conventions and a tokenizer that keeps accented letters.

``rouge_score``'s default tokenizer replaces everything outside ``[a-z0-9]`` by a
space, so "Aïn al-Asad" becomes ``a n al asad`` and "België" ``belgi``. Dutch and
Flemish names are full of such letters. :class:`UnicodeTokenizer` applies the same
steps to Unicode text and is token-for-token identical on ASCII input (tested).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from nltk.stem import porter
from rouge_score import rouge_scorer, tokenizers

from pipeline.text.sentences import split_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
TOKENIZER_NAME = "briefing.UnicodeTokenizer.v1"


def _keep(char: str) -> bool:
    # Letters, decimal digits and the combining marks NFC leaves attached to letters
    # (needed for scripts without precomposed forms). ASCII: exactly [a-z0-9] after lower().
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def _kept_characters(text: str) -> str:
    """Every character that is not kept becomes a space; a combining mark is kept only
    when it follows a kept letter, digit or mark (a lone accent after a space is no word)."""
    out = []
    for char in text:
        keep = _keep(char) and (
            not unicodedata.category(char).startswith("M") or bool(out) and out[-1] != " ")
        out.append(char if keep else " ")
    return "".join(out)


class UnicodeTokenizer(tokenizers.Tokenizer):
    """``rouge_score.tokenize.tokenize`` for Unicode text.

    Steps, as in the original: NFC and lower-case; every character that is not a
    letter or digit becomes a space (so ``_`` and punctuation separate words, as
    before); split on whitespace; Porter-stem tokens longer than 3 characters
    (rouge-score's rule); drop empty tokens.

    Args:
        use_stemmer: stem with rouge-score's Porter stemmer (NLTK's), as ``use_stemmer=True`` does.
    """

    def __init__(self, use_stemmer: bool = True):
        self._stemmer = porter.PorterStemmer() if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` (see the class docstring)."""
        text = unicodedata.normalize("NFC", text).lower()
        tokens = _kept_characters(text).split()
        if self._stemmer:
            tokens = [self._stemmer.stem(t) if len(t) > 3 else t for t in tokens]
        # rouge-score's final validity filter: non-empty, only kept characters.
        return [t for t in tokens if t and all(_keep(c) for c in t)]


@dataclass(frozen=True)
class RougeScore:
    """Precision, recall and F1 of one ROUGE type for one article."""

    precision: float
    recall: float
    f1: float


class RougeMetric:
    """ROUGE-1/2/L/Lsum of one briefing against one reference.

    ROUGE-Lsum needs sentences on separate lines: both texts are split with
    :func:`pipeline.text.sentences.split_sentences` and joined with newlines
    before scoring, as the rouge-score README asks.

    Args:
        use_stemmer: Porter stemming (on for every report).
    """

    def __init__(self, use_stemmer: bool = True):
        self.use_stemmer = use_stemmer
        self._scorer = rouge_scorer.RougeScorer(
            list(ROUGE_TYPES), tokenizer=UnicodeTokenizer(use_stemmer)
        )

    def score(self, prediction: str, reference: str) -> dict[str, RougeScore]:
        """Score one article.

        Args:
            prediction: the briefing (may be empty: every score is then 0).
            reference: the reference summary.

        Returns:
            ``{rouge_type: RougeScore}`` for :data:`ROUGE_TYPES`.
        """
        target = "\n".join(split_sentences(reference))
        candidate = "\n".join(split_sentences(prediction))
        scores = self._scorer.score(target, candidate)
        return {
            name: RougeScore(float(s.precision), float(s.recall), float(s.fmeasure))
            for name, s in scores.items()
        }
