"""The claim check's rules for names and figures, each on sentences written for these tests.

First names (a surname alone says nothing about them), what a figure counts, number words
inside hyphenated words, common words and placeholders that are no names, aliases by rule,
casing that makes the check unreliable, the article's spelling in ``matched``, one name in
two roles of a sentence, and spans or forms the small NER or another system gets wrong.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from pipeline.support.matching import SourceText, match_claim
from pipeline.text.aliases import AliasTable
from pipeline.text.entities import FIGURE_LABELS, NAMED_LABELS, Entity
from pipeline.text.matching import FIRST_NAME_MISSING, Matcher, TextIndex
from pipeline.text.numbers import find_figures


@pytest.fixture(scope="module")
def aliases():
    return AliasTable.load()


@pytest.fixture(scope="module")
def checker():
    return SupportChecker()


def name(text: str, label: str = "PERSON", start: int = 0) -> Entity:
    return Entity(text, label, "named", start, start + len(text))


def figure(text: str, label: str = "DATE") -> Entity:
    return Entity(text, label, "figures", 0, len(text))


def find(entity: Entity, article: str, aliases, **kw):
    return match_claim(entity, [SourceText.of(article, "en")], aliases, **kw)


# -- 1. first names -----------------------------------------------------------------------

HARBOUR = ("Mr Easter, who runs the harbour café, said the storm had torn the roof off. "
           "Archbishop Justin Welby visited on Sunday. Welby said the town would recover. "
           "Councillor Christopher Betts thanked the volunteers.")


def test_a_first_name_the_article_never_gives_the_surname_is_a_partial_mark(aliases):
    found = find(name("Tom Easter"), HARBOUR, aliases)
    assert found.status == "partial" and found.reason == FIRST_NAME_MISSING


def test_a_first_name_that_contradicts_the_articles_full_name_is_unsupported(aliases):
    found = find(name("Rowan Welby"), HARBOUR, aliases)
    assert found.status == "unsupported"
    assert found.reason == "the article names Justin Welby"


def test_a_clipped_first_name_agrees_and_matched_shows_the_articles_name(aliases):
    found = find(name("Chris Betts"), HARBOUR, aliases)
    assert found.status == "supported" and found.text == "Christopher Betts"


def test_a_compound_modifier_before_a_surname_is_no_first_name(aliases):
    article = ("Leeds-born Pickering scored twice. Centre-back Abbott was booked. "
               "Jean-Pierre Dumont watched from the stand.")
    # Before: "the article names Leeds-born Pickering", an unsupported contradiction.
    found = find(name("Sam Pickering"), article, aliases)
    assert found.status == "partial" and found.reason == FIRST_NAME_MISSING
    assert find(name("Tom Abbott"), article, aliases).reason == FIRST_NAME_MISSING
    # A hyphenated first name capitalises every part and still counts.
    wrong = find(name("Luc Dumont"), article, aliases)
    assert wrong.status == "unsupported" and wrong.reason == "the article names Jean-Pierre Dumont"


def test_person_names_tagged_org_get_the_same_rule_by_their_shape(aliases):
    article = "The author Rowling said she was delighted. Stan Collymore presented the prize."
    assert find(name("JK Rowling", "ORG"), article, aliases).status == "partial"
    assert find(name("Les Collymore", "ORG"), article, aliases).status == "unsupported"
    # A name that is no person's keeps matching as before.
    assert find(name("Stan Collymore", "ORG"), article, aliases).status == "supported"


def test_the_checker_marks_a_wrong_first_name_and_drop_removes_the_sentence(checker):
    sentences = ["Archbishop Rowan Welby visited the harbour on Sunday.",
                 "Christopher Betts thanked the volunteers."]
    result = support_summary(checker, sentences, [HARBOUR], policy="drop")
    assert result.sentences == ["Christopher Betts thanked the volunteers."]
    dropped = result.support["dropped"][0]
    assert dropped["unsupported"][0]["text"].endswith("Rowan Welby")
    assert "the article names Justin Welby" in dropped["reason"]


def test_the_evaluation_still_counts_a_surname_alone_but_not_another_first_name(aliases):
    matcher = Matcher(aliases)
    assert matcher.appears("Qassem Soleimani", "Soleimani was killed.", person=True)
    assert not matcher.appears("Tom Soleimani", "Qassem Soleimani was killed. Soleimani led.",
                               person=True)


# -- 2. what a figure counts --------------------------------------------------------------

@pytest.mark.parametrize("claim, article", [
    ("25 years", "The bridge opened on 25 October 2014."),
    ("the 20th century", "Prices rose by 20% last year."),
    ("23-year-old", "The match was played on 23 May."),
    ("three years", "Three people were rescued from the water."),
    ("the age of 83", "He had lived in the village for 83 years."),
])
def test_a_figure_is_not_found_through_a_number_that_counts_something_else(claim, article,
                                                                             aliases):
    assert find(figure(claim), article, aliases) is None


@pytest.mark.parametrize("claim, article, lang", [
    ("25 years", "He worked there for 25 years.", "en"),
    ("a three-year deal", "He signed a deal for three years.", "en"),
    ("23-year-old", "Anna Visser, 23, was named captain.", "en"),  # a bare number: any unit
    ("the age of 83", "He died aged 83.", "en"),
    ("20 years", "Hij werkte er 20 jaar.", "nl"),
    ("12 percent", "De prijzen stegen met 12 procent.", "nl"),
    ("20 dead", "Bij het ongeluk vielen 20 doden.", "nl"),
    ("a 23-year-old", "Een 23-jarige man werd aangehouden.", "nl"),
])
def test_a_figure_is_found_with_a_compatible_unit_in_english_and_dutch(claim, article, lang,
                                                                         aliases):
    found = match_claim(figure(claim), [SourceText.of(article, lang)], aliases)
    assert found is not None and found.status == "supported"


# -- 3. number words inside hyphenated words ------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("a mother-of-two from Leeds", "2"), ("the three-time champion", "3"),
    ("a three-man crew", "3"), ("the five-star hotel", "5"), ("a forty-eight-hour strike", "48"),
])
def test_number_words_inside_hyphenated_words_are_figures(text, value):
    assert any(atom[:2] == ("num", value) for span in find_figures(text) for atom in span.atoms)


def test_a_sentence_copied_from_the_article_has_no_unsupported_figure(checker):
    article = ("The three-time champion, a mother-of-two from Leeds, stayed in a five-star "
               "hotel before the one-off race.")
    result = checker.check([article], article)
    assert [c.text for c in result[0].unsupported] == []


# -- 4. common words, over-long spans and placeholders ------------------------------------

PARK = ("Many tributes were paid to the park keeper on Friday. Police said cannabis plants "
        "were found in the shed. Sherwood said that given the weather, the club was lucky. "
        "Wood defended the Saints after the game.")


@pytest.mark.parametrize("claim, label, initial", [
    ("Tributes", "ORG", True), ("Cannabis", "PERSON", True),
    ("Given Sherwood", "PERSON", True), ("Wood claims Saints", "ORG", False),
])
def test_common_words_and_over_long_spans_are_not_unsupported_names(claim, label, initial,
                                                                     aliases):
    found = find(name(claim, label), PARK, aliases, clause_initial=initial)
    assert found is not None and found.status == "supported", found


def test_a_name_with_an_invented_part_is_still_unsupported(aliases):
    assert find(name("Wood claims Rovers", "ORG"), PARK, aliases) is None


EMBASSY = ("The men of the Arctic Convoys were honoured. Alexander Kramarenko of the Russian "
           "Embassy said it mattered. The arctic convoy was a lifeline.")


def test_only_a_word_that_opens_the_sentence_loses_its_capital_there(aliases, checker):
    # "The" opens "The Arctic Embassy ...", not "Arctic": its capital says it is part of
    # the name, so the article's lower-case "arctic" does not leave "Embassy" to be matched.
    found = find(name("The Arctic Embassy", "ORG"), EMBASSY, aliases, clause_initial=True)
    assert found is None or found.status == "unsupported", found
    result = support_summary(checker, ["The Arctic Embassy has honoured the soldiers."],
                             [EMBASSY])
    assert [c["text"] for c in result.summary[0]["unsupported"]] == ["The Arctic Embassy"]
    # Words the article writes in lower case make a common phrase only together.
    apart = EMBASSY.replace("of the Russian Embassy", "at the embassy")
    assert find(name("The Arctic Embassy", "ORG"), apart, aliases) is None
    together = apart.replace("The arctic convoy", "The arctic embassy convoy")
    found = find(name("The Arctic Embassy", "ORG"), together, aliases)
    assert found is not None and found.status == "supported", found
    # Opening the sentence itself, the word's capital still says nothing.
    opening = find(name("Arctic Embassy", "ORG"), EMBASSY.replace("Russian Embassy", "Embassy"),
                   aliases, clause_initial=True)
    assert opening is not None and opening.status == "supported", opening


def test_placeholder_tokens_are_reported_once_and_not_as_names(checker):
    sentences = ["Police said cannabis plants were found by UNK UNK in the shed.",
                 "Tributes were paid to the park keeper UNK."]
    result = support_summary(checker, sentences, [PARK])
    texts = [c["text"] for s in result.summary for c in s["claims"]]
    assert not any("UNK" in t for t in texts)
    assert [s.get("placeholders") for s in result.summary] == [2, 1]
    assert result.support["placeholders"] == 3
    assert "placeholder" in result.support["placeholder_notice"]


# -- 5. aliases by rule -----------------------------------------------------------------

@pytest.mark.parametrize("claim, label, article", [
    ("FA", "ORG", "The Football Association fined the club."),
    ("The Football Association", "ORG", "The FA fined the club."),
    ("Cardiff City", "ORG", "Cardiff won 2-0 at home."),
    ("World War Two", "EVENT", "He flew bombers in World War II."),
    ("Uruguayan", "NORP", "Uruguay beat Chile on Sunday."),
    ("Iran", "GPE", "Iranian officials denied it."),
])
def test_aliases_by_rule(claim, label, article, aliases):
    found = find(name(claim, label), article, aliases)
    assert found is not None and found.status == "supported"


def test_the_demonym_rule_is_for_places_and_peoples_only(aliases):
    assert find(name("Evan", "PERSON"), "Mr Evans said no.", aliases) is None


# -- 6. casing ----------------------------------------------------------------------------

LOWER_SUMMARY = "a mother-of-two from leeds won the race on sunday after a storm hit the harbour"


def test_lower_case_input_is_said_to_make_the_check_unreliable(checker):
    result = support_summary(checker, [LOWER_SUMMARY], [PARK])
    assert result.support["casing"]["summary"] == "lower case"
    assert "unchecked" in result.support["casing"]["notice"]
    normal = support_summary(checker, ["Tributes were paid to the park keeper on Friday."],
                             [PARK])
    assert "casing" not in normal.support


def test_briefing_check_says_so_in_text_and_json_output(tmp_path):
    path = tmp_path / "lower.jsonl"
    path.write_text(json.dumps({"id": "a1", "prediction": LOWER_SUMMARY, "source": PARK}) + "\n",
                    encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(app, ["check", str(path)])
    assert "a1: the summary is in lower case" in text.stderr
    as_json = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert json.loads(as_json.stdout)["a1"]["support"]["casing"]["summary"] == "lower case"


# -- 7. matched shows the article's spelling ----------------------------------------------

def test_matched_is_the_articles_spelling_of_a_spelling_variant(aliases):
    found = find(name("Qasem Suleimani"), "General Qasem Soleimani was killed.", aliases)
    assert found.status == "supported" and found.text == "Qasem Soleimani"


def test_index_finds_the_words_of_the_text(aliases):
    index = TextIndex.of("General Qasem Soleimani was killed.")
    assert index.find_name(("Suleimani",)) == ("Soleimani",)


@pytest.mark.parametrize("claim", ["Apollo 0", "Apollo 13", "Pier 7", "Terminal 00"])
def test_numbers_in_names_outside_one_to_twelve_are_left_alone(claim, aliases):
    assert find(name(claim, "FAC"), "Apollo 11 landed. Pier 8 closed.", aliases) is None


def test_an_acronym_is_made_only_of_words_that_only_spaces_separate(aliases):
    article = "Foto Pro Shots\nVoetbalclub Eemland won. The Royal Society for Birds met."
    assert find(name("PSV", "ORG"), article, aliases) is None
    assert find(name("RSB", "ORG"), article, aliases).text == "Royal Society for Birds"


def test_a_person_of_an_organisation_is_checked_part_by_part(aliases):
    article = "The economist Anna Veldkamp of Woningmonitor said prices rose. Veldkamp expects more."
    found = find(name("Economist Veldkamp of Woningmonitor", "NAME"), article, aliases,
                 clause_initial=True)
    assert found.status == "supported"
    found = find(name("Tom Veldkamp of Woningmonitor", "NAME"), article, aliases)
    assert found.status == "unsupported" and found.reason == "the article names Anna Veldkamp"


@pytest.mark.parametrize("text, expected", [
    ("gary locke will be confirmed as UNK permanent manager on friday after the game", "lower case"),
    ("the former hearts boss was given a three-year deal at the club, the BBC said today "
     "after a long meeting with the board and the fans of the club in the city", "lower case"),
    ("GARY LOCKE WILL BE CONFIRMED AS MANAGER ON FRIDAY AFTER THE GAME", "capitals"),
    ("Gary Locke will be confirmed as manager on Friday after the game.", None),
    ("gary locke confirmed", None),  # too short to judge
])
def test_casing_of(text, expected):
    from pipeline.support.casing import casing_of

    assert casing_of(text) == expected


def test_a_common_noun_inside_a_name_may_lose_its_capital(aliases):
    article = "The Russian parliament met in the south of the country. Southern India had rain."
    assert find(name("the Russian Parliament", "ORG"), article, aliases).status == "supported"
    assert find(name("Southern Indian", "NORP"), "Floods hit southern Indian towns.",
                aliases).status == "supported"
    assert find(name("the Ukrainian Parliament", "ORG"), article, aliases) is None


# -- 8. one name in two roles of one sentence (Condition C) -------------------------------

DERBY = ("Leeds United beat Hull City 2-0 on Saturday. Leeds United manager Anna Visser "
         "praised her players. Visser said Hull City had been the better side in March.")


def unsupported_texts(checker, sentence: str, article: str = DERBY) -> list[tuple[str, str]]:
    [result] = checker.check([sentence], article)
    return [(c.text, c.reason or "") for c in result.unsupported]


@pytest.mark.parametrize("sentence, repeated", [
    ("Leeds United beat Leeds United 2-0 on Saturday.", "Leeds United"),
    ("Anna Visser praised manager Anna Visser.", "Anna Visser"),
    ("Visser said Visser had been the better side.", "Visser"),
    ("Hull City and Hull City won on Saturday.", "Hull City"),
])
def test_a_name_repeated_in_another_role_of_its_sentence_is_marked(checker, sentence,
                                                                   repeated):
    from pipeline.support.repeats import REPEATED

    assert unsupported_texts(checker, sentence) == [(repeated, REPEATED)]


def test_a_repeated_name_is_marked_as_repeated_not_as_missing_from_the_article(checker):
    from pipeline.support.claims import summarize_support
    from pipeline.support.repeats import REPEATED

    [result] = checker.check(["Leeds United beat Leeds United 2-0 on Saturday."], DERBY)
    [first, second] = [c for c in result.claims if c.text == "Leeds United"]
    # The article has the name: the claim is supported, and marked for the repetition.
    assert (first.supported, first.status, first.marked) == (True, "supported", False)
    assert (second.supported, second.status, second.marked) == (True, "repeated", True)
    assert second.to_dict()["reason"] == REPEATED and result.support == "partial"
    totals = summarize_support([result], checker.ner)
    assert (totals["unsupported"], totals["repeated"]) == (1, 1)
    # An invented name repeated keeps its own, stronger mark.
    [result] = checker.check(["Leeds Rhinos beat Leeds Rhinos 2-0 on Saturday."], DERBY)
    assert {(c.supported, c.status) for c in result.unsupported} == {(False, "unsupported")}


@pytest.mark.parametrize("sentence", [
    "Leeds United beat Hull City 2-0 on Saturday.",  # two names: nothing repeated
    "Leeds United manager Anna Visser praised Leeds United.",  # the first only modifies
    "Visser's players beat Hull City, Visser said.",  # a possessor is no role of the clause
    'Visser said: "Leeds United will beat Leeds United."',  # quoted words are someone's
    "Leeds United won. Leeds United celebrated.",  # two sentences as the parser splits them
])
def test_a_repeated_name_that_fills_one_role_or_modifies_is_not_marked(checker, sentence):
    assert unsupported_texts(checker, sentence) == []


def test_a_phrase_repeated_in_two_roles_counts_with_its_noun(checker):
    article = ("The Scottish government said farmers in Fife would get more money. "
               "Scottish farmers welcomed it.")
    [result] = checker.check(["The Scottish government has been accused of hiding the costs "
                              "by the Scottish government."], article)
    assert [c.text for c in result.unsupported] == ["Scottish"]
    [result] = checker.check(["The Scottish government praised Scottish farmers."], article)
    assert result.unsupported == []


@pytest.mark.parametrize("sentence", [
    "Anna Visser said Visser had been the better side.",
    "Visser said Anna Visser had been the better side.",
    "Anna Visser praised Ms Visser's players and then Visser.",
])
def test_a_surname_alone_repeats_the_full_name_of_its_sentence(checker, sentence):
    from pipeline.support.repeats import REPEATED

    assert [reason for _, reason in unsupported_texts(checker, sentence)] == [REPEATED]


def test_two_full_names_with_one_surname_are_two_people(checker):
    article = "Serena Williams beat Venus Williams in the final at Wimbledon."
    assert unsupported_texts(checker, "Serena Williams beat Venus Williams.", article) == []
    assert unsupported_texts(checker, "Serena Williams beat Williams.", article) != []


def test_a_peoples_name_standing_alone_twice_is_no_repetition(checker):
    article = ("Six men were charged on Monday, the latest Westerners accused of joining the "
               "group. The inquiry looks into the recruitment of Westerners by the group.")
    sentence = ("They are the latest Westerners to be charged in an inquiry into the "
                "recruitment of Westerners by the group.")
    [result] = checker.check([sentence], article)
    assert [c.label for c in result.claims if c.text == "Westerners"] == ["NORP", "NORP"]
    assert result.unsupported == []


def test_a_repetition_the_article_writes_itself_is_not_marked(checker):
    article = "Hull City beat Hull City reserves in a friendly on Saturday."
    assert unsupported_texts(checker, "Hull City beat Hull City reserves.", article) == []


def test_without_spacy_the_repeated_name_rule_does_not_run():
    checker = SupportChecker(use_spacy=False)
    assert checker.parser() is None
    [result] = checker.check(["Anna Visser praised Anna Visser."], DERBY)
    assert all(c.reason is None for c in result.claims)


# -- 9. spans and forms the NER or the text get wrong --------------------------------------

def test_a_name_span_ending_in_a_score_is_a_name_and_a_figure(aliases):
    from pipeline.support.claims import figures_apart

    sentence = "Leeds United beat Hull City 5-3 at home."
    span = name("Hull City 5-3", "ORG", sentence.index("Hull"))
    name_part, figure_part = figures_apart(sentence, span)
    assert (name_part.text, name_part.group) == ("Hull City", "named")
    assert (figure_part.text, figure_part.group) == ("5-3", "figures")
    assert sentence[figure_part.start:figure_part.end] == "5-3"
    assert find(name_part, DERBY, aliases).status == "supported"
    assert find(figure_part, DERBY, aliases) is None
    assert figures_apart(sentence, name("Hull City", "ORG")) == [name("Hull City", "ORG")]


def test_a_name_with_a_number_in_it_stays_one_name(aliases, checker):
    found = find(name("Radio 4", "ORG"), "She spoke on Radio 4 on Monday.", aliases)
    assert found is not None and found.status == "supported"
    from pipeline.support.claims import figures_apart

    for claim in ("Radio 5", "Apollo 13", "Boeing 737"):  # the number is the name's own
        assert figures_apart(claim, name(claim, "ORG")) == [name(claim, "ORG")]
    article = "She spoke on Radio 4 on Monday. The 5 families were told."
    [result] = checker.check(["She spoke on Radio 5 on Monday."], article)
    assert any("5" in c.text for c in result.unsupported)


def test_an_age_with_a_possessive_in_the_article_is_an_age(checker):
    article = "The 31-year-old's contract runs until June, the club said."
    assert unsupported_texts(checker, "The 31-year-old has a contract until June.", article) == []
    assert [t for t, _ in unsupported_texts(checker, "The 30-year-old has a contract.",
                                            article)] == ["30-year-old"]


def test_an_escaped_quote_does_not_glue_itself_to_a_name(checker):
    article = "Britain's team won the world's oldest race at the end of last season's games."
    sentence = "Britain\\'s team won the world\\'s oldest race at the end of last season\\'s games."
    [result] = checker.check([sentence], article)
    assert result.text == sentence  # the reader sees the sentence as given
    assert [c.text for c in result.unsupported] == []
    britain = next(c for c in result.claims if c.text == "Britain")
    season = next(c for c in result.claims if "season" in c.text)
    assert (britain.start, britain.end) == (0, 7)
    assert (season.start, season.end) == (sentence.index("the end"), sentence.index(" games"))


def test_a_name_word_split_in_two_by_the_decoder_is_joined(aliases):
    article = "Cheryl Silvonek, 54, was stabbed in her driveway, police said."
    for claim in ("Cheryl Silv onek", "Cheryl Silv Onek"):
        found = find(name(claim), article, aliases)
        assert found is not None and (found.status, found.text) == ("supported",
                                                                    "Cheryl Silvonek")
    # Only two pieces the article never writes are one of its words split in two.
    article = "Cheryl Silvonek, 54, was stabbed. Onek is a word of this article."
    found = find(name("Cheryl Silv onek"), article, aliases)
    assert found is None or found.status != "supported"


def test_a_bare_currency_sign_is_no_claim(checker):
    [result] = checker.check(["The club spent # on the new stand."], DERBY)
    assert all(c.text != "#" for c in result.claims)


def test_a_lower_case_hyphenated_word_opening_a_sentence_is_no_name_part(aliases):
    article = "The self-styled Mirrors of the town meet on Sundays. Mirrors say so."
    found = find(name("Self-styled Mirrors", "ORG"), article, aliases, clause_initial=True)
    assert found is not None and found.status == "supported"


def test_a_first_name_the_ner_left_out_joins_the_name_when_it_is_a_proper_noun(checker):
    article = "Anna Barker won the race on Sunday. Barker said she was tired."
    [result] = checker.check(["Elinor Barker won the race on Sunday."], article)
    assert [(c.text, c.reason) for c in result.unsupported] == [
        ("Elinor Barker", "the article names Anna Barker")]
    [result] = checker.check(["Now Barker won the race on Sunday."], article)
    assert result.unsupported == []


def test_a_name_part_that_lost_its_capital_joins_the_name(checker):
    """A truecaser (or lower-case input) leaves a word it does not know in lower case: the
    NER keeps only the capitalised part, which the article may well have. Joined when the
    tagger calls the word a proper noun, the invented surname or the wrong first name is
    found out; the claim keeps the sentence's own spelling."""
    article = ("Foreign minister Johan Lindqvist was freed on Friday. President Gjorge Ivanov "
               "spoke in Skopje. Lindqvist thanked the negotiators.")
    [invented, wrong] = checker.check(
        ["Minister Johan gusttrom has been freed after a raid.",
         "President aleksandar Ivanov spoke in Skopje on Friday."], article)
    assert [(c.text, c.status) for c in invented.claims if c.label == "PERSON"] == [
        ("Johan gusttrom", "unsupported")]
    [claim] = [c for c in wrong.claims if c.label == "PERSON"]
    assert (claim.text, claim.supported, claim.reason) == (
        "aleksandar Ivanov", False, "the article names Gjorge Ivanov")
    assert wrong.text[claim.start:claim.end] == claim.text


