"""Side (a): what a user would write from the model cards, with transformers 5.

Tokenizer plus ``model.generate()``: once per sentence for translation, once per article for
summarization (the translated sentences joined, truncated to the model's limit as the model
card's pipeline did). The models' own generation settings; only the output length is pinned
(min = max new tokens), exactly as on the pipeline side.

Run by ``bench.measure`` as ``python -m bench.naive JOB.json RESULT.json``.
"""

from __future__ import annotations

import sys
import time

from bench.measure import histogram, own_peak_rss_mb, step_main


def run(job: dict) -> dict:
    """Translate and summarize every article of ``job``; return timings and token counts."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    device = job.get("device", "cpu")  # "cuda": `python -m bench gpu` (the model card's .to())

    def encode(tokenizer, text: str, **kwargs) -> dict:
        return {k: v.to(device) for k, v in tokenizer(text, return_tensors="pt", **kwargs).items()}

    started = time.perf_counter()
    mt_tokenizer = AutoTokenizer.from_pretrained(job["marian"])
    mt_model = AutoModelForSeq2SeqLM.from_pretrained(job["marian"]).to(device)
    sum_tokenizer = AutoTokenizer.from_pretrained(job["bart"])
    sum_model = AutoModelForSeq2SeqLM.from_pretrained(job["bart"]).to(device)
    # One untimed call per model, as on the pipeline side: first-call set-up is load cost.
    mt_model.generate(**encode(mt_tokenizer, "Goedemorgen."), max_new_tokens=4)
    sum_model.generate(**encode(sum_tokenizer, "Good morning."), max_new_tokens=4)
    load_s = time.perf_counter() - started
    n_mt, n_sum = job["translation_new_tokens"], job["summary_new_tokens"]

    translate_s = summarize_s = 0.0
    source_tokens = 0
    mt_lengths: list[int] = []
    sum_lengths: list[int] = []
    sum_inputs: list[int] = []
    for article in job["articles"]:
        texts = article["sentences"] + ([article["title"]] if article["title"] else [])
        english = []
        started = time.perf_counter()
        for sentence in texts:
            inputs = encode(mt_tokenizer, sentence)
            output = mt_model.generate(**inputs, max_new_tokens=n_mt, min_new_tokens=n_mt)
            english.append(mt_tokenizer.decode(output[0], skip_special_tokens=True))
            source_tokens += int(inputs["input_ids"].shape[1])
            mt_lengths.append(int(output.shape[1]) - 1)  # minus the decoder start token
        translate_s += time.perf_counter() - started

        started = time.perf_counter()
        body = " ".join(english[: len(article["sentences"])])
        inputs = encode(sum_tokenizer, body, truncation=True, max_length=1024)
        output = sum_model.generate(**inputs, max_new_tokens=n_sum, min_new_tokens=n_sum)
        sum_tokenizer.decode(output[0], skip_special_tokens=True)
        summarize_s += time.perf_counter() - started
        sum_inputs.append(int(inputs["input_ids"].shape[1]))
        sum_lengths.append(int(output.shape[1]) - 1)

    return {
        "side": "naive",
        "load_s": load_s,
        "translate_s": translate_s,
        "summarize_s": summarize_s,
        "work_s": translate_s + summarize_s,
        "articles": len(job["articles"]),
        "sentences": len(mt_lengths),
        "source_tokens": source_tokens,
        "translation_output_tokens": histogram(mt_lengths),
        "summary_output_tokens": histogram(sum_lengths),
        "summary_input_tokens": sum_inputs,
        "summary_source_tokens": sum(sum_inputs),
        "summary_calls": len(sum_lengths),
        "generation": {
            "translation": mt_model.generation_config.to_diff_dict(),
            "summarization": sum_model.generation_config.to_diff_dict(),
        },
        "own_peak_rss_mb": own_peak_rss_mb(),
    }


def main(argv: list[str]) -> None:
    """``python -m bench.naive JOB.json RESULT.json``."""
    step_main(run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
