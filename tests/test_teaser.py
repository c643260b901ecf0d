"""Teasers and paywalls: a page whose text is only the opening is marked, never passed off
as the article. The pages are written for these tests."""

from __future__ import annotations

import json

from pipeline.nightly.extract import page_to_article
from pipeline.nightly.teaser import teaser_of

BODY = ("De gemeenteraad van Zwolle heeft dinsdagavond ingestemd met de bouw van een nieuwe "
        "fietsbrug over het Zwarte Water. De brug moet in 2028 klaar zijn en kost ongeveer "
        "elf miljoen euro, waarvan de provincie de helft betaalt. ")


def _page(paragraphs: list[str], *, json_ld: dict | None = None, title: str = "Fietsbrug") -> str:
    ld = (f'<script type="application/ld+json">{json.dumps(json_ld)}</script>'
          if json_ld else "")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title>{ld}</head><body><nav>Home | Nieuws</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Colofon</footer></body></html>")


FULL = [BODY * 2, "Wethouder Jansen noemde het besluit historisch. " + BODY,
        "Omwonenden vrezen overlast tijdens de bouw, maar de gemeente belooft een "
        "bouwplan waarin de scheepvaart en het verkeer zo min mogelijk hinder hebben. " + BODY]


def _article(page: str):
    return page_to_article(page, article_id="brug", origin="test", url=None, source="Krant")


def test_a_whole_free_article_is_not_a_teaser():
    assert "teaser" not in _article(_page(FULL)).extra
    # a paywall phrase quoted mid-article is not a paywall
    quoted = FULL + ["Wie het hele plan wil lezen, moet volgens een raadslid eerst op "
                     "'word abonnee' klikken bij de lokale krant, want de gemeente publiceert het "
                     "plan zelf pas na de zomer, als de inspraak al voorbij is."]
    assert "teaser" not in _article(_page(quoted)).extra


def test_a_page_marked_not_free_in_json_ld_is_a_teaser():
    page = _page(FULL, json_ld={"@context": "https://schema.org", "@type": "NewsArticle",
                                "isAccessibleForFree": False,
                                "hasPart": {"@type": "WebPageElement",
                                            "isAccessibleForFree": "False"}})
    teaser = _article(page).extra["teaser"]
    assert "isAccessibleForFree" in teaser["reason"] and teaser["words"] > 80


def test_text_that_stops_at_a_paywall_phrase_is_a_teaser():
    page = _page(FULL[:2] + ["Dit artikel is exclusief voor abonnees. Word abonnee en lees verder."])
    assert "paywall" in _article(page).extra["teaser"]["reason"]


def test_a_short_text_is_a_teaser_and_says_how_many_words_it_has():
    teaser = teaser_of(["De fietsbrug komt er.", "De raad stemde in."])
    assert teaser is not None and teaser.words == 8 and "only 8 words" in teaser.reason
    assert teaser_of([BODY * 3]) is None


def test_in_skip_mode_a_teaser_is_a_final_per_article_error():
    import pytest

    from pipeline.core.errors import ArticleError
    from pipeline.nightly.outcomes import is_retryable

    page = _page(FULL[:1] + ["Word abonnee om verder te lezen."])
    with pytest.raises(ArticleError) as caught:
        page_to_article(page, article_id="brug", origin="https://krant.example/brug", url=None,
                        source="Krant", teasers="skip")
    assert caught.value.reason == "teaser" and "paywall" in str(caught.value)
    assert not is_retryable("teaser")  # the same page fails the same way tomorrow
    assert "teaser" not in page_to_article(_page(FULL), article_id="brug", origin="x", url=None,
                                           source="Krant", teasers="skip").extra
