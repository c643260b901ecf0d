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
