"""The archive in a real browser: Playwright driving Debian's Chromium opens the index,
follows a night, an article and a search, at laptop (1280x800) and phone (390x844) widths,
and checks that nothing is cut off (no horizontal overflow).

Skips, saying why, when Playwright or Chromium is missing (``pip install playwright``;
``apt-get install chromium``; Playwright's own browser download is never used). Set
``ARCHIVE_SCREENSHOTS=DIR`` to keep the screenshots (docs/archive.md's come from here).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.archive import build_archive

pytestmark = pytest.mark.slow

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install playwright); structure tests "
                    "cover the site without a browser")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); Playwright is "
                    "pointed at the system browser and never downloads one")
    return sync_playwright, executable


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.test_archive_browser_data import write_synthetic_archive

    out = write_synthetic_archive(tmp_path_factory.mktemp("browser") / "out")
    result = build_archive(out)
    return out, result


@contextlib.contextmanager
def serving(folder: Path):
    """``folder`` served over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def server(site):
    out, _ = site
    with serving(out) as base:
        yield base


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def browser():
    sync_playwright, executable = _browser_or_skip()
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable,
                                                  chromium_sandbox=False)
        except Exception as exc:  # noqa: BLE001 - an unusable browser is a skip, said why
            pytest.skip(f"Chromium at {executable} does not start under Playwright: {exc}")
        yield launched
        launched.close()


def _shots() -> Path | None:
    folder = os.environ.get("ARCHIVE_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def _check(page, name: str, viewport: str) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate(NO_OVERFLOW), f"{name} at {viewport}: content wider than the screen"
    shots = _shots()
    if shots is not None:
        page.screenshot(path=str(shots / f"{name}-{viewport}.png"))


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_index_night_article_and_search(browser, server, site, viewport):
    out, result = site
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "index.html")
    assert page.locator("h1").inner_text() == "Archive"
    nights = page.locator("ol.nights > li h2 a").all_inner_texts()
    assert nights == sorted(nights, reverse=True) and len(nights) == 3
    _check(page, "index", viewport)

    page.locator("ol.nights > li h2 a", has_text="2025-03-15").click()
    assert page.url.endswith("2025-03-15/index.html")
    assert "This night: 1 article, 1 briefed" in page.locator("header").inner_text()
    assert page.locator("a[rel=prev]").first.is_visible() and \
        page.locator("a[rel=next]").first.is_visible()
    continues = page.locator(".continuity a", has_text="Dike breach")
    assert continues.count() >= 1
    _check(page, "night", viewport)

    # The event of two outlets: its story first, the disagreement in the open.
    for url in ("2025-03-14/index.html", "2025-03-14/digest.html"):
        page.goto(server + url)
        event = page.locator("article.event", has_text="Kustkrant").first
        story = event.locator("section.story")
        assert story.is_visible()
        disagree = story.locator(".who-row.disagree")
        assert disagree.count() == 1 and disagree.is_visible()
        assert "people injured" in disagree.inner_text()
        assert "police" in disagree.inner_text() and "fire brigade" in disagree.inner_text()
        lead = event.locator("ol.briefing, ol.plain").first.bounding_box()
        box = story.bounding_box()
        assert box["y"] < lead["y"]  # the story comes before the outlets' own briefings
        _check(page, "story-" + url.split("/")[1].split(".")[0], viewport)
    # The digest opens with the watchlist; the archive has its page, linked from the index.
    page.goto(server + "2025-03-14/digest.html")
    watched = page.locator("section.watched")
    assert watched.is_visible() and "Kruisdorp" in watched.locator("h2").nth(1).inner_text()
    assert watched.bounding_box()["y"] < page.locator("article.event").first.bounding_box()["y"]
    assert watched.locator("mark.watch").first.is_visible()
    _check(page, "watched-digest", viewport)
    page.goto(server + "index.html")
    page.locator("a", has_text="Kruisdorp").first.click()
    assert page.url.endswith("watch/kruisdorp.html")
    assert page.locator("ul.hits > li").count() >= 3  # the three Kruisdorp articles
    page.locator("ul.hits > li a").first.click()
    assert "/articles/" in page.url
    page.goto(server + "watch/kruisdorp.html")
    _check(page, "watch-page", viewport)
    page.goto(server + "2025-03-15/index.html")

    page.locator("article.event h2 a").first.click()
    assert "/2025-03-15/articles/dike-inquiry.html" in page.url
    assert page.locator(".aligned .pair").count() == 3 + 1  # column heading + 3 sentences
    assert page.locator(".aligned p[lang=nl]").first.is_visible()
    _check(page, "article", viewport)
    page.goto(server + "2025-03-14/articles/dike-breach-ha.html")
    assert page.locator(".mark.partial").count() == 1  # per-claim support, when present
    marked = page.locator("ol.plain mark.unsupported")  # the claim itself, as in the digest
    assert marked.count() == 1 and marked.is_visible()
    assert marked.inner_text() == "Marieke Zandvoort [?]"
    assert page.locator("p.note", has_text="[?]").is_visible()
    _check(page, "article-marks", viewport)

    if result.search_error:
        pytest.skip(f"no search index: {result.search_error}")
    page.goto(server + "search.html")
    page.locator(".pagefind-ui__search-input").fill("evacuated")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=15_000)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert any("Kruisdorp" in t for t in titles), titles
    _check(page, "search", viewport)
    first.click()
    page.wait_for_load_state("load")
    assert "/articles/" in page.url and page.locator(".aligned").count() == 1
    assert not errors, errors
    context.close()


def test_pages_work_from_file_urls_and_search_says_to_serve(browser, site):
    out, result = site
    context = browser.new_context(viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    page.locator("ol.nights > li h2 a", has_text="2025-03-14").click()
    page.locator("article.event h2 a").first.click()
    assert page.url.startswith("file://") and page.url.endswith("dike-breach-ha.html")
    assert page.locator(".aligned .pair").count() == 5 + 1  # column heading + 5 sentences
    if not result.search_error:
        page.goto((out / "search.html").as_uri())
        # Chromium does not let a file:// page fetch its folder: the page says to serve it.
        assert page.locator("#file-note").is_visible()
        assert "http.server" in page.locator("#file-note").inner_text()
    context.close()


def test_dark_mode_follows_the_system(browser, site):
    out, _ = site
    context = browser.new_context(viewport=VIEWPORTS["phone"], color_scheme="dark")
    page = context.new_page()
    page.goto((out / "2025-03-14" / "articles" / "dike-breach-ha.html").as_uri())
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 3 * 64, background
    assert page.evaluate(NO_OVERFLOW)
    context.close()