@pytest.mark.parametrize("sentence", [
    "Johan Lindqvist has been freed.",  # nothing lost
    "Johan Lindqvist thanked the negotiators.",  # a verb after the name
    "Lindqvist thanked negotiators in the capital.",
])
def test_a_common_word_next_to_a_name_stays_out_of_it(checker, sentence):
    article = ("Foreign minister Johan Lindqvist was freed on Friday. Lindqvist thanked the "
               "negotiators in the capital.")
    [result] = checker.check([sentence], article)
    assert result.unsupported == []


@pytest.mark.parametrize("sentence, start, end, expected", [
    ("Minister Johan gusttrom has been freed.", 9, 14, ["gusttrom"]),
    ("President aleksandar Ivanov spoke.", 21, 27, ["aleksandar", "spoke"]),  # the tagger decides
    ("the Johan gusttrom", 4, 9, ["gusttrom"]),
    ("Johan has gone", 0, 5, []),  # a stopword
    ("in may Johan said", 7, 12, []),  # a month
    ("Sir Johan", 4, 9, []),  # a title, and no lower case
])
def test_which_lower_case_words_next_to_a_name_may_be_its_parts(sentence, start, end,
                                                                 expected):
    from pipeline.text.persons import lower_case_name_words

    assert [sentence[s:e] for s, e in lower_case_name_words(sentence, start, end, [])] \
        == expected


