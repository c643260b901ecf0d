"""`python -m bench compute-types`: CTranslate2 compute types and torch dtypes, head to head.

Translation only (Marian, the benchmark's random-weight model and seed sentences, 28 new
tokens each, min = max): every sentence in one ``translate_batch`` / padded ``generate``
call, at beam 6 and 4, per CTranslate2 compute type the device supports and per torch dtype.
Used to choose the compute type ``runtime.device: cuda`` picks (bench/README.md, "GPU").
Prints one line per setting: seconds per call (best of 3 after a warm-up) and source
tokens/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial

from bench.inputs import article_paths, load_articles, tokenizer_corpus
from bench.random_models import build_models
from bench.settings import add_location_args, settings_from

REPEATS = 3


def _best(call) -> float:
    call()  # warm-up: first-call set-up is load cost
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def _generate(model, batch, beams: int, new_tokens: int, device: str) -> None:
    import torch

    with torch.inference_mode():
        model.generate(**batch, num_beams=beams, max_new_tokens=new_tokens,
                       min_new_tokens=new_tokens)
    if device == "cuda":
        torch.cuda.synchronize()


def main(argv: list[str]) -> int:
    """Time each setting; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench compute-types", description=__doc__)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    add_location_args(parser)
    args = parser.parse_args(argv)
    settings = settings_from(args)
    import ctranslate2
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    paths, _ = article_paths(settings.seeds_dir, settings.samples_dir)
    sentences = [s for a in load_articles(paths) for s in a.sentences]
    models = build_models(settings.out_dir / "models", settings.shared_models,
                          tokenizer_corpus(paths, settings.samples_dir), settings.seed)
    tokenizer = AutoTokenizer.from_pretrained(models.marian)
    ids = [tokenizer(s)["input_ids"] for s in sentences]
    tokens = [tokenizer.convert_ids_to_tokens(i) for i in ids]
    n_source = sum(len(i) for i in ids)
    n_new = settings.translation_new_tokens
    converted = settings.out_dir / "compute-types-marian-f32"
    if not (converted / "model.bin").is_file():
        TransformersConverter(str(models.marian)).convert(str(converted), force=True)
    where = "cuda" if args.device == "cuda" else "cpu"
    label = torch.cuda.get_device_name(0) if where == "cuda" else "CPU"
    print(f"{len(sentences)} sentences, {n_source} source tokens, {n_new} new tokens each; "
          f"{label}", flush=True)

    for compute_type in sorted(ctranslate2.get_supported_compute_types(where)):
        translator = ctranslate2.Translator(str(converted), device=where,
                                            compute_type=compute_type)
        for beams in (6, 4):
            seconds = _best(partial(translator.translate_batch, tokens, beam_size=beams,
                                    max_decoding_length=n_new, min_decoding_length=n_new,
                                    max_batch_size=256))
            print(f"ctranslate2 {compute_type:>13} beam {beams}: {seconds:.3f}s  "
                  f"{n_source / seconds:.0f} source tokens/s", flush=True)

    dtypes = [torch.float32] + ([torch.float16, torch.bfloat16] if where == "cuda" else [])
    for dtype in dtypes:
        model = AutoModelForSeq2SeqLM.from_pretrained(models.marian, dtype=dtype).to(where)
        batch = tokenizer(sentences, return_tensors="pt", padding=True).to(where)
        for beams in (6, 4):
            seconds = _best(partial(_generate, model, batch, beams, n_new, where))
            print(f"transformers {str(dtype).split('.')[-1]:>12} beam {beams}: {seconds:.3f}s  "
                  f"{n_source / seconds:.0f} source tokens/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
