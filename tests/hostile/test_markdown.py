"""Hostile values in every Markdown output: rendered by an ordinary CommonMark renderer
(raw HTML allowed, links not filtered), no script, event handler or non-http link survives."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from pipeline.batch.digest_md import render_digest_md
from pipeline.core.errors import ArticleError
from pipeline.core.markdown import code, link, text
from pipeline.nightly.render_md import render_md
from pipeline.record.briefing import Briefing

markdown_it = pytest.importorskip("markdown_it")

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
JS_URL = "javascript:alert(3)"
HOSTILE = f"{SCRIPT} {IMG} [click]({JS_URL}) `x` *b* <a href=\"{JS_URL}\">a</a>"


def render(markdown: str) -> str:
    """What a permissive renderer (a wiki, a README viewer without sanitising) produces."""
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    renderer.validateLink = lambda _url: True  # the renderer does not filter links itself
    return renderer.render(markdown)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "iframe", "object", "embed", "a"} or (
            tag == "a" and attrs.get("href", "").lower().startswith(("http://", "https://"))
        ), (tag, attrs)
        assert not [name for name in attrs if name.lower().startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


def test_helpers_render_text_as_written():
    html = render(f"# {text(HOSTILE)}\n\n- {text('- 1. # not a list')}\n\n{code('a`b<c>')}\n")
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "*b*" in html
    assert "- 1. # not a list" in html and "a`b&lt;c&gt;" in html


def test_link_allows_only_http():
    assert render(link("ok", "https://example.org/a b\"c")).count("<a ") == 1
    for url in (JS_URL, " JavaScript:alert(1)", "data:text/html,<script>x</script>",
                "/etc/passwd", "vbscript:x"):
        html = render(link("title", url))
        assert "<a " not in html, url
        assert_inert(html)


def _digest(url: str) -> dict:
    article = {"id": f"id-{SCRIPT}", "title_en": HOSTILE, "briefing_en": HOSTILE, "url": url,
               "source_name": IMG}
    return {
        "night": "2025-03-15", "counts": {"articles": 1, "events": 1, "failed": 1},
        "run": {"new": 1, "source_errors": [{"source": SCRIPT, "message": IMG}],
                "exhausted_keys": [f"`{SCRIPT}"]},
        "articles": [article],
        "groups": [{"id": "event-1", "headline": HOSTILE, "lead": article["id"],
                    "articles": [article["id"]], "dates": ["2025-03-15"], "entities": [SCRIPT],
                    "sources": [{"name": IMG, "title": HOSTILE, "url": url, "id": article["id"]}],
                    "related": []}],
        "failed": [{"id": f"x` {SCRIPT}", "reason": IMG, "message": HOSTILE, "attempt": 1,
                    "max_attempts": 3, "will_retry": True, "status_now": "failed"}],
    }


def test_nightly_digest_md_is_inert():
    markdown = render_md(_digest(JS_URL))
    html = render(markdown)
    assert_inert(html)
    assert "&lt;script&gt;" in html


def test_nightly_digest_md_links_http_sources():
    html = render(render_md(_digest("https://krant.example/a?b=1&c=(2)")))
    assert_inert(html)
    assert 'href="https://krant.example/a?b=1&amp;c=%282%29"' in html


def _briefing(**values) -> Briefing:
    fields = {"id": "a", "date": "2025-03-15", "source": "x.txt", "url": None, "title_nl": None,
              "title_en": "t", "summary_sentences": [], "sentences": [], "source_language": "nl",
              "language_confidence": 1.0, "removed_captions": [], "models": {},
              "summary_info": {}, "timings": {}}
    fields.update(values)
    return Briefing(**fields)


def test_batch_digest_md_is_inert():
    briefings = [_briefing(id=f"id{IMG}", title_en=HOSTILE, url=JS_URL, date=SCRIPT),
                 _briefing(id="b", title_en="ok", source=HOSTILE)]
    briefings[0].summary_sentences.append(HOSTILE)
    errors = [ArticleError(HOSTILE, reason=SCRIPT, origin=IMG, article_id=f"`{SCRIPT}")]
    html = render(render_digest_md(briefings, errors))
    assert_inert(html)
    assert "&lt;script&gt;" in html


def test_eval_report_md_is_inert(tmp_path):
    from pipeline.cli import app

    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "a.txt").write_text("The dike broke near Kruiningen.", encoding="utf-8")
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(json.dumps(r) for r in (
        {"id": "a", "prediction": "A dike broke near Kruiningen."},
        {"id": f"{IMG}{SCRIPT}", "prediction": "x"})) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", "--predictions", f"<script>x</script><b onclick>={preds}",
                                      "--references", str(refs), "--out", str(out),
                                      "--no-spacy", "--bootstrap-samples", "10"])
    assert result.exit_code == 0, result.output
    html = render((out / "report.md").read_text(encoding="utf-8"))
    assert_inert(html)
    assert "&lt;script&gt;x&lt;/script&gt;" in html