def test_a_name_whose_own_word_is_a_placeholder_is_no_claim(checker):
    [result] = checker.check(["Researchers at the University of UNK found a new moth."],
                             "Researchers at the University of Leiden found a new moth.")
    assert [c.text for c in result.claims if "University" in c.text] == []
    assert result.placeholders == 1


@pytest.mark.parametrize("claim, label, article", [
    ("Briton", "NORP", "She won for Britain last year."),
    ("Britain", "GPE", "The British team won."),
    ("Danish", "NORP", "Denmark won the final."),
    ("Swede", "NORP", "The Swedish rider won."),
    ("Swedish", "NORP", "The Swede won."),
    ("Swiss", "NORP", "Switzerland voted on Sunday."),
])
def test_irregular_demonyms_are_found_by_their_country(claim, label, article, aliases):
    found = find(name(claim, label), article, aliases)
    assert found is not None and found.status == "supported"


@pytest.mark.parametrize("claim, article", [
    ("Finland", "Finn Russell kicked the winning goal."),
    ("Denmark", "Dane Swan retired on Sunday."),
    ("Britain", "She won at the Brit Awards."),
])
def test_a_first_name_or_other_name_is_no_demonym(claim, article, aliases):
    assert find(name(claim, "GPE"), article, aliases) is None


