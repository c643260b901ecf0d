"""Finding models: local directories, the hub cache by id + revision, and clear failures."""

from __future__ import annotations

import pytest

from pipeline.backends.base import load_backend
from pipeline.core.config import GenerationOverrides, ModelSpec, RuntimeConfig
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.registry import find_cached, is_pinned, resolve_model
from tests.helpers.hub_cache import install_in_hub_cache

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_a_hub_model_in_the_cache_loads_by_id_and_revision(tmp_path, tiny_model_dirs):
    marian, _ = tiny_model_dirs
    snapshot = install_in_hub_cache(marian, tmp_path / "hub", "test-org/tiny-nl-en", COMMIT)
    for revision in (COMMIT, "main"):
        spec = ModelSpec(id="test-org/tiny-nl-en", revision=revision)
        resolved = resolve_model("translator", spec, model_cache=tmp_path, offline=True)
        assert resolved.path == snapshot and resolved.origin == "hub-cache"
    backend = load_backend(resolved, RuntimeConfig(device="cpu"), GenerationOverrides())
    assert backend.generate(["De dijk is gebroken."])[0]
    assert resolved.provenance()["snapshot"] == COMMIT


def test_an_unknown_revision_is_not_found_offline(tmp_path, tiny_model_dirs):
    marian, _ = tiny_model_dirs
    install_in_hub_cache(marian, tmp_path / "hub", "test-org/tiny-nl-en", COMMIT)
    spec = ModelSpec(id="test-org/tiny-nl-en", revision="f" * 40)
    assert find_cached(spec, tmp_path) is None
    with pytest.raises(ModelUnavailableError) as info:
        resolve_model("translator", spec, model_cache=tmp_path, offline=True)
    message = str(info.value)
    assert "test-org/tiny-nl-en@" + "f" * 40 in message
    assert str((tmp_path / "hub").resolve()) in message
    assert "briefing models pull" in message and "--translator DIR" in message


def test_a_directory_without_a_model(tmp_path):
    with pytest.raises(ModelUnavailableError, match="no config.json"):
        resolve_model("summarizer", ModelSpec(id=str(tmp_path)), model_cache=tmp_path, offline=True)


def test_a_missing_local_directory(tmp_path):
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        resolve_model("summarizer", ModelSpec(id=str(tmp_path / "gone")), model_cache=tmp_path,
                      offline=True)


def test_a_malformed_hub_id(tmp_path):
    with pytest.raises(ModelUnavailableError, match="neither an existing directory nor a hub id"):
        resolve_model("translator", ModelSpec(id="not a//valid id"), model_cache=tmp_path,
                      offline=True)


def test_pinning_is_reported():
    assert is_pinned(ModelSpec(id="org/m", revision=COMMIT))
    # Offline, a short hash resolves only through a refs/ file: not a pin.
    assert not is_pinned(ModelSpec(id="org/m", revision="a4f8f3e"))
    assert not is_pinned(ModelSpec(id="org/m", revision="main"))
    assert not is_pinned(ModelSpec(id="org/m"))
