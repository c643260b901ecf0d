"""Names by capitalisation, for Dutch and English text, and the stopwords they are not.

The cheap, language-agnostic name finder: the nightly grouping compares articles on it,
and the English rule-based NER (:mod:`pipeline.text.rule_ner`) shares its particles.
Spelling variants and aliases are the matcher's job (:mod:`pipeline.text.matching`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

# Lower-case words inside names: "Van der Berg", "Ain al-Asad", "Bank of England".
PARTICLES = frozenset({"van", "von", "de", "der", "den", "het", "ter", "ten", "al", "el",
                       "bin", "ibn", "du", "da", "di", "del", "la", "le", "of", "the", "y"})
# Between capitalised words of a grouping span: no English "of"/"the" ("Bank of England"
# is the NER's business; grouping wants "Bank" and "England" as features of their own).
_SPAN_PARTICLES = sorted(PARTICLES - {"of", "the", "ibn", "di", "del", "y"})
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w’'-]*\w|[A-Z]{2,})"
_PARTICLE = "(?:" + "|".join(_SPAN_PARTICLES) + ")"
_TITLE_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ][\w’'-]*"
_NAME_SPAN = re.compile(
    rf"(?<![\w-]){_NAME_WORD}(?:\s+{_NAME_WORD}|\s+(?:{_PARTICLE}\s+)+{_TITLE_WORD})*")
_NAME_TOKEN = re.compile(rf"(?<![\w-]){_NAME_WORD}")
_ADJECTIVE = re.compile(r"^[A-ZÀ-Þ][a-zà-ÿ]{2,}(?:se|sche)$")

_STOPWORD_TEXT = """
de het een en van in op te dat die is zijn was met voor aan er door bij om naar als ook niet
maar nog of uit dan dit al wel over tot zo zich wordt worden werd heeft hebben had moet kan
kunnen zou zouden zullen meer geen veel volgens na deze hun hij zij ze we wij ik je jij u haar
hem ons onze mijn men nu toen omdat want waar wat wie hoe welke alle andere tegen onder tussen
sinds zonder binnen daar hier dus toch ook even echter daarmee daarom daarna volgens zegt zei
aldus bovendien intussen inmiddels tijdens vooral verder eerder later jaar jaren procent
the a an and of in on to that is are was were be been with for at by from as it its this
these those not but or if then than so has have had will would can could may might must shall
should he she they we you i his her their our your my who which what when where why how all any
some no more most other into over under after before about between during since without within
also there here said says according however meanwhile mr mrs ms year years percent per cent
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april mei juni
juli augustus september oktober november december monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october november
december beeld foto
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def clause_initial(sentence: str, start: int) -> bool:
    """Whether position ``start`` opens a sentence, a quote or a clause (capitals there
    say nothing about names)."""
    before = sentence[:start].rstrip()
    return not before or before[-1] in ".!?…\"'“‘(«:–—-"


def find_names(sentences: Sequence[str]) -> tuple[set[str], Counter]:
    """Names in any language's sentences: lower-cased name tokens and display spans.

    Runs of capitalised words, joined across name particles (``van``, ``de``, ``al`` ...:
    :data:`PARTICLES`, shared with the English rule-based NER); leading stopwords dropped.

    A capitalised word that opens a sentence or a quote only counts when the article also
    capitalises it elsewhere ("Nee", "Bij" do not; "Kruiningen" does).
    """
    mid: set[str] = set()
    for sentence in sentences:
        for match in _NAME_TOKEN.finditer(sentence):
            word = match.group(0).lower()
            if word not in STOPWORDS and len(word) > 1 and not clause_initial(sentence,
                                                                               match.start()):
                mid.add(word)
    spans: Counter = Counter()
    for sentence in sentences:
        for match in _NAME_SPAN.finditer(sentence):
            words = match.group(0).split()
            if clause_initial(sentence, match.start()) and words[0].lower() not in mid:
                words = words[1:]
            while words and words[0].lower() in STOPWORDS:
                words = words[1:]
            if words:
                spans[" ".join(words)] += 1
    # A Dutch adjective of place is not part of a name ("Zeeuwse Kruiningen" is Kruiningen)
    # unless the rest never stands alone ("Islamitische Staat"); on its own it is no name.
    for span in [s for s in spans if _ADJECTIVE.match(s.split()[0])]:
        rest = span.split(" ", 1)[1] if " " in span else ""
        if not rest or rest in spans:
            count = spans.pop(span)
            if rest:
                spans[rest] += count
    return mid, spans
