"""Stored XSS on the archive's search page (issue 18): an outlet name, a title or an article
sentence from a feed is markup-like text; Pagefind indexes the decoded text and its UI renders
filter labels, titles and excerpts as HTML. Nothing from the data may run on search.html.

A real browser (Playwright + Debian's Chromium, as tests/test_archive_browser.py) types a
query with ``window.alert`` hooked; skips, saying why, without them or without Pagefind.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.archive import build_archive
from tests.test_archive_browser import _browser_or_skip, serving
from tests.test_archive_browser_data import write_synthetic_archive

pytestmark = pytest.mark.slow

NIGHT = "2025-03-14"
ARTICLE = "house-prices"
PAYLOADS = {
    "outlet": "<img src=x onerror=alert('outlet')>",
    "title": "Prices <img src=x onerror=alert('title')> & \"rents\"",
    "sentence": "House prices <img src=x onerror=alert('sentence')> rose.",
    "night-title": "<script>alert('nl')</script>",
}


def _hostile_archive(out: Path) -> Path:
    write_synthetic_archive(out)
    digest_path = out / NIGHT / "digest.json"
    digest = json.loads(digest_path.read_text(encoding="utf-8"))
    for entry in digest["articles"]:
        if entry["id"] == ARTICLE:
            entry.update(source_name=PAYLOADS["outlet"], source=PAYLOADS["outlet"],
                         title_en=PAYLOADS["title"], title_nl=PAYLOADS["night-title"])
    digest_path.write_text(json.dumps(digest), encoding="utf-8")
    article_path = out / NIGHT / f"{ARTICLE}.json"
    data = json.loads(article_path.read_text(encoding="utf-8"))
    data["sentences"][0]["en"] = PAYLOADS["sentence"]
    data["source"] = PAYLOADS["outlet"]
    article_path.write_text(json.dumps(data), encoding="utf-8")
    return out


class _IndexFields(HTMLParser):
    """The decoded text Pagefind takes from ``data-pagefind-filter`` / ``-meta`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]] | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("data-pagefind-filter") or attrs.get("data-pagefind-meta")
        if key and ":" in key:  # the value is in the attribute itself
            self.fields.append((key, key.split(":", 1)[1]))
            key = None
        if tag not in ("img", "br", "meta", "link", "input"):
            self._open.append((key, []) if key else None)

    def handle_endtag(self, tag):
        if self._open:
            item = self._open.pop()
            if item is not None:
                self.fields.append((item[0], "".join(item[1])))

    def handle_data(self, data):
        for item in self._open:
            if item is not None:
                item[1].append(data)


def test_index_fields_of_an_article_page_hold_no_markup(tmp_path):
    out = _hostile_archive(tmp_path / "out")
    build_archive(out, search=False)
    page = (out / NIGHT / "articles" / f"{ARTICLE}.html").read_text(encoding="utf-8")
    parser = _IndexFields()
    parser.feed(page)
    fields = dict(parser.fields)
    assert {"outlet", "title", "night"} <= set(fields), fields
    for key, value in parser.fields:
        assert not set(value) & set("<>&\"'"), (key, value)
    # The page itself still shows the text as written, escaped.
    assert ">&lt;img src=x onerror=alert(&#39;outlet&#39;)&gt;<" in page
    assert ">Prices &lt;img src=x onerror=alert(&#39;title&#39;)&gt; &amp; &#34;rents&#34;</h1>" \
        in page


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    out = _hostile_archive(tmp_path_factory.mktemp("hostile-browser") / "out")
    result = build_archive(out)
    if result.search_error:
        pytest.skip(f"no search index: {result.search_error}")
    with serving(out) as base:
        yield base


HOOK = """
window.__alerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__alerts.push(String(message)); };
}
"""
INJECTED = "#search img, #search script, #search [onerror], #search iframe"


@pytest.mark.parametrize("query", ["prices", "rents", "kruisdorp"])
def test_markup_in_the_data_never_runs_on_the_search_page(hostile_site, query):
    sync_playwright, executable = _browser_or_skip()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable,
                                                 chromium_sandbox=False)
        except Exception as exc:  # noqa: BLE001 - an unusable browser is a skip, said why
            pytest.skip(f"Chromium at {executable} does not start under Playwright: {exc}")
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(HOOK)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(hostile_site + "search.html")
        page.locator(".pagefind-ui__search-input").fill(query)
        page.locator(".pagefind-ui__result").first.wait_for(timeout=15_000)
        # Show every filter value (Pagefind renders the labels as HTML).
        page.locator(".pagefind-ui__filter-name").first.wait_for(timeout=15_000)
        page.evaluate("document.querySelectorAll('#search details').forEach(d => d.open = true)")
        page.locator(".pagefind-ui__filter-value").first.wait_for(timeout=15_000)
        injected = page.evaluate(f"document.querySelectorAll({INJECTED!r}).length")
        titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
        labels = page.locator(".pagefind-ui__filter-label").all_inner_texts()
        alerts = page.evaluate("window.__alerts")
        browser.close()
    assert injected == 0 and not alerts and not dialogs, (injected, alerts, dialogs)
    # The fields are still there, as text: the outlet filter and the title of the result.
    assert any(label.startswith("‹img src=x onerror=alert(’outlet’)› (") for label in labels), labels
    if query != "kruisdorp":
        assert "Prices ‹img src=x onerror=alert(’title’)› ＆ ”rents”" in titles, titles
