"""The default models as the hub ships them, offline: the real cache layout (blobs symlinked
from snapshots, refs/main, pytorch_model.bin and unused TF/Flax/Rust exports), the default
configuration's ids and pins with no model flags, pins and checksums, short revisions,
where models live, and `briefing models list|verify|pull`, `briefing config show`."""

from __future__ import annotations

import datetime
import json
import shutil

import pytest
import torch
from typer.testing import CliRunner

from pipeline.backends.base import load_backend
from pipeline.cli import app
from pipeline.core.config import (
    DEFAULT_CONSISTENCY_MODEL,
    DEFAULT_CONSISTENCY_REVISION,
    DEFAULT_SUMMARIZER,
    DEFAULT_SUMMARIZER_REVISION,
    DEFAULT_TRANSLATOR,
    DEFAULT_TRANSLATOR_REVISION,
    AppConfig,
    GenerationOverrides,
    ModelSpec,
    RuntimeConfig,
)
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub import pins
from pipeline.hub.registry import ResolvedModel, find_cached, pull_model, resolve_model
from tests.conftest import SAMPLES
from tests.helpers.hub_cache import EXTRA_FILES, as_hub_snapshot_files, install_in_hub_cache

runner = CliRunner()


@pytest.fixture(scope="module")
def hub_files(tiny_model_dirs, tmp_path_factory):
    """(marian, bart) directories holding the tiny models in the hub's file set."""
    root = tmp_path_factory.mktemp("hub-files")
    return tuple(as_hub_snapshot_files(d, root / d.name) for d in tiny_model_dirs)


def _install_defaults(hub_files, hub_cache):
    """The tiny models installed under the default ids at the default pinned commits."""
    marian, bart = hub_files
    return (install_in_hub_cache(marian, hub_cache, DEFAULT_TRANSLATOR, DEFAULT_TRANSLATOR_REVISION),
            install_in_hub_cache(bart, hub_cache, DEFAULT_SUMMARIZER, DEFAULT_SUMMARIZER_REVISION))


def _articles():
    return sorted((SAMPLES / "articles").glob("*.txt"))[:2]


def test_the_cache_is_laid_out_as_the_hub_writes_it(hub_files, tmp_path):
    snapshot, _ = _install_defaults(hub_files, tmp_path / "hub")
    repo = snapshot.parent.parent
    assert (repo / "refs" / "main").read_text() == DEFAULT_TRANSLATOR_REVISION
    weights = snapshot / "pytorch_model.bin"
    assert weights.is_symlink() and not (snapshot / "model.safetensors").exists()
    assert weights.resolve().parent == (repo / "blobs").resolve()
    assert weights.resolve().name == pins.sha256_of(weights)
    assert all((snapshot / name).is_file() for name in EXTRA_FILES)


@pytest.mark.parametrize("how", ["config-relative-model-cache", "HF_HUB_CACHE", "copied"])
def test_summarize_and_batch_from_the_hub_cache_with_the_default_config(
        how, hub_files, tmp_path, monkeypatch):
    """No --translator/--summarizer: the default ids and pins, the default backend
    (CTranslate2 int8, converted from pytorch_model.bin on first use), offline."""
    deploy = tmp_path / "deploy"
    _install_defaults(hub_files, deploy / "models" / "hub")
    args: list[str] = []
    if how == "config-relative-model-cache":
        (deploy / "configs").mkdir()
        (deploy / "configs" / "briefing.yaml").write_text("runtime:\n  model_cache: ../models\n")
        args = ["--config", str(deploy / "configs" / "briefing.yaml")]
        conversions = deploy / "models" / "ct2"
    else:
        hub = deploy / "models" / "hub"
        if how == "copied":  # a desk copies the cache to an air-gapped box
            hub = shutil.copytree(hub, tmp_path / "airgapped" / "hub", symlinks=True)
            shutil.rmtree(deploy)
        monkeypatch.setenv("HF_HUB_CACHE", str(hub))
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        conversions = tmp_path / "hf-home" / "briefing-ct2"
    monkeypatch.chdir(tmp_path)  # any working directory

    result = runner.invoke(app, ["summarize", str(_articles()[0]), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    expected = {"translator": (DEFAULT_TRANSLATOR, DEFAULT_TRANSLATOR_REVISION),
                "summarizer": (DEFAULT_SUMMARIZER, DEFAULT_SUMMARIZER_REVISION)}
    for role, (model_id, commit) in expected.items():
        record = models[role]
        assert (record["id"], record["revision"], record["snapshot"]) == (model_id, commit, commit)
        assert (record["origin"], record["backend"], record["quantization"]) == (
            "hub-cache", "ctranslate2", "int8")
        converted = record["generation"]["ctranslate2"]["converted"]
        assert (conversions / converted / "model.bin").is_file()
        source = json.loads((conversions / converted / "briefing-conversion.json").read_text())
        assert source["source"]["snapshot"] == commit and source["quantization"] == "int8"
    assert models["translator"]["generation"]["num_beams"] == 4

    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", *map(str, _articles()), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.json"))) == len(_articles()) + 1  # + run.json


