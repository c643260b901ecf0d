"""The reader's archive built by real nightly runs on the tiny models: every page exists and
every link resolves, stories link across nights, the night's totals survive a re-run, the
exports parse, files follow the umask, and a run with nothing new loads no model library."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from pipeline.archive import build_archive, pages
from pipeline.archive import site as archive_site
from pipeline.archive.collect import ArticleRecord
from pipeline.nightly.runner import run_nightly
from pipeline.record.briefing import Briefing
from pipeline.record.marks import NOTE
from tests.conftest import tiny_config
from tests.helpers.records import briefing_record, claim, summary_sentence, support_totals

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "articles"
NIGHT, NEXT_NIGHT = "2025-03-15", "2025-03-16"
OUTLET = "Testkrant"

pytestmark = pytest.mark.slow


def _copy(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SAMPLES / f"{name}.txt", folder / f"{name}.txt")


@pytest.fixture(scope="module")
def archive(tmp_path_factory, tiny_model_dirs):
    """Two nights: the dike breach and house prices, then a second outlet and the follow-up
    on the breach plus an empty file; then the second night re-run with nothing new."""
    root = tmp_path_factory.mktemp("archive")
    desk = root / "desk"
    _copy(desk, "001_dijkdoorbraak_kruiningen", "004_huizenprijzen_2024")
    config = tiny_config(tiny_model_dirs, **{
        "nightly.sources": [str(desk)],
        "nightly.state_url": f"sqlite:///{root / 'state' / 'briefing.sqlite'}",
        "nightly.out_dir": str(root / "out"),
        "nightly.window": 4,
        "nightly.outlets": {str(desk): OUTLET},
        "translation.generation.max_new_tokens": 8,
    })
    events: list[tuple[str, dict]] = []
    first = run_nightly(config, night=NIGHT, on_event=lambda e, f: events.append((e, f)))
    _copy(desk, "002_zeedijk_kruiningen_bezweken", "003_kruiningen_dijk_was_te_zwak")
    (desk / "099_empty.txt").write_text(" date 2025-03 \n", encoding="utf-8")
    second = run_nightly(config, night=NEXT_NIGHT)
    before = json.loads((root / "out" / NEXT_NIGHT / "digest.json").read_text("utf-8"))
    config_path = root / "config.yaml"
    config_path.write_text(yaml.safe_dump(config.model_dump(mode="json")), encoding="utf-8")
    return {"root": root, "out": root / "out", "config": config, "config_path": config_path,
            "first": first, "second": second, "before": before, "events": events}


@pytest.fixture(scope="module")
def rerun(archive):
    """The second night run again in a fresh interpreter: nothing is new."""
    script = (
        "import json, sys\n"
        "from pipeline.core.config import load_config\n"
        "from pipeline.nightly.runner import run_nightly\n"
        f"result = run_nightly(load_config({str(archive['config_path'])!r}), "
        f"night={NEXT_NIGHT!r})\n"
        "print(json.dumps({'models_loaded': result.models_loaded, 'new': result.summary.new,"
        " 'loaded': [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules],"
        " 'archive': str(result.paths.get('archive'))}))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _html_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.html") if "pagefind" not in p.parts]


def _texts(html: str) -> list[str]:
    """The text of every element of a page, decoded (``&amp;`` is ``&``)."""
    texts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = texts.append
    parser.feed(html)
    parser.close()
    return texts


def _as_shown(text: str) -> str:
    """Text as a page shows it: control characters (the tiny models write some) as escapes."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}",
                  text).strip()


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_every_link_resolves_and_every_article_has_a_page(archive, rerun):
    out = archive["out"]
    checked = 0
    for page in _html_files(out):
        for link in _links(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme and not link.startswith("/"), f"{page}: {link} not relative"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.exists(), f"{page.relative_to(out)} links to missing {link}"
            if parts.fragment and target.suffix == ".html":
                assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), link
            checked += 1
    assert checked > 50
    for night in (NIGHT, NEXT_NIGHT):
        briefed = [p for p in (out / night).glob("*.json")
                   if p.name != "digest.json" and not p.name.startswith("story-")]
        assert briefed
        for path in briefed:
            page = out / night / "articles" / f"{path.stem}.html"
            assert page.is_file(), f"no page for {path.name}"