@pytest.mark.parametrize("claim, article", [
    ("Scottish", "Scott Brown scored twice."),  # not "Scott" + "-ish"
    ("Finnish", "Finn Russell kicked the winning goal."),
])
def test_an_irregular_demonym_stands_for_its_listed_country_only(claim, article, aliases):
    assert find(name(claim, "NORP"), article, aliases) is None
    country = {"Scottish": "Scotland", "Finnish": "Finland"}[claim]
    found = find(name(claim, "NORP"), f"{article} He flew home to {country}.", aliases)
    assert found is not None and found.status == "supported"


@pytest.mark.parametrize("claim, article, found", [
    ("120 minutes", "They lost on penalties after 120 goalless minutes.", True),
    ("two centuries", "He fired two rapid centuries in the session.", True),
    ("two years", "He fired two rapid centuries in the session.", False),
])
def test_one_describing_word_may_sit_between_a_number_and_its_unit(claim, article, found,
                                                                  aliases):
    result = find(figure(claim, "CARDINAL"), article, aliases)
    assert (result is not None) == found


@pytest.mark.parametrize("sentence, name_start, expected", [
    ("Elinor Barker won.", 7, "Elinor Barker won."),
    ("Émile Zola wrote.", 6, "Émile Zola wrote."),
    ("NASA Barker said.", 5, "Barker said."),  # capitals: an acronym, no first name
    ("On Monday Barker won.", 10, "Barker won."),  # a weekday
    ("Mr Barker won.", 3, "Barker won."),  # a title
    ("said Barker.", 5, "Barker."),
])
def test_which_word_before_a_name_can_be_its_first_name(sentence, name_start, expected):
    from pipeline.text.persons import with_first_name

    assert sentence[with_first_name(sentence, name_start, []):] == expected


