"""The typed briefing record (issue 20): one reader and one writer of ``<id>.json``; a missing
or mistyped field is an error naming the file and the field, in every reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from typer.testing import CliRunner

from pipeline.archive.collect import ArticleRecord
from pipeline.cli import app
from pipeline.core.config import NightlyConfig
from pipeline.core.errors import BriefingFormatError
from pipeline.nightly.digest import _article_entry
from pipeline.record.briefing import Briefing, read_briefing
from pipeline.record.json_schema import briefing_json_schema, schema_text
from pipeline.record.marks import marked_text
from tests.helpers.records import briefing_record, claim, summary_sentence, support_totals
from tests.test_eval_cli import ARTICLES, base_args, corpus, run  # noqa: F401 (fixture)

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SENTENCE = "Rutte met Zarif in Parijs."
SOURCE = "Rutte sprak met Zarif in Den Haag."
FIELD = "summary[0].claims[1].supported"


def _record(article_id: str = "a1", sentence: str = SENTENCE, source: str = SOURCE,
            found: str = "Zarif") -> dict:
    """One sentence: ``found`` is in the source, Parijs is not."""
    summary = [summary_sentence(sentence, [claim(sentence, found, "NAME", supported=True),
                                           claim(sentence, "Parijs", "GPE", supported=False)])]
    return briefing_record(article_id, [sentence], summary=summary,
                           support=support_totals(summary), translation_en=source,
                           sentences=[{"nl": None, "en": source, "paragraph": 0}])


def _mistyped(record: dict) -> dict:
    record["summary"][0]["claims"][1]["supported"] = "yes"
    return record


def _missing(record: dict) -> dict:
    del record["summary"][0]["claims"][1]["supported"]
    return record


def _renamed(record: dict) -> dict:  # a writer that renamed the key
    claims = record["summary"][0]["claims"]
    claims[1]["is_supported"] = claims[1].pop("supported")
    return record


BROKEN = pytest.mark.parametrize("broken", [_mistyped, _missing, _renamed],
                                 ids=["mistyped", "missing", "renamed"])


def _write(path: Path, record: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


# -- the reader --------------------------------------------------------------------------

@BROKEN
def test_reading_a_broken_claim_names_the_file_and_the_field(tmp_path, broken):
    path = _write(tmp_path / "out" / "a1.json", broken(_record()))
    with pytest.raises(BriefingFormatError) as caught:
        read_briefing(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {FIELD}: "), message
    assert ("field required" if broken is not _mistyped
            else "input should be a valid boolean (got a string)") in message


@pytest.mark.parametrize("key", ["summary", "support", "timings", "pipeline_version"])
def test_a_missing_top_level_key_is_an_error_not_an_empty_default(tmp_path, key):
    record = _record()
    del record[key]
    with pytest.raises(BriefingFormatError, match=rf"a1\.json: {key}: field required"):
        read_briefing(_write(tmp_path / "a1.json", record))


def test_keys_a_later_release_adds_are_kept_and_written_back():
    record = _record()
    record["added_later"] = {"x": 1}
    record["summary"][0]["claims"][0]["checks"] = {"other": {"ok": True}}
    record["summary"][0]["claims"][0]["added_later"] = 2
    assert Briefing.from_dict(record).to_dict() == record


def test_a_schema_1_file_still_reads_as_not_checked():
    briefing = Briefing.from_dict({"schema_version": 1, "id": 7, "briefing_en": "One.",
                                   "translation_en": "Para one.\n\nPara two."})
    assert briefing.id == "7" and briefing.summary_sentences == ["One."]
    assert briefing.summary == [] and briefing.support is None
    assert briefing.translation_en == "Para one.\n\nPara two."


def test_every_reader_tells_a_briefing_by_the_same_rule(tmp_path):
    # A schema-1 file (briefing_en only) was "not a briefing" to check, watch and story while
    # eval read it; one rule (record.briefing.is_briefing_record) now decides for all.
    from pipeline.record.briefing import NOT_A_BRIEFING, is_briefing_record

    old = {"schema_version": 1, "id": "old", "briefing_en": "Rutte sprak in Den Haag.",
           "translation_en": "Rutte sprak in Den Haag."}
    assert is_briefing_record(old) and is_briefing_record(_record())
    assert not is_briefing_record({"complete": True}) and not is_briefing_record([old])
    path = _write(tmp_path / "old.json", old)
    other = _write(tmp_path / "run.json", {"complete": True})
    checked = runner.invoke(app, ["check", str(path), "--format", "json", "--no-spacy"])
    assert checked.exit_code == 0, checked.output
    assert list(json.loads(checked.stdout)) == ["old"]
    refused = runner.invoke(app, ["check", str(other), "--no-spacy"])
    assert refused.exit_code == 2 and NOT_A_BRIEFING in " ".join(refused.stderr.split())


# -- marks do not vanish -------------------------------------------------------------------

def test_a_claim_without_supported_is_an_error_not_an_unmarked_claim():
    sentence = {"text": SENTENCE, "claims": [{"text": "Parijs", "start": 19, "end": 25}]}
    with pytest.raises(BriefingFormatError, match=r"claims?\b.*supported: field required"):
        marked_text(sentence, "{} [?]")
    sentence["claims"][0]["supported"] = False
    assert marked_text(sentence, "{} [?]") == "Rutte met Zarif in Parijs [?]."


def test_a_name_in_the_article_but_repeated_in_two_roles_is_marked_too():
    claim = {"text": "Parijs", "start": 19, "end": 25, "supported": True}
    sentence = {"text": SENTENCE, "claims": [claim]}
    assert marked_text(sentence, "{} [?]") == SENTENCE
    claim["status"] = "repeated"
    assert marked_text(sentence, "{} [?]") == "Rutte met Zarif in Parijs [?]."


def test_a_renamed_supported_key_leaves_the_briefing_out_of_the_digest_not_unmarked(tmp_path):
    good = _article_entry(_outcome("good"), _outdir(tmp_path, "good", _record()), NightlyConfig())
    assert good["unsupported_claims"] == 1
    assert good["summary"][0]["claims"][1]["supported"] is False
    renamed = _outdir(tmp_path, "renamed", _renamed(_record()))
    problems: list[str] = []
    assert _article_entry(_outcome("renamed"), renamed, NightlyConfig(), problems) is None
    # and the digest's failure entry says which file and field, not just "unreadable"
    assert len(problems) == 1 and f"renamed.json: {FIELD}" in problems[0], problems
    from pipeline.nightly.digest import _failure_entry

    failure = _failure_entry(SimpleNamespace(**vars(_outcome("renamed")), origin=None, url=None,
                                             reason=None, error=None, status_now="done",
                                             attempts_now=1, night_now=None),
                             NightlyConfig(), missing_output=True, problem=problems[0])
    assert failure["reason"] == "output-missing" and FIELD in failure["message"]


def _outdir(tmp_path: Path, name: str, record: dict) -> Path:
    _write(tmp_path / name / f"{name}.json", record)
    return tmp_path / name


def _outcome(name: str):
    return SimpleNamespace(output_path=f"{name}.json", key=name, file_id=name, kind="new",
                           source=None, attempt=1, at=datetime(2025, 3, 16, tzinfo=UTC))


# -- every reader: check, eval, the archive -------------------------------------------------

@BROKEN
def test_check_names_the_file_and_field_and_checks_the_rest(tmp_path, broken):
    good = _write(tmp_path / "good.json", _record("good"))
    bad = _write(tmp_path / "bad.json", broken(_record("bad")))
    result = runner.invoke(app, ["check", str(bad), str(good), "--format", "json",
                                 "--no-spacy"])
    assert result.exit_code == 2, result.output
    assert list(json.loads(result.stdout)) == ["good"]
    assert f"bad.json: {FIELD}" in result.stderr, result.stderr


@BROKEN
def test_eval_names_the_file_and_field(corpus, broken):  # noqa: F811 (the fixture)
    article = ARTICLES["002_dike"]
    record = _record("002_dike", article["briefing"] + " Parijs.", source=article["en"],
                     found="Zeeland")
    path = _write(corpus["batch"] / "002_dike.json", record)
    assert run(*base_args(corpus)).exit_code == 0  # the record as written is usable
    _write(path, broken(record))
    result = run(*base_args(corpus))
    assert result.exit_code == 2, result.output
    assert f"002_dike.json: {FIELD}" in result.stderr, result.stderr
    assert "Traceback" not in result.output


@BROKEN
def test_the_archive_shows_the_digest_only_and_warns_with_file_and_field(tmp_path, broken):
    warnings: list[str] = []
    path = _write(tmp_path / "2025-03-15" / "a1.json", broken(_record()))
    record = ArticleRecord(night="2025-03-15", entry={"id": "a1"}, path=path,
                           warnings=warnings)
    assert record.briefing is None
    assert any(f"a1.json: {FIELD}" in w for w in warnings), warnings
    fine = ArticleRecord(night="2025-03-15", entry={"id": "a1"},
                         path=_write(tmp_path / "ok" / "a1.json", _record()), warnings=[])
    assert fine.briefing.summary[0].claims[1].supported is False


# -- the published JSON Schema -------------------------------------------------------------

def test_the_published_schema_is_the_records_schema():
    published = REPO / "docs" / "briefing.schema.json"
    assert published.read_text(encoding="utf-8") == schema_text(), (
        "docs/briefing.schema.json is stale: python -m pipeline.record.json_schema "
        "docs/briefing.schema.json")


def test_files_written_by_batch_validate_against_the_schema(tmp_path, tiny_model_dirs):
    marian, bart = tiny_model_dirs
    out = tmp_path / "out"
    articles = sorted((SAMPLES / "articles").glob("*.txt"))[:2]
    result = runner.invoke(app, ["batch", *map(str, articles), "--out", str(out),
                                 "--translator", str(marian), "--summarizer", str(bart)])
    assert result.exit_code == 0, result.output
    schema = json.loads((REPO / "docs" / "briefing.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for article in articles:
        path = out / f"{article.stem}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        validator.validate(data)
        assert read_briefing(path).to_dict() == data  # one reader, one writer: a round trip
    assert not validator.is_valid(_mistyped(_record()))
    assert not validator.is_valid(_missing(_record()))


def test_hand_made_records_validate_too():
    jsonschema.Draft202012Validator(briefing_json_schema()).validate(_record())
