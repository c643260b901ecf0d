"""The default models' real architectures with seeded random weights, built offline.

opus-mt-nl-en (Marian, 6+6 layers, d_model 512, vocab 67,028) and distilbart-cnn-12-6
(BART, 12+6 layers, d_model 1024, vocab 50,264). With ``../shared/models`` present, the
real configs, generation configs and tokenizers are used; without it, the same
architectures come from the values below and small tokenizers are trained on the project's
samples (padded with filler entries to the real vocabulary sizes, so the embedding and
output layers cost what the real ones do).

One deliberate change to the random weights: Marian's ``final_logits_bias`` favours a list
of common English words. Random weights otherwise emit long rare pieces (about 70
DistilBART tokens per 28-token "translation"), which would push every translated article
over the summarizer's 1,024-token limit and make the two sides do different work. The bias
costs nothing at inference and makes the translated text as long, in DistilBART tokens,
as English is.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.backends.training import train_marian_tokenizer

MARIAN = "Helsinki-NLP__opus-mt-nl-en"
BART = "sshleifer__distilbart-cnn-12-6"
RECIPE_VERSION = 1  # bump when the way models are built changes

# The parts of the real config.json / generation_config.json that shape the computation.
MARIAN_CONFIG = dict(
    vocab_size=67028, decoder_vocab_size=67028, d_model=512, encoder_layers=6,
    decoder_layers=6, encoder_attention_heads=8, decoder_attention_heads=8,
    encoder_ffn_dim=2048, decoder_ffn_dim=2048, activation_function="swish",
    max_position_embeddings=512, scale_embedding=True, static_position_embeddings=True,
    share_encoder_decoder_embeddings=True, pad_token_id=67027, eos_token_id=0,
    bos_token_id=0, decoder_start_token_id=67027, forced_eos_token_id=0,
)
MARIAN_GENERATION = dict(
    bad_words_ids=[[67027]], bos_token_id=0, decoder_start_token_id=67027, eos_token_id=0,
    forced_eos_token_id=0, max_length=512, num_beams=6, pad_token_id=67027,
    renormalize_logits=True,
)
BART_CONFIG = dict(
    vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6,
    encoder_attention_heads=16, decoder_attention_heads=16, encoder_ffn_dim=4096,
    decoder_ffn_dim=4096, activation_function="gelu", max_position_embeddings=1024,
    scale_embedding=False, normalize_before=False, normalize_embedding=True,
    pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
    forced_bos_token_id=0, forced_eos_token_id=2,
)
BART_GENERATION = dict(
    bos_token_id=0, decoder_start_token_id=2, early_stopping=True, eos_token_id=2,
    forced_bos_token_id=0, forced_eos_token_id=2, length_penalty=2.0, max_length=142,
    min_length=56, no_repeat_ngram_size=3, num_beams=4, pad_token_id=1,
)

_COMMON_ENGLISH_TEXT = (
    "the of and to a in is that for it was on with as he be at by this had not are but "
    "from or have an they which one you were her all she there would their we him been has "
    "when who will more no if out so said what up its about into than them can only other "
    "new some could time these two may then do first any my now such like our over man me "
    "even most made after also did many before must through back years where much your way "
    "well down should because each just those people how too little state good very make "
    "world still own see men work long get here between both life being under never day "
    "same another know while last might us great old year off come since against go came "
    "right used take three"
)
COMMON_ENGLISH = tuple(_COMMON_ENGLISH_TEXT.split())
ENGLISH_BIAS = 6.0


@dataclass(frozen=True)
class BenchModels:
    """Where the two saved models are and how their tokenizers were obtained."""

    marian: Path
    bart: Path
    tokenizers: str  # "real" (../shared/models) or "trained" (on the samples)
    built: bool  # False when an earlier build was reused


def build_models(root: Path, shared_models: Path, corpus: list[str], seed: int) -> BenchModels:
    """Build (or reuse) both random-weight models under ``root``.

    Args:
        root: the benchmark's model folder (``out/bench/models``).
        shared_models: ``../shared/models``; its absence switches to trained tokenizers.
        corpus: text for training fallback tokenizers (Dutch articles and English text).
        seed: torch seed for the weights.
    """
    real = (shared_models / MARIAN / "config.json").is_file() and (
        shared_models / BART / "config.json").is_file()
    recipe = {"version": RECIPE_VERSION, "seed": seed, "real": real,
              "bias": [ENGLISH_BIAS, list(COMMON_ENGLISH)]}
    if real:
        recipe["files"] = {p.name: _sha(p) for name in (MARIAN, BART)
                           for p in sorted((shared_models / name).iterdir())}
    else:
        recipe["corpus"] = hashlib.sha256("\x00".join(corpus).encode()).hexdigest()
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    marian, bart = root / f"marian-{key}", root / f"bart-{key}"
    built = False
    for target, build in ((marian, _build_marian), (bart, _build_bart)):
        if (target / "model.safetensors").is_file():
            continue
        built = True
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=_mkdir(root)))
        try:
            build(work, shared_models if real else None, corpus, seed)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return BenchModels(marian, bart, "real" if real else "trained", built)


def _build_marian(out: Path, shared: Path | None, corpus: list[str], seed: int) -> None:
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    if shared is not None:
        _copy_tokenizer(shared / MARIAN, out)
        config = MarianConfig.from_pretrained(shared / MARIAN)
        generation = GenerationConfig.from_pretrained(shared / MARIAN)
    else:
        train_marian_tokenizer(out, corpus, MARIAN_CONFIG["vocab_size"])
        config = MarianConfig(**MARIAN_CONFIG)
        generation = GenerationConfig(**MARIAN_GENERATION)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    with torch.no_grad():
        for word in COMMON_ENGLISH:
            if f"▁{word}" in vocab:
                model.final_logits_bias[0, vocab[f"▁{word}"]] = ENGLISH_BIAS
    model.generation_config = generation
    model.save_pretrained(out)


def _build_bart(out: Path, shared: Path | None, corpus: list[str], seed: int) -> None:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, GenerationConfig

    if shared is not None:
        _copy_tokenizer(shared / BART, out)
        config = BartConfig.from_pretrained(shared / BART)
        generation = GenerationConfig.from_pretrained(shared / BART)
    else:
        _train_bart_tokenizer(out, corpus, BART_CONFIG["vocab_size"])
        config = BartConfig(**BART_CONFIG)
        generation = GenerationConfig(**BART_GENERATION)
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config = generation
    model.save_pretrained(out)


def _copy_tokenizer(source: Path, out: Path) -> None:
    for file in source.iterdir():
        if file.is_file() and file.name not in ("config.json", "generation_config.json"):
            shutil.copy2(file, out / file.name)


def _train_bart_tokenizer(out: Path, corpus: list[str], vocab_size: int) -> None:
    """A byte-level BPE on the corpus; vocab padded with decodable fillers to the real size."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartTokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(list(corpus), vocab_size=8000, min_frequency=2,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.save_model(tmp)
        vocab = json.loads((Path(tmp) / "vocab.json").read_text(encoding="utf-8"))
        merges = [tuple(line.split(" ")) for line in (Path(tmp) / "merges.txt")
                  .read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")]
    filler = 0
    while len(vocab) < vocab_size:
        # "Ġ" + letters: valid byte-level symbols, so the fillers decode to " filler…".
        vocab.setdefault("Ġfiller" + _letters(filler), len(vocab))
        filler += 1
    vocab["<mask>"] = len(vocab)  # outside the embedding matrix, as in the real model
    BartTokenizer(vocab=vocab, merges=merges, model_max_length=1024).save_pretrained(out)


def _letters(number: int) -> str:
    text = ""
    while True:
        number, rest = divmod(number, 26)
        text = chr(ord("a") + rest) + text
        if not number:
            return text


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
