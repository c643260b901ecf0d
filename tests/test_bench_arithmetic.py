"""The benchmark's multiply-add count matches torch's own FLOP counter on real generation.

``bench.arithmetic`` counts the work from a model's config.json; here transformers generates
with beam search from tiny Marian and BART models (eager attention, so every product is an
aten matmul that ``FlopCounterMode`` sees), and the counter's FLOPs / 2 must equal the count.
"""

from __future__ import annotations

import json

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import BartConfig, BartForConditionalGeneration, MarianConfig, MarianMTModel

from bench.arithmetic import Seq2SeqShape, arithmetic_report, generation_macs
from bench.report import print_arithmetic
from bench.settings import BenchSettings

DIMS = dict(vocab_size=97, d_model=32, encoder_layers=3, decoder_layers=2,
            encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=48,
            decoder_ffn_dim=80, max_position_embeddings=128)
MODELS = {
    "marian": (MarianConfig, MarianMTModel,
               dict(decoder_start_token_id=3, pad_token_id=3, eos_token_id=2)),
    "bart": (BartConfig, BartForConditionalGeneration,
             dict(decoder_start_token_id=2, pad_token_id=1, eos_token_id=2, bos_token_id=0,
                  forced_bos_token_id=0)),
}


@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize(("source_len", "new_tokens", "beams"),
                         [(7, 5, 1), (11, 9, 4), (20, 3, 6)])
def test_count_equals_torch_flop_counter(tmp_path, kind, source_len, new_tokens, beams):
    config_class, model_class, ids = MODELS[kind]
    config = config_class(**DIMS, **ids)
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = model_class(config).eval()
    config.save_pretrained(tmp_path)
    source = torch.randint(5, 90, (1, source_len))

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        output = model.generate(input_ids=source, attention_mask=torch.ones_like(source),
                                num_beams=beams, max_new_tokens=new_tokens,
                                min_new_tokens=new_tokens, do_sample=False)

    assert output.shape[1] - 1 == new_tokens  # every hypothesis ran every step
    shape = Seq2SeqShape.from_model_dir(tmp_path)
    assert counter.get_total_flops() == 2 * generation_macs(shape, [source_len], new_tokens,
                                                            beams)


def test_marian_decodes_into_its_own_target_vocabulary():
    config = MarianConfig(**DIMS, decoder_vocab_size=61).to_dict()
    assert Seq2SeqShape.from_config(config).vocab == 61
    assert Seq2SeqShape.from_config(json.loads(json.dumps(config | {
        "decoder_vocab_size": None}))).vocab == 97


def _side(beams_mt: int, seconds: float) -> dict:
    return {"generation": {"translation": {"num_beams": beams_mt},
                           "summarization": {"num_beams": 4}},
            "summary_source_tokens": 80, "translate_s": seconds, "summarize_s": seconds,
            "work_s": 2 * seconds}


def test_report_rates_and_what_the_targets_need(tmp_path, capsys):
    for name, dims in (("mt", dict(DIMS, d_model=16)), ("sum", DIMS)):
        (tmp_path / name).mkdir()
        MarianConfig(**dims).save_pretrained(tmp_path / name)
    settings = BenchSettings(translation_new_tokens=5, summary_new_tokens=7)
    sides = {"naive": _side(6, 40.0), "pipeline": _side(6, 4.0), "default": _side(4, 2.0)}

    report = arithmetic_report(
        marian=tmp_path / "mt", bart=tmp_path / "sum", translation_lens=[9, 12],
        summary_lens=[30, 50], sides=sides, settings=settings, gemm_rates=[40.0, 50.0], threads=2,
        targets={"speedup": 20.0, "source_tokens_per_s": 1000.0}, source_tokens=21)

    naive, fast, default = (report["sides"][k] for k in ("naive", "pipeline", "default"))
    # The same work at the same beams; ten times faster is ten times the rate.
    assert fast["translate_gmac"] == naive["translate_gmac"]
    assert fast["gmac_per_s"] == pytest.approx(10 * naive["gmac_per_s"])
    # Fewer beams, less translation work; the summaries are the same work.
    assert default["translate_gmac"] < naive["translate_gmac"]
    assert default["summarize_gmac"] == naive["summarize_gmac"]
    # At the rate the speedup target needs, (c)'s work takes (a)'s time / 20.
    need = report["targets_need"]
    work = default["translate_gmac"] + default["summarize_gmac"]
    assert work / need["speedup"]["gmac_per_s"] == pytest.approx(80.0 / 20)
    assert need["source_tokens_per_s"]["gmac_per_s"] * 21 / 1000 == \
        pytest.approx(default["translate_gmac"])
    assert report["lengths_match"]

    mismatched = arithmetic_report(
        marian=tmp_path / "mt", bart=tmp_path / "sum", translation_lens=[9],
        summary_lens=[30, 50], sides=sides, settings=settings, gemm_rates=[40.0, 50.0], threads=2,
        targets={"speedup": 20.0, "source_tokens_per_s": 1000.0}, source_tokens=21)
    assert not mismatched["lengths_match"]

    print_arithmetic(report, "test CPU")
    printed = capsys.readouterr().out
    assert report["float32_gemm_gmac_per_s"] == 50.0  # the higher measurement
    assert ("float32 GEMM on this CPU: 50 GMAC/s (torch, 2 threads; before / after the sides: "
            "40 / 50)") in printed
    assert f"useful rate, side (b): translate {fast['translate_gmac_per_s']:.1f}" in printed
    assert f"{need['speedup']['gmac_per_s']:.0f} GMAC/s" in printed
    assert "warning" not in printed
    print_arithmetic(mismatched, "test CPU")
    assert "warning: the arithmetic counted 9 source and 80 summarizer" in capsys.readouterr().out