def test_conversion_reads_the_bin_and_never_the_other_exports(hub_files, tmp_path):
    snapshot, _ = _install_defaults(hub_files, tmp_path / "hub")
    for name in EXTRA_FILES:  # unreadable: any attempt to use them fails loudly
        (snapshot / name).resolve().write_bytes(b"\x00garbage")
    spec = AppConfig().translation.model
    resolved = resolve_model("translator", spec, model_cache=tmp_path, offline=True)
    backend = load_backend(resolved, RuntimeConfig(device="cpu", model_cache=tmp_path),
                           GenerationOverrides())
    assert backend.name == "ctranslate2" and backend.generate(["De dijk is gebroken."])[0]


def test_a_short_revision_resolves_offline_from_a_copied_cache(hub_files, tmp_path):
    """No refs/a4f8f3e in a cache pulled as main: the one matching snapshot is used."""
    _, snapshot = _install_defaults(hub_files, tmp_path / "hub")
    spec = ModelSpec(id=DEFAULT_SUMMARIZER, revision=DEFAULT_SUMMARIZER_REVISION[:7])
    assert find_cached(spec, tmp_path) == snapshot


def test_an_unresolvable_revision_names_the_full_hash_to_pin(tmp_path):
    spec = ModelSpec(id=DEFAULT_SUMMARIZER, revision="a4f8f3e")
    with pytest.raises(ModelUnavailableError) as info:
        resolve_model("summarizer", spec, model_cache=tmp_path, offline=True)
    assert f"pin the full commit {DEFAULT_SUMMARIZER_REVISION}" in str(info.value)
    assert "refs/a4f8f3e" in str(info.value)


def _models(*args):
    return runner.invoke(app, ["models", *args])


def test_verify_names_file_expected_and_found_hash(hub_files, tmp_path):
    """The tiny weights under the real pins do not match the real checksums."""
    snapshot, _ = _install_defaults(hub_files, tmp_path / "hub")
    found = pins.sha256_of(snapshot / "pytorch_model.bin")
    expected = pins.PINS[DEFAULT_TRANSLATOR].sha256["pytorch_model.bin"]
    for command in ("verify", "list"):
        result = _models(command, "--set", f"runtime.model_cache={tmp_path}")
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert str(snapshot / "pytorch_model.bin") in result.output
        assert expected in result.output and found in result.output


def test_verified_unverified_and_missing(hub_files, tmp_path, monkeypatch):
    marian, bart = hub_files
    commit = "0123456789abcdef0123456789abcdef01234567"
    snapshot = install_in_hub_cache(marian, tmp_path / "hub", "test-org/tiny-nl-en", commit)
    install_in_hub_cache(bart, tmp_path / "hub", "test-org/tiny-sum", commit)
    monkeypatch.setitem(pins.PINS, "test-org/tiny-nl-en", pins.Pin(
        "test-org/tiny-nl-en", commit,
        {"pytorch_model.bin": pins.sha256_of(snapshot / "pytorch_model.bin")}, "test"))
    base = ["--set", f"runtime.model_cache={tmp_path}",
            "--translator", f"test-org/tiny-nl-en@{commit}"]
    result = _models("verify", *base, "--summarizer", f"test-org/tiny-sum@{commit}")
    assert result.exit_code == 0, result.output
    assert "sha256 matches the pin" in result.output and "unverified" in result.output
    result = _models("list", *base, "--summarizer", f"test-org/tiny-sum@{commit}")
    assert result.exit_code == 0, result.output
    # Not a terminal: tab-separated lines, the full ids and commits unbroken.
    header, *rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert header == ["role", "model", "revision", "backend", "status", "where"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("translator", "test-org/tiny-nl-en", commit, "verified"),
        ("summarizer", "test-org/tiny-sum", commit, "unverified"),
        ("consistency", DEFAULT_CONSISTENCY_MODEL, DEFAULT_CONSISTENCY_REVISION, "off")]
    result = _models("list", *base, "--summarizer", "test-org/absent@main")
    assert result.exit_code == 2 and "test-org/absent@main" in result.output


