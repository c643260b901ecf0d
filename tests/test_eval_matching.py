"""The one matching entry point (pipeline.text.matching): names, aliases, surnames, figures,
spelling variants; and the shared text modules the nightly grouping now uses."""

from __future__ import annotations

import pytest

from pipeline.text.matching import Matcher, TextIndex, is_part_of_name


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


@pytest.mark.parametrize(("claim", "text", "lang"), [
    ("United States", "De VS voerden de aanval uit.", "nl"),  # alias, Dutch text
    ("the U.S.", "The US denied it.", "en"),  # acronym dots and a leading "the"
    ("Qassem Soleimani", "Soleimani was killed.", "en"),  # surname of a person
    ("Kataib Hezbollah", "Kaitab Hezbollah claimed the attack.", "en"),  # transliteration
    ("2.500", "some 2,500 residents", "en"),
    ("2,500", "zo'n 2500 inwoners", "nl"),
    ("eighty", "tachtig Amerikanen", "nl"),
    ("80", "eighty Americans", "en"),
    ("4,12 meter", "4.12 metres", "en"),
    ("12%", "12 procent", "nl"),
])
def test_claim_appears(matcher, claim, text, lang):
    person = claim == "Qassem Soleimani"
    assert matcher.appears(claim, text, lang=lang, person=person)


@pytest.mark.parametrize(("claim", "text"), [
    ("United States", "They told us to leave."),  # the pronoun is not the acronym
    ("Austria", "Australia won."),  # a different country, not a spelling variant
    ("Zeeland", "Seeland"),  # first letters differ
    ("Soleimani", "Qassem was there."),  # a first name does not stand for the surname
    ("$12", "12 euro"),  # units disagree
    ("1,200", "120 people"),
])
def test_claim_does_not_appear(matcher, claim, text):
    assert not matcher.appears(claim, text)


def test_fuzzy_matching_can_be_switched_off():
    assert not Matcher(fuzzy=False).appears("Kataib", "Kaitab fired.")


def test_an_index_answers_many_questions(matcher):
    index = TextIndex.of("Iran fired fifteen missiles at Ain al-Asad.", "en")
    assert matcher.appears("15", index) and matcher.appears("Aïn al-Asad", index)
    assert not matcher.appears("Baghdad", index)


def test_part_of_a_longer_name():
    assert is_part_of_name("Verhoeven", "Marco Verhoeven")
    assert is_part_of_name("Raad", "Raad van State")
    assert not is_part_of_name("Marco Verhoeven", "Verhoeven")
    assert not is_part_of_name("Hoeven", "Marco Verhoeven")


def test_grouping_reads_numbers_with_the_shared_parser():
    from pipeline.grouping.articles import normalise_number
    from pipeline.text.numbers import canonical_number, parse_digits

    for raw in ("1.200", "1,200", "4,12", "1.500.000"):
        assert normalise_number(raw) == canonical_number(parse_digits(raw))


def test_grouping_keeps_dutch_names_that_survive_through_an_alias():
    from pipeline.grouping.articles import features

    found = features(["De VS en Irak praten in Bagdad."], ["The US and Iraq talk in Baghdad."])
    assert {"VS", "Irak", "Bagdad"} <= set(found.names)


@pytest.mark.parametrize(("word", "lang", "value"), [
    ("hundreds", "en", None), ("thousands", "en", None), ("honderden", "nl", None),
    ("drieëntwintig", "nl", 23), ("seventy-five", "en", 75),
])
def test_number_words_come_from_text2num_without_plurals(word, lang, value):
    from pipeline.text.numbers import number_word

    assert number_word(word, lang) == value
