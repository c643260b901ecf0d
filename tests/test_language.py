"""Only Dutch is translated; English passes through or is rejected, per configuration."""

from __future__ import annotations

import pytest

from pipeline.core.config import IngestConfig
from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article
from pipeline.ingest.prepare import ArticlePreparer

DUTCH = ("De gemeenteraad van Utrecht heeft dinsdagavond ingestemd met een plan om de binnenstad "
         "autoluw te maken. Winkeliers zijn bezorgd over de bereikbaarheid.")
ENGLISH = ("The city council of Utrecht agreed on Tuesday evening to a plan to keep cars out of "
           "the city centre. Shopkeepers are worried about access.")
GERMAN = ("Der Stadtrat von Utrecht hat am Dienstagabend einem Plan zugestimmt, die Innenstadt "
          "autofrei zu machen. Die Händler sind besorgt über die Erreichbarkeit.")


def _article(text):
    return Article(id="x", text=text, origin="x.txt")


def test_dutch_is_accepted():
    prepared = ArticlePreparer(IngestConfig()).prepare(_article(DUTCH))
    assert prepared.language == "nl" and prepared.language_confidence > 0.5
    assert len(prepared.sentences) == 2


def test_english_passes_through_by_default():
    prepared = ArticlePreparer(IngestConfig()).prepare(_article(ENGLISH))
    assert prepared.language == "en"


def test_english_is_rejected_when_configured():
    preparer = ArticlePreparer(IngestConfig(english_input="error"))
    with pytest.raises(ArticleError) as info:
        preparer.prepare(_article(ENGLISH))
    assert info.value.reason == "not-dutch" and "English" in str(info.value)


def test_german_is_rejected_with_the_language_named():
    with pytest.raises(ArticleError) as info:
        ArticlePreparer(IngestConfig()).prepare(_article(GERMAN))
    assert info.value.reason == "not-dutch"
    assert "German" in str(info.value)


def test_too_short_text_is_rejected():
    with pytest.raises(ArticleError) as info:
        ArticlePreparer(IngestConfig(min_article_words=10)).prepare(_article("Kort bericht."))
    assert info.value.reason == "too-short"


AFRIKAANS = ("Die stadsraad van Kaapstad het Dinsdagaand ingestem om die middestad motorvry te "
             "maak. Winkeliers is bekommerd oor die bereikbaarheid van hulle winkels.")
WEST_FRISIAN = ("De gemeenteried fan Ljouwert hat tiisdeitejûn ynstimd mei in plan om de "
                "binnenstêd autoluw te meitsjen. Winkeliers meitsje har soargen oer de "
                "berikberens fan harren winkels.")
LIMBURGISH = ("De gemeinteraod van Mestreech haet dinsdagaovend ingestump mit e plan om de "
              "binnestad autoluuj te make. Winkeliers zien bezorg euver de bereikbaarheid van "
              "hun winkels.")


@pytest.mark.parametrize(("text", "name"), [
    (AFRIKAANS, "Afrikaans"),
    ("Το δημοτικό συμβούλιο της Ουτρέχτης ενέκρινε την Τρίτη το βράδυ ένα σχέδιο για να γίνει "
     "το κέντρο της πόλης χωρίς αυτοκίνητα.", "Greek"),
    ("乌得勒支市议会周二晚间批准了一项让市中心禁止汽车通行的计划。店主们担心商店的可达性。", "Chinese"),
])
def test_other_languages_are_rejected_with_the_language_actually_detected(text, name):
    with pytest.raises(ArticleError) as info:
        ArticlePreparer(IngestConfig(min_article_words=1)).prepare(_article(text))
    assert info.value.reason == "not-dutch"
    assert f"looks like {name}" in str(info.value)


@pytest.mark.parametrize("text", [WEST_FRISIAN, LIMBURGISH])
def test_frisian_and_limburgish_are_briefed_as_dutch(text):
    # The documented decision (docs/pipeline.md, step 3): lingua has no model for either, and a
    # Dutch paper's Frisian or Limburgish text is translated by the Dutch model.
    prepared = ArticlePreparer(IngestConfig()).prepare(_article(text))
    assert prepared.language == "nl"
