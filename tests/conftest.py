"""Shared fixtures: tiny models trained on the project's own sample corpus, built once."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pipeline.core.config import AppConfig, load_config

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"

# Tests never touch the network; the production code must cope with that.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# With runtime.model_cache unset, models and conversions live in the Hugging Face cache:
# a private one per test session, never the user's.
_HF_HOME = tempfile.mkdtemp(prefix="briefing-tests-hf-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)
os.environ["HF_HOME"] = _HF_HOME
for _name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
    os.environ.pop(_name, None)
# Crash logs of the tests that provoke a bug go to a private folder, never the user's.
_LOG_DIR = tempfile.mkdtemp(prefix="briefing-tests-logs-")
atexit.register(shutil.rmtree, _LOG_DIR, ignore_errors=True)
os.environ["BRIEFING_LOG_DIR"] = _LOG_DIR


def sample_corpus() -> list[str]:
    """Text the tiny tokenizers are trained on: our own articles and reference translations."""
    files = sorted((SAMPLES / "articles").glob("*.txt")) + sorted(
        (REPO / "eval" / "translations").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files]


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory) -> tuple[Path, Path]:
    """(marian_dir, bart_dir): tiny random models saved with save_pretrained."""
    from tests.helpers.tiny_models import build_bart, build_marian

    root = tmp_path_factory.mktemp("tiny-models")
    corpus = sample_corpus()
    return build_marian(root / "marian", corpus), build_bart(root / "bart", corpus)


def tiny_config(tiny_model_dirs, **overrides) -> AppConfig:
    """An AppConfig that points at the tiny models; ``overrides`` are dotted keys."""
    marian, bart = tiny_model_dirs
    values = {
        "translation.model.id": str(marian),
        "translation.model.revision": None,
        "summarization.model.id": str(bart),
        "summarization.model.revision": None,
        # The tests written for the transformers path state it; the default (CTranslate2
        # int8) is tested on its own (test_hub_layout.py, test_ct2_backend.py).
        "translation.model.backend": "transformers",
        "translation.model.quantization": "none",
        "summarization.model.backend": "transformers",
        "summarization.model.quantization": "none",
        "runtime.offline": True,
        "runtime.device": "cpu",
    }
    values.update(overrides)
    return load_config(None, values)


@pytest.fixture()
def config(tiny_model_dirs) -> AppConfig:
    """The default configuration pointed at the tiny models."""
    return tiny_config(tiny_model_dirs)
