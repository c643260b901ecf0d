"""A bug is not a bad article: only an article's typed errors, and a GenerationError from
the model call itself, fail one article; anything else stops the run (exit 4) and gives no
article up. Before, a ValueError anywhere in a window (a zip(strict=True) length bug, say)
was filed as every article's model-error, which the nightly retried until it gave up."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.errors import GenerationError
from tests.test_cli import _model_args, _sample

runner = CliRunner()


@pytest.mark.slow
def test_a_value_error_outside_the_model_call_is_a_bug_not_a_failed_article(
        tmp_path, tiny_model_dirs, monkeypatch):
    import pipeline.briefing.engine as engine

    def broken(*args, **kwargs):
        raise ValueError("zip() argument 2 is shorter than argument 1")

    monkeypatch.setattr(engine, "support_summary", broken)
    result = runner.invoke(app, ["batch", str(_sample()), "--out", str(tmp_path / "out"),
                                 *_model_args(tiny_model_dirs)])
    assert result.exit_code == 4, result.output
    errors = tmp_path / "out" / "errors.jsonl"
    assert not errors.exists() or "model-error" not in errors.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failure_of_the_model_call_fails_that_article_alone(tmp_path, tiny_model_dirs,
                                                               monkeypatch):
    from pipeline.backends import base

    real = base.Seq2SeqBackend.generate_ids
    calls = {"n": 0}

    def failing_once(self, texts, **kwargs):
        calls["n"] += 1
        if any("kruiningen" in t.lower() for t in texts):
            raise GenerationError("the model failed on this input: CUDA out of memory")
        return real(self, texts, **kwargs)

    monkeypatch.setattr(base.Seq2SeqBackend, "generate_ids", failing_once)
    first, second = _sample(0), _sample(1)
    result = runner.invoke(app, ["batch", str(first), str(second), "--out",
                                 str(tmp_path / "out"), *_model_args(tiny_model_dirs)])
    assert result.exit_code == 1, result.output  # per-article failures, not a bug
    failed = [json.loads(line) for line in
              (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert failed and all(f["reason"] == "model-error" for f in failed)
    assert len(list((tmp_path / "out").glob("*.json"))) - 1 + len(failed) == 2  # - run.json
