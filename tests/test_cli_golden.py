"""Golden files for what the CLI prints and writes, on the tiny models.

``briefing summarize --format json`` and ``--format text`` and ``briefing batch`` (the
article's ``<id>.json`` and ``run.json``) run on a short Dutch article kept beside the
golden files (``tests/golden/veerdienst_vlissingen.txt``: short, so the three runs cost
seconds; with a caption, so caption removal shows). Their output is compared with
``tests/golden/*`` after volatile fields are normalised: timings and durations, absolute
paths (models, repository, temporary folders), package versions, the git commit, the
run's start time and its throughput. Anything else that changes, a key, its order, a
translation, a summary, fails the test.

The tiny models are random but seeded, so their outputs are fixed for a given environment
(the locked torch, transformers, tokenizers and sentencepiece). When an output change is
intended (a new field, a new default, new library versions), regenerate and review the
diff::

    UPDATE_GOLDEN=1 PYTHONPATH=$PWD python -m pytest tests/test_cli_golden.py
    git diff tests/golden
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
ARTICLE = GOLDEN / "veerdienst_vlissingen.txt"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

# Keys whose values change from run to run or machine to machine; durations are the
# ``seconds`` of a run and the ``*_s`` entries of ``timings`` (not configured timeouts).
_DURATION = re.compile(r"_s$")
_VOLATILE = {"pipeline_version": "<version>", "git_commit": "<commit>", "started": "<time>",
             "seconds": "<seconds>", "load_seconds": "<seconds>",
             "articles_per_minute": "<rate>"}

runner = CliRunner()


class _Paths:
    """Absolute paths in an output, replaced by stable names (longest first)."""

    def __init__(self, **names: Path):
        self.names = sorted(((str(path), f"<{name}>") for name, path in names.items()),
                            key=lambda item: -len(item[0]))

    def __call__(self, text: str) -> str:
        for path, name in self.names:
            text = text.replace(path, name)
        return text


def _normalise(value, paths: _Paths, key: str = ""):
    if key == "versions" and isinstance(value, dict):
        return dict.fromkeys(value, "<version>")
    if key == "timings" and isinstance(value, dict):
        return {k: "<seconds>" if _DURATION.search(k) else v for k, v in value.items()}
    if key in _VOLATILE and value is not None:
        return _VOLATILE[key]
    if isinstance(value, dict):
        return {k: _normalise(v, paths, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, paths) for v in value]
    if isinstance(value, str):
        return paths(value)
    return value


def _visible(text: str) -> str:
    """Control characters (the random models emit some) as ``\\xNN``, so the golden
    text file stays text for git; backslashes are doubled to keep this one-to-one."""
    return re.sub(r"[\\\x00-\x08\x0b-\x1f\x7f]",
                  lambda m: "\\\\" if m.group() == "\\" else f"\\x{ord(m.group()):02x}", text)


def _json(text: str, paths: _Paths) -> str:
    return json.dumps(_normalise(json.loads(text), paths), ensure_ascii=False, indent=2) + "\n"


def _assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}; create it with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 updates)"


@pytest.fixture()
def paths(tiny_model_dirs, tmp_path) -> _Paths:
    marian, bart = tiny_model_dirs
    return _Paths(translator=marian, summarizer=bart, repo=REPO, tmp=tmp_path,
                  home=Path.home())


@pytest.fixture()
def model_args(tiny_model_dirs, tmp_path) -> list[str]:
    marian, bart = tiny_model_dirs
    # The exact path (configs/exact.yaml): CTranslate2's int8 kernels round near-ties
    # differently on different CPUs (AVX2, AVX-512, AMX), so the int8 default's output is not
    # the same on every machine; the backend parity tests cover the int8 path.
    return ["--config", str(REPO / "configs" / "exact.yaml"),
            "--translator", str(marian), "--summarizer", str(bart),
            "--set", f"runtime.model_cache={tmp_path / 'cache'}"]


def test_summarize_json(model_args, paths):
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--format", "json", *model_args])
    assert result.exit_code == 0, result.output
    _assert_golden("summarize.json", _json(result.stdout, paths))


def test_summarize_text(model_args, paths):
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--format", "text", *model_args])
    assert result.exit_code == 0, result.output
    _assert_golden("summarize.txt", _visible(paths(result.stdout)))


def test_batch_outputs(model_args, paths, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(ARTICLE), "--out", str(out), *model_args])
    assert result.exit_code == 0, result.output
    _assert_golden("batch-article.json",
                   _json((out / f"{ARTICLE.stem}.json").read_text(encoding="utf-8"), paths))
    _assert_golden("batch-run.json", _json((out / "run.json").read_text(encoding="utf-8"), paths))


def test_normalising_keeps_everything_but_volatile_fields():
    paths = _Paths(translator=Path("/x/marian"), tmp=Path("/x"))
    record = {"timings": {"total_s": 1.5, "batched_with": 1}, "seconds": 2, "chunks": 3,
              "versions": {"torch": "2.13.0"}, "id": "/x/marian/a", "other": "/x/b",
              "started": None, "items": ["/x/c"], "nightly": {"fetch_timeout_s": 20}}
    assert _normalise(record, paths) == {
        "timings": {"total_s": "<seconds>", "batched_with": 1}, "seconds": "<seconds>",
        "chunks": 3, "versions": {"torch": "<version>"}, "id": "<translator>/a",
        "other": "<tmp>/b", "started": None, "items": ["<tmp>/c"],
        "nightly": {"fetch_timeout_s": 20}}
    assert _visible("a\\b\x1dc\n") == "a\\\\b\\x1dc\n"
