"""Hostile input to `briefing check` (issue 18): one bad record is that record's error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.test_check_cli import EN, FAITHFUL, _briefing

runner = CliRunner()
GOOD = {"id": "ok", "prediction": FAITHFUL, "source": EN}


def _check(*paths: Path):
    return runner.invoke(app, ["check", *map(str, paths), "--format", "json", "--no-spacy"])


def _checked(result) -> list[str]:
    assert "Traceback" not in result.output and "bug" not in result.output, result.output
    return list(json.loads(result.stdout))


def test_jsonl_record_nested_100000_deep_is_that_lines_error(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n",
                    encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["ok"]
    assert "in.jsonl:2" in result.stderr


def test_briefing_json_nested_100000_deep_is_that_files_error(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_briefing("good", [FAITHFUL])), encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text('{"summary_sentences": ' + "[" * 100_000 + "]" * 100_000 + "}",
                    encoding="utf-8")
    result = _check(deep, good)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["good"]
    assert "deep.json" in result.stderr


@pytest.mark.parametrize("field, value", [
    ("sentences", [{"en": 5, "nl": None, "paragraph": 0}]),
    ("sentences", [{"en": "Text.", "nl": 5, "paragraph": 0}]),
    ("title_nl", 5),
    ("translation_en", ["not", "a", "string"]),
])
def test_briefing_field_of_the_wrong_type_is_that_files_error(tmp_path, field, value):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_briefing("good", [FAITHFUL])), encoding="utf-8")
    record = _briefing("bad", [FAITHFUL])
    record[field] = value
    if field == "translation_en":
        record["sentences"] = []
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record), encoding="utf-8")
    result = _check(bad, good)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["good"]
    assert "bad.json" in result.stderr and field.split("[")[0] in result.stderr


def test_unknown_schema_version_is_refused_as_eval_refuses_it(tmp_path):
    record = _briefing("future", [FAITHFUL])
    record["schema_version"] = 99
    path = tmp_path / "future.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 2, result.output
    assert "schema_version 99 is not supported" in result.stderr


def test_jsonl_with_a_bom_keeps_its_first_line(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    result = _check(path)
    assert result.exit_code == 0, result.output
    assert _checked(result) == ["ok"]


def test_one_latin1_byte_fails_only_its_line(tmp_path):
    path = tmp_path / "in.jsonl"
    other = {**GOOD, "id": "other", "prediction": "Caf\u00e9 owners in Kruiningen."}
    path.write_bytes(json.dumps(GOOD).encode() + b"\n"
                     + json.dumps(other, ensure_ascii=False).encode("latin-1") + b"\n"
                     + json.dumps({**GOOD, "id": "last"}).encode() + b"\n")
    result = _check(path)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["ok", "last"]
    assert "in.jsonl:2" in result.stderr and "0xe9" in result.stderr


def test_records_over_the_size_bound_are_each_an_error(tmp_path):
    from pipeline.core.config import IngestConfig
    from pipeline.ingest.jsonio import record_limit

    limit = record_limit(IngestConfig().max_article_bytes)
    path = tmp_path / "in.jsonl"
    huge = {**GOOD, "id": "huge", "source": "word " * (limit // 5)}
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(huge) + "\n", encoding="utf-8")
    big = tmp_path / "big.json"
    record = _briefing("big", [FAITHFUL])
    record["translation_en"] = "word " * (limit // 5)
    big.write_text(json.dumps(record), encoding="utf-8")
    result = _check(path, big)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["ok"]
    assert "in.jsonl:2" in result.stderr and "big.json" in result.stderr
    assert result.stderr.count("limit") == 2


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
                                       "\u00ad", "\u200e"])
def test_zero_width_characters_do_not_split_a_name(tmp_path, invisible):
    path = tmp_path / "in.jsonl"
    row = {"id": "zw", "prediction": f"Officials in Utr{invisible}echt were alerted.",
           "source": "Officials in Utrecht were alerted."}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["zw"]["support"]["unsupported"] == 0


def test_every_format_character_is_stripped():
    import sys
    import unicodedata

    from pipeline.ingest.cleaning import strip_format_characters

    format_chars = "".join(chr(c) for c in range(sys.maxunicode + 1)
                           if unicodedata.category(chr(c)) == "Cf")
    assert strip_format_characters(f"Utr{format_chars}echt") == "Utrecht"


def test_whole_number_ids_are_ids_and_a_fraction_is_that_lines_error(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({**GOOD, "id": 3.0}) + "\n" + json.dumps({**GOOD, "id": 7}) + "\n"
                    + json.dumps({**GOOD, "id": 3.5}) + "\n", encoding="utf-8")
    result = _check(path)
    assert result.exit_code == 2, result.output
    assert _checked(result) == ["3", "7"]
    assert "in.jsonl:3" in result.stderr and "id" in result.stderr
