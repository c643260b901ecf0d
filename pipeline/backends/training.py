"""Training helpers for checks and test models: a Marian tokenizer, a tiny copy model.

``train_marian_tokenizer`` is the one recipe for a sentencepiece Marian tokenizer trained on
a corpus (the test suite's tiny models, the benchmark's offline fallback, the fidelity
check). ``train_copy_model`` trains a tiny Marian to copy its input until its greedy choices
are confident, for ``pipeline.backends.fidelity``.
"""

from __future__ import annotations

import json
import random
import tempfile
from contextlib import contextmanager
from pathlib import Path

# The copy model: small enough to train in seconds on a CPU.
DIMS = dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
            decoder_attention_heads=4, encoder_ffn_dim=256, decoder_ffn_dim=256,
            dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)
MAX_SOURCE_TOKENS = 32


def train_marian_tokenizer(out: Path, corpus: list[str], vocab_size: int | None,
                           pieces: int = 4000) -> int:
    """A sentencepiece model of about ``pieces`` pieces on the corpus, saved as a Marian
    tokenizer; vocab.json is padded with fillers to ``vocab_size`` entries when given.

    Returns:
        The vocabulary size (pad token included).
    """
    import sentencepiece as spm
    from transformers import MarianTokenizer

    lines = [line for text in corpus for line in text.splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "spm"
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_prefix=str(prefix), vocab_size=pieces,
            model_type="unigram", character_coverage=1.0, minloglevel=2,
            hard_vocab_limit=False,
        )
        model_bytes = prefix.with_suffix(".model").read_bytes()
    for side in ("source", "target"):
        (out / f"{side}.spm").write_bytes(model_bytes)
    processor = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(processor.get_piece_size()):
        vocab.setdefault(processor.id_to_piece(i), len(vocab))
    filler = 0
    while vocab_size is not None and len(vocab) < vocab_size - 1:
        vocab.setdefault(f"▁filler{filler}", len(vocab))
        filler += 1
    vocab["<pad>"] = len(vocab)  # Marian puts the pad token last
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(source_spm=str(out / "source.spm"), target_spm=str(out / "target.spm"),
                    vocab=str(out / "vocab.json"), model_max_length=512).save_pretrained(out)
    return len(vocab)


def train_copy_model(out_dir: Path, sentences: list[str], *, steps: int, seed: int = 0
                     ) -> tuple[Path, list[str]]:
    """Train a tiny Marian to copy its input; save it with ``save_pretrained``.

    Returns:
        The model directory and the sentences it was trained on (those of at most
        ``MAX_SOURCE_TOKENS`` tokens).
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_size = train_marian_tokenizer(out_dir, sentences, None, pieces=300)
    tokenizer = MarianTokenizer.from_pretrained(out_dir)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    encoded = [(s, tokenizer(s)["input_ids"]) for s in sentences]
    kept = [(s, ids) for s, ids in encoded if 3 <= len(ids) <= MAX_SOURCE_TOKENS]
    config = MarianConfig(vocab_size=vocab_size, decoder_vocab_size=vocab_size,
                          max_position_embeddings=128, pad_token_id=pad, eos_token_id=eos,
                          decoder_start_token_id=pad, forced_eos_token_id=eos,
                          scale_embedding=True, **DIMS)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = MarianMTModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / 30) * max(0.05, 1 - step / steps))
    model.train()
    with single_thread():
        for _ in range(steps):
            batch = [ids for _, ids in rng.sample(kept, min(32, len(kept)))]
            inputs = torch.full((len(batch), max(len(ids) for ids in batch)), pad)
            for row, ids in enumerate(batch):
                inputs[row, : len(ids)] = torch.tensor(ids)
            labels = inputs.masked_fill(inputs == pad, -100)  # copy: the target is the input
            loss = model(input_ids=inputs, attention_mask=(inputs != pad).long(),
                         labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            with torch.no_grad():
                # Marian's <pad> (its decoder start) embedding is zero and CTranslate2 relies
                # on it; the tied output layer would otherwise train that row.
                model.model.shared.weight[pad].zero_()
    model.eval()
    model.generation_config = GenerationConfig(
        num_beams=1, max_new_tokens=MAX_SOURCE_TOKENS + 8, pad_token_id=pad, eos_token_id=eos,
        decoder_start_token_id=pad, forced_eos_token_id=eos, bad_words_ids=[[pad]],
    )
    model.save_pretrained(out_dir)
    return out_dir, [s for s, _ in kept]


@contextmanager
def single_thread():
    """Run torch on one thread: a model this small gains nothing from a second one, and one
    thread keeps timings steady on a shared box (an OpenMP barrier waits for a preempted
    thread)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
