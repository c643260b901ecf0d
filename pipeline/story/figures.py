"""Figures in a story's sentences, each with what it counts and who asserts it.

What a figure counts is read from spaCy's dependency parse of the English sentence: the
noun the number modifies (``eighty`` -> ``soldiers``) and the verb that noun belongs to
(``soldiers`` -> ``killed``), both by lemma, then a small table of synonyms, so that
"rockets launched" and "missiles fired" are the same thing and "dead", "died",
"casualties" and "killed" the same event. Nouns that name the event themselves
("casualties", "deaths", "no one was injured") carry it. Dates, times and ordinals are
not counts and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.story.attribution import who_in_dutch, who_in_english
from pipeline.story.quantity import ZERO_WORDS, Interval, interval_of

# Canonical thing -> lemmas meaning it (a thesaurus entry each, not tuned to data).
THINGS: dict[str, frozenset[str]] = {
    "missile": frozenset({"missile", "rocket", "projectile"}),
    "soldier": frozenset({"soldier", "troop", "serviceman", "servicemember", "marine"}),
    "person": frozenset({"people", "person", "one", "individual", "civilian", "resident",
                         "body", "man", "woman"}),
    "drone": frozenset({"drone", "uav"}),
}
# Canonical event -> lemmas of verbs, adjectives or nouns that state it.
EVENTS: dict[str, frozenset[str]] = {
    "killed": frozenset({"kill", "killed", "die", "dead", "death", "casualty", "slay", "fatality",
                         "perish", "toll", "life"}),
    "injured": frozenset({"injure", "injured", "wound", "wounded", "hurt", "injury"}),
    "fired": frozenset({"fire", "launch", "shoot", "lob"}),
    "arrested": frozenset({"arrest", "detain", "arrested", "detained"}),
}
# Events whose counted thing is people: "soldiers killed", "casualties", "no one injured".
HARM_EVENTS = frozenset({"killed", "injured", "arrested"})
# Nouns that are the event itself ("25 deaths", "no casualties").
EVENT_NOUNS = frozenset({"death", "casualty", "fatality", "injury", "dead", "wounded", "toll",
                         "victim"})
COUNT_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
NOT_COUNT_LABELS = frozenset({"DATE", "TIME", "ORDINAL"})
_LEMMA_OF = {lemma: canon for canon, lemmas in THINGS.items() for lemma in lemmas}
_EVENT_OF = {lemma: canon for canon, lemmas in EVENTS.items() for lemma in lemmas}


@dataclass
class Figure:
    """One figure in one member article's sentence."""

    text: str  # the figure and its noun as written: "eighty American soldiers"
    interval: Interval
    thing: str  # canonical counted thing: "soldier"
    event: str  # canonical event: "killed" (or the verb's lemma, or "")
    modifiers: tuple[str, ...]  # what narrows the thing: ("american",)
    label: str  # how the row reads: "American soldiers killed"
    who: str | None  # the source the sentence names; None: the outlet itself
    article: str
    outlet: str
    sentence: int
    en: str
    nl: str | None

    @property
    def key(self) -> tuple[str, str]:
        """What the figure is about, without its narrowing modifiers."""
        return (self.event if self.event in HARM_EVENTS else self.thing, self.event)


def _canon_thing(noun: Any | None) -> str:
    if noun is None:
        return ""
    lemma = noun.lemma_.lower()
    if noun.ent_type_ == "NORP" and noun.pos_ in ("PROPN", "NOUN"):
        return "person"
    if lemma in EVENT_NOUNS or _EVENT_OF.get(lemma) in HARM_EVENTS:
        return "person"
    return _LEMMA_OF.get(lemma, lemma)


