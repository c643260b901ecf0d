"""`briefing check`: briefing JSON, batch directories and JSONL; text and JSON; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.record.briefing import AlignedSentence, Briefing
from tests.conftest import SAMPLES

runner = CliRunner()
ARTICLE = "001_dijkdoorbraak_kruiningen"
EN = (SAMPLES.parent / "eval" / "translations" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
NL = (SAMPLES / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
FAITHFUL = ("A sea dike near Kruiningen gave way and some 1,200 residents were evacuated. "
            "Spokesman Kosten said the breach was forty metres long.")
INVENTED = "Mayor Jan Verburg said 4,800 residents of Vlissingen had to leave."


def _jsonl(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _briefing(briefing_id: str, summary: list[str]) -> dict:
    paragraphs = [p for p in EN.split("\n\n") if p.strip()]
    sentences = [AlignedSentence(nl=None, en=p, paragraph=i) for i, p in enumerate(paragraphs)]
    return Briefing(id=briefing_id, date="2025-03", source="test", url=None, title_nl=None,
                    title_en="Dike breach", summary_sentences=summary, sentences=sentences,
                    source_language="en", language_confidence=1.0, removed_captions=[],
                    models={}, summary_info={}, timings={}).to_dict()


def test_jsonl_with_invented_claims_exits_1_and_names_each_claim(tmp_path):
    path = _jsonl(tmp_path, [
        {"id": "good", "prediction": FAITHFUL, "source": EN, "source_nl": NL},
        {"id": "bad", "prediction": FAITHFUL + " " + INVENTED, "source": EN},
    ])
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    flagged = {(cells[0], cells[1], cells[2]) for cells in lines}
    assert ("bad", "sentence 3", "Vlissingen") in flagged
    assert any(cells[2].endswith("4,800") and cells[3] == "CARDINAL" for cells in lines)
    assert any("Verburg" in cells[2] for cells in lines)
    assert not any(cells[0] == "good" for cells in lines)
    assert "unsupported of" in result.stdout.splitlines()[-1]


def test_a_name_repeated_in_two_roles_exits_1_and_is_said_to_be_in_the_article(tmp_path):
    path = _jsonl(tmp_path, [{"id": "twice", "source": EN,
                              "prediction": "Spokesman Kosten said Kosten was evacuated."}])
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert [line.split("\t")[2:] for line in result.stdout.splitlines() if "\t" in line] == [
        ["Kosten", "PERSON", "named twice in one sentence: the same name in two roles"]]
    assert "(1 of them names the article has, repeated in two roles)" in \
        result.stdout.splitlines()[-1]
    data = json.loads(runner.invoke(app, ["check", str(path), "--format", "json"]).stdout)
    [claim] = [c for c in data["twice"]["summary"][0]["claims"] if c["status"] == "repeated"]
    assert claim["supported"] is True and data["twice"]["support"]["repeated"] == 1


def test_jsonl_all_supported_exits_0_and_json_is_keyed_by_id(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "prediction": FAITHFUL, "source": EN, "source_nl": NL}])
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["a"]
    summary = data["a"]["summary"]
    assert [s["support"] for s in summary] == ["supported", "supported"]
    kosten = next(c for c in summary[1]["claims"] if c["text"] == "Kosten")
    assert kosten["supported"] and kosten["matched"] == "Kosten"
    forty = next(c for c in summary[1]["claims"] if "forty" in c["text"])
    assert forty["supported"]
    assert summary[0]["evidence"] and all(isinstance(i, int) for i in summary[0]["evidence"])
    assert data["a"]["support"]["unsupported"] == 0 and data["a"]["support"]["ner"]["extractor"]


def test_dutch_only_spelling_is_supported_through_the_dutch_original(tmp_path):
    sentence = "Water flowed through the Westerschelde dike near Hansweert and Yerseke."
    english_only = "Water flowed through a dike near Hansweert and Yerseke."
    rows = [{"id": "nl", "prediction": sentence, "source": english_only, "source_nl": NL},
            {"id": "en", "prediction": sentence, "source": english_only}]
    data = json.loads(runner.invoke(app, ["check", str(_jsonl(tmp_path, rows)),
                                          "--format", "json"]).stdout)
    assert data["nl"]["support"]["unsupported"] == 0
    assert [u["text"] for s in data["en"]["summary"] for u in s["unsupported"]] == ["Westerschelde"]


def test_aliases_file_extends_the_table(tmp_path):
    rows = [{"id": "a", "prediction": "Officials in Vlissingen were alerted.",
             "source": "Officials in Flushing were alerted."}]
    path = _jsonl(tmp_path, rows)
    assert runner.invoke(app, ["check", str(path)]).exit_code == 1
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("Vlissingen\tFlushing\n", encoding="utf-8")
    assert runner.invoke(app, ["check", str(path), "--aliases", str(aliases)]).exit_code == 0


def test_batch_directory_is_checked_file_by_file(tmp_path):
    out = tmp_path / "batch"
    out.mkdir()
    (out / "one.json").write_text(json.dumps(_briefing("one", [FAITHFUL])), encoding="utf-8")
    (out / "two.json").write_text(json.dumps(_briefing("two", [FAITHFUL, INVENTED])),
                                  encoding="utf-8")
    (out / "run.json").write_text(json.dumps({"counts": {}}), encoding="utf-8")
    (out / "errors.jsonl").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["check", str(out), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert sorted(data) == ["one", "two"]
    assert data["one"]["support"]["unsupported"] == 0
    assert data["two"]["summary"][1]["support"] == "unsupported"
    only_good = runner.invoke(app, ["check", str(out / "one.json")])
    assert only_good.exit_code == 0, only_good.output


def test_a_real_batch_output_directory_is_checked(tmp_path, tiny_model_dirs):
    marian, bart = tiny_model_dirs
    out = tmp_path / "out"
    articles = sorted((SAMPLES / "articles").glob("*.txt"))[:2]
    batch = runner.invoke(app, ["batch", *map(str, articles), "--out", str(out),
                                "--translator", str(marian), "--summarizer", str(bart)])
    assert batch.exit_code == 0, batch.output
    result = runner.invoke(app, ["check", str(out), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert sorted(data) == sorted(a.stem for a in articles)
    for article in articles:
        written = json.loads((out / f"{article.stem}.json").read_text(encoding="utf-8"))
        # The check of the written briefing agrees with what the pipeline recorded in it.
        assert written["support"]["unsupported"] == data[article.stem]["support"]["unsupported"]
        assert len(written["summary"]) == len(written["summary_sentences"])
    expected = 1 if any(d["support"]["unsupported"] for d in data.values()) else 0
    assert result.exit_code == expected


@pytest.mark.parametrize("content", [
    '{"id": "x", "prediction": "Text."}\n',          # no source
    "not json\n",
    '["a list"]\n',
])
def test_unusable_jsonl_records_exit_2_and_the_rest_is_still_checked(tmp_path, content):
    path = tmp_path / "in.jsonl"
    good = json.dumps({"id": "ok", "prediction": FAITHFUL, "source": EN})
    path.write_text(good + "\n" + content, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert "in.jsonl:2" in result.stderr
    assert list(json.loads(result.stdout)) == ["ok"]
    assert "Traceback" not in result.output


def test_missing_path_and_non_briefing_json_exit_2(tmp_path):
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "nope.json" in missing.stderr
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    result = runner.invoke(app, ["check", str(other)])
    assert result.exit_code == 2 and "not a briefing JSON" in result.stderr


def test_duplicate_ids_are_unusable_input(tmp_path):
    row = {"id": "same", "prediction": FAITHFUL, "source": EN}
    result = runner.invoke(app, ["check", str(_jsonl(tmp_path, [row, row]))])
    assert result.exit_code == 2 and "duplicate id same" in result.stderr


def test_rule_based_fallback_is_recorded(tmp_path):
    path = _jsonl(tmp_path, [{"id": "a", "prediction": INVENTED, "source": EN}])
    result = runner.invoke(app, ["check", str(path), "--no-spacy", "--format", "json"])
    assert result.exit_code == 1
    ner = json.loads(result.stdout)["a"]["support"]["ner"]
    assert ner["extractor"] == "rule-based" and ner["fallback_reason"]
