"""The reader sees support in the nightly digest: marks on the sentence, badge, header, note.

The digest entries are built by the nightly code from briefing JSON written by the real
schema and support step; the HTML is read back with html.parser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from pipeline.core.config import NightlyConfig
from pipeline.core.markdown import text as markdown_text
from pipeline.nightly.digest import _article_entry
from pipeline.nightly.render_html import render_html
from pipeline.nightly.render_md import render_md
from pipeline.record.briefing import AlignedSentence, Briefing
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from tests.conftest import SAMPLES

ARTICLE = "001_dijkdoorbraak_kruiningen"
EN = [p for p in (SAMPLES.parent / "eval" / "translations" / f"{ARTICLE}.txt").read_text(
    encoding="utf-8").split("\n\n") if p.strip()]
GOOD = "A sea dike near Kruiningen gave way and some 1,200 residents were evacuated."
INVENTED = "Mayor Jan Verburg said 4,800 residents of Vlissingen had to leave."


class Tree(HTMLParser):
    """Every start tag with its attributes, the stack of open tags, and its text."""

    VOID = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "ancestors": list(self.stack), "text": ""}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs), element))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, _, element in self.stack:
            element["text"] += data

    def find(self, tag, cls=None):
        return [e for e in self.elements if e["tag"] == tag
                and (cls is None or cls in (e["attrs"].get("class") or "").split())]


def _write(tmp_path, name, sentences, policy="flag"):
    result = support_summary(SupportChecker(), sentences, EN, policy=policy)
    briefing = Briefing(id=name, date="2025-03", source="Krant", url=None, title_nl=None,
                        title_en=f"Dike {name}", summary_sentences=result.sentences,
                        sentences=[AlignedSentence(None, s, i) for i, s in enumerate(EN)],
                        source_language="en", language_confidence=1.0, removed_captions=[],
                        models={}, summary_info={}, timings={}, summary=result.summary,
                        support=result.support)
    (tmp_path / f"{name}.json").write_text(json.dumps(briefing.to_dict()), encoding="utf-8")
    outcome = SimpleNamespace(output_path=f"{name}.json", key=name, file_id=name, kind="new",
                              source=None,
                              attempt=1, at=datetime(2025, 3, 16, tzinfo=UTC))
    return _article_entry(outcome, tmp_path, NightlyConfig())


def _digest(articles):
    for a in articles:
        a.pop("_sentences", None)
        a.pop("_models", None)
    lead, *others = articles
    return {
        "night": "2025-03-15", "generated_at": "2025-03-16T03:00:00+00:00",
        "pipeline_version": "0.1.0", "models": None,
        "counts": {"articles": len(articles), "events": 1, "failed": 0},
        "support": {"unsupported_claims": sum(a["unsupported_claims"] for a in articles),
                    "briefings_with_unsupported": sum(bool(a["unsupported_claims"])
                                                      for a in articles)},
        "run": None,
        "groups": [{"id": "event-1", "headline": lead["title_en"], "lead": lead["id"],
                    "articles": [a["id"] for a in articles], "dates": ["2025-03"],
                    "entities": [], "related": [],
                    "sources": [{"name": "Krant", "title": a["title_en"], "url": None,
                                 "id": a["id"]} for a in articles]}],
        "articles": articles, "failed": [],
    }


@pytest.fixture()
def digest(tmp_path):
    return _digest([_write(tmp_path, "lead", [GOOD, INVENTED]),
                    _write(tmp_path, "other", [INVENTED]),
                    _write(tmp_path, "clean", [GOOD])])


def test_unsupported_claims_are_marked_on_the_visible_sentence(digest):
    tree = Tree()
    tree.feed(render_html(digest))
    lead = next(e for e in tree.find("article", "event"))
    marks = [m for m in tree.find("mark", "unsupported")
             if any(a[2] is lead for a in m["ancestors"])
             and not any(a[0] == "details" and "more" in (a[1].get("class") or "")
                         for a in m["ancestors"])]
    texts = {m["text"] for m in marks}
    assert any("Vlissingen" in t for t in texts) and any("4,800" in t for t in texts)
    assert all("[?]" in t for t in texts)
    for mark in marks:
        # Inside the <summary> of its sentence: visible while the details stay closed.
        tags = [a[0] for a in mark["ancestors"]]
        assert tags[-1] == "summary" and tags[-2] == "details"
    assert not any("Kruiningen" in t for t in texts)
    sentences = [li for li in tree.find("li") if li["attrs"].get("data-support")]
    assert [li["attrs"]["data-support"] for li in sentences][:2] == ["supported", "unsupported"]


def test_badge_header_count_and_one_note(digest):
    tree = Tree()
    tree.feed(render_html(digest))
    badges = tree.find("span", "badge")
    lead_badge = next(b for b in badges if b["ancestors"][-1][0] == "h2")
    total_lead = digest["articles"][0]["unsupported_claims"]
    assert lead_badge["text"].strip() == f"{total_lead} claims to check"
    # The folded "other briefings" line carries the others' count, visible while closed.
    folded = [b for b in badges if b["ancestors"][-1][0] == "summary"]
    assert folded and folded[0]["text"].startswith(str(digest["articles"][1]["unsupported_claims"]))
    stats = [li["text"] for li in tree.find("li") if any(a[0] == "ul" and "stats" in
                                                          (a[1].get("class") or "")
                                                          for a in li["ancestors"])]
    total = digest["support"]["unsupported_claims"]
    assert f"{total} claims to check (2 briefings)" in stats
    notes = tree.find("p", "note")
    assert len(notes) == 1 and "header" in [a[0] for a in notes[0]["ancestors"]]
    assert "machine-translated and machine-summarized" in notes[0]["text"]
    assert "[?]" in notes[0]["text"]


def test_markdown_marks_badge_and_count(digest):
    md = render_md(digest)
    total = digest["support"]["unsupported_claims"]
    assert f"**{total} claim(s) to check**, in 2 briefing(s)." in md
    mark = markdown_text("[?]")  # the mark as Markdown writes it, brackets escaped
    assert f"**Vlissingen** {mark}" in md and "**Kruiningen**" not in md
    assert md.count("machine-translated and machine-summarized") == 1
    lead_count = digest["articles"][0]["unsupported_claims"]
    assert f"**{mark} {lead_count} claim(s) to check**" in md
    assert f"(`other`) — **{mark}" in md and "(`clean`) — **" not in md


def test_keep_policy_shows_no_marks(tmp_path):
    entry = _write(tmp_path, "kept", [INVENTED], policy="keep")
    assert entry["unsupported_claims"] == 0
    tree = Tree()
    tree.feed(render_html(_digest([entry])))
    assert not tree.find("mark", "unsupported") and not tree.find("span", "badge")


def _without_support(tmp_path, version: int):
    _write(tmp_path, "old", [GOOD])
    data = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    for key in ("summary", "support"):
        data.pop(key)
    data["schema_version"] = version
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    outcome = SimpleNamespace(output_path="old.json", key="old", file_id="old", kind="new",
                              source=None,
                              attempt=1, at=datetime(2025, 3, 16, tzinfo=UTC))
    return _article_entry(outcome, tmp_path, NightlyConfig())


def test_old_briefings_without_support_still_render(tmp_path):
    entry = _without_support(tmp_path, 1)  # schema 1: before claim support
    assert entry["unsupported_claims"] == 0 and entry["summary_evidence"][0]
    assert entry["summary"] == [] and entry["marks"] is False  # not checked: nothing to mark
    assert GOOD in render_html(_digest([entry]))


def test_a_schema_2_briefing_without_its_support_is_not_read_as_unchecked(tmp_path):
    # Its marks would vanish: the digest lists it as unreadable instead.
    assert _without_support(tmp_path, 2) is None