def test_an_acronym_needs_capitals_even_when_it_spells_a_name_particle(aliases):
    from pipeline.text.normalize import token_matches

    assert not token_matches("LA", "La") and token_matches("LA", "LA")
    assert token_matches("Del", "del")  # a particle's capital still varies
    assert find(name("Latin America", "LOC"), "He flew to La Paz in Bolivia.", aliases) is None


def test_an_organisation_named_after_an_office_is_no_person(aliases):
    article = "Dagenham reached the National League and then League Two."
    found = find(name("the Premier League", "ORG"), article, aliases)
    assert found is None or found.status != "supported"


def test_the_parser_parses_each_sentence_once_and_skips_an_overlong_one():
    from pipeline.text.spacy_pipeline import import_spacy
    from pipeline.text.syntax import MAX_CHARS, Parser

    nlp = import_spacy().blank("en")
    seen: list[str] = []
    pipe = nlp.pipe

    def counting_pipe(texts, **kw):
        texts = list(texts)
        seen.extend(texts)
        return pipe(texts, **kw)

    nlp.pipe = counting_pipe
    parser = Parser(nlp)
    texts = [f"Sentence number {i}." for i in range(Parser.CACHE + 44)] + ["x" * (MAX_CHARS + 1)]
    docs = parser._parse(texts)
    assert [d.text for d in docs[:-1]] == texts[:-1] and docs[-1] is None
    assert len(seen) == len(texts) - 1  # each once, the over-long one never
    assert parser.roles([texts[-1]], [[(0, 5)]]) == [[None]]


