"""The grammatical role of a span in a short sentence, from spaCy's tagger and parser.

The claim check reads only summary sentences this way (a few short sentences per briefing,
never the article), to tell a name that is an argument of its clause ("Klopp praised
Klopp") from one that only modifies another noun ("the Klopp era", "Klopp's side").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Dependency labels (spaCy's English, ClearNLP style) of words that modify a noun rather
# than fill a role of a clause: "England captain", "Klopp's side", "the 2015 Klopp".
MODIFIER_DEPS = frozenset({"compound", "poss", "amod", "nmod", "npadvmod", "nummod", "quantmod"})
MAX_CHARS = 5_000  # longer "sentences" are not parsed (their roles are unknown)


@dataclass(frozen=True)
class SpanRole:
    """How a span sits in its sentence: the dependency label of its head word, which
    sentence of the text (as the parser splits it) holds it and, for a modifier, the noun
    phrase it modifies: that phrase's head word (lower case) and the head's own label
    ("the Scottish government" as a subject: ``amod``, ``government``, ``nsubj``)."""

    dep: str
    sentence: int
    head: str = ""
    head_dep: str = ""

    @property
    def is_argument(self) -> bool:
        """Whether the span fills a role of its clause (subject, object, prepositional
        object, conjunct ...) rather than modifying another noun."""
        return self.dep not in MODIFIER_DEPS

    @property
    def phrase_is_argument(self) -> bool:
        """Whether the noun phrase a modifier belongs to fills a role of its clause."""
        return bool(self.head) and self.head_dep not in MODIFIER_DEPS


class Parser:
    """A loaded spaCy pipeline with a dependency parser.

    Args:
        nlp: a ``spacy.Language`` with a ``parser`` component.
    """

    CACHE = 256  # parsed sentences kept: a sentence is asked about twice in one check

    def __init__(self, nlp: Any):
        self._nlp = nlp
        self._docs: dict[str, Any] = {}

    def _parse(self, texts: Sequence[str]) -> list[Any | None]:
        """The parse of each text; None for one over :data:`MAX_CHARS` (no summary sentence
        is that long; spaCy's parser needs about 1 GB per 100,000 characters)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._docs and len(t) <= MAX_CHARS]
        fresh = dict(zip(todo, self._nlp.pipe(todo, batch_size=32), strict=True))
        for text, doc in fresh.items():
            if len(self._docs) >= self.CACHE:
                self._docs.pop(next(iter(self._docs)))
            self._docs[text] = doc
        return [fresh[t] if t in fresh else self._docs.get(t) for t in texts]

    def is_proper_noun(self, text: str, start: int, end: int) -> bool:
        """Whether the words at ``start:end`` of ``text`` are tagged proper nouns."""
        doc = self._parse([text])[0]
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        return span is not None and len(span) > 0 and all(t.pos_ == "PROPN" for t in span)

    def roles(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
              ) -> list[list[SpanRole | None]]:
        """For each text, the role of each ``(start, end)`` character span in it (None when
        the span does not cover a word)."""
        out = []
        for doc, wanted in zip(self._parse(texts), spans, strict=True):
            if doc is None:
                out.append([None] * len(wanted))
                continue
            starts = {sent.start: i for i, sent in enumerate(doc.sents)}
            sentence_of = []
            current = 0
            for token in doc:
                current = starts.get(token.i, current)
                sentence_of.append(current)
            roles: list[SpanRole | None] = []
            for start, end in wanted:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None or not len(span):
                    roles.append(None)
                    continue
                roles.append(_role_of(span, sentence_of[span.root.i]))
            out.append(roles)
        return out


def _role_of(span: Any, sentence: int) -> SpanRole:
    """The span's role: a modifier's when a word of it attaches to a word outside as a
    modifier (a small model may make another word of "Leeds United manager" the root),
    then with the noun phrase it modifies; else its root's label."""
    outside = [t for t in span if (t.head.i < span.start or t.head.i >= span.end)]
    modifier = next((t for t in outside if t.dep_ in MODIFIER_DEPS), None)
    if modifier is None:
        return SpanRole(span.root.dep_, sentence)
    head = modifier.head
    while head.dep_ in MODIFIER_DEPS and head.head.i != head.i:
        head = head.head  # "the Scottish government minister": up to "minister"
    return SpanRole(modifier.dep_, sentence, head.lower_, head.dep_)


def load_parser(name: str) -> Parser | None:
    """The spaCy pipeline ``name`` with its tagger and parser (no NER or lemmatizer), or
    None when it cannot be loaded or has no parser."""
    from pipeline.text.spacy_pipeline import import_spacy

    try:
        spacy = import_spacy()
        nlp = spacy.load(name, exclude=["ner", "lemmatizer", "senter"])
    except (ImportError, OSError, ValueError):
        return None
    return Parser(nlp) if "parser" in nlp.pipe_names else None
