"""Hostile text through every field of every page type (issue 20): the nightly digest, the
archive's index, night, article, story, watchlist and search pages, and the evaluation
report. Each text field carries markup, an attribute break-out and the right-to-left override
and a zero-width space; each URL field ``javascript:``. The pages show the text, escaped
(the exact strings are asserted), never the markup, and no ``javascript:`` reaches a link."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from pipeline.archive import build_archive
from pipeline.archive.pages import search_page
from pipeline.nightly.render_html import render_html
from tests.test_archive_browser_data import write_synthetic_archive
from tests.test_eval_cli import base_args, corpus, run  # noqa: F401

TEXT = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\u202eevil\u200bzw'
# The same text as every page writes it: markup escaped, quotes as character references, the
# override shown as a visible escape, the zero-width space kept.
SHOWN = ("&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
         "\\u202eevil\u200bzw")
JS_URL = "javascript:alert(1)"

URL_KEYS = {"url"}
# Fields the pages use for structure, not text: kept as they are.
KEEP = {"lang", "kind", "status", "key", "file", "processed_at", "policy", "backend",
        "revision", "schema_version", "night", "date", "dates", "generated_at", "run_id"}
ID_KEYS = {"id", "lead", "articles", "group", "article", "events", "source"}
# The briefing record's closed vocabularies: a file with another value there is refused
# whole (tests/test_briefing_record.py), so its text never reaches a page at all.
RECORD_ENUMS = {"support", "consistency", "matched_in"}


class Hostile:
    """Replaces every text field of a document with ``<tag>`` + TEXT; remembers the tags."""

    def __init__(self, ids: bool) -> None:
        self.fields: dict[str, str] = {}  # tag -> where
        self.ids: dict[str, str] = {}
        self.hostile_ids = ids
        self.also_keep: set[str] = set()

    def __call__(self, value, where: str = "", key: str = ""):
        if isinstance(value, dict):
            return {k: self(v, f"{where}.{k}", k) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, f"{where}[]", key) for v in value]
        if not isinstance(value, str) or not value:
            return value
        if key in URL_KEYS:
            return JS_URL
        if key in KEEP or key in self.also_keep or (key in ID_KEYS and not self.hostile_ids):
            return value
        if key in ID_KEYS:
            return self.ids.setdefault(value, f"I{len(self.ids)}{TEXT}")
        tag = f"F{len(self.fields)}x"
        self.fields[tag] = where
        return tag + TEXT


class _Links(HTMLParser):
    """Every link target and every ``<script>``/``<img>`` element of a page (decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.targets += [v or "" for k, v in attrs if k in ("href", "src", "action")]


def assert_safe(page: str, scripts: int = 0) -> None:
    """No markup from the data, no ``javascript:`` link, no raw override."""
    parser = _Links()
    parser.feed(page)
    assert parser.tags.count("script") == scripts and "img" not in parser.tags
    assert "<script>alert" not in page and "<img" not in page
    assert not [t for t in parser.targets if re.sub(r"[\s\x00-\x1f]", "", t).lower()
                .startswith(("javascript:", "data:", "vbscript:"))]
    assert "javascript:" not in page
    assert "\u202e" not in page


def assert_shown(page: str, hostile: Hostile, not_here: set[str] = frozenset()) -> None:
    """Every field (but those the page does not show) appears as SHOWN, exactly."""
    shown = {where for tag, where in hostile.fields.items() if f"{tag}{SHOWN}" in page}
    missing = set(hostile.fields.values()) - shown
    assert missing == set(not_here), (sorted(missing - set(not_here)),
                                      sorted(set(not_here) - missing))


# -- the nightly digest --------------------------------------------------------------------


def _full_digest(tmp_path: Path) -> dict:
    """A digest with every section: stories, watch hits, support, teasers, failures."""
    out = write_synthetic_archive(tmp_path / "src")
    digest = json.loads((out / "2025-03-14" / "digest.json").read_text("utf-8"))
    lead = digest["articles"][0]
    lead.update(unsupported_claims=2, teaser={"reason": "paywall", "words": "40"},
                support_notice="none")
    lead["summary"][0].update(support="partial", unsupported=[{"text": "Antwerp",
                                                               "label": "GPE"}])
    digest["articles"][1].update(summary=[], support_notice="Nothing could be checked.")
    digest["groups"][0]["related"] = [{"group": digest["groups"][1]["id"], "score": 0.3}]
    digest["failed"] = [{"id": "f1", "url": "https://x.example/f", "reason": "too-short",
                         "message": "only three words", "attempt": 1, "max_attempts": 3,
                         "will_retry": True, "status_now": "failed"}]
    digest["run"].update(source_errors=[{"source": "feed-a", "message": "timed out"}],
                         source_warnings=[{"source": "feed-b", "message": "two items bad"}],
                         exhausted_keys=["desk/old"])
    digest["delivery"] = [{"message": "morning mail", "sent": False, "error": "refused"}]
    digest["support"] = {"unsupported_claims": 2, "briefings_with_unsupported": 1}
    digest["counts"].update(teasers=1)
    digest["models"] = {"translator": {"id": "opus-mt"}}
    digest["pipeline_version"] = "0.1"
    return digest


def _claims_over_whole_sentences(digest: dict) -> None:
    # Marks on the whole (hostile) sentence and matches over the whole hit sentence.
    for article in digest["articles"]:
        for sentence in article["summary"]:
            sentence["claims"] = [{"text": sentence["en"], "start": 0,
                                   "end": len(sentence["en"]), "supported": False}]
    for entry in digest["watched"]:
        for hit in entry["hits"]:
            hit["matched"] = hit[hit["lang"]]


# What a story record holds for its own use and the pages do not show.
STORY_INTERNAL = {".groups[].story.articles[].outlet", ".groups[].story.articles[].title_en",
                  ".groups[].story.event", ".groups[].story.inputs",
                  ".groups[].story.figures[].values[].en", ".groups[].story.figures[].values[].nl"}


def test_digest_page_shows_every_field_escaped(tmp_path):
    hostile = Hostile(ids=True)
    digest = hostile(_full_digest(tmp_path))
    _claims_over_whole_sentences(digest)
    page = render_html(digest)
    assert_safe(page)
    assert_shown(page, hostile, not_here=STORY_INTERNAL | {
        ".articles[].briefing_en",  # shown sentence by sentence
        ".failed[].status_now", ".watched[].hits[].watchlist",  # bookkeeping
        ".watched[].hits[].matched",  # replaced by the whole sentence above
    })
    # The exact forms in attributes, marks and in-page links.
    assert re.search(rf'<article class="event" id="I\d+{re.escape(SHOWN)}">', page)
    assert re.search(rf'<a href="#I\d+{re.escape(SHOWN)}">F\d+x{re.escape(SHOWN)}</a>', page)
    assert ('<mark class="unsupported" title="Not found in the article, or named twice in '
            'two roles">F') in page
    assert '<span class="badge teaser" title="F' in page
    assert 'data-support="F' in page and '<li class="warn">not delivered: F' in page


# -- the archive ---------------------------------------------------------------------------


def _hostile_archive(tmp_path: Path) -> tuple[Path, Hostile]:
    out = write_synthetic_archive(tmp_path / "out")
    hostile = Hostile(ids=False)  # ids name files: tests/hostile/test_archive.py has those
    for path in sorted(out.glob("*/*.json")):
        data = json.loads(path.read_text("utf-8"))
        if path.name.startswith("story-"):
            continue  # the nightly's own story records: the digest carries the stories
        if path.name != "digest.json":
            # The sentences keep their words (the stories link on them) and gain the text.
            sentences = [dict(s, en=s["en"] + " " + TEXT, nl=s["nl"] + " " + TEXT)
                         for s in data["sentences"]]
            hostile.also_keep = RECORD_ENUMS
            data = hostile({k: v for k, v in data.items() if k != "sentences"})
            hostile.also_keep = set()
            data["sentences"] = sentences
            data["models"] = {"translator": {"id": "F-model" + TEXT, "revision": TEXT}}
        else:
            data = hostile(data)
            for entry in data["articles"]:
                entry["watch"] = ["Kruisdorp" + TEXT]
        path.write_text(json.dumps(data), encoding="utf-8")
    return out, hostile


def test_archive_pages_show_every_field_escaped(tmp_path):
    out, hostile = _hostile_archive(tmp_path)
    result = build_archive(out, search=False)
    assert result.nights == 3 and not result.warnings
    pages = {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.html")
             if p.name != "digest.html"}
    assert {"index.html", "search.html", "2025-03-14/index.html",
            "2025-03-14/articles/dike-breach-ha.html"} <= set(pages)
    story = [v for k, v in pages.items() if k.startswith("stories/")]
    watch = [v for k, v in pages.items() if k.startswith("watch/")]
    assert story and watch, sorted(pages)
    for name, page in pages.items():
        try:
            assert_safe(page)
        except AssertionError as error:
            raise AssertionError(name) from error
    assert_shown("".join(pages.values()), hostile, not_here=STORY_INTERNAL | {
        # on the digest page and in the JSON, not on the archive's pages
        ".articles[].briefing_en", ".articles[].summary[].en", ".briefing_en",
        ".articles[].summary[].evidence[].en", ".articles[].summary[].evidence[].nl",
        ".translation_en", ".pipeline_version", ".watched[].hits[].watchlist",
        ".source_language", ".support.ner.extractor", ".support.ner.name",  # bookkeeping
        ".watched[].hits[].nl",  # the watch page shows the sentence the match was in (English)
        ".title_en", ".summary[].text",  # the digest's title and sentences come first
        # a claim is marked [?] in its sentence (the sentence's own words); the digest lists
        # each with its label
        ".summary[].claims[].text", ".summary[].claims[].label",
        ".summary[].unsupported[].text", ".summary[].unsupported[].label",
    })
    # Each page type, by what it must show.
    article = pages["2025-03-14/articles/dike-breach-ha.html"]
    assert f'<p class="en" lang="en">A dike broke near Kruisdorp on Sunday morning. {SHOWN}</p>' \
        in article
    assert f"<code>F-model{SHOWN}</code>" in article
    assert re.search(r'data-pagefind-filter="outlet">F\d+x‹script›alert\(1\)‹/script›”›'
                     r"‹img src=x onerror=alert\(1\)›\\u202eevil\u200bzw</span>", article)
    assert re.search(rf'<article class="event" id="event-1"><h2><a href="[^"]+">F\d+x'
                     rf"{re.escape(SHOWN)}</a></h2>", pages["2025-03-14/index.html"])
    assert all(re.search(rf"<h1>F\d+x{re.escape(SHOWN)}</h1>", page) for page in story + watch)
    assert re.search(rf'Watched: <a href="watch/[a-z0-9-]+\.html">F\d+x{re.escape(SHOWN)}</a>',
                     pages["index.html"])


def test_search_page_runs_only_the_sites_own_scripts():
    page = search_page(available=True)
    assert_safe(page, scripts=2)
    assert '<script src="pagefind/pagefind-ui.js"></script>' in page
    assert_safe(search_page(available=False))


# -- the evaluation report -----------------------------------------------------------------


def test_eval_report_shows_every_field_escaped(corpus, tmp_path):  # noqa: F811
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text("\n".join(json.dumps(line) for line in [
        {"id": "002_dike", "prediction": f"A dike broke near Antwerp. {TEXT}"},
        {"id": f"only-here{TEXT}", "prediction": f"Gouda {TEXT}"},
    ]) + "\n", encoding="utf-8")
    name = '<script>alert(1)</script>"><img onerror>\u202eevil\u200bzw\x01'
    result = run(*base_args(corpus, "--predictions", f"{name}={predictions}",
                            "--sources", corpus["en"], "--fail-under", "rouge1=0.99"))
    assert result.exit_code == 1, result.output  # the gate fails, the report is written
    page = (corpus["out"] / "report.html").read_text(encoding="utf-8")
    # Still well-formed XML: the control characters (not allowed in XML) are shown as escapes.
    ET.fromstring(page.removeprefix("<!DOCTYPE html>"))
    assert_safe(page)
    shown_name = ("&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img onerror&gt;"
                  "\\u202eevil\u200bzw\\x01")
    assert f"systems: batch, {shown_name}, lead-3</p>" in page
    assert f"<th>{shown_name}</th>" in page  # the systems table
    assert f'class="lab">{shown_name}</text>' in page  # the charts
    assert f"<h3>{shown_name}</h3>" in page and f"<summary>{shown_name}: 1 articles</summary>" in page
    assert f"<li>{shown_name}: 1 prediction id(s) without a reference: only-here{SHOWN}</li>" \
        in page
    # The sentence view marks the claims inside the escaped text.
    mark = '<mark class="unsup">1 [?]</mark>'
    assert (f"<td>&lt;script&gt;alert({mark})&lt;/script&gt;&#34;&gt;&lt;img src=x "
            f"onerror=alert({mark})&gt;\\u202eevil\u200bzw</td>") in page
