"""The evaluation report shows, per system, which claims of which sentence failed."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.test_eval_cli import base_args, corpus, load_report, run, system  # noqa: F401


class _Marks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.marks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "mark" and ("class", "unsup") in attrs:
            self.depth += 1
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "mark" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.marks[-1] += data


def test_report_lists_sentences_with_claims_not_in_the_article(corpus):  # noqa: F811
    result = run(*base_args(corpus, "--sources", corpus["nl"], "--sources", corpus["en"]))
    assert result.exit_code == 0, result.output
    articles = {a["id"]: a for a in system(load_report(corpus), "batch")["articles"]}
    dike = articles["002_dike"]["sentences"]
    assert [s["support"] for s in dike] == ["supported", "partial"]
    assert [u["text"] for u in dike[1]["unsupported"]] == ["Antwerp"]
    strike = articles["001_strike"]["sentences"]
    # Dutch-only and alias spellings are found: nothing in the strike briefing fails.
    assert strike and all(not s["unsupported"] for s in strike)
    assert articles["003_empty"]["sentences"] == []
    md = (corpus["out"] / "report.md").read_text(encoding="utf-8")
    assert "## Sentences with claims to check: batch" in md
    assert "| 002\\_dike | 2 | About 1,200 people were evacuated to **Antwerp** \\[?\\]. |" in md
    parser = _Marks()
    parser.feed((corpus["out"] / "report.html").read_text(encoding="utf-8"))
    assert "Antwerp [?]" in parser.marks


def test_no_sources_no_sentence_view(corpus):  # noqa: F811
    assert run(*base_args(corpus)).exit_code == 0
    articles = system(load_report(corpus), "batch")["articles"]
    assert all(a["sentences"] == [] for a in articles)
    assert "Sentences with claims to check" not in (
        corpus["out"] / "report.md").read_text(encoding="utf-8")
