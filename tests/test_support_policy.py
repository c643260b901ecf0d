"""The support step in a briefing: keep / flag / drop, the text marks, the fallback, timings."""

from __future__ import annotations

import pytest

from pipeline.briefing.engine import BriefingEngine
from pipeline.core.config import load_config
from pipeline.core.errors import ConfigError
from pipeline.ingest.readers import read_inputs
from pipeline.record.briefing import AlignedSentence, Briefing
from pipeline.record.marks import MARK, NOTE
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from tests.conftest import SAMPLES, tiny_config

ARTICLE = "001_dijkdoorbraak_kruiningen"
EN = (SAMPLES.parent / "eval" / "translations" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
NL = (SAMPLES / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
TRANSLATION = [p for p in EN.split("\n\n") if p.strip()]
GOOD_1 = "A sea dike near Kruiningen gave way and some 1,200 residents were evacuated."
INVENTED = "Mayor Jan Verburg said 4,800 residents of Vlissingen had to leave."
GOOD_2 = "Defence sent 150 soldiers to close the gap."


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker()


def _briefing(result) -> Briefing:
    return Briefing(id="x", date=None, source="t", url=None, title_nl=None, title_en="Title",
                    summary_sentences=result.sentences,
                    sentences=[AlignedSentence(None, s, 0) for s in TRANSLATION],
                    source_language="en", language_confidence=1.0, removed_captions=[],
                    models={}, summary_info={}, timings={}, summary=result.summary,
                    support=result.support)


def test_drop_removes_sentences_with_unsupported_claims_and_says_why(checker):
    result = support_summary(checker, [GOOD_1, INVENTED, GOOD_2], TRANSLATION, source_nl=NL,
                             policy="drop")
    assert result.sentences == [GOOD_1, GOOD_2]
    assert [s["text"] for s in result.summary] == [GOOD_1, GOOD_2]
    dropped = result.support["dropped"]
    assert [d["text"] for d in dropped] == [INVENTED]
    assert "Vlissingen" in dropped[0]["reason"] and "4,800" in dropped[0]["reason"]
    assert result.support["unsupported"] == 0 and "notice" not in result.support
    text = _briefing(result).to_text()
    assert "1 sentence(s) dropped" in text and "Vlissingen" not in text


def test_drop_never_empties_a_briefing_silently(checker):
    result = support_summary(checker, [INVENTED], TRANSLATION, policy="drop")
    assert result.sentences == [] and result.summary == []
    assert "all 1 summary sentences" in result.support["notice"]
    assert result.support["notice"] in _briefing(result).to_text()


def test_flag_keeps_every_sentence_and_marks_the_claim_in_text(checker):
    result = support_summary(checker, [GOOD_1, INVENTED, GOOD_2], TRANSLATION, source_nl=NL)
    assert result.sentences == [GOOD_1, INVENTED, GOOD_2]
    assert [s["support"] for s in result.summary] == ["supported", "unsupported", "supported"]
    assert result.support["policy"] == "flag" and result.support["unsupported"] >= 2
    text = _briefing(result).to_text()
    assert f"Vlissingen {MARK}" in text and f"4,800 {MARK}" in text
    assert f"Kruiningen {MARK}" not in text
    assert text.count(NOTE) == 1
    assert f"{MARK} {result.support['unsupported']} name(s)/figure(s) to check" in text


def test_keep_records_but_does_not_mark(checker):
    result = support_summary(checker, [GOOD_1, INVENTED], TRANSLATION, policy="keep")
    assert result.support["unsupported"] >= 2 and result.summary[1]["unsupported"]
    assert MARK not in _briefing(result).to_text()


def test_the_json_structure_per_sentence(checker):
    result = support_summary(checker, [GOOD_1, "The dike broke."], TRANSLATION)
    first, second = result.summary
    assert set(first) == {"text", "evidence", "support", "claims", "unsupported",
                          "consistency", "consistency_score", "consistency_reason"}
    assert (first["consistency"], first["consistency_score"]) == ("not-checked", None)
    assert first["evidence"] == [0]
    assert second["support"] == "no-claims" and second["claims"] == []
    claim = next(c for c in first["claims"] if c["text"] == "Kruiningen")
    assert claim == {"text": "Kruiningen", "label": "GPE", "start": 16, "end": 26,
                     "supported": True, "status": "supported", "matched": "Kruiningen",
                     "matched_in": "en"}
    assert set(result.support) >= {"claims", "supported", "unsupported", "ner", "policy"}


def test_rule_based_fallback_is_recorded_and_still_catches_invented_claims():
    fallback = SupportChecker(use_spacy=False)
    result = support_summary(fallback, [GOOD_1, INVENTED], TRANSLATION, source_nl=NL)
    ner = result.support["ner"]
    assert ner["extractor"] == "rule-based"
    assert "rule-based extractor was chosen" in ner["fallback_reason"]
    assert "rule-based fallback" in result.support["ner_notice"]
    flagged = {u["text"] for u in result.summary[1]["unsupported"]}
    assert {"4,800", "Vlissingen"} <= flagged
    assert result.summary[0]["support"] == "supported"


def test_figures_match_whatever_their_case(checker):
    [sentence] = support_summary(checker, ["Hundreds of soldiers came."],
                                 ["They dumped hundreds of big bags."]).summary
    assert sentence["support"] == "supported", sentence


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ConfigError):
        load_config(None, {"summarization.unsupported_claims": "hide"})


def test_engine_in_drop_mode_keeps_only_supported_sentences(tiny_model_dirs):
    config = tiny_config(tiny_model_dirs, **{"summarization.unsupported_claims": "drop"})
    engine = BriefingEngine(config, window=2)
    items = list(read_inputs([str(SAMPLES / "articles" / f"{ARTICLE}.txt")],
                             max_bytes=config.ingest.max_article_bytes))
    [briefing] = list(engine.run(items))
    data = briefing.to_dict()
    assert data["schema_version"] == 2
    support = data["support"]
    assert support["policy"] == "drop" and support["unsupported"] == 0
    assert all(not s["unsupported"] for s in data["summary"])
    assert [s["text"] for s in data["summary"]] == data["summary_sentences"]
    assert len(data["summary_sentences"]) + len(support["dropped"]) == \
        data["summary_info"]["sentences"]
    if not data["summary_sentences"] and data["summary_info"]["sentences"]:
        assert "notice" in support
    assert data["timings"]["support_s"] >= 0
    assert data["timings"]["total_s"] >= data["timings"]["support_s"]
