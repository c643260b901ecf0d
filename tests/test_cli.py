"""The `briefing` command end to end: outputs, per-article errors and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import REPO, SAMPLES

runner = CliRunner()
REQUIRED_KEYS = {"id", "date", "title_en", "briefing_en", "translation_en", "sentences", "models",
                 "timings"}
GERMAN = ("Der Stadtrat von Utrecht hat am Dienstagabend einem Plan zugestimmt, die Innenstadt "
          "autofrei zu machen. Die Händler sind besorgt über die Erreichbarkeit der Geschäfte.")


def _model_args(tiny_model_dirs):
    marian, bart = tiny_model_dirs
    return ["--translator", str(marian), "--summarizer", str(bart)]


def _sample(name_index=0):
    return sorted((SAMPLES / "articles").glob("*.txt"))[name_index]


def test_summarize_prints_a_text_briefing(tiny_model_dirs):
    result = runner.invoke(app, ["summarize", str(_sample()), *_model_args(tiny_model_dirs)])
    assert result.exit_code == 0, result.output
    assert _sample().stem in result.stdout


def test_summarize_json_has_the_schema_and_alignment(tiny_model_dirs):
    result = runner.invoke(app, ["summarize", str(_sample()), "--format", "json",
                                 *_model_args(tiny_model_dirs)])
    assert result.exit_code == 0, result.output
    briefing = json.loads(result.stdout)
    assert briefing.keys() >= REQUIRED_KEYS
    assert briefing["id"] == _sample().stem
    assert briefing["date"] == _sample().read_text()[6:13]
    sentences = briefing["sentences"]
    assert len(sentences) > 10 and all(s["nl"] and s["en"] for s in sentences)
    # the Dutch side, in order, is the cleaned article: every source word is kept
    source_words = " ".join(s["nl"] for s in sentences).split()
    article_words = _sample().read_text().split()
    assert all(w in article_words for w in source_words)
    assert briefing["removed_captions"] or "Beeld" not in _sample().read_text()
    assert briefing["models"]["translator"]["origin"] == "local-dir"
    assert set(briefing["timings"]) >= {"translate_s", "summarize_s", "total_s"}
    paragraphs = briefing["translation_en"].split("\n\n")
    assert len(paragraphs) == len({s["paragraph"] for s in sentences})


def test_summarize_reads_stdin(tiny_model_dirs):
    text = _sample(1).read_text()
    result = runner.invoke(app, ["summarize", "-", "--format", "json", *_model_args(tiny_model_dirs)],
                           input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "stdin"


def test_summarize_of_a_bad_article_exits_1_with_one_sentence(tmp_path, tiny_model_dirs):
    bad = tmp_path / "duits.txt"
    bad.write_text(GERMAN)
    result = runner.invoke(app, ["summarize", str(bad), *_model_args(tiny_model_dirs)])
    assert result.exit_code == 1
    assert "not a Dutch article" in result.stderr and "German" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture()
def mixed_inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted((SAMPLES / "articles").glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (folder / "latin1.txt").write_bytes(" date 2024-01 Café De Zwaan sluit.".encode("latin-1"))
    (folder / "duits.txt").write_text(GERMAN)
    (folder / "huge.txt").write_bytes(b" date 2024-01 " + b"woord " * 900_000)
    good = json.dumps({"id": "json-ok", "text": _sample(3).read_text()[14:], "title": "Een kop"})
    (folder / "feed.jsonl").write_text(f"{good}\n{{broken\n", encoding="utf-8")
    return folder


EXPECTED_FAILURES = {
    "empty": "empty", "binary": "binary", "latin1": "not-utf8", "duits": "not-dutch",
    "huge": "too-large",
}


def test_batch_records_every_failure_and_finishes_the_rest(tmp_path, mixed_inputs, tiny_model_dirs):
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(mixed_inputs), "--out", str(out),
                                 *_model_args(tiny_model_dirs)])
    assert result.exit_code == 1, result.output
    assert "6 failed" in result.stderr
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    by_id = {e["id"]: e["reason"] for e in errors if e["id"]}
    for article_id, reason in EXPECTED_FAILURES.items():
        assert by_id[article_id] == reason
    assert any(e["reason"] == "malformed-jsonl" and e["origin"].endswith("feed.jsonl:2")
               for e in errors)
    written = sorted(p.stem for p in out.glob("*.json") if p.stem != "run")
    assert written == sorted([p.stem for p in sorted((SAMPLES / "articles").glob("*.txt"))[:3]]
                             + ["json-ok"])
    titled = json.loads((out / "json-ok.json").read_text())
    assert titled["title_nl"] == "Een kop" and titled["title_en"]
    digest = (out / "digest.md").read_text()
    assert "4 article(s) briefed, 6 failed" in digest and "duits" in digest
    run = json.loads((out / "run.json").read_text())
    assert run["briefed"] == 4 and run["failed"] == 6
    assert run["versions"]["transformers"]


def test_batch_all_good_exits_0_and_refuses_to_overwrite(tmp_path, tiny_model_dirs):
    out = tmp_path / "out"
    args = ["batch", str(_sample(0)), str(_sample(1)), "--out", str(out), *_model_args(tiny_model_dirs)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (out / "errors.jsonl").read_text() == ""
    before = (out / f"{_sample(0).stem}.json").read_bytes()
    second = runner.invoke(app, args)
    assert second.exit_code == 2
    # The library says what is wrong; only the CLI hint names the flags.
    assert "allow overwriting" in second.stderr
    assert "hint: pass --overwrite" in second.stderr and "--out" in second.stderr
    assert (out / f"{_sample(0).stem}.json").read_bytes() == before
    assert runner.invoke(app, [*args, "--overwrite"]).exit_code == 0


def test_duplicate_ids_are_an_error_not_an_overwrite(tmp_path, tiny_model_dirs):
    text = _sample(0).read_text()
    feed = tmp_path / "dup.jsonl"
    feed.write_text("\n".join(json.dumps({"id": "same", "text": t[14:]})
                              for t in (text, _sample(1).read_text())) + "\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(feed), "--out", str(out), *_model_args(tiny_model_dirs)])
    assert result.exit_code == 1
    (error,) = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    assert error["reason"] == "duplicate-id" and "first seen" in error["message"]
    assert json.loads((out / "same.json").read_text())["sentences"][0]["nl"] in text


@pytest.mark.parametrize("args", [
    ["batch", "samples/articles"],                       # --out missing
    ["batch", "does-not-exist", "--out", "x"],          # input missing
    ["summarize", "samples/articles/x.txt", "--format", "xml"],
    ["batch", "samples/articles", "--out", "x", "--set", "translation.batch_tokns=5"],
    ["batch", "samples/articles", "--out", "x", "--set", "summarization.min_sentences=9"],
])
def test_usage_and_config_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_offline_missing_model_is_one_sentence_and_exit_2(tmp_path):
    """Run the real console script: no stack trace, the model, where it looked, the fix."""
    env_cmd = [sys.executable, "-m", "pipeline.cli", "summarize", str(_sample()),
               "--set", f"runtime.model_cache={tmp_path / 'cache'}"]
    proc = subprocess.run(env_cmd, capture_output=True, text=True, cwd=REPO,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    message = lines[0]
    assert "Helsinki-NLP/opus-mt-nl-en" in message
    assert str(tmp_path / "cache" / "hub") in message
    assert "briefing models pull" in message


def test_config_show_prints_the_resolved_config(tiny_model_dirs):
    result = runner.invoke(app, ["config", "show", "--set", "translation.batch_tokens=1234"])
    assert result.exit_code == 0
    assert "batch_tokens: 1234" in result.stdout


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_help_names_what_each_option_takes_not_a_python_type():
    import typer.main

    commands = list(_commands(typer.main.get_command(app)))
    assert len(commands) >= 12  # briefing, its 7 commands, models' 4 and config's 1

    for path, _ in commands:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert "Show this message and exit." in result.output
        # Flags (--help among them) take no value; options say what they take.
        for label in ("<bool>", "<str>", "<list[str]>", "<list[Path]>"):
            option_lines = [line for line in result.output.splitlines()
                            if line.lstrip("│ *").startswith("-") and label in line]
            assert not option_lines, (path, option_lines)


@pytest.mark.parametrize(("args", "hinted"), [
    (["batch", "samples/articles", "--out", "x", "--set", "translation.batch_tokns=5"], True),
    (["config", "show", "--set", "translation.batch_tokns=5"], False),  # names itself
    (["nightly", "--date", "2025-13-40"], False),  # the date is wrong, not the config
])
def test_the_config_hint_comes_only_where_the_configuration_is_at_fault(
        args, hinted, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert ("briefing config show` prints the resolved configuration" in result.output) == hinted
