"""Tiny Marian, BART and T5 models built from scratch, for tests that must run offline.

Tokenizers are trained on text we pass in (the project's own sample corpus); the models
have real architectures at toy sizes with seeded random weights. Both are written with
``save_pretrained`` and loaded back through the production code path.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import ByteLevelBPETokenizer
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    MarianConfig,
    MarianMTModel,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)

from pipeline.backends.training import train_marian_tokenizer

TINY_DIMS = dict(
    d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
    decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
    # A wide init makes outputs depend on the input, so order mix-ups are visible.
    init_std=0.5,
)


def build_marian(out_dir: Path, corpus: Iterable[str], *, vocab_size: int = 400,
                 max_new_tokens: int = 12, seed: int = 0, dims: dict | None = None) -> Path:
    """Train a sentencepiece model on ``corpus`` and save a tiny random MarianMT model."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The same tokenizer recipe the benchmark uses for its offline fallback.
    train_marian_tokenizer(out_dir, list(corpus), vocab_size=None, pieces=vocab_size)
    vocab = json.loads((out_dir / "vocab.json").read_text(encoding="utf-8"))
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), max_position_embeddings=512, pad_token_id=pad,
        eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
        **(dims or TINY_DIMS),
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        num_beams=1, max_new_tokens=max_new_tokens, pad_token_id=pad, eos_token_id=0,
        decoder_start_token_id=pad, bad_words_ids=[[pad]],
    )
    model.save_pretrained(out_dir)
    return out_dir


def build_bart(out_dir: Path, corpus: Iterable[str], *, vocab_size: int = 500,
               max_positions: int = 1024, max_new_tokens: int = 16, min_new_tokens: int = 0,
               seed: int = 0) -> Path:
    """Train a byte-level BPE on ``corpus`` and save a tiny random BART model."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(list(corpus), vocab_size=vocab_size, min_frequency=1,
                            special_tokens=specials, show_progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.save_model(tmp)
        tokenizer = BartTokenizer(
            vocab=json.loads((Path(tmp) / "vocab.json").read_text(encoding="utf-8")),
            merges=[tuple(line.split(" ")) for line in (Path(tmp) / "merges.txt")
                    .read_text(encoding="utf-8")
                    .splitlines() if line and not line.startswith("#")],
            model_max_length=max_positions,
        )
    tokenizer.save_pretrained(out_dir)
    config = BartConfig(
        vocab_size=len(tokenizer), max_position_embeddings=max_positions, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2,
        **TINY_DIMS,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        num_beams=2, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        no_repeat_ngram_size=3,
    )
    model.save_pretrained(out_dir)
    return out_dir


def build_t5(out_dir: Path, corpus: Iterable[str], *, vocab_size: int = 400, seed: int = 0
             ) -> Path:
    """A tiny random T5 v1.1 (Flan-T5's layout: gated GELU, an untied, unscaled output layer)
    with a sentencepiece unigram tokenizer trained on ``corpus``: ``<pad>`` 0, ``</s>`` 1,
    ``<unk>`` 2, as T5's own; the answers ``1`` and ``0`` begin with ``▁1`` and ``▁``, as in
    MiniCheck-Flan-T5's vocabulary."""
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = [line for text in corpus for line in text.splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter([*lines, "1", "0", "predict: 1 0"]),
            model_prefix=f"{tmp}/spiece", vocab_size=vocab_size, model_type="unigram",
            character_coverage=1.0, minloglevel=2, hard_vocab_limit=False,
            pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
        processor = spm.SentencePieceProcessor(model_file=f"{tmp}/spiece.model")
    vocab = [(processor.id_to_piece(i), processor.get_score(i))
             for i in range(processor.get_piece_size())]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=512)
    tokenizer.save_pretrained(out_dir)
    config = T5Config(
        vocab_size=len(tokenizer), d_model=32, d_kv=16, d_ff=64, num_layers=1,
        num_decoder_layers=1, num_heads=2, feed_forward_proj="gated-gelu",
        tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config)
    model.save_pretrained(out_dir)
    # As Flan-T5 ships (written by transformers 4): its own output layer, and a config
    # saying so; transformers 5 would tie the layer to the embeddings on saving.
    weights = out_dir / "model.safetensors"
    tensors = load_file(str(weights))
    tensors["lm_head.weight"] = torch.randn_like(tensors["shared.weight"])
    save_file(tensors, str(weights), metadata={"format": "pt"})
    saved = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    saved["tie_word_embeddings"] = False
    saved.pop("scale_decoder_outputs", None)
    (out_dir / "config.json").write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return out_dir
