"""Tiny Marian and BART models built from scratch, for tests that must run offline.

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
from tokenizers import ByteLevelBPETokenizer
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BartTokenizer,
    GenerationConfig,
    MarianConfig,
    MarianMTModel,
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
