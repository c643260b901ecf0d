"""Figures (numbers, percentages, amounts, dates, times) and their format-free values.

A figure is reduced to *atoms*, so that the same quantity written differently
compares equal:

- ``("num", value, unit)``: ``2.500`` = ``2,500`` = ``2500`` = ``2 500`` -> ``("num", "2500", "")``;
  ``1,5 miljoen`` = ``1.5 million`` = ``1500000``; ``tachtig`` = ``eighty`` = ``80``;
  ``12 procent`` = ``12%`` = ``12 percent`` -> unit ``"%"``; ``€5`` / ``5 euro`` -> unit ``"eur"``.
- ``("month", "3", "")`` for March / maart, ``("weekday", "5", "")`` for Friday / vrijdag.
- ``("time", "04:00", "")`` for ``04.00 uur`` / ``4 a.m.``.

Reading digits: one separator followed by exactly three digits is a thousands
separator (``2.500`` and ``2,500`` are both 2500, as Dutch and English news write
them); any other single separator is a decimal mark (``4,12`` = ``4.12``); with both
separators the last one is the decimal mark (``1.234,5`` = ``1,234.5``).
Units match when equal or when one side has none (``12`` matches ``12%``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from text_to_num import text2num

from pipeline.text.names import STOPWORDS as _FUNCTION_WORDS
from pipeline.text.normalize import strip_diacritics

Atom = tuple[str, str, str]

_TOKEN = re.compile(
    r"(?P<time>(?<![\d.,:])\d{1,2}:\d{2}(?![\d:]))"
    r"|(?P<num>(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:['\u2019-][^\W\d_]+)*)"
    r"|(?P<sym>[%\u20ac$\u00a3])"
)
_POSSESSIVE = re.compile(r"['\u2019]s$")
_AM_PM = re.compile(r"\s?([ap])\.?\s?m\b\.?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,2})[.:](\d{2})")

# Words written after a number to scale it: "2,5 miljoen", "1.5 million", "3 bn".
SCALE_WORDS = {
    "en": {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
           "mln": 10**6, "mn": 10**6, "bn": 10**9},
    "nl": {"duizend": 10**3, "miljoen": 10**6, "miljard": 10**9, "biljoen": 10**12,
           "mln": 10**6, "mld": 10**9, "mrd": 10**9},
}
PERCENT_WORDS = {"percent", "procent", "pct"}
POINT_WORDS = {"procentpunt", "procentpunten"}
CURRENCY_AFTER = {"euro": "eur", "euros": "eur", "dollar": "usd", "dollars": "usd",
                  "pound": "gbp", "pounds": "gbp"}
CURRENCY_BEFORE = {"\u20ac": "eur", "$": "usd", "\u00a3": "gbp", "eur": "eur", "usd": "usd",
                   "gbp": "gbp"}
MONTHS = {
    "en": {m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], start=1)} | {"sept": 9},
    "nl": {m: i for i, m in enumerate(
        ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
         "september", "oktober", "november", "december"], start=1)},
}
WEEKDAYS = {
    "en": {d: i for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], 1)},
    "nl": {d: i for i, d in enumerate(
        ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"], 1)},
}
NL_DAYPARTS = ("ochtend", "middag", "avond", "nacht", "morgen")
# "one" (English pronoun) and "een" (Dutch article "a") are numbers too often to drop
# and not often enough to extract: they count as evidence, never as a figure of their own.
WEAK_WORDS = {"en": {"one"}, "nl": {"een"}}
# Words text2num reads as numbers that news text does not use as figures.
_NOT_NUMBERS = {"en": frozenset({"o", "oh"}), "nl": frozenset()}
LANGUAGES = ("en", "nl")
# What a number counts, when the word after it says so: a figure is found only with a
# compatible one (the same, or none on either side). Dutch and English words share units.
_UNIT_TEXT = {
    "year": "year years yr yrs jaar jaren", "month": "month months maand maanden",
    "week": "week weeks weken", "day": "day days dag dagen", "hour": "hour hours",
    "minute": "minute minutes min mins minuut minuten", "decade": "decade decades decennium "
    "decennia", "century": "century centuries eeuw eeuwen",
    "km": "km kilometre kilometres kilometer kilometers", "mile": "mile miles mijl",
    "m": "metre metres meter meters", "kg": "kg kilo kilos kilogram kilograms kilogrammes",
    "tonne": "tonne tonnes ton tons", "dead": "dead deaths doden",
}
# A number before any other word counts things ("three people", "12 officers"): it is no
# time, measure or date, and a count of the dead is a count.
COUNT = "count"
COMPATIBLE_UNITS = frozenset({COUNT, "dead"})
UNIT_WORDS = {lang: {w: unit for unit, words in _UNIT_TEXT.items() for w in words.split()}
              for lang in ("en", "nl")}
AGE_WORDS = {"en": frozenset({"year-old", "year-olds"}), "nl": frozenset({"jarige", "jarigen"})}
ORDINAL_SUFFIXES = {"en": frozenset({"st", "nd", "rd", "th"}),
                    "nl": frozenset({"e", "ste", "de"})}
UNIT_GAPS = ("", " ", "-", "\u00a0")


@dataclass(frozen=True)
class FigureSpan:
    """One figure found in running text.

    Attributes:
        start, end: character offsets in the text.
        text: the figure as written.
        atoms: its format-free values (see the module docstring).
        label: ``CARDINAL``, ``PERCENT``, ``MONEY``, ``DATE`` or ``TIME``.
        weak: a lone "one"/"een", kept as evidence only.
    """

    start: int
    end: int
    text: str
    atoms: frozenset[Atom]
    label: str
    weak: bool = False


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """The word as looked up: no diacritics, no case, no possessive (``year-old's``)."""
        return _POSSESSIVE.sub("", strip_diacritics(self.text).casefold())


def canonical_number(value: Decimal) -> str:
    """The canonical string of a number: no exponent, no trailing zeros (``2500``, ``1.5``)."""
    value = value.normalize()
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def parse_digits(text: str) -> Decimal | None:
    """Read a number written with digits and ``.``/``,``/space separators.

    Args:
        text: e.g. ``2.500``, ``2,500``, ``2 500``, ``4,12``, ``1.234,5``.

    Returns:
        The value, or None when the separators make no sense (``1.2.3``).
    """
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    try:
        spaced = re.fullmatch(r"(\d{1,3}(?: \d{3})+)(?:[.,](\d+))?", text)
        if spaced:
            whole = spaced.group(1).replace(" ", "")
            return Decimal(f"{whole}.{spaced.group(2)}" if spaced.group(2) else whole)
        seps = [c for c in text if c in ".,"]
        if not seps:
            return Decimal(text)
        if len(set(seps)) == 2:
            decimal_mark = seps[-1]
            if text.count(decimal_mark) > 1:
                return None
            whole, frac = text.rsplit(decimal_mark, 1)
            groups = whole.split("," if decimal_mark == "." else ".")
            if not _thousand_groups(groups):
                return None
            return Decimal(f"{''.join(groups)}.{frac}")
        groups = text.split(seps[0])
        if len(groups) > 2:
            return Decimal("".join(groups)) if _thousand_groups(groups) else None
        if len(groups[1]) == 3 and _thousand_groups(groups):
            return Decimal(groups[0] + groups[1])
        return Decimal(f"{groups[0]}.{groups[1]}")
    except InvalidOperation:
        return None


def _thousand_groups(groups: list[str]) -> bool:
    return (1 <= len(groups[0]) <= 3 and not (groups[0] == "0" and len(groups) > 1)
            and all(len(g) == 3 for g in groups[1:]))


@lru_cache(maxsize=4096)
def number_word(word: str, lang: str) -> int | None:
    """Value of one number word, Dutch compounds included (``text2num``).

    Args:
        word: one lower-case word (``tachtig``, ``drieëntwintig``, ``tweehonderdvijftig``,
            ``eighty``, ``twenty-two``, ``hundred``).
        lang: ``"en"`` or ``"nl"``.

    Returns:
        The value, or None when the word is not a number. Plurals (``hundreds``,
        ``duizenden``) are not numbers; ``een``/``one`` are 1 (callers treat them as weak).
    """
    if word in _NOT_NUMBERS[lang] or (lang == "en" and word.endswith("s")):
        return None
    try:
        return text2num(word, lang)
    except ValueError:
        # text2num reads "tweeëntwintig" but not the same word without its diaeresis.
        if lang == "nl" and "eeen" in word:
            return number_word(word.replace("eeen", "ee\u00ebn"), lang)
        return None


def dutch_number_word(word: str) -> int | None:
    """Value of one Dutch number word, compounds included (see :func:`number_word`).

    ``een`` alone is None (it is mostly the article "a"); ``tafel`` is None.
    """
    return None if word in WEAK_WORDS["nl"] else number_word(word, "nl")


def _gap(text: str, left: _Tok, right: _Tok) -> str:
    return text[left.end : right.start]


def _english_words(text: str, toks: list[_Tok], i: int) -> tuple[int | None, int]:
    """Value of the English number-word phrase starting at token i, and the index after it.

    The phrase runs over number words joined by single spaces ("and" between two of
    them included: "one hundred and five"); ``text2num`` reads it, and when it refuses
    the whole run the longest readable prefix is taken.
    """
    j = i
    while j < len(toks) and toks[j].kind == "word":
        if j > i and not _gap(text, toks[j - 1], toks[j]).isspace():
            break
        key = toks[j].key
        joins = key == "and" and j > i and j + 1 < len(toks) and number_word(
            toks[j + 1].key, "en") is not None
        if not joins and number_word(key, "en") is None:
            break
        j += 1
    while j > i:
        if toks[j - 1].key != "and":
            try:
                return text2num(" ".join(t.key for t in toks[i:j]), "en"), j
            except ValueError:
                pass
        j -= 1
    return None, i


def _date_atom(tok: _Tok, lang: str) -> Atom | None:
    if tok.kind != "word":
        return None
    key = tok.key
    needs_capital = lang == "en"  # "may", "march" are English verbs; Dutch months are lower case
    if key in MONTHS[lang] and (tok.text[:1].isupper() or not needs_capital):
        return ("month", str(MONTHS[lang][key]), "")
    if needs_capital and not tok.text[:1].isupper():
        return None
    for day, number in WEEKDAYS[lang].items():
        if key in (day, day + "s") or (
            lang == "nl" and key.startswith(day) and key[len(day):] in NL_DAYPARTS
        ):
            return ("weekday", str(number), "")
    return None


def find_figures(text: str, lang: str = "en") -> list[FigureSpan]:
    """Find every figure in running text (the rule-based number and date finder).

    Args:
        text: English or Dutch text.
        lang: ``"en"`` or ``"nl"``: which number words, months and weekdays to read.

    Returns:
        Spans in text order; adjacent date parts are merged ("3 January 2020").

    Raises:
        ValueError: unknown ``lang``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    toks = [t for m in _TOKEN.finditer(text)
            for t in _split_hyphenated(_Tok(m.lastgroup or "", m.group(0), m.start(), m.end()),
                                       lang)]
    spans: list[FigureSpan] = []
    i = 0
    while i < len(toks):
        span, i = _figure_at(text, toks, i, lang)
        if span is not None:
            spans.append(span)
    return _merge_dates(text, spans)


def _split_hyphenated(tok: _Tok, lang: str) -> list[_Tok]:
    """A hyphenated word that is not a number as a whole, split into its parts, so that the
    number words inside it count ("mother-of-two", "three-time", "one-off"); adjacent number
    words stay together ("forty-eight-year-old": "forty-eight", "year", "old")."""
    if tok.kind != "word" or "-" not in tok.text or _number_of(tok.key, lang) is not None:
        return [tok]
    parts, at = [], tok.start
    for piece in tok.text.split("-"):
        parts.append(_Tok("word", piece, at, at + len(piece)))
        at += len(piece) + 1
    if not any(_number_of(p.key, lang) is not None for p in parts):
        return [tok]
    merged: list[_Tok] = []
    for part in parts:
        last = merged[-1] if merged else None
        if last is not None and _number_of(last.key, lang) is not None and \
                _number_of(f"{last.key}-{part.key}", lang) is not None:
            merged[-1] = _Tok("word", f"{last.text}-{part.text}", last.start, part.end)
        else:
            merged.append(part)
    return [p for p in merged if p.text]


def _number_of(word: str, lang: str) -> int | None:
    if not word:
        return None
    return number_word(word, lang) if lang == "en" else dutch_number_word(word)


def _figure_at(text: str, toks: list[_Tok], i: int, lang: str) -> tuple[FigureSpan | None, int]:
    tok = toks[i]
    if tok.kind == "time":
        hour, minute = tok.text.split(":")
        if int(hour) > 24 or int(minute) > 59:
            return None, i + 1
        atom = ("time", f"{int(hour):02d}:{minute}", "")
        return FigureSpan(tok.start, tok.end, tok.text, frozenset({atom}), "TIME"), i + 1
    date_atom = _date_atom(tok, lang)
    if date_atom is not None:
        return FigureSpan(tok.start, tok.end, tok.text, frozenset({date_atom}), "DATE"), i + 1

    value: Decimal | None
    weak = False
    if tok.kind == "num":
        value, j = parse_digits(tok.text), i + 1
    elif tok.kind == "word" and lang == "en":
        number, j = _english_words(text, toks, i)
        value = None if number is None else Decimal(number)
        weak = j == i + 1 and tok.key in WEAK_WORDS["en"]
    elif tok.kind == "word":
        raw = tok.text.casefold()
        number = 1 if raw in ("\u00e9\u00e9n", "e\u00e9n") else dutch_number_word(raw)
        if number is None and tok.key in WEAK_WORDS["nl"]:
            number, weak = 1, True
        value, j = (None, i + 1) if number is None else (Decimal(number), i + 1)
    else:
        return None, i + 1
    if value is None:
        return None, i + 1

    start, end = tok.start, toks[j - 1].end
    label, unit = "CARDINAL", ""
    if tok.kind == "num" and _is_year(tok.text):
        label = "DATE"
    # Clock times: "04.00 uur", "16:00", "4 a.m.", "4.30 pm".
    clock = _CLOCK.fullmatch(tok.text) if tok.kind == "num" else None
    am_pm = _AM_PM.match(text, end) if tok.kind == "num" else None
    next_key = toks[j].key if j < len(toks) and _gap(text, toks[j - 1], toks[j]).isspace() else ""
    if (clock and next_key in ("uur", "u", "h")) or am_pm:
        hour = int(clock.group(1)) if clock else int(value)
        minute = clock.group(2) if clock else "00"
        if am_pm and am_pm.group(1).lower() == "p" and hour < 12:
            hour += 12
        if hour <= 24 and (clock or value == int(value)):
            end = am_pm.end() if am_pm else toks[j].end
            while j < len(toks) and toks[j].start < end:
                j += 1
            atom = ("time", f"{hour:02d}:{minute}", "")
            return FigureSpan(start, end, text[start:end], frozenset({atom}), "TIME"), j

    if j < len(toks) and toks[j].key in SCALE_WORDS[lang] and _gap(text, toks[j - 1], toks[j]) in (
        "", " ", "\u00a0"
    ):
        value *= SCALE_WORDS[lang][toks[j].key]
        end, j, weak = toks[j].end, j + 1, False
        label = "CARDINAL"
    if j < len(toks) and _gap(text, toks[j - 1], toks[j]).strip() == "":
        key = toks[j].key
        if toks[j].text == "%" or key in PERCENT_WORDS:
            unit, label, end, j = "%", "PERCENT", toks[j].end, j + 1
        elif key == "per" and j + 1 < len(toks) and toks[j + 1].key == "cent":
            unit, label, end, j = "%", "PERCENT", toks[j + 1].end, j + 2
        elif key in POINT_WORDS or (
            key == "percentage" and j + 1 < len(toks) and toks[j + 1].key in ("point", "points")
        ):
            stop = j + 1 if key in POINT_WORDS else j + 2
            unit, label, end, j = "pp", "PERCENT", toks[stop - 1].end, stop
        elif key in CURRENCY_AFTER:
            unit, label, end, j = CURRENCY_AFTER[key], "MONEY", toks[j].end, j + 1
    if not unit and i > 0 and _gap(text, toks[i - 1], tok).strip() == "":
        before = toks[i - 1]
        symbol = before.text if before.kind == "sym" else (
            before.text.casefold() if before.text.isupper() else "")
        if symbol in CURRENCY_BEFORE:
            unit, label, start = CURRENCY_BEFORE[symbol], "MONEY", before.start
    if unit:
        weak = False
    else:
        unit, end, j = _counted(text, toks, i, j, end, lang)
    atom = ("num", canonical_number(value), unit)
    return FigureSpan(start, end, text[start:end], frozenset({atom}), label, weak), j


def _counted(text: str, toks: list[_Tok], i: int, j: int, end: int, lang: str
             ) -> tuple[str, int, int]:
    """What a number counts, from the word after it (``25 years``, ``three-year``, ``12 km``,
    ``20 doden``; one describing word may come between: ``120 goalless minutes``), an age
    (``23-year-old``, ``aged 23``, ``the age of 23``, ``23-jarige``) or an ordinal suffix
    (``20th``, ``20e``): the unit, the span end and the next token index.
    A number followed by none of these keeps no unit."""
    tok = toks[i]
    after = toks[j] if j < len(toks) and _gap(text, toks[j - 1], toks[j]) in UNIT_GAPS else None
    if tok.kind == "num" and after is not None and after.start == toks[j - 1].end and \
            after.key in ORDINAL_SUFFIXES[lang]:
        return "ord", after.end, j + 1
    if after is not None and after.key in AGE_WORDS[lang]:
        return "age", after.end, j + 1
    if after is not None and after.key in UNIT_WORDS[lang]:
        unit = UNIT_WORDS[lang][after.key]
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        if unit == "year" and nxt is not None and nxt.key in ("old", "oud") and \
                _gap(text, after, nxt) in UNIT_GAPS:
            return "age", nxt.end, j + 2
        return unit, after.end, j + 1
    unit_after = toks[j + 1] if after is not None and j + 1 < len(toks) else None
    if unit_after is not None and after.kind == "word" and after.text[:1].islower() and \
            after.key not in _FUNCTION_WORDS and unit_after.key in UNIT_WORDS[lang] and \
            _gap(text, after, unit_after) == " ":
        # One describing word between: "120 goalless minutes", "two rapid centuries".
        return UNIT_WORDS[lang][unit_after.key], unit_after.end, j + 2
    before = [t.key for t in toks[max(0, i - 2):i]]
    if before[-1:] == ["aged"] or before == ["age", "of"] or before == ["leeftijd", "van"]:
        return "age", end, j
    if after is not None and after.kind == "word" and after.key not in _FUNCTION_WORDS and \
            after.text[:1].islower() and _date_atom(after, lang) is None:
        return COUNT, end, j
    return "", end, j


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits.isdigit() and 1800 <= int(digits) <= 2100


def _merge_dates(text: str, spans: list[FigureSpan]) -> list[FigureSpan]:
    """Join "3" + "January" + "2020" into one DATE span when only spaces/commas separate them."""
    merged: list[FigureSpan] = []
    for span in spans:
        if merged:
            last = merged[-1]
            gap = text[last.end : span.start]
            if not (span.weak or last.weak) and _joins_date(last, gap, span):
                merged[-1] = FigureSpan(last.start, span.end, text[last.start : span.end],
                                        _as_date(last.atoms | span.atoms), "DATE")
                continue
        merged.append(span)
    return merged


def _as_date(atoms: frozenset[Atom]) -> frozenset[Atom]:
    """A date's day numbers count days of a month ("25" of "25 October 2014" is no 25 years);
    its year stays a plain number."""
    return frozenset((kind, value, "date") if kind == "num" and not unit and not (
        len(value) == 4 and 1800 <= int(value) <= 2100) and value.isdigit() else (kind, value, unit)
        for kind, value, unit in atoms)


def _joins_date(last: FigureSpan, gap: str, span: FigureSpan) -> bool:
    # "3 January 2020", "Friday 3 January"; a comma only in "Friday, 3 January" and
    # "January 3, 2020", so that lists ("15 maart, 3 januari") stay apart.
    if not (_has_calendar(last) or _has_calendar(span)):
        return False
    if re.fullmatch(r"[ \u00a0]+", gap):
        return True
    if re.fullmatch(r", ?", gap):
        weekday_only = all(a[0] == "weekday" for a in last.atoms)
        year_after_month = _is_year(span.text) and any(a[0] == "month" for a in last.atoms)
        return weekday_only or year_after_month
    return False


def _has_calendar(span: FigureSpan) -> bool:
    return any(a[0] in ("month", "weekday") for a in span.atoms)


def atoms_of(text: str, lang: str = "en") -> frozenset[Atom]:
    """All atoms of a figure mention (``"1,5 miljoen euro"`` -> ``{("num", "1500000", "eur")}``).

    Args:
        text: the mention.
        lang: its language.

    Returns:
        The union of the atoms of every figure in it (weak ones included).
    """
    return frozenset(a for span in find_figures(text, lang) for a in span.atoms)


class AtomBag:
    """Every atom of a text, for "does this figure occur there?" questions.

    Args:
        atoms: the atoms found in the text.
    """

    def __init__(self, atoms: Iterable[Atom]):
        self._units: dict[tuple[str, str], set[str]] = defaultdict(set)
        for kind, value, unit in atoms:
            self._units[(kind, value)].add(unit)

    @classmethod
    def of_text(cls, text: str, lang: str) -> AtomBag:
        """The bag of every figure found in ``text`` (see :func:`find_figures`)."""
        return cls(a for span in find_figures(text, lang) for a in span.atoms)

    def has(self, atom: Atom) -> bool:
        """Whether the bag holds this kind and value with a compatible unit: the same, or
        none on either side, or two counts (``count`` and ``dead``)."""
        units = self._units.get((atom[0], atom[1]))
        if not units:
            return False
        if not atom[2] or atom[2] in units or "" in units:
            return True
        return atom[2] in COMPATIBLE_UNITS and bool(units & COMPATIBLE_UNITS)

    def covers(self, atoms: Iterable[Atom]) -> bool:
        """Whether every atom is in the bag (False for no atoms at all)."""
        atoms = list(atoms)
        return bool(atoms) and all(self.has(a) for a in atoms)