def test_pull_without_the_hub_says_how_to_copy_a_cache(tmp_path):
    result = _models("pull", "--set", f"runtime.model_cache={tmp_path}")
    assert result.exit_code == 2
    assert "briefing models pull" not in result.output
    assert "copy a Hugging Face cache" in result.output
    with pytest.raises(ModelUnavailableError) as info:
        pull_model("translator", ModelSpec(id="test-org/absent", revision="main"),
                   model_cache=tmp_path)
    assert "briefing models pull" not in str(info.value)
    assert "Copy a Hugging Face cache" in str(info.value)


def test_a_hub_whose_name_does_not_resolve_is_reported_without_retrying(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "https://hub.invalid")  # RFC 2606: never resolves
    for proxy in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    with pytest.raises(ModelUnavailableError) as info:
        pull_model("translator", ModelSpec(id="test-org/absent", revision="main"),
                   model_cache=tmp_path)
    assert "could not be reached from this machine (hub.invalid does not resolve)" \
        in str(info.value)
    assert "Copy a Hugging Face cache" in str(info.value)
    assert not (tmp_path / "hub").exists() or not any((tmp_path / "hub").iterdir())


def test_config_show_prints_absolute_paths_and_the_offline_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    assert "offline: true" in result.stdout
    assert f"hub cache: {tmp_path / 'hf-cache'}  (from HF_HUB_CACHE)" in result.stdout
    result = runner.invoke(app, ["config", "show", "--set", "runtime.model_cache=models"])
    assert f"model_cache: {tmp_path / 'models'}" in result.stdout
    assert f"hub cache: {tmp_path / 'models' / 'hub'}" in result.stdout
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    assert "offline: false" in runner.invoke(app, ["config", "show"]).stdout


class _NotATensor:
    """Any object outside torch's weights_only allow-list."""


def test_a_pickle_with_code_is_refused_in_one_sentence(tiny_model_dirs, tmp_path):
    marian, bart = tiny_model_dirs
    target = tmp_path / "evil"
    shutil.copytree(marian, target)
    (target / "model.safetensors").unlink()
    torch.save({"date": datetime.date(2020, 1, 1)}, target / "pytorch_model.bin")
    for backend in ("transformers", "ctranslate2"):
        spec = ModelSpec(id=str(target), backend=backend)
        resolved = ResolvedModel("translator", spec, target, "local-dir")
        with pytest.raises(ModelUnavailableError, match="weights_only"):
            load_backend(resolved, RuntimeConfig(device="cpu", model_cache=tmp_path),
                         GenerationOverrides())
    result = runner.invoke(app, ["summarize", str(_articles()[0]), "--translator", str(target),
                                 "--summarizer", str(bart), "--set", f"runtime.model_cache={tmp_path}"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "hold Python objects besides tensors" in result.output


def test_compute_types_follow_the_weights_and_the_device():
    from pipeline.hub.device import ct2_compute_type

    assert ct2_compute_type("int8", "cpu") == "int8"
    assert ct2_compute_type("none", "cpu") == "float32"
    # The exact path stays float32 on a GPU too.
    assert ct2_compute_type("none", "cuda") == "float32"


@pytest.mark.parametrize(("supported", "expected"), [
    # an H200 (bench/README.md "GPU": bfloat16 fastest, then float16; int8_float16 slowest)
    ({"float32", "float16", "bfloat16", "int8", "int8_float32", "int8_float16",
      "int8_bfloat16"}, "bfloat16"),
    ({"float32", "float16", "int8", "int8_float32", "int8_float16"}, "float16"),  # a T4
    ({"float32", "int8", "int8_float32"}, "int8"),
])
def test_cuda_runs_the_int8_conversion_in_the_fastest_type_the_gpu_has(
        monkeypatch, supported, expected):
    import ctranslate2

    from pipeline.hub.device import ct2_compute_type

    monkeypatch.setattr(ctranslate2, "get_supported_compute_types",
                        lambda device: supported if device == "cuda" else {"int8", "float32"})
    assert ct2_compute_type("int8", "cuda") == expected