def test_a_known_acronym_opening_a_name_is_no_persons_initials(aliases):
    article = "He flew United Airlines to Chicago. Author JK Rowling met Joanne Rowling's fans."
    assert find(name("U.S. Airlines", "ORG"), article, aliases) is None
    assert find(name("JK Rowling", "ORG"), article, aliases).status == "supported"


def test_an_acronym_of_four_or_more_capitals_is_no_first_name(aliases):
    article = ("FLOTUS planted spinach in the garden. She then gave the Grammy winner an "
               "award. Author J.R.R. Tolkien and JRR Tolkien's son were named.")
    found = find(name("FLOTUS Grammy"), article, aliases)
    assert found is not None and found.status == "supported"
    # Each part is still checked, and initials (three letters at most) stay a first name.
    found = find(name("NATO Grammy"), article, aliases)
    assert found is None or found.status == "unsupported"
    assert find(name("JRR Grammy"), article, aliases).status == "partial"


# -- an age is someone's age ----------------------------------------------------------------

FAMILY = ("Anna Vos, 14, and her mother Karin Vos, 45, were seen in Delft. The 19-year-old "
          "neighbour Tim Bakker called the police.")


@pytest.mark.parametrize(("sentence", "age", "reason"), [
    ("Anna Vos, 45, was seen in Delft.", "45", "the article gives Anna Vos the age 14"),
    ("The 23-year-old neighbour Tim Bakker called the police.", "23",
     "the article gives Tim Bakker the age 19"),
    ("Karin Vos, aged 14, was seen in Delft.", "14", "the article gives Karin Vos the age 45"),
])
def test_an_age_the_article_gives_someone_else_is_unsupported(checker, sentence, age, reason):
    # 45, 14 and 19 are all in the article: only whose age each is says the sentence is wrong
    (result,) = checker.check([sentence], FAMILY)
    (marked,) = result.unsupported
    assert age in marked.text and marked.reason == reason and not marked.supported


@pytest.mark.parametrize("sentence", [
    "Anna Vos, 14, was seen in Delft.",
    "Vos, 45, was seen in Delft.",  # a surname alone: either Vos may be meant
    "Tim Bakker, 19, called the police.",
    "Piet Vos, 45, was seen in Delft.",  # another first name: not a person the article ages
])
def test_an_age_the_article_gives_that_person_or_nobody_is_left_to_the_figure_check(
        checker, sentence):
    (result,) = checker.check([sentence], FAMILY)
    assert not any(c.reason and "the age" in c.reason for c in result.claims)
    assert all(c.supported for c in result.claims if c.label not in ("PERSON", "NAME"))


def test_an_age_in_the_dutch_original_counts_in_its_dutch_forms(checker):
    english = "Jan Smit said the dike had been weak for years."  # the translation lost it
    dutch = "Jan Smit (54) zei dat de dijk al jaren zwak was. De 31-jarige Els de Boer ook."
    (wrong, right, other) = checker.check(
        ["Jan Smit, 45, said the dike was weak.", "Jan Smit, 54, said so.",
         "Els de Boer, 13, agreed."], english, dutch)
    assert [c.reason for c in wrong.unsupported] == ["the article gives Jan Smit the age 54"]
    assert not any(c.reason and "the age" in c.reason for c in right.claims)
    assert [c.reason for c in other.unsupported if c.reason] == [
        "the article gives Els de Boer the age 31"]


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Cheryl Silvonek, 54, was stabbed.", "en", [("Cheryl Silvonek", "Cheryl", "Silvonek", "54")]),
    ("Mr Rooney, 29, scored.", "en", [("Rooney", None, "Rooney", "29")]),
    ("Dr Anna Vos, aged 45, spoke.", "en", [("Anna Vos", "Anna", "Vos", "45")]),
    ("De 54-jarige Jan Smit (54) zei", "nl", [("Jan Smit", "Jan", "Smit", "54")] * 2),
    ("Els de Boer (31) zei", "nl", [("Els de Boer", "Els", "Boer", "31")]),
    ("De 31-jarige Els de Boer zei", "nl", [("Els de Boer", "Els", "Boer", "31")]),
    ("the 26-year-old Dutch midfielder Frenkie de Jong", "en",
     [("Frenkie de Jong", "Frenkie", "Jong", "26")]),  # "Dutch" modifies the noun
    ("Jan Smit retired. The 28-year-old Smit joined in 1992.", "en",
     [("Smit", "Jan", "Smit", "28")]),  # the surname takes the earlier full name's first
    ("Joe Root (112) led the way.", "en", []),  # English brackets hold scores, not ages
    ("a 19-year-old woman in November", "en", []),  # "in November" names nobody
    ("A 19-year-old man punched Tom Jones.", "en", []),  # a verb ends the phrase
    ("On Monday, 12 people left; in March, 40.", "en", []),  # no month or weekday is a person
    ("Page Three, 250, was sold.", "en", []),  # no one is 250
])
def test_which_ages_a_text_gives_to_whom(text, lang, expected):
    from pipeline.text.ages import person_ages

    assert [(a.name, a.first, a.surname, a.age) for a in person_ages(text, lang)] == expected


def test_a_caption_may_say_where_the_person_stands_before_the_age():
    from pipeline.text.ages import person_ages

    text = ("Star-crossed lovers: Jamie Silvonek (left), 14, and her boyfriend. "
            "Jan Smit (tweede van links), 54, en Anna Vos (pictured), 31.")
    assert [(a.name, a.age) for a in person_ages(text)] == [
        ("Jamie Silvonek", "14"), ("Jan Smit", "54"), ("Anna Vos", "31")]
    assert person_ages("Jamie Silvonek (USA), 14, won.") == []  # a bracket that says more


