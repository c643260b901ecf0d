"""Whole briefing records for tests that build one by hand (the reader requires every field)."""

from __future__ import annotations

from pipeline.record.sentence import is_marked

NER = {"extractor": "rules", "name": "rule-based", "version": None, "package": None,
       "fallback_reason": None}


def claim(sentence: str, text: str, label: str, *, supported: bool) -> dict:
    """A claim of ``sentence`` at the first place ``text`` occurs."""
    start = sentence.index(text)
    return {"text": text, "label": label, "start": start, "end": start + len(text),
            "supported": supported, "status": "supported" if supported else "unsupported"}


def summary_sentence(text: str, claims: list[dict], evidence: list[int] | None = None) -> dict:
    """One item of a briefing's ``summary``: support and ``unsupported`` from the claims."""
    missing = [c for c in claims if is_marked(c["supported"], c.get("status"))]
    support = ("no-claims" if not claims else "supported" if not missing
               else "unsupported" if len(missing) == len(claims) else "partial")
    return {"text": text, "evidence": evidence or [], "support": support, "claims": claims,
            "unsupported": [{"text": c["text"], "label": c["label"]} for c in missing]}


def support_totals(summary: list[dict], policy: str = "flag", **extra) -> dict:
    """The briefing-level ``support`` of ``summary``."""
    claims = [c for s in summary for c in s["claims"]]
    marked = sum(is_marked(c["supported"], c.get("status")) for c in claims)
    return {"claims": len(claims), "supported": len(claims) - marked, "unsupported": marked,
            "sentences_with_unsupported": sum(bool(s["unsupported"]) for s in summary),
            "ner": dict(NER), "policy": policy, **extra}


def briefing_record(article_id: str, summary_sentences: list[str], **fields) -> dict:
    """A whole schema-2 briefing JSON object; ``fields`` replace the defaults."""
    record = {"schema_version": 2, "pipeline_version": "test", "id": article_id, "date": None,
              "source": "test", "url": None, "title_nl": None, "title_en": "Title",
              "briefing_en": " ".join(summary_sentences),
              "summary_sentences": list(summary_sentences), "summary": [], "support": None,
              "translation_en": " ".join(summary_sentences),
              "sentences": [{"nl": None, "en": s, "paragraph": 0} for s in summary_sentences],
              "source_language": "en", "language_confidence": 1.0, "removed_captions": [],
              "models": {}, "summary_info": {}, "timings": {}}
    record.update(fields)
    return record