def test_index_lists_nights_newest_first_with_prev_next(archive, rerun):
    out = archive["out"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index(f"{NEXT_NIGHT}/index.html") < index.index(f"{NIGHT}/index.html")
    assert "<script" not in index and "http" not in index.replace('"http', "")
    older = (out / NIGHT / "index.html").read_text(encoding="utf-8")
    newer = (out / NEXT_NIGHT / "index.html").read_text(encoding="utf-8")
    assert f'href="../{NEXT_NIGHT}/index.html" rel="next"' in older
    assert f'href="../{NIGHT}/index.html" rel="prev"' in newer


def test_article_page_shows_briefing_translation_side_by_side_and_provenance(archive, rerun):
    out = archive["out"]
    data = json.loads((out / NIGHT / "001_dijkdoorbraak_kruiningen.json").read_text("utf-8"))
    html = (out / NIGHT / "articles" / "001_dijkdoorbraak_kruiningen.html").read_text("utf-8")
    # One row per aligned sentence (plus the column heading), Dutch and English in each.
    assert html.count('<div class="pair">') == len(data["sentences"])
    first = data["sentences"][0]
    shown = [t.strip() for t in _texts(html)]  # what a reader sees, whatever the escaping
    assert _as_shown(first["nl"]) in shown and _as_shown(first["en"]) in shown
    # The briefing, sentence by sentence, each claim to check marked [?] as in the digest.
    listed = html.split('<ol class="plain">', 1)[1].split("</ol>", 1)[0]
    items = listed.split("<li>")[1:]
    assert ["".join(_texts(item.split('<span class="mark', 1)[0])).replace(" [?]", "").strip()
            for item in items] == [_as_shown(s) for s in data["summary_sentences"] if s]
    to_check = sum(not c["supported"] or c.get("status") == "repeated"
                   for s in data["summary"] for c in s["claims"])
    assert listed.count("</mark>") == to_check
    assert (NOTE in html) == (to_check > 0)
    for caption in data["removed_captions"]:
        assert _as_shown(caption) in shown
    assert data["removed_captions"]  # the sample has captions: the section is not empty
    assert data["models"]["translator"]["id"] in html
    assert 'href="../001_dijkdoorbraak_kruiningen.json"' in html
    assert "data-pagefind-body" in html
    # The outlet configured for the folder, not the file name.
    assert f'data-pagefind-filter="outlet">{OUTLET}<' in html
    assert "001_dijkdoorbraak_kruiningen.txt" not in html


def test_a_continuing_story_links_back_and_has_a_page(archive, rerun):
    out = archive["out"]
    digest = json.loads((out / NEXT_NIGHT / "digest.json").read_text("utf-8"))
    dike = next(g for g in digest["groups"] if "002_zeedijk_kruiningen_bezweken" in g["articles"])
    earlier = json.loads((out / NIGHT / "digest.json").read_text("utf-8"))
    first_dike = next(g for g in earlier["groups"]
                      if "001_dijkdoorbraak_kruiningen" in g["articles"])
    night_page = (out / NEXT_NIGHT / "index.html").read_text("utf-8")
    assert f'Continues <a href="../{NIGHT}/index.html#{first_dike["id"]}">' in night_page
    back = (out / NIGHT / "index.html").read_text("utf-8")
    assert f'Continued by <a href="../{NEXT_NIGHT}/index.html#{dike["id"]}">' in back
    story = out / "stories" / f"{NIGHT}-{first_dike['id']}.html"
    assert story.is_file()
    text = story.read_text("utf-8")
    assert f"../{NIGHT}/index.html#" in text and f"../{NEXT_NIGHT}/index.html#" in text
    # House prices continue nothing.
    prices = next(g for g in earlier["groups"] if "004_huizenprijzen_2024" in g["articles"])
    block = back[back.index(f'id="{prices["id"]}"'):]
    assert "Continued by" not in block[:block.index("</article>")]


def test_night_totals_survive_a_rerun(archive, rerun):
    out = archive["out"]
    assert rerun["new"] == 0 and not rerun["models_loaded"]
    before = archive["before"]["night"]
    after = json.loads((out / NEXT_NIGHT / "digest.json").read_text("utf-8"))["night"]
    assert before["briefed"] == 2 and before["failed"] == 1 and before["runs"] == 1
    assert before["articles"] == 3 and before["date"] == NEXT_NIGHT
    assert after == {**before, "runs": 2}
    assert after["given_up"] == 1  # an empty file fails the same way every run: not retried
    for page in (out / NEXT_NIGHT / "index.html", out / NEXT_NIGHT / "digest.html"):
        html = page.read_text("utf-8")
        totals = html.index("This night: 3 articles, 2 briefed, 1 not briefed, 1 given up; 2 runs.")
        # The latest run's line comes below; the empty file is final, so it is unchanged too.
        assert totals < html.index("This run: 5 unchanged")
    md = (out / NEXT_NIGHT / "digest.md").read_text("utf-8")
    assert "This night: 3 articles, 2 briefed, 1 not briefed, 1 given up; 2 runs." \
        in md


def test_nothing_new_loads_no_model_library(rerun):
    assert rerun["loaded"] == [], f"a run with nothing new imported {rerun['loaded']}"
    assert rerun["archive"].endswith("index.html")


def test_exports_feed_and_csv(archive, rerun):
    out = archive["out"]
    feed = ET.fromstring((out / "feed.xml").read_text("utf-8"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:id", ns).text for e in entries] == [
        f"urn:briefing:night:{NEXT_NIGHT}", f"urn:briefing:night:{NIGHT}"]
    assert entries[0].find("a:link", ns).get("href") == f"{NEXT_NIGHT}/index.html"
    rows = list(csv.DictReader(io.StringIO((out / NIGHT / "articles.csv").read_text("utf-8"))))
    digest = json.loads((out / NIGHT / "digest.json").read_text("utf-8"))
    assert sorted(r["id"] for r in rows) == sorted(a["id"] for a in digest["articles"])
    assert {r["outlet"] for r in rows} == {OUTLET}
    assert all((out / NIGHT / r["page"]).is_file() and (out / NIGHT / r["json"]).is_file()
               for r in rows)


def test_search_index_built_and_marked(archive, rerun):
    out = archive["out"]
    if archive_site.pagefind_binary() is None:
        pytest.skip("pagefind[bin] is not installed")
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    assert "PagefindUI" in (out / "search.html").read_text("utf-8")
    assert any(e == "archive.built" and f["search"] == "ok" for e, f in archive["events"])


def _fresh_copy(out: Path, target: Path) -> Path:
    """The nights' digests and article JSON only: the site is built from scratch."""
    for night in (NIGHT, NEXT_NIGHT):
        (target / night).mkdir(parents=True)
        for path in (out / night).glob("*.json"):
            shutil.copyfile(path, target / night / path.name)
    return target


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_site_files_follow_the_umask(archive, rerun, tmp_path, umask):
    site = _fresh_copy(archive["out"], tmp_path / "site")
    old = os.umask(umask)
    try:
        result = build_archive(site)
    finally:
        os.umask(old)
    mine = [p for p in site.rglob("*")
            if p.is_file() and (p.suffix != ".json" or "pagefind" in p.parts)]
    assert len(mine) >= result.written > 0
    for path in mine:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    made = [p for p in site.rglob("*")  # the night folders come from the copy above
            if p.is_dir() and (p.name in ("articles", "stories") or "pagefind" in p.parts)]
    assert len(made) >= 3
    for folder in made:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder


def test_without_pagefind_the_site_builds_and_says_so(archive, rerun, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_site, "pagefind_binary", lambda: None)
    monkeypatch.setattr("pipeline.archive.search.pagefind_binary", lambda: None)
    site = _fresh_copy(archive["out"], tmp_path / "site")
    result = build_archive(site)
    assert result.search_error and "not installed" in result.search_error
    assert "Search is unavailable" in (site / "search.html").read_text("utf-8")
    assert "Search unavailable" in (site / "index.html").read_text("utf-8")
    assert not (site / "pagefind").exists()
    assert (site / NIGHT / "articles" / "001_dijkdoorbraak_kruiningen.html").is_file()


def test_a_rebuild_with_nothing_changed_rewrites_nothing(archive, rerun):
    result = build_archive(archive["out"])
    assert result.written == 0 and result.unchanged > 0 and result.removed == 0
    assert result.rendered_nights == 0 and result.linked_nights == 0


def test_a_changed_night_is_the_only_one_linked_and_rendered_again(archive, rerun):
    out = archive["out"]
    digest_path = out / NEXT_NIGHT / "digest.json"
    digest = json.loads(digest_path.read_text("utf-8"))
    digest["groups"][0]["headline"] = "A new headline"
    digest_path.write_text(json.dumps(digest), encoding="utf-8")
    result = build_archive(out)
    assert result.linked_nights == 1  # the earlier night's links come from the cache
    # The earlier night shows the later event's headline ("Continued by"): rendered too.
    assert result.rendered_nights == 2
    assert "A new headline" in (out / NIGHT / "index.html").read_text("utf-8")
    fresh = _fresh_copy(out, out.parent / "fresh")
    build_archive(fresh, search=False)  # no caches: the same stories
    assert sorted(p.name for p in (fresh / "stories").iterdir()) == \
        sorted(p.name for p in (out / "stories").iterdir())


def test_support_marks_render_when_present_and_are_ignored_when_absent():
    entry = {"id": "a1", "summary": [{"en": "One.", "evidence": []}]}
    plain = ArticleRecord(night=NIGHT, entry=entry, preloaded=Briefing.from_dict(
        briefing_record("a1", ["One.", "Two."])))
    assert pages.claims(plain) == [("One.", None, None), ("Two.", None, None)]
    assert "mark" not in pages.briefing_list(plain)
    summary = [summary_sentence("One.", []) | {"support": "supported"},
               summary_sentence("Two.", []) | {"support": "unsupported"}]
    marked = ArticleRecord(night=NIGHT, entry=entry, preloaded=Briefing.from_dict(
        briefing_record("a1", ["One.", "Two."], summary=summary,
                        support=support_totals(summary))))
    html = pages.briefing_list(marked)
    assert '<span class="mark supported">supported</span>' in html
    assert '<span class="mark unsupported">unsupported</span>' in html
    assert "[?]" not in html and NOTE not in html  # no claim to mark: no note either


@pytest.mark.parametrize(("policy", "shown"), [("flag", True), ("keep", False)])
def test_the_archive_marks_each_claim_to_check_as_the_digest_does(policy, shown):
    """The article page marks the very claim with [?], as digest.html does, and says once
    what the marks mean; under the ``keep`` policy readers see no marks."""
    first, second = "Jan Smit leads.", "The 12 ships left Rotterdam."
    summary = [summary_sentence(first, [claim(first, "Jan Smit", "PERSON", supported=True)]),
               summary_sentence(second, [claim(second, "12", "CARDINAL", supported=True),
                                         claim(second, "Rotterdam", "GPE", supported=False)])]
    record = ArticleRecord(night=NIGHT, entry={"id": "a1"}, preloaded=Briefing.from_dict(
        briefing_record("a1", [first, second], summary=summary,
                        support=support_totals(summary, policy=policy))))
    html = pages.briefing_list(record)
    assert ("Rotterdam [?]</mark>" in html) is shown
    assert html.count("</mark>") == (1 if shown else 0)  # "Jan Smit" and "12" were found
    assert (NOTE in html) is shown


def test_outlets_map_folders_files_and_sources(tmp_path):
    from pipeline.ingest.outlets import outlet_for, source_name

    desk = tmp_path / "desk"
    outlets = {str(desk): "Haven Dagblad", str(desk / "kust"): "Kustkrant", "wire": "ANP"}
    assert outlet_for([str(desk / "a.txt")], outlets) == "Haven Dagblad"
    assert outlet_for([str(desk / "kust" / "b.txt")], outlets) == "Kustkrant"  # longest wins
    assert outlet_for([str(tmp_path / "in" / "wire" / "c.jsonl")], outlets) == "ANP"
    assert outlet_for([str(tmp_path / "other.txt")], outlets) is None
    assert outlet_for([None, str(desk)], outlets) == "Haven Dagblad"  # the configured source
    # A feed's own title is kept; a file without a mapping falls back to its name.
    assert source_name({"id": "x", "source": "Voorbeeldkrant"}, outlets) == "Voorbeeldkrant"
    assert source_name({"id": "x", "source": str(desk / "a.txt")}, outlets) == "Haven Dagblad"
    assert source_name({"id": "x", "source": str(tmp_path / "z.txt")}, outlets) == "z.txt"


def test_the_build_cache_follows_the_templates_not_the_python_source(tmp_path, monkeypatch):
    from tests.test_archive_browser_data import write_synthetic_archive

    out = write_synthetic_archive(tmp_path / "out")
    assert build_archive(out, search=False).rendered_nights == 3
    assert build_archive(out, search=False).rendered_nights == 0
    # A changed template or stylesheet renders every night again, with the new markup.
    monkeypatch.setattr(archive_site, "assets_digest", lambda: "templates changed")
    assert build_archive(out, search=False).rendered_nights == 3
    assert build_archive(out, search=False).rendered_nights == 0
    # The Python source is not the key: a module read from elsewhere changes nothing.
    monkeypatch.setattr(Path, "read_bytes", lambda self: b"other source")
    assert build_archive(out, search=False).rendered_nights == 0
