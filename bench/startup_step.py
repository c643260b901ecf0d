"""The steps of ``python -m bench startup``, each in a fresh interpreter.

``job["mode"]``:

- ``build``: the tiny test models (``tests/helpers/tiny_models.py``, trained on the
  samples, as the test suite builds them) into ``job["out"]``; ``build-real``: the
  benchmark's real-size random models (``bench/random_models.py``);
- ``cli``: ``briefing summarize ARTICLE --format json`` itself, as the console script runs
  it (``pipeline.cli:main``), with the peak RSS of this process;
- ``phases``: the same command's work, phase by phase, in the order the command does it:
  imports, configuration (and reading the article), language detector, tokenizers, models,
  NER, the briefing itself. Each phase includes the libraries it imports first;
- ``load``: only imports, configuration, tokenizers and models (the real-size models).

Run by ``bench.measure`` as ``python -m bench.startup_step JOB.json RESULT.json``.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.measure import own_peak_rss_mb

# Libraries whose import alone costs seconds or hundreds of MB; the report says which ran.
HEAVY = ("torch", "transformers", "spacy", "thinc", "sacremoses", "lingua", "ctranslate2",
         "sentencepiece", "tokenizers")


def heavy_modules() -> list[str]:
    """The heavy libraries this process has imported."""
    return [name for name in HEAVY if name in sys.modules]


def build(job: dict) -> dict:
    """The tiny test models, trained on the samples as ``tests/conftest.py`` does."""
    from tests.helpers.tiny_models import build_bart, build_marian

    repo = Path(__file__).resolve().parent.parent
    files = sorted((repo / "samples" / "articles").glob("*.txt")) + sorted(
        (repo / "eval" / "translations").glob("*.txt"))
    corpus = [p.read_text(encoding="utf-8") for p in files]
    out = Path(job["out"])
    return {"marian": str(build_marian(out / "marian", corpus)),
            "bart": str(build_bart(out / "bart", corpus))}


def build_real(job: dict) -> dict:
    """The benchmark's real-size random models (built once, reused by ``make bench``)."""
    from bench.random_models import build_models

    models = build_models(Path(job["root"]), Path(job["shared"]), job["corpus"], job["seed"])
    return {"marian": str(models.marian), "bart": str(models.bart),
            "tokenizers": models.tokenizers}


def cli(job: dict) -> dict:
    """``briefing summarize`` through the console script's entry point."""
    sys.argv = ["briefing", *job["argv"]]
    from pipeline.cli import main

    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return {"exit_code": code, "heavy_modules": heavy_modules(),
            "own_peak_rss_mb": own_peak_rss_mb()}


def phases(job: dict, *, brief: bool = True) -> dict:
    """The summarize command's work in phases (seconds each), then the briefing."""
    times: dict[str, float] = {}

    @contextmanager
    def phase(name: str):
        started = time.perf_counter()
        yield
        times[name] = times.get(name, 0.0) + time.perf_counter() - started

    with phase("imports"):
        from pipeline.briefing.engine import BriefingEngine
        from pipeline.cli import app  # noqa: F401  (the command line, as `briefing` loads it)
        from pipeline.cli.common import configure_logging, resolve_config
        from pipeline.ingest.readers import read_inputs

        configure_logging(False)
    with phase("configuration"):
        config = resolve_config(Path(job["config"]) if job.get("config") else None,
                                job.get("marian"), job.get("bart"), job.get("sets"))
        engine = BriefingEngine(config, window=1)
        items = list(read_inputs([job["article"]], max_bytes=config.ingest.max_article_bytes))
    if brief:
        with phase("language detector"):
            engine.preparer.identifier.identify(items[0].text)
    with phase("models"):
        models = engine.load_models()
    backends = (models.translator_backend, models.summarizer_backend)
    tokenizer_s = sum(b.load_seconds.get("tokenizer", 0.0) for b in backends)
    times["tokenizers"] = tokenizer_s
    times["models"] -= tokenizer_s
    result = {"heavy_modules_after_models": heavy_modules()}
    if brief:
        with phase("NER"):
            ner = engine.checker.ner
        with phase("briefing"):
            outcomes = list(engine.run(items))
        result |= {"ner": ner.kind, "briefed": sum(1 for o in outcomes if hasattr(o, "timings")),
                   "briefing_total_s": [o.timings.total_s for o in outcomes
                                        if hasattr(o, "timings")]}
    order = ("imports", "configuration", "language detector", "tokenizers", "models", "NER",
             "briefing")
    return result | {"phases": {k: times[k] for k in order if k in times},
                     "backends": [b.name for b in backends],
                     "heavy_modules": heavy_modules(), "own_peak_rss_mb": own_peak_rss_mb()}


def main(argv: list[str]) -> None:
    """``python -m bench.startup_step JOB.json RESULT.json``."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    mode = job["mode"]
    if mode == "build":
        result = build(job)
    elif mode == "build-real":
        result = build_real(job)
    elif mode == "cli":
        result = cli(job)
    else:
        result = phases(job, brief=mode == "phases")
    Path(argv[1]).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