def test_a_sentence_opening_capital_the_text_writes_in_lower_case_is_no_first_name():
    from pipeline.text.ages import person_ages

    text = ("Jafar Adeli was arrested. He had been jailed in 2010. Jailed Adeli, 32, "
            "wept, and so did Rose Smith, 40, who then rose. Police said Dr. Mark Smith, "
            "51, would mark the day.")
    assert [(a.name, a.first, a.age) for a in person_ages(text)] == [
        ("Adeli", None, "32"),  # the dropped capital may have been his first name after all
        ("Rose Smith", "Rose", "40"),  # not at a sentence's start: a first name
        ("Mark Smith", "Mark", "51")]  # a title's full stop ends no sentence


PARENTS = ("The last time Frank Jordan spoke with his son, Louis Jordan was fishing. "
           "Louis Jordan, 37, took his sailboat out in January. His father Frank Jordan "
           "said Bill Jones, 52, and Smith, 37, had helped. Jafar Adeli was arrested. "
           "He had been jailed before. Jailed Adeli, 32, wept. Ahmed Ali spoke. "
           "Married Ali, 29, wept.")


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Frank Jordan, 37, was fishing on a sailboat.", "the article gives the age 37 to Louis Jordan"),
    ("The 52-year-old Frank Jordan spoke.", "the article gives the age 52 to Bill Jones"),
])
def test_an_age_the_article_gives_only_to_someone_else_is_unsupported(checker, sentence,
                                                                       reason):
    # the article names Frank Jordan and gives him no age; 37 and 52 are other people's
    (result,) = checker.check([sentence], PARENTS)
    (marked,) = result.unsupported
    assert marked.reason == reason and not marked.supported


@pytest.mark.parametrize("sentence", [
    "Piet Jordan, 37, was fishing.",  # the article does not name him: left to the figures
    "Frank Jordan, 38, was fishing.",  # an age nobody has: the figure check's
    "Jafar Adeli, 32, wept.",  # "Jailed" opens a sentence: the article's Adeli is Jafar
    "Ahmed Ali, 29, wept.",  # "Married" only opens a sentence: it may be no first name
])
def test_an_age_only_someone_else_has_needs_both_people_named(checker, sentence):
    (result,) = checker.check([sentence], PARENTS)
    assert not any(c.reason and "the age" in c.reason for c in result.claims), result.claims


@pytest.mark.parametrize(("sentence", "article"), [
    # a capital opening a sentence, dropped, lends the name no earlier mention's first name
    ("Mark Smith, 40, was shot on Monday.", "Police chief John Smith praised the officers. "
     "Mark Smith, 40, was shot on Monday. Officers will mark the day."),
    # a middle name: the same person
    ("Dylann Roof, 21, was arrested.",
     "Dylann Storm Roof, 21, was arrested. Police said Dylann Roof had confessed."),
    # another form of the given name: perhaps the same person
    ("Chris Jordan, 37, sailed.", "Chris Jordan spoke. Christopher Jordan, 37, sailed."),
    # paired ages: whose is whose is not read here
    ("Ryan Clark, 27, was arrested in Leeds.",
     "Police said Ryan Clark and Emma Jones, 27 and 25, were arrested in Leeds."),
    ("Emma Jones, 25, was arrested in Leeds.",
     "Police said Ryan Clark and Emma Jones, 27 and 25, were arrested in Leeds."),
    # "manager." ends a sentence: "Yesterday" opens the next, no first name
    ("John Smith, 40, took over the club.", "The club sacked its manager. Yesterday Smith, "
     "40, took over the club. He said yesterday was a big day. John Smith is a former player."),
    # an age in a form that names nobody here
    ("Frank Jordan, 37, was fishing.",
     "Frank Jordan, 37 years old, was fishing, as was his twin Louis Jordan, 37."),
])
def test_an_age_that_may_be_this_persons_is_no_false_alarm(checker, sentence, article):
    (result,) = checker.check([sentence], article)
    assert not any(c.reason and "the age" in c.reason for c in result.claims), result.claims


@pytest.mark.parametrize(("sentence", "article", "reason"), [
    # an acronym before a first name is no first name ("CEO Tim Cook")
    ("Apple boss Carl Cook unveiled it.", "Apple CEO Tim Cook unveiled it.",
     "the article names Tim Cook"),
    # a word the claim shares with the article's does not stand for the first name
    ("Spokesman Sam Smith declined to comment.", "Spokesman John Smith declined to comment.",
     "the article names John Smith"),
])
def test_a_word_before_a_first_name_does_not_make_a_wrong_one_right(checker, sentence,
                                                                     article, reason):
    (result,) = checker.check([sentence], article)
    assert [c.reason for c in result.unsupported] == [reason]


def test_a_middle_name_is_the_same_person(checker):
    article = "Dylann Storm Roof, 21, was arrested."
    (wrong_age, other) = checker.check(["Dylann Roof, 22, was arrested.",
                                        "Tom Roof was arrested."], article)
    (name, age) = wrong_age.claims
    assert (name.supported, name.matched) == (True, "Dylann Storm Roof")  # the article's
    assert age.reason == "the article gives Dylann Storm Roof the age 21"
    assert [c.reason for c in other.unsupported] == ["the article names Storm Roof"]


def test_an_age_only_someone_else_has_is_found_after_a_modifier_and_named_in_order(checker):
    article = ("Frank Jordan spoke. His son, Louis Jordan, 37, and a friend, Marie Stones, "
               "37, sailed.")
    for sentence in ("Frank Jordan, 37, was fishing.", "Britain's Frank Jordan, 37, was fishing."):
        (result,) = checker.check([sentence], article)
        assert [c.reason for c in result.unsupported if c.label not in NAMED_LABELS] == [
            "the article gives the age 37 to Louis Jordan"]  # the first named, every run


def test_an_age_given_to_a_surname_alone_is_no_other_persons(checker):
    # "Smith, 37" names no first name: it may be anyone called Smith, Frank Jordan's age too
    (result,) = checker.check(["Frank Jordan, 37, helped."],
                              "Frank Jordan spoke. Smith, 37, had helped.")
    assert not any(c.reason and "the age" in c.reason for c in result.claims), result.claims


