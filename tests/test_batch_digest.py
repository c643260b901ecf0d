"""The batch's digest.md marks what the support check did not find, as the nightly's does."""

from __future__ import annotations

from pipeline.batch.digest_md import render_digest_md
from pipeline.core.markdown import text
from pipeline.record.briefing import Briefing
from pipeline.record.marks import NOTE
from tests.helpers.records import claim, summary_sentence, support_totals

SENTENCE = "Rutte met Zarif in Parijs."


def _briefing(article_id: str, *, policy: str | None = "flag", found: bool = False) -> Briefing:
    claims = [claim(SENTENCE, "Zarif", "PERSON", supported=True),
              claim(SENTENCE, "Parijs", "GPE", supported=found)]
    summary = [summary_sentence(SENTENCE, claims)]
    return Briefing(
        id=article_id, date="2025-03-15", source=f"{article_id}.txt", url=None, title_nl=None,
        title_en=f"Title {article_id}", summary_sentences=[SENTENCE], sentences=[],
        source_language="nl", language_confidence=1.0, removed_captions=[], models={},
        summary_info={}, timings={}, summary=summary if policy else [],
        support=support_totals(summary, policy) if policy else None)


def test_unsupported_claims_are_bold_and_marked_and_counted():
    digest = render_digest_md([_briefing("a"), _briefing("b", found=True)], [])

    assert "Rutte met Zarif in **Parijs** \\[?\\]." in digest
    assert "Rutte met Zarif in Parijs." in digest  # b: every claim found, nothing marked
    assert digest.count("**\\[?\\] 1 claim(s) to check**") == 1
    assert "**1 claim(s) to check**, in 1 briefing(s)." in digest
    assert f"*{text(NOTE)}*" in digest


def test_keep_and_unchecked_briefings_show_no_marks():
    for briefing in (_briefing("a", policy="keep"), _briefing("a", policy=None)):
        digest = render_digest_md([briefing], [])
        assert "[?]" not in digest and "claim(s)" not in digest
        assert "Rutte met Zarif in Parijs." in digest


def test_control_characters_from_a_model_do_not_reach_the_page():
    briefing = _briefing("a", policy=None)
    briefing.summary_sentences[0] = "Alarm\x07 in \x1b[31mZeeland\x7f."
    assert "Alarm in \\[31mZeeland." in render_digest_md([briefing], [])
