"""Figures: the same quantity written in different formats and languages compares equal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.text.numbers import (
    AtomBag,
    atoms_of,
    dutch_number_word,
    find_figures,
    parse_digits,
)


@pytest.mark.parametrize("text", ["2.500", "2,500", "2500", "2 500", "2\u00a0500"])
def test_thousands_in_every_format(text):
    assert parse_digits(text) == Decimal(2500)


@pytest.mark.parametrize(("text", "value"), [
    ("4,12", "4.12"), ("4.12", "4.12"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"),
    ("1.000.000", "1000000"), ("0,500", "0.5"), ("2.50", "2.5"),
])
def test_decimal_marks(text, value):
    assert parse_digits(text) == Decimal(value)


def test_nonsense_separators_are_not_numbers():
    assert parse_digits("1.2.3") is None


@pytest.mark.parametrize(("word", "value"), [
    ("tachtig", 80), ("twee", 2), ("tweeentwintig", 22), ("vierduizend", 4000),
    ("tweehonderdvijftig", 250), ("duizendvierhonderd", 1400), ("eenentachtig", 81),
    ("honderd", 100), ("een", None), ("tafel", None),
])
def test_dutch_number_words(word, value):
    assert dutch_number_word(word) == value


@pytest.mark.parametrize(("en", "nl"), [
    ("eighty", "tachtig"), ("80", "tachtig"), ("two", "twee"), ("2", "twee"),
    ("1.5 million", "1,5 miljoen"), ("1500000", "1,5 miljoen"), ("twenty-two", "tweeëntwintig"),
    ("two thousand five hundred", "2.500"), ("12%", "12 procent"), ("12 percent", "12 procent"),
    ("12 per cent", "12%"), ("March", "maart"), ("Friday", "vrijdag"), ("4 a.m.", "04.00 uur"),
    ("3 January 2020", "3 januari 2020"), ("2 billion", "2 miljard"),
])
def test_english_and_dutch_forms_share_atoms(en, nl):
    assert atoms_of(en, "en") == atoms_of(nl, "nl")
    assert atoms_of(en, "en")  # and they are not both empty


def test_units_must_agree_unless_one_is_missing():
    bag = AtomBag(atoms_of("12 procent", "nl"))
    assert bag.covers(atoms_of("12", "en"))
    assert bag.covers(atoms_of("12%", "en"))
    assert not bag.covers(atoms_of("$12", "en"))


def test_money_reads_symbol_and_scale():
    assert atoms_of("$1.5 million", "en") == {("num", "1500000", "usd")}
    assert atoms_of("1,5 miljoen euro", "nl") == {("num", "1500000", "eur")}


def test_english_months_need_a_capital():
    assert atoms_of("they may march", "en") == frozenset()
    assert atoms_of("in May", "en") == {("month", "5", "")}


def test_dates_are_merged_but_lists_are_not():
    spans = find_figures("On Friday, 3 January 2020, and on 15 maart, 3 januari", "en")
    assert spans[0].text == "Friday, 3 January 2020"
    assert spans[0].label == "DATE"


def test_lone_one_and_een_are_weak():
    assert [s.weak for s in find_figures("one of them", "en")] == [True]
    assert [s.weak for s in find_figures("een man", "nl")] == [True]
    assert [s.weak for s in find_figures("één man", "nl")] == [False]
