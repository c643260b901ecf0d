"""Sides (b) and (c): this project's pipeline, through ``BriefingEngine``, on the same articles.

The configuration (written by ``bench.__main__``) is the product default -- both models on
the ctranslate2 backend with int8 weights, the default batch sizes -- with only the output
length pinned through ``GenerationOverrides`` (min = max new tokens), as on the naive side;
side (b) also decodes with the models' own num_beams (the naive recipe's), side (c) with the
default's (translation beam 4).

Run by ``bench.measure`` as ``python -m bench.fast JOB.json RESULT.json``.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from bench.measure import histogram, own_peak_rss_mb, step_main


def run(job: dict) -> dict:
    """Brief every article of ``job`` with the production engine; return timings and counts."""
    from pipeline.briefing.engine import BriefingEngine
    from pipeline.core.config import load_config
    from pipeline.core.errors import ArticleError
    from pipeline.ingest.readers import read_file
    from pipeline.record.briefing import Briefing

    logging.basicConfig(level=logging.WARNING)
    config = load_config(Path(job["config"]))
    engine = BriefingEngine(config)

    started = time.perf_counter()
    models = engine.load_models()
    articles = []
    for path in job["article_paths"]:
        for item in read_file(Path(path), max_bytes=config.ingest.max_article_bytes):
            if isinstance(item, ArticleError):
                raise item
            articles.append(item)
    engine.preparer.prepare(articles[0])  # builds the language detector: a load cost
    # One untimed call per model, as on the naive side: first-call set-up is load cost.
    for backend, text in ((models.translator_backend, "Goedemorgen."),
                          (models.summarizer_backend, "Good morning.")):
        backend.generate([text], max_new_tokens=4)
        backend.reset_counters()  # keep the same-work counts to the real input
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    outcomes = list(engine.run(articles))
    work_s = time.perf_counter() - started
    failed = [str(o) for o in outcomes if not isinstance(o, Briefing)]
    if failed:
        raise RuntimeError(f"the pipeline failed on {len(failed)} article(s): {failed}")

    mt, summ = models.translator_backend, models.summarizer_backend
    return {
        "side": "pipeline",
        "load_s": load_s,
        # Each briefing carries its word-count share of the window's timings.
        "translate_s": sum(o.timings.translate_s for o in outcomes),
        "summarize_s": sum(o.timings.summarize_s for o in outcomes),
        # The per-claim support check (issue 8: at most 10% of the pipeline's time).
        "support_s": sum(o.timings.support_s for o in outcomes),
        "work_s": work_s,
        "articles": len(outcomes),
        "sentences": sum(len(o.sentences) for o in outcomes),
        "source_tokens": engine.translator.stats["source_tokens"],
        "translator_stats": engine.translator.stats,
        "translation_output_tokens": histogram(mt.output_lengths),
        "summary_output_tokens": histogram(summ.output_lengths),
        # What the summarizer was fed (joined chunks), comparable with the naive side's.
        "summary_source_tokens": summ.stats["source_tokens"],
        "summary_info_input_tokens": [o.summary_info["input_tokens"] for o in outcomes],
        "summary_chunks": [o.summary_info["chunks"] for o in outcomes],
        "summary_rounds": [o.summary_info["rounds"] for o in outcomes],
        "summary_calls": summ.stats["inputs"],
        "backends": {"translation": mt.name, "summarization": summ.name},
        "generation": {
            "translation": mt.generation_settings,
            "summarization": summ.generation_settings,
        },
        "own_peak_rss_mb": own_peak_rss_mb(),
    }


def main(argv: list[str]) -> None:
    """``python -m bench.fast JOB.json RESULT.json``."""
    step_main(run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
