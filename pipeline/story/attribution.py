"""Who asserts a sentence: the source it names ("according to X", "X said"), else nobody.

English attribution is read from spaCy's dependency parse: the object of "according to",
or the subject of a verb of saying (say, report, claim, state, ...) that governs the
clause holding the figure. The Dutch original is read with the fixed phrases Dutch news
uses ("volgens X", "aldus X", "meldt X", "zegt X", "laat X weten"). When the sentence names
no source, the caller falls back to the outlet.
"""

from __future__ import annotations

import re
from typing import Any

# Verbs of saying and reporting, by lemma (a style-guide list, not tuned to data).
SPEECH_VERBS = frozenset({
    "say", "report", "claim", "state", "announce", "write", "tell", "confirm", "deny",
    "add", "estimate", "insist", "assert", "allege", "declare", "acknowledge", "admit",
    "maintain", "warn", "broadcast", "quote", "cite", "put", "tweet", "post", "publish",
})
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "who", "which", "that"})
_NL_PRONOUNS = frozenset({"hem", "haar", "hen", "hun", "ons", "mij", "hij", "zij", "ze"})
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)

# Dutch: "volgens X", "aldus X", "meldt/zegt/zei/stelt/schrijft X", "laat X weten".
_NL_VERBS = r"(?:meldt|melden|meldde|zegt|zeggen|zei|zeiden|stelt|stelde|schrijft|schreef|" \
            r"bericht|berichtte|verklaart|verklaarde|claimt|claimde)"
_NL_NAME = r"([^,.;:!?]+?)"
_NL_END = r"(?=\s*(?:[,.;:!?]|$|\s(?:is|zijn|was|waren|heeft|hebben|had|hadden|zou|zouden|" \
          r"kwamen|kwam|vielen|viel|werd|werden)\b))"
_NL_PATTERNS = [
    re.compile(r"\bvolgens\s+" + _NL_NAME + _NL_END, re.IGNORECASE),
    re.compile(r"\baldus\s+" + _NL_NAME + r"(?=\s*[.;!?]|$)", re.IGNORECASE),
    re.compile(r"\blaat\s+" + _NL_NAME + r"\s+weten\b", re.IGNORECASE),
    re.compile(r"[,\"'\u201d]\s*" + _NL_VERBS + r"\s+" + _NL_NAME + r"(?=\s*[.;!?]|$)",
               re.IGNORECASE),
]


def _clean(text: str) -> str:
    text = _LEADING.sub("", text.strip(" ,.;:\"'\u201c\u201d"))
    return text.strip()


def _phrase(token: Any) -> str:
    """The noun phrase headed by ``token``, without a relative clause or apposition."""
    skip = {t.i for child in token.children if child.dep_ in ("relcl", "acl", "appos")
            for t in child.subtree}
    text = "".join(t.text_with_ws for t in token.subtree if t.i not in skip)
    return _clean(text)


def according_to(doc: Any) -> str | None:
    """The X of "according to X" in a parsed sentence, or None."""
    for token in doc:
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            objects = [t for t in doc[token.i + 1].children if t.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0]) or None
    return None


def speaker_of(token: Any) -> str | None:
    """The subject of the nearest verb of saying that governs ``token``, or None.

    Walks from the token up the parse; a speech verb's own subject (not a pronoun) is the
    source. The figure's own clause counts too ("the Pentagon reported 11 missiles").
    """
    current = token
    for _ in range(12):
        # A ROOT "reports" after a comma is often tagged as a noun; its subject still speaks.
        verb = current if current.pos_ in ("VERB", "AUX") or (
            current.dep_ == "ROOT" and any(c.dep_ == "nsubj" for c in current.children)) else None
        if verb is not None and verb.lemma_.lower() in SPEECH_VERBS:
            for child in verb.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child is not token and \
                        token not in child.subtree:
                    if child.lower_ in _PRONOUNS:
                        return None
                    return _phrase(child) or None
                if child.dep_ == "compound" and child.i < verb.i and verb.dep_ == "ROOT":
                    # "..., the city reports." misparsed as a compound noun of the verb
                    return _clean("".join(t.text_with_ws for t in child.subtree
                                          if t.i < verb.i)) or None
                if child.dep_ == "agent":  # "was reported by the army"
                    objects = [t for t in child.children if t.dep_ == "pobj"]
                    if objects:
                        return _phrase(objects[0]) or None
        if current.head is current:
            break
        current = current.head
    return None


def who_in_english(doc: Any, token: Any | None = None) -> str | None:
    """The source a parsed English sentence names for ``token`` (or the whole sentence)."""
    found = according_to(doc)
    if found:
        return found
    if token is not None:
        found = speaker_of(token)
        if found:
            return found
    for root in (t for t in doc if t.dep_ == "ROOT"):
        return speaker_of(root)
    return None


def who_in_dutch(text: str) -> str | None:
    """The source a Dutch sentence names ("volgens X", "aldus X", "meldt X"), or None."""
    for pattern in _NL_PATTERNS:
        match = pattern.search(text)
        if match:
            name = _clean(match.group(1))
            name = re.sub(r"^(?:de|het|een)\s+", "", name, flags=re.IGNORECASE)
            if name and name.lower() not in _NL_PRONOUNS:
                return name
    return None
