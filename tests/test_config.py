"""One validated configuration: defaults < YAML < overrides, unknown keys rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import AppConfig, load_config, parse_model_option
from pipeline.core.errors import ConfigError
from tests.conftest import REPO


def test_default_yaml_spells_out_the_built_in_defaults():
    assert load_config(REPO / "configs" / "default.yaml") == AppConfig()


def test_yaml_then_overrides_take_precedence(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("translation:\n  batch_tokens: 1000\n  max_batch_size: 8\n")
    config = load_config(path, {"translation.batch_tokens": "2000"})
    assert config.translation.batch_tokens == 2000
    assert config.translation.max_batch_size == 8
    assert config.summarization.max_sentences == 5


@pytest.mark.parametrize("yaml_text, phrase", [
    ("translation:\n  batch_tokns: 5\n", "translation.batch_tokns: unknown key"),
    ("summarization:\n  min_sentences: 6\n", "min_sentences must not exceed"),
    ("runtime:\n  device: tpu\n", "runtime.device"),
    ("- a list\n", "mapping"),
    ("translation: [\n", "invalid YAML"),
    ("translation:\n  model:\n    id: x\n    quantization: int8\n", "ctranslate2"),
])
def test_invalid_configs_name_the_problem(tmp_path, yaml_text, phrase):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert phrase in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_environment_variable_names_the_config(tmp_path, monkeypatch):
    path = tmp_path / "env.yaml"
    path.write_text("ingest:\n  min_article_words: 42\n")
    monkeypatch.setenv("BRIEFING_CONFIG", str(path))
    assert load_config().ingest.min_article_words == 42


def test_model_option_parsing(tmp_path):
    assert parse_model_option("org/model@abc1234").revision == "abc1234"
    assert parse_model_option("org/model").revision is None
    local = parse_model_option(str(tmp_path))
    assert local.id == str(tmp_path.resolve()) and local.revision is None


def test_offline_follows_the_environment(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert AppConfig().offline
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    assert not AppConfig().offline


@pytest.mark.parametrize("name", ["default.yaml", "nightly.yaml", "fast.yaml"])
def test_every_shipped_config_is_valid(name):
    config = load_config(REPO / "configs" / name)
    assert config.translation.model.id == "Helsinki-NLP/opus-mt-nl-en"


def test_fast_config_selects_ctranslate2_int8():
    config = load_config(REPO / "configs" / "fast.yaml")
    for section in (config.translation, config.summarization):
        assert (section.model.backend, section.model.quantization) == ("ctranslate2", "int8")


def test_one_nested_override_merges_with_the_defaults():
    config = load_config(None, {"summarization.model.revision": "abc123"})
    assert config.summarization.model.id == AppConfig().summarization.model.id
    assert config.summarization.model.revision == "abc123"
    assert config.summarization.min_sentences == AppConfig().summarization.min_sentences


def test_another_model_id_does_not_inherit_the_default_revision():
    config = load_config(None, {"summarization.model.id": "org/other"})
    assert config.summarization.model.revision is None


def test_unknown_key_gets_a_did_you_mean():
    with pytest.raises(ConfigError, match=r"did you mean 'translation.batch_tokens'"):
        load_config(None, {"translation.batch_token": "3"})


def test_yaml_syntax_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("translation:\n  batch_tokens: 10\n  max_batch_size: [1,\n")
    with pytest.raises(ConfigError, match=rf"{path.name}, line \d+"):
        load_config(path)


def test_endless_config_file_is_read_with_a_bound():
    with pytest.raises(ConfigError, match="over 1,000,000 bytes"):
        load_config(Path("/dev/zero"))
