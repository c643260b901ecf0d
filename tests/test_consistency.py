"""The optional consistency check (support.consistency): a tiny random T5 laid out in the
Hugging Face cache under the real MiniCheck id and pin, loaded through the production path
(registry, both backends), run from `summarize` and `briefing check --consistency` to the
recorded per-sentence fields; off by default; a missing model is one sentence and exit 2.

The tiny model's scores mean nothing; the tests check that the score is MiniCheck's (its
input format, its answer tokens, its softmax), that both backends agree, and that scores
become labels and records as documented."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from pipeline.backends.scoring import PROMPT, load_scorer
from pipeline.cli import app
from pipeline.core.config import (
    DEFAULT_CONSISTENCY_MODEL,
    DEFAULT_CONSISTENCY_REVISION,
    AppConfig,
    ConsistencyConfig,
    ModelSpec,
    RuntimeConfig,
)
from pipeline.hub import pins
from pipeline.hub.registry import resolve_model
from pipeline.record.briefing import AlignedSentence, Briefing
from pipeline.support.apply import support_summary
from pipeline.support.claims import SupportChecker
from pipeline.support.consistency import (
    CONSISTENT,
    INCONSISTENT,
    NO_EVIDENCE,
    NOT_CHECKED,
    OFF,
    TOO_LONG,
    ConsistencyCheck,
    consistency_of,
    load_consistency_check,
    premise_indices,
)
from tests.conftest import SAMPLES, sample_corpus
from tests.helpers.hub_cache import as_hub_snapshot_files, install_in_hub_cache

runner = CliRunner()
TRANSLATION = ["A sea dike near Kruiningen gave way on Tuesday night.",
               "Some 1,200 residents were evacuated.",
               "Spokesman Kosten said the breach was forty metres long.",
               "The water board will repair it this week."]


@pytest.fixture(scope="module")
def tiny_t5(tmp_path_factory):
    from tests.helpers.tiny_models import build_t5

    return build_t5(tmp_path_factory.mktemp("tiny-t5") / "t5", sample_corpus())


@pytest.fixture(scope="module")
def model_cache(tiny_t5, tmp_path_factory):
    """A model cache holding the tiny T5 as the hub ships MiniCheck, at the default pin."""
    root = tmp_path_factory.mktemp("consistency-cache")
    files = as_hub_snapshot_files(tiny_t5, root / "files")
    install_in_hub_cache(files, root / "cache" / "hub", DEFAULT_CONSISTENCY_MODEL,
                         DEFAULT_CONSISTENCY_REVISION)
    return root / "cache"


def _runtime(model_cache) -> RuntimeConfig:
    return RuntimeConfig(device="cpu", model_cache=model_cache, offline=True)


def _scorer(model_cache, backend="transformers", quantization="none", **kwargs):
    spec = ModelSpec(id=DEFAULT_CONSISTENCY_MODEL, revision=DEFAULT_CONSISTENCY_REVISION,
                     backend=backend, quantization=quantization)
    resolved = resolve_model("consistency", spec, model_cache=model_cache, offline=True)
    assert resolved.origin == "hub-cache" and resolved.path.name == DEFAULT_CONSISTENCY_REVISION
    return load_scorer(resolved, _runtime(model_cache), max_tokens=kwargs.get("max_tokens", 2048),
                       batch_size=kwargs.get("batch_size", 8))


PAIRS = [(" ".join(TRANSLATION[:2]), "A dike broke near Kruiningen."),
         (TRANSLATION[2], "Kosten said the breach was forty metres long."),
         (" ".join(TRANSLATION), "The water board evacuated 4,800 people from Vlissingen.")]


def test_the_default_model_is_pinned_to_a_full_commit_with_its_weight_hash():
    config = AppConfig().support.consistency
    assert not config.enabled and config.threshold == 0.5 and config.neighbours == 1
    assert (config.model.id, config.model.revision) == (DEFAULT_CONSISTENCY_MODEL,
                                                        DEFAULT_CONSISTENCY_REVISION)
    assert pins.is_full_commit(config.model.revision)
    pin = pins.known_pin(DEFAULT_CONSISTENCY_MODEL)
    assert pin.commit == DEFAULT_CONSISTENCY_REVISION
    assert len(pin.sha256["pytorch_model.bin"]) == 64


def test_the_score_is_minichecks_first_token_softmax(model_cache):
    scorer = _scorer(model_cache)
    tokenizer, model = scorer.tokenizer, scorer.model
    # MiniCheck reads the answers' first pieces: "▁1" (supported) and "▁" (start of "0").
    assert scorer.labels == tuple(tokenizer.convert_tokens_to_ids(["▁", "▁1"]))
    premise, hypothesis = PAIRS[0]
    ids = scorer.encode(premise, hypothesis)
    assert ids == tokenizer(PROMPT + premise + "</s>" + hypothesis)["input_ids"]
    assert ids.count(tokenizer.eos_token_id) == 2 and PROMPT == "predict: "
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids]),
                       decoder_input_ids=torch.zeros((1, 1), dtype=torch.long)).logits[0, 0]
    expected = torch.softmax(logits[list(scorer.labels)], dim=-1)[1].item()
    assert scorer.score(premise, hypothesis) == pytest.approx(expected, abs=1e-6)
    # Batched with padding, each pair scores as it does alone.
    alone = [scorer.score(p, h) for p, h in PAIRS]
    assert scorer.score_pairs(PAIRS) == pytest.approx(alone, abs=1e-5)
    assert len(set(alone)) == len(alone)  # the scores depend on the input
    assert scorer.stats["inputs"] == 2 * len(PAIRS) + 1


def test_ctranslate2_scores_match_transformers(model_cache):
    """Flan-T5's output layer is not scaled: CTranslate2's T5 loader reads that from
    tie_word_embeddings, which transformers 5 sets on every T5 config (convert.py)."""
    exact = _scorer(model_cache).score_pairs(PAIRS)
    fp32 = _scorer(model_cache, "ctranslate2", "none")
    assert fp32.name == "ctranslate2" and fp32.score_pairs(PAIRS) == pytest.approx(exact, abs=1e-4)
    int8 = _scorer(model_cache, "ctranslate2", "int8").score_pairs(PAIRS)
    assert int8 == pytest.approx(exact, abs=0.05)


def test_the_premise_is_the_evidence_and_its_neighbours_in_article_order():
    assert premise_indices([3], 10, 1) == [2, 3, 4]
    assert premise_indices([7, 0], 8, 1) == [0, 1, 6, 7]
    assert premise_indices([2, 3], 4, 2) == [0, 1, 2, 3]
    assert premise_indices([5], 9, 0) == [5]
    assert premise_indices([], 9, 1) == []


def test_scores_become_labels_and_unreadable_sentences_are_not_checked(model_cache):
    scorer = _scorer(model_cache)
    sentences = ["A dike broke near Kruiningen.", "Kosten said it was forty metres long.",
                 "Nothing here matches."]
    evidence = [[0], [2], []]
    score = scorer.score(" ".join(TRANSLATION[:2]), sentences[0])
    results = ConsistencyCheck(scorer, threshold=score - 1e-6).check(
        sentences, evidence, TRANSLATION)
    assert results[0].label == CONSISTENT and results[0].premise == (0, 1)
    assert results[0].score == pytest.approx(score, abs=1e-6)
    assert results[1].premise == (1, 2, 3)
    assert (results[2].label, results[2].score, results[2].reason) == (
        NOT_CHECKED, None, NO_EVIDENCE)
    strict = ConsistencyCheck(scorer, threshold=score + 1e-6, neighbours=1)
    assert strict.check(sentences[:1], evidence[:1], TRANSLATION)[0].label == INCONSISTENT
    small = _scorer(model_cache, max_tokens=20)
    long = ConsistencyCheck(small).check(sentences[:1], evidence[:1], TRANSLATION)[0]
    assert (long.label, long.reason) == (NOT_CHECKED, TOO_LONG)


def test_support_records_the_check_beside_the_claim_labels(model_cache):
    check = load_consistency_check(ConsistencyConfig(enabled=True), _runtime(model_cache),
                                   offline=True)  # the default spec: CTranslate2 int8
    sentences = ["A sea dike near Kruiningen gave way.", "Mayor Jan Verburg resigned."]
    result = support_summary(SupportChecker(use_spacy=False), sentences, TRANSLATION,
                             consistency=check)
    first, second = result.summary
    assert first["support"] == "supported" and first["consistency"] in (CONSISTENT, INCONSISTENT)
    premise = " ".join(TRANSLATION[i] for i in first["consistency_premise"])
    assert first["consistency_score"] == pytest.approx(
        check.scorer.score(premise, first["text"]), abs=1e-4)
    assert first["consistency_premise"] == premise_indices(first["evidence"], 4, 1)
    assert second["evidence"] == [] and second["consistency"] == NOT_CHECKED
    assert second["consistency_reason"] == NO_EVIDENCE
    record = result.support["consistency"]
    assert record["enabled"] and record["model"]["id"] == DEFAULT_CONSISTENCY_MODEL
    assert record["model"]["backend"] == "ctranslate2" and record["model"]["quantization"] == "int8"
    assert record["not_checked"] == 1 and record["consistent"] + record["inconsistent"] == 1
    assert result.consistency_seconds > 0


def test_off_by_default_every_sentence_is_not_checked():
    result = support_summary(SupportChecker(use_spacy=False), ["A dike broke."], TRANSLATION)
    (sentence,) = result.summary
    assert (sentence["consistency"], sentence["consistency_score"],
            sentence["consistency_reason"]) == (NOT_CHECKED, None, OFF)
    assert result.support["consistency"] == {"enabled": False, "consistent": 0,
                                             "inconsistent": 0, "not_checked": 1}
    assert result.consistency_seconds < result.seconds + 1


def test_summarize_records_it_and_its_own_time(tiny_model_dirs, model_cache):
    marian, bart = tiny_model_dirs
    article = sorted((SAMPLES / "articles").glob("*.txt"))[0]
    args = ["summarize", str(article), "--format", "json", "--translator", str(marian),
            "--summarizer", str(bart), "--set", f"runtime.model_cache={model_cache}"]
    off = json.loads(runner.invoke(app, args).stdout)
    assert "consistency" not in off["models"] and "consistency_s" not in off["timings"]
    assert {s["consistency"] for s in off["summary"]} == {NOT_CHECKED}
    result = runner.invoke(app, [*args, "--set", "support.consistency.enabled=true",
                                 "--set", "support.consistency.threshold=0"])
    assert result.exit_code == 0, result.output
    briefing = json.loads(result.stdout)
    assert briefing["models"]["consistency"]["revision"] == DEFAULT_CONSISTENCY_REVISION
    assert 0 <= briefing["timings"]["consistency_s"] <= briefing["timings"]["total_s"]
    labels = [s["consistency"] for s in briefing["summary"]]
    evidence = [bool(s["evidence"]) for s in briefing["summary"]]
    # Threshold 0: every sentence with evidence is consistent, the rest not checked, for
    # want of evidence (the tiny models' summaries rarely share a word with the article;
    # scoring itself is covered by the check and support tests above and below).
    assert labels == [CONSISTENT if e else NOT_CHECKED for e in evidence]
    assert all(s["consistency_reason"] == NO_EVIDENCE for s in briefing["summary"]
               if not s["evidence"])
    assert briefing["support"]["consistency"]["threshold"] == 0
    read = Briefing.from_dict(briefing)
    assert [consistency_of(s)[0] for s in read.summary] == labels


def _briefing_file(tmp_path, summary):
    sentences = [AlignedSentence(nl=None, en=s, paragraph=0) for s in TRANSLATION]
    data = Briefing(id="dike", date=None, source="test", url=None, title_nl=None,
                    title_en="Dike breach", summary_sentences=summary, sentences=sentences,
                    source_language="en", language_confidence=1.0, removed_captions=[],
                    models={}, summary_info={}, timings={}).to_dict()
    path = tmp_path / "dike.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_check_consistency_reports_inconsistent_sentences(tmp_path, model_cache):
    path = _briefing_file(tmp_path, ["A sea dike near Kruiningen gave way."])
    base = ["check", str(path), "--no-spacy", "--consistency",
            "--set", f"runtime.model_cache={model_cache}"]
    result = runner.invoke(app, [*base, "--set", "support.consistency.threshold=0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"0 inconsistent of 1 checked sentences (consistency: {DEFAULT_CONSISTENCY_MODEL})")
    result = runner.invoke(app, [*base, "--set", "support.consistency.threshold=1"])
    assert result.exit_code == 1, result.output
    assert any(line.startswith("dike\tsentence 1\tinconsistent\tscore ")
               for line in result.stdout.splitlines())
    result = runner.invoke(app, [*base, "--format", "json"])
    sentence = json.loads(result.stdout)["dike"]["summary"][0]
    assert sentence["consistency"] in (CONSISTENT, INCONSISTENT)
    assert 0 <= sentence["consistency_score"] <= 1
    without = runner.invoke(app, ["check", str(path), "--no-spacy", "--format", "json"])
    assert json.loads(without.stdout)["dike"]["summary"][0]["consistency"] == NOT_CHECKED


def test_a_missing_consistency_model_is_one_sentence_and_exit_2(tmp_path):
    path = _briefing_file(tmp_path, ["A sea dike near Kruiningen gave way."])
    result = runner.invoke(app, ["check", str(path), "--consistency",
                                 "--set", f"runtime.model_cache={tmp_path / 'empty'}"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"The consistency model '{DEFAULT_CONSISTENCY_MODEL}@" in result.output
    assert "briefing models pull" in result.output
    assert "support.consistency.enabled: true" in result.output
    assert not result.stdout.strip()  # nothing was checked


def test_summarize_with_the_check_on_and_no_model_stops_before_any_work(tiny_model_dirs,
                                                                       tmp_path):
    marian, bart = tiny_model_dirs
    article = sorted((SAMPLES / "articles").glob("*.txt"))[0]
    result = runner.invoke(app, ["summarize", str(article), "--translator", str(marian),
                                 "--summarizer", str(bart), "--set",
                                 f"runtime.model_cache={tmp_path}", "--set",
                                 "support.consistency.enabled=true"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not result.stdout.strip()
    assert "The consistency model" in result.output and "not available offline" in result.output


def test_models_list_shows_it_off_and_checks_it_when_enabled(model_cache):
    base = ["models", "list", "--set", f"runtime.model_cache={model_cache}"]
    rows = [line.split("\t") for line in runner.invoke(app, base).stdout.splitlines()]
    assert [r[0] for r in rows[1:]][-1] == "consistency" and rows[-1][4] == "off"
    result = runner.invoke(app, [*base, "--set", "support.consistency.enabled=true"])
    row = [line.split("\t") for line in result.stdout.splitlines()][-1]
    assert row[:3] == ["consistency", DEFAULT_CONSISTENCY_MODEL, DEFAULT_CONSISTENCY_REVISION]
    # The tiny weights under the real pin do not match MiniCheck's recorded sha256.
    assert row[4] == "mismatch" and result.exit_code == 2
    assert pins.known_pin(DEFAULT_CONSISTENCY_MODEL).sha256["pytorch_model.bin"] in result.output


@pytest.mark.parametrize("sentence", [
    {"text": "old file"}, None, "text", {"consistency": "maybe", "consistency_score": 0.9},
    {"consistency": "consistent", "consistency_score": "high"},
    {"consistency": "consistent", "consistency_score": 7},
    {"consistency": "inconsistent", "consistency_score": True},
])
def test_briefings_without_or_with_broken_fields_read_as_not_checked(sentence):
    assert consistency_of(sentence) == (NOT_CHECKED, None)