def test_pm_opens_a_time_only_after_a_clock_figure(checker):
    article = "The Prime Minister this morning faced criticism. He left at 3 pm."
    (prime_minister, clock, wrong) = checker.check(
        ["PM this morning faced criticism.", "He left at 3 PM.", "He left at 4 PM."], article)
    assert [(c.text, c.supported) for c in prime_minister.claims] == [("this morning", True)]
    assert [(c.text, c.supported) for c in clock.claims] == [("3 PM", True)]
    assert [c.text for c in wrong.unsupported] == ["4 PM"]


def test_a_name_inside_a_figure_is_no_second_mention_of_that_name(checker):
    # "PM" of "3 PM" is part of a time, not the prime minister named again in another role
    (result,) = checker.check(["The PM said at 3 PM that he would go."],
                              "The PM said he would go at 3 PM on Friday.")
    assert not [c for c in result.claims if c.status == "repeated"]


@pytest.mark.parametrize("text", ["He flew on Apollo 13.", "She spoke on Radio 4, then left.",
                                  "Chelsea 2, Arsenal 1."])
def test_a_number_that_belongs_to_a_name_is_no_age(text):
    from pipeline.text.ages import person_ages

    assert person_ages(text) == []


@pytest.mark.parametrize(("sentence", "article"), [
    ("The 26-year-old Dutch midfielder Frenkie de Jong scored.",
     "The 27-year-old Dutch international Memphis Depay and Frenkie de Jong, 26, scored."),
    ("Tom Jones, 45, was punched.",
     "A 19-year-old man punched Tom Jones. Mr Jones, who is 45, was not hurt."),
    ("In 1992, Jan Smit, 28, joined the police.",
     "Jan Smit, 60, retired. The 28-year-old Smit had joined the police in 1992."),
    ("Jane Smith, aged 25, made her debut.",
     "Jane Smith, 33, retired. She made her debut at Rio 2016, when she was 25."),
    ("Children aged 5 and over will be offered it.",
     "Children aged 12 and over will be offered it, Anna Vos, 41, said."),
    ("Joe Root, 33, scored 112.", "Joe Root (112) led the way. Root, 33, is captain."),
])
def test_an_age_the_article_may_give_that_person_is_no_false_alarm(checker, sentence, article):
    (result,) = checker.check([sentence], article)
    assert not any(c.reason and "the age" in c.reason for c in result.claims), result.claims


# -- page furniture: a news page's call to its reader ----------------------------------------

MATCH = "Swansea City drew 1-1 with Everton. Gomis will be out for three weeks."


@pytest.mark.parametrize(("sentence", "call"), [
    ("Click here for all the latest Swansea City news.", "Click here"),
    ("Scroll down for video.", "Scroll down"),
    ("Please tap on the link to watch Gomis.", "Please tap on"),
    ("Visit www.swanseacity.com for tickets.", "Visit www.swanseacity.com"),
    ("** Follow us for more on Gomis.", "Follow us"),
    ("Sign up for our newsletter.", "Sign up"),
    ("Press the button below to watch Gomis.", "Press the button"),
])
def test_a_call_to_the_reader_is_a_claim_the_article_does_not_make(checker, sentence, call):
    (result,) = checker.check([sentence], MATCH)
    marked = [c for c in result.claims if c.label == "CALL"]
    assert [(c.text, c.supported, c.status) for c in marked] == [(call, False, "unsupported")]
    assert marked[0].reason == "a news page's call to the reader, not the article's: page furniture"
    assert result.unsupported == marked  # the names around it are checked as ever
    assert sentence[marked[0].start:marked[0].end] == call


@pytest.mark.parametrize("sentence", [
    "Users can click here to vote for Gomis.",  # a subject: the story's own words
    '"Click here," Gomis told the fans.',  # a quotation
    "Visit Swansea City, the club said.",  # no web address
    "Clicking here was easy for Gomis.",  # no imperative
    "Press on with the reforms, Gomis told the club.",  # no page's verb
    "Sign up was slow, the club said.",  # a noun
])
def test_the_same_words_in_the_story_are_no_call(checker, sentence):
    (result,) = checker.check([sentence], MATCH)
    assert not [c for c in result.claims if c.label == "CALL"]


def test_a_call_the_article_makes_too_is_copied_not_written(checker):
    (result, signed) = checker.check(["Click here for more Swansea City news.",
                                      "Sign up for the newsletter."],
                                     MATCH + " Click HERE for more news. Sign-up for it.")
    assert not [c for c in result.claims + signed.claims if c.label == "CALL"]


def test_drop_removes_a_call_to_the_reader_from_the_briefing(checker):
    result = support_summary(checker, ["Swansea City drew 1-1 with Everton.",
                                       "Click here for all the latest Swansea City news."],
                             [MATCH], policy="drop")
    assert result.sentences == ["Swansea City drew 1-1 with Everton."]
    (dropped,) = result.support["dropped"]
    assert "Click here (CALL: a news page's call to the reader" in dropped["reason"]


# -- a name word written twice ----------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "doubled", "has"), [
    ("Tom Wood Wood is keen to regain form.", "Wood Wood", "Tom Wood"),
    ("Temperton Temperton died at 66.", "Temperton Temperton", "Temperton"),
    ("Jessica Ennis-Hill-Hill won gold.", "Hill Hill", None),  # as the name written once
])
def test_a_name_word_written_twice_is_a_name_the_article_does_not_write(checker, sentence,
                                                                         doubled, has):
    article = ("Northampton flanker Tom Wood is keen. Songwriter Rod Temperton died at 66. "
               "Jessica Ennis-Hill won gold.")
    (result,) = checker.check([sentence], article)
    (claim,) = [c for c in result.claims if c.label not in FIGURE_LABELS]
    if has is None:
        (once,) = checker.check([sentence.replace(doubled, doubled.split()[0])], article)
        has = once.claims[0].matched
    assert not claim.supported and claim.status == "unsupported"
    assert claim.reason == (f"a name word written twice ({doubled}): the article does not "
                            f"write the name so; it has {has}")
    assert claim.matched == has


def test_a_name_the_article_writes_twice_over_is_its_name(checker):
    (result,) = checker.check(["Chan Chan lies near Trujillo."],
                              "The adobe city of Chan Chan lies near Trujillo.")
    assert all(c.supported for c in result.claims)
