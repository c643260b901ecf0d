"""Photo captions and credits are removed; the story, its order and its paragraphs stay."""

from __future__ import annotations

import re

import pytest

from pipeline.core.config import IngestConfig
from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article
from pipeline.ingest.cleaning import normalise_whitespace
from pipeline.ingest.prepare import ArticlePreparer
from pipeline.ingest.readers import read_inputs
from pipeline.ingest.segment import split_sentences
from tests.conftest import SAMPLES

STORY = [
    "Het water in de Oosterschelde stond dinsdagavond hoger dan in jaren.",
    "Rijkswaterstaat sloot daarom de stormvloedkering bij Kamperland.",
    "Volgens de waterbeheerder was er geen direct gevaar voor de bewoners.",
]


@pytest.fixture(scope="module")
def preparer():
    return ArticlePreparer(IngestConfig())


def _prepare(preparer, text):
    return preparer.prepare(Article(id="t", text=text, origin="t.txt"))


def _all_sentences(prepared):
    return [s for _, s in prepared.sentences]


def test_leading_caption_with_agency_credit(preparer):
    caption = "Een medewerker inspecteert de kering bij Kamperland. Beeld ANP"
    prepared = _prepare(preparer, caption + "\n\n" + " ".join(STORY))
    assert _all_sentences(prepared) == STORY
    assert prepared.removed_captions == [caption]


@pytest.mark.parametrize("credit", [
    "Beeld AFP", "Beeld EPA", "Beeld Reuters", "Beeld ANP / Hollandse Hoogte",
    "Beeld Marcel van den Bergh", "Foto ANP", "Beeld Getty Images",
])
def test_caption_paragraph_in_the_middle(preparer, credit):
    text = f"{STORY[0]}\n\nDe stormvloedkering gaat dicht. {credit}\n\n{STORY[1]} {STORY[2]}"
    prepared = _prepare(preparer, text)
    assert _all_sentences(prepared) == STORY
    assert prepared.paragraphs == [[STORY[0]], STORY[1:]]
    assert len(prepared.removed_captions) == 1 and prepared.removed_captions[0].endswith(credit)


def test_flemish_volledig_scherm_caption(preparer):
    text = (f"Volledig scherm De burgemeester bij de dijk in Antwerpen. © Photo News\n\n{STORY[0]} "
            f"Volledig scherm Een luchtfoto van de haven. © BELGA {STORY[1]}\n\n{STORY[2]}")
    prepared = _prepare(preparer, text)
    assert _all_sentences(prepared) == STORY
    assert len(prepared.removed_captions) == 2
    assert all("©" in c for c in prepared.removed_captions)


def test_credit_glued_to_the_next_sentence(preparer):
    text = f"Bewoners kijken naar het water. Beeld ANP {STORY[0]} {STORY[1]}\n\n{STORY[2]}"
    prepared = _prepare(preparer, text)
    assert _all_sentences(prepared) == STORY


def test_words_like_beeld_inside_a_sentence_are_kept(preparer):
    story = ["Het beeld van de minister is beschadigd, zeggen Kamerleden.",
             "Beeldbank Zeeland opende woensdag een nieuwe tentoonstelling in Middelburg.",
             "De foto's van de overstroming van 1953 zijn daar te zien."]
    prepared = _prepare(preparer, " ".join(story))
    assert _all_sentences(prepared) == story
    assert prepared.removed_captions == []


def test_whitespace_is_normalised_and_paragraphs_kept():
    text = "Eerste\u00a0 regel\nloopt  door.\r\n\r\n\u200bTweede alinea.\n \n\nDerde."
    assert normalise_whitespace(text) == ["Eerste regel loopt door.", "Tweede alinea.", "Derde."]


def test_an_article_that_is_only_a_caption_is_an_error(preparer):
    with pytest.raises(ArticleError) as info:
        _prepare(preparer, "De burgemeester van Middelburg bekijkt de schade aan de dijk. Beeld ANP")
    assert info.value.reason == "empty"


def test_dutch_abbreviations_do_not_end_sentences():
    text = "Het kabinet trekt 2,5 mld. euro uit, zei dr. Jansen op 14 maart. De Kamer stemde in."
    assert split_sentences(text) == [
        "Het kabinet trekt 2,5 mld. euro uit, zei dr. Jansen op 14 maart.", "De Kamer stemde in."]


def test_words_that_end_sentences_are_not_taken_for_abbreviations():
    text = "Iran vuurde raketten af op de VS. Het bleef daarna stil. Dat is nu eenmaal zo. Echt."
    assert split_sentences(text) == [
        "Iran vuurde raketten af op de VS.", "Het bleef daarna stil.", "Dat is nu eenmaal zo.",
        "Echt."]


def test_no_credit_survives_in_the_sample_corpus(preparer):
    credit = re.compile(r"\b(Beeld|Foto)\s+(ANP|AFP|EPA|AP|Reuters)\b|©|Volledig scherm")
    articles = list(read_inputs([str(SAMPLES / "articles")], max_bytes=10**6))
    assert len(articles) >= 8
    removed_total = 0
    for article in articles:
        prepared = preparer.prepare(article)
        assert prepared.language == "nl"
        leftovers = [s for s in _all_sentences(prepared) if credit.search(s)]
        assert leftovers == [], article.id
        removed_total += len(prepared.removed_captions)
    assert removed_total >= 8


def test_closing_quotes_stay_with_their_sentence():
    text = "'Binnen twintig minuten zat er een gat in. We hebben direct gealarmeerd.' Dat zei hij."
    sentences = split_sentences(text)
    assert sentences[-1] == "Dat zei hij."
    assert all(any(c.isalpha() for c in s) for s in sentences)
    assert " ".join(sentences).split() == text.split()


@pytest.mark.parametrize(("text", "expected"), [
    ("De St. Janskerk in Den Bosch is oud. Hij staat er al lang.",
     ["De St. Janskerk in Den Bosch is oud.", "Hij staat er al lang."]),
    ("Mgr. De Korte sprak de gelovigen toe. Zij luisterden.",
     ["Mgr. De Korte sprak de gelovigen toe.", "Zij luisterden."]),
    ("Dat gebeurde in 50 v. Chr. in Rome. Later kwam de keizer.",
     ["Dat gebeurde in 50 v. Chr. in Rome.", "Later kwam de keizer."]),
    ("Rome werd in 753 v. Chr. gesticht. Dat zegt de legende.",
     ["Rome werd in 753 v. Chr. gesticht.", "Dat zegt de legende."]),
    ("De lijsten GroenLinks-PvdA en Groen! Antwerpen doen mee. Dat is nieuw.",
     ["De lijsten GroenLinks-PvdA en Groen! Antwerpen doen mee.", "Dat is nieuw."]),
    ("Hij zei: ,,Dit is het einde.'' Daarna ging hij weg.",
     ["Hij zei: ,,Dit is het einde.''", "Daarna ging hij weg."]),
])
def test_dutch_segmenter_cases(text, expected):
    assert split_sentences(text) == expected


def test_long_unpunctuated_paragraph_is_segmented_in_bounded_pieces():
    from pipeline.ingest.segment import MAX_SEGMENT_CHARS, bounded_pieces

    paragraph = "woord " * 20_000  # 120 KB without punctuation; whole, pysbd needs minutes
    pieces = bounded_pieces(paragraph)
    assert all(len(p) <= MAX_SEGMENT_CHARS for p in pieces)
    assert "".join(pieces) == paragraph  # nothing lost
    sentences = split_sentences(paragraph)
    assert " ".join(sentences).split() == paragraph.split()
