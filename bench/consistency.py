"""`python -m bench.consistency`: what the optional consistency check costs per article on a CPU.

MiniCheck-Flan-T5-Large's weights cannot be downloaded here, so the model is Flan-T5-Large's
published architecture (24+24 layers, d_model 1,024, d_ff 2,816 gated GELU, 16 heads,
vocabulary 32,128: ~783M parameters) with seeded random weights, converted to CTranslate2
int8 exactly as the pipeline converts it (``pipeline.backends.ct2.convert``). Speed does not
depend on the weights' values.

The inputs are the check's own: for each hand-written briefing sentence of
``tests/data/support/labelled.jsonl``, its premise (evidence sentences and one neighbour
either side, ``pipeline.support.consistency``) in the sample article's reference
translation (``eval/translations``). Token counts use DistilBART's tokenizer from
``../shared/models`` as a stand-in for T5's (both are ~1.3 tokens per English word), or
words x 1.3 without that folder. Each article's sentences are scored in one batch, as the
pipeline does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_BART = REPO.parent / "shared" / "models" / "sshleifer__distilbart-cnn-12-6"
# google/flan-t5-large's config.json (the architecture MiniCheck-Flan-T5-Large fine-tunes).
FLAN_T5_LARGE = dict(d_model=1024, d_ff=2816, d_kv=64, num_heads=16, num_layers=24,
                     num_decoder_layers=24, feed_forward_proj="gated-gelu", vocab_size=32128,
                     relative_attention_num_buckets=32, tie_word_embeddings=False,
                     pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)


def premises() -> dict[str, list[tuple[str, str]]]:
    """(premise, sentence) pairs per sample article, as the check builds them."""
    from pipeline.support.consistency import premise_indices
    from pipeline.support.evidence import find_evidence
    from pipeline.text.sentences import split_sentences

    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    rows = (REPO / "tests" / "data" / "support" / "labelled.jsonl").read_text("utf-8")
    for line in rows.splitlines():
        row = json.loads(line)
        path = REPO / "eval" / "translations" / f"{row['article']}.txt"
        article = split_sentences(path.read_text("utf-8"))
        evidence = [e.index for e in find_evidence(row["sentence"], article, limit=3)]
        indices = premise_indices(evidence, len(article), 1)
        if indices:
            pairs[row["article"]].append((" ".join(article[i] for i in indices), row["sentence"]))
    return dict(pairs)


def counter():
    """A tokenizer that counts English tokens about as T5's does, and its name."""
    from transformers import AutoTokenizer

    if (SHARED_BART / "tokenizer_config.json").is_file() or (SHARED_BART / "vocab.json").is_file():
        return AutoTokenizer.from_pretrained(SHARED_BART), "distilbart-cnn-12-6 (stand-in)"
    return None, "words x 1.3 (no ../shared)"


def build(work: Path, threads: int):
    """The random-weight Flan-T5-Large, converted to CTranslate2 int8; (translator, seconds)."""
    import ctranslate2
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    from pipeline.backends.ct2.convert import _Converter
    from tests.conftest import sample_corpus
    from tests.helpers.tiny_models import build_t5

    started = time.perf_counter()
    source = build_t5(work / "tokenizer", sample_corpus())  # only its tokenizer is used
    config = T5Config(**FLAN_T5_LARGE)
    config.save_pretrained(source)  # the big config beside the tiny tokenizer
    torch.manual_seed(0)
    held = {"model": T5ForConditionalGeneration(config).eval()}
    parameters = sum(p.numel() for p in held["model"].parameters())

    class InMemory(_Converter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = held["model"]
            model.config.tie_word_embeddings = False  # as _Converter does for Flan-T5
            return model

    out = work / "ct2-int8"
    InMemory(str(source)).convert(str(out), quantization="int8", force=True)
    held.clear()  # free the float32 copy before timing
    translator = ctranslate2.Translator(str(out), device="cpu", compute_type="int8",
                                        intra_threads=1, inter_threads=threads)
    return translator, parameters, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    pairs = premises()
    tokenizer, counted_with = counter()

    def length(text: str) -> int:
        if tokenizer is None:
            return round(len(text.split()) * 1.3) + 1
        return len(tokenizer(text)["input_ids"])

    lengths = {a: [length("predict: " + p) + length(h) for p, h in rows]
               for a, rows in pairs.items()}
    with tempfile.TemporaryDirectory() as tmp:
        translator, parameters, build_s = build(Path(tmp), args.threads)
        load_before = os.getloadavg()[0]
        per_article_wall, per_article_cpu = [], []
        for _ in range(args.repeats):
            for sizes in lengths.values():
                batch = [["▁the"] * (n - 1) + ["</s>"] for n in sizes]
                cpu0 = resource.getrusage(resource.RUSAGE_SELF)
                wall0 = time.perf_counter()
                translator.translate_batch(batch, beam_size=1, max_decoding_length=1,
                                           min_decoding_length=0, return_logits_vocab=True,
                                           max_input_length=0, max_batch_size=len(batch))
                wall = time.perf_counter() - wall0
                cpu1 = resource.getrusage(resource.RUSAGE_SELF)
                per_article_wall.append(wall)
                per_article_cpu.append(cpu1.ru_utime + cpu1.ru_stime
                                       - cpu0.ru_utime - cpu0.ru_stime)
    all_lengths = [n for sizes in lengths.values() for n in sizes]
    # Multiply-adds per article: the encoder over every (padded) input token, plus the one
    # decoder step's cross-attention keys and values over them; the rest is negligible.
    c = FLAN_T5_LARGE
    per_token = c["num_layers"] * (4 * c["d_model"] ** 2 + 3 * c["d_model"] * c["d_ff"]) \
        + c["num_decoder_layers"] * 2 * c["d_model"] ** 2
    padded = statistics.median(len(s) * max(s) for s in lengths.values())
    gmac = padded * per_token / 1e9
    report = {
        "model": "Flan-T5-Large architecture, random weights, CTranslate2 int8",
        "parameters": parameters, "build_and_convert_s": round(build_s, 1),
        "threads": args.threads, "articles": len(lengths), "sentences": len(all_lengths),
        "sentences_per_article": round(len(all_lengths) / len(lengths), 1),
        "input_tokens": {"median": statistics.median(all_lengths), "max": max(all_lengths),
                         "counted_with": counted_with},
        "seconds_per_article": {"median": round(statistics.median(per_article_wall), 2),
                                "max": round(max(per_article_wall), 2)},
        "cpu_seconds_per_article": round(statistics.median(per_article_cpu), 2),
        "gmac_per_article": round(gmac, 1),
        "gmac_per_cpu_second": round(gmac / statistics.median(per_article_cpu), 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
