"""Watchlists: the one matcher finds a desk's names and terms in Dutch and English, the
digest opens with them, and `briefing watch` lists them in any output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.config import Watchlist
from pipeline.core.errors import ConfigError
from pipeline.watch.lists import read_watch_file, watchlists
from pipeline.watch.match import WatchMatcher

runner = CliRunner()
SENTENCES = [
    ("Washington struck back on Friday.", "De VS sloegen vrijdag terug."),
    ("Kaitab Hezbollah denied any role.", "Kaitab Hezbollah ontkende elke rol."),
    ("Nitrogen rules were tightened in The Hague.", "De stikstofregels werden in Den Haag "
     "aangescherpt; Stikstof blijft een probleem."),
    ("Haaglanden police closed the road.", "De politie Haaglanden sloot de weg af."),
]


def _hits(*lists: Watchlist):
    return WatchMatcher(list(lists)).hits("a1", SENTENCES)


def test_a_watch_fires_on_aliases_in_both_languages_with_the_text_as_written():
    hits = _hits(Watchlist(name="VS", terms=["United States"]))
    assert [(h.sentence, h.matched, h.lang) for h in hits] == [(0, "VS", "nl")]
    assert hits[0].term == "United States" and hits[0].en.startswith("Washington")
    english = WatchMatcher([Watchlist(name="VS", terms=["VS"])]).hits(
        "a2", [("The US army moved.", "Het Amerikaanse leger trok op.")])
    assert [(h.matched, h.lang) for h in english] == [("US", "en")]


def test_a_spelling_variant_matches_and_aliases_off_means_the_words_as_given():
    assert [h.matched for h in _hits(Watchlist(name="M", terms=["Kataib Hezbollah"]))] == \
        ["Kaitab Hezbollah"]
    assert _hits(Watchlist(name="M", terms=["Kataib Hezbollah"], aliases=False)) == []
    assert _hits(Watchlist(name="X", terms=["United States"], aliases=False)) == []
    exact = _hits(Watchlist(name="X", terms=["VS"], aliases=False))
    assert [(h.sentence, h.matched, h.lang) for h in exact] == [(0, "VS", "nl")]


def test_terms_match_whole_words_and_lower_case_terms_any_case():
    assert [h.sentence for h in _hits(Watchlist(name="H", terms=["Den Haag"]))] == [2]
    stikstof = _hits(Watchlist(name="N", terms=["stikstof"]))
    assert [(h.sentence, h.matched) for h in stikstof] == [(2, "Stikstof")]  # not stikstofregels
    assert _hits(Watchlist(name="U", terms=["us"])) == []  # a lower-case word is not US


def test_watchlist_files_are_checked(tmp_path):
    good = tmp_path / "desk.yaml"
    good.write_text("- {name: Iran, terms: [Iran, Teheran]}\n- name: VS\n  terms: [VS]\n"
                    "  aliases: false\n", encoding="utf-8")
    assert [(w.name, w.terms, w.aliases) for w in read_watch_file(good)] == \
        [("Iran", ["Iran", "Teheran"], True), ("VS", ["VS"], False)]
    bad = tmp_path / "bad.yaml"
    for text, message in [("- {name: Iran, terms: [Iran\n", "not valid YAML at line"),
                          ("name: Iran\n", "must hold a list"),
                          ("- {name: Iran, terms: []}\n", "entry 0.terms"),
                          ("- {name: Iran, terms: [Iran], colour: red}\n", "entry 0.colour")]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            read_watch_file(bad)
    with pytest.raises(ConfigError, match="two watchlists are named 'Iran'"):
        watchlists([Watchlist(name="iran", terms=["x"])], good)


def _briefing_file(folder: Path, article_id: str, sentences) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"schema_version": 2, "pipeline_version": "test", "id": article_id, "date": None,
            "source": "Krant", "url": None, "summary": [], "support": None,
            "title_nl": None, "title_en": "t", "briefing_en": "", "summary_sentences": [],
            "translation_en": " ".join(en for en, _ in sentences),
            "sentences": [{"nl": nl, "en": en, "paragraph": 0} for en, nl in sentences],
            "source_language": "nl", "language_confidence": 1.0, "removed_captions": [],
            "models": {}, "summary_info": {}, "timings": {}}
    (folder / f"{article_id}.json").write_text(json.dumps(data), encoding="utf-8")


def test_briefing_watch_lists_hits_and_its_exit_code_says_whether_there_were_any(tmp_path):
    _briefing_file(tmp_path / "out", "a1", SENTENCES)
    (tmp_path / "out" / "run.json").write_text("{}", encoding="utf-8")
    watch = tmp_path / "watch.yaml"
    watch.write_text("- {name: VS, terms: [United States]}\n- {name: Mars, terms: [Mars]}\n",
                     encoding="utf-8")
    result = runner.invoke(app, ["watch", str(tmp_path / "out"), "--watch", str(watch),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    (hit,) = json.loads(result.stdout)
    assert (hit["watchlist"], hit["article"], hit["matched"], hit["sentence"]) == \
        ("VS", "a1", "VS", 0)
    text = runner.invoke(app, ["watch", str(tmp_path / "out"), "--watch", str(watch)])
    assert text.stdout.splitlines()[0] == "VS\ta1\tsentence 1\tVS\tDe VS sloegen vrijdag terug."
    watch.write_text("- {name: Mars, terms: [Mars]}\n", encoding="utf-8")
    none = runner.invoke(app, ["watch", str(tmp_path / "out"), "--watch", str(watch)])
    assert none.exit_code == 1 and "0 hit(s)" in none.stdout
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    broken = runner.invoke(app, ["watch", str(tmp_path / "broken.json"), str(tmp_path / "out"),
                                 "--watch", str(watch)])
    assert broken.exit_code == 2 and "broken.json" in broken.stderr


@pytest.mark.slow
def test_the_nightly_digest_opens_with_what_the_watchlists_match(tmp_path, tiny_model_dirs):
    from pipeline.nightly.runner import run_nightly
    from tests.test_nightly_runs import NIGHT, SAMPLES, nightly_config

    folder = tmp_path / "desk"
    folder.mkdir()
    for name in ("001_dijkdoorbraak_kruiningen", "004_huizenprijzen_2024"):
        (folder / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "watch": [{"name": "Zeeland", "terms": ["Kruiningen"]},
                  {"name": "Mars", "terms": ["Mars"]}]})
    result = run_nightly(config, night=NIGHT)
    assert result.exit_code == 0
    zeeland, mars = result.digest["watched"]
    assert zeeland["articles"] == ["001_dijkdoorbraak_kruiningen"] and mars["hits"] == []
    assert zeeland["hits"][0]["matched"] == "Kruiningen" and zeeland["hits"][0]["lang"] == "nl"
    assert zeeland["events"] == [zeeland["hits"][0]["group"]]
    night = tmp_path / "out" / NIGHT
    html = (night / "digest.html").read_text(encoding="utf-8")
    assert html.index('<section class="watched"') < html.index('<article class="event"')
    assert '<mark class="watch">Kruiningen</mark>' in html and "Not mentioned tonight." in html
    md = (night / "digest.md").read_text(encoding="utf-8")
    assert md.index("## Watched") < md.index("## ", md.index("## Watched") + 5)


@pytest.mark.slow
def test_the_archive_has_a_page_and_an_atom_feed_per_watchlist(tmp_path, tiny_model_dirs):
    import xml.etree.ElementTree as ET

    from pipeline.archive import build_archive
    from pipeline.nightly.runner import run_nightly
    from tests.test_nightly_runs import NIGHT, SAMPLES, nightly_config

    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "001_dijkdoorbraak_kruiningen.txt").write_bytes(
        (SAMPLES / "001_dijkdoorbraak_kruiningen.txt").read_bytes())
    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "watch": [{"name": "Zeeland <b>", "terms": ["Kruiningen"]}]})
    assert run_nightly(config, night=NIGHT).exit_code == 0
    out = tmp_path / "out"
    build_archive(out, search=False)
    from pipeline.archive.pages import watch_feed_path, watch_path

    page = out / watch_path("Zeeland <b>")
    assert page.name.startswith("zeeland-b-")  # a name with other characters keeps a hash
    html = page.read_text(encoding="utf-8")
    assert "Zeeland &lt;b&gt;" in html and "<b>" not in html.split("<body>")[1]
    assert f'href="../{NIGHT}/articles/001_dijkdoorbraak_kruiningen.html"' in html
    feed = ET.parse(out / watch_feed_path("Zeeland <b>")).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = feed.findall("a:entry", ns)
    link = entry.find("a:link", ns).get("href")
    assert (out / "watch" / link).resolve().is_file()
    assert "Kruiningen" in entry.find("a:summary", ns).text  # the Dutch sentence it was found in
    assert f'href="{watch_path("Zeeland <b>")}"' in (out / "index.html").read_text("utf-8")
    article = (out / NIGHT / "articles" / "001_dijkdoorbraak_kruiningen.html").read_text("utf-8")
    assert 'data-pagefind-filter="watch">Zeeland ‹b›' in article


def test_a_watch_file_that_expands_to_too_many_terms_is_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    terms = ", ".join(f"t{n}" for n in range(2_000))
    bomb.write_text(f"- {{name: w0, terms: &t [{terms}]}}\n"
                    + "".join(f"- {{name: w{n}, terms: *t}}\n" for n in range(1, 10)),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="at most 5000 are searched"):
        read_watch_file(bomb)


def test_names_that_look_alike_get_their_own_archive_pages():
    from pipeline.archive.watch import watch_slug

    assert watch_slug("Iran") == "iran"
    assert watch_slug("Dijk!") != watch_slug("Dijk?")
    assert all(c.isalnum() or c == "-" for c in watch_slug("../../etc <b>"))


def test_deliver_only_takes_no_dry_run(tmp_path):
    result = runner.invoke(app, ["nightly", "--deliver-only", "--dry-run", "--date", "2026-12-01",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2 and "takes no --dry-run" in result.stderr