def _event_of(noun: Any | None, anchor: Any) -> tuple[str, str]:
    """The canonical event and the word that states it ("killed", "killed")."""
    if noun is not None and noun.lemma_.lower() in EVENT_NOUNS:
        event = _EVENT_OF.get(noun.lemma_.lower(), noun.lemma_.lower())
        return event, event
    current = noun if noun is not None else anchor
    if current.dep_ == "pobj" and current.head.lower_ == "of":  # "dozens of fighters"
        current = current.head.head
    if current.dep_ not in _ARGUMENT_DEPS and current.pos_ != "NUM":
        return "", ""
    for _ in range(6):
        for child in current.children:  # "the dead", "wounded soldiers"
            if child.dep_ == "amod" and child.lemma_.lower() in _EVENT_OF:
                event = _EVENT_OF[child.lemma_.lower()]
                return event, event
        head = current.head
        if head is current:
            break
        if head.pos_ in ("VERB", "ADJ") or (head.pos_ == "AUX" and head.dep_ == "ROOT"):
            lemma = head.lemma_.lower()
            if lemma in _EVENT_OF:
                event = _EVENT_OF[lemma]
                return event, event
            if head.pos_ == "VERB" and lemma not in ("be", "have", "say", "report"):
                return lemma, head.text.lower()
            if lemma in ("be", "have"):
                return "", ""
        current = head
    return "", ""


def _modifiers(noun: Any | None) -> tuple[str, ...]:
    """Words that narrow the counted thing: nationalities and noun compounds."""
    if noun is None:
        return ()
    found = []
    if noun.ent_type_ == "NORP":  # "no Americans": Americans are people, American ones
        found.append(_demonym(noun.text))
    for child in noun.children:
        if child.lemma_.lower() in EVENT_NOUNS or child.lemma_.lower() in _EVENT_OF:
            continue
        if child.dep_ in ("amod", "compound") and (
                child.ent_type_ in ("NORP", "GPE", "ORG") or
                (child.dep_ == "compound" and child.pos_ in ("NOUN", "PROPN"))):
            found.append(child.lemma_.lower() if child.pos_ == "NOUN" else _demonym(child.text))
    return tuple(sorted(found))


def _demonym(word: str) -> str:
    """One form of a nationality word: "Americans" and "American" -> "american"."""
    word = word.lower()
    return word[:-1] if word.endswith(("ans", "ians", "is", "ese")) and word.endswith("s") else word


def _noun_of(anchor: Any) -> Any | None:
    """The noun a number counts: its head ("eighty soldiers"), the noun after "of"
    ("dozens of fighters"), the subject of the verb a bare number completes ("the death
    toll rose to 31"), or the number's own noun ("no one", "casualties")."""
    head = anchor
    while head.dep_ in ("nummod", "quantmod", "amod", "compound", "advmod") and head.head is not head:
        head = head.head
        if head.pos_ in ("NOUN", "PROPN"):
            return head
    for child in anchor.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [t for t in child.children if t.dep_ == "pobj"]
            if objects:
                return objects[0]
    if anchor.pos_ in ("NOUN", "PROPN", "PRON") and anchor.lower_ not in _VAGUE_NOUNS:
        return anchor
    if anchor.dep_ == "pobj" and anchor.head.dep_ == "prep":
        verb = anchor.head.head
        subjects = [t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")]
        if subjects and subjects[0].lemma_.lower() in EVENT_NOUNS:
            return subjects[0]
    return None


# Dependencies by which a noun is what its verb acts on or tells of (not "at two bases").
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "conj", "appos", "ROOT"})
_VAGUE_NOUNS = frozenset({"dozens", "hundreds", "thousands", "scores", "millions", "dozen"})


# Nouns of time: "forty days" is a duration, not a count of things the outlets compare.
TIME_NOUNS = frozenset({"second", "minute", "hour", "day", "night", "week", "month", "year",
                        "decade", "century"})


def _count_tagged_as_date(ent: Any) -> bool:
    """A lone number the NER tagged DATE although it counts things ("Forty ships")."""
    token = ent.root
    return (len(ent) == 1 and token.pos_ == "NUM" and token.dep_ == "nummod"
            and not token.text.isdigit() and token.head.lemma_.lower() not in TIME_NOUNS)


def _countable(noun: Any) -> bool:
    """A noun that "no" makes a zero count of: people, things counted, harm ("no casualties")."""
    lemma = noun.lemma_.lower()
    return (noun.lower_ == "one" or noun.ent_type_ == "NORP" or lemma in EVENT_NOUNS
            or _EVENT_OF.get(lemma) in HARM_EVENTS or lemma in _LEMMA_OF)


def _number_spans(doc: Any) -> list[tuple[int, int, Any]]:
    """(start, end, anchor token) of each count in the sentence, zero-words included."""
    spans: list[tuple[int, int, Any]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NOT_COUNT_LABELS and not _count_tagged_as_date(ent):
            taken.update(range(ent.start, ent.end))
        elif ent.label_ in COUNT_LABELS:
            anchor = ent.root
            spans.append((ent.start, ent.end, anchor))
            taken.update(range(ent.start, ent.end))
    for token in doc:
        if token.i in taken:
            continue
        if (token.pos_ == "NUM" and token.like_num) or token.lower_ in ("nobody", "none"):
            spans.append((token.i, token.i + 1, token))
        elif token.lower_ == "no" and token.dep_ == "det" and \
                token.head.pos_ in ("NOUN", "PROPN", "PRON") and _countable(token.head):
            head = token.head
            spans.append((token.i, token.i + 1, head if head.lower_ == "one" else token))
    return sorted(spans, key=lambda s: s[0])


def figures_of_sentence(doc: Any, *, article: str, outlet: str, sentence: int,
                        nl: str | None) -> list[Figure]:
    """The counts of one parsed English sentence (its Dutch original kept beside it)."""
    found: list[Figure] = []
    who_nl = who_in_dutch(nl) if nl else None
    for start, end, anchor in _number_spans(doc):
        span_text = doc[start:end].text
        # A qualifier the NER left outside the span: "at least" just before it.
        lead = doc[max(0, start - 3):start].text.lower()
        qualifier = next((q for q in ("more than", "at least", "up to", "fewer than", "less than",
                                      "about", "nearly", "almost", "around", "over")
                          if lead.endswith(q)), "")
        if doc[start].lower_ in ZERO_WORDS:
            interval = interval_of("no")
            anchor_noun = anchor if anchor.pos_ in ("NOUN", "PRON") and anchor.lower_ != "no" \
                else anchor.head
        else:
            interval = interval_of(span_text, "en", qualifier)
            anchor_noun = _noun_of(anchor)
        if interval is None:
            continue
        event, event_word = _event_of(anchor_noun, anchor)
        thing = _canon_thing(anchor_noun)
        modifiers = _modifiers(anchor_noun)
        if not thing and not event:
            continue  # a bare number with nothing it counts: not comparable
        noun_text = ""
        if anchor_noun is not None:
            mods = [c.text for c in anchor_noun.children
                    if c.dep_ in ("amod", "compound") and c.i < anchor_noun.i and
                    c.lower_ not in ZERO_WORDS and not c.like_num]
            noun_text = " ".join(mods + [anchor_noun.text])
        if thing == "person" and anchor_noun is not None and anchor_noun.lemma_.lower() in EVENT_NOUNS:
            noun_text = "people"
        if noun_text.lower() == "one":
            noun_text = "people"
        label = " ".join(p for p in (noun_text, event_word) if p).strip() or span_text
        figure_text = doc[start:(anchor_noun.i + 1 if anchor_noun is not None and
                                 anchor_noun.i >= start else end)].text
        who = who_in_english(doc, anchor) or who_nl
        found.append(Figure(text=figure_text, interval=interval, thing=thing, event=event,
                            modifiers=modifiers, label=label, who=who, article=article,
                            outlet=outlet, sentence=sentence, en=doc.text, nl=nl))
    return found
