"""The measured process of ``python -m bench story``: a night's briefings, then its stories.

Both parts run in this one process on the same loaded models, as the nightly runs them:
(a) ``BriefingEngine.run`` on every article (translate, summarize, claim check), each
briefing written as the nightly does; (b) the nightly's grouping of those briefings and
``NightStories`` (``pipeline/nightly/stories.py``) with the engine's summarizer, which
makes the story of every event of two or more articles. Each part is timed in process CPU
(all threads) and wall time; model ``generate`` calls are timed apart by a pass-through
timer on each backend.

Run by ``bench.measure`` as ``python -m bench.story_step JOB.json RESULT.json``.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

from bench.measure import histogram, own_peak_rss_mb, step_main
from bench.story import share


class Clock:
    """Process CPU and wall seconds, summed over every timed call."""

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.wall_s = 0.0

    def wrap(self, function):
        """``function``, timed into this clock on every call (results unchanged)."""

        @functools.wraps(function)
        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu_s += time.process_time() - cpu
                self.wall_s += time.perf_counter() - wall

        return timed


class _Span:
    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu_s = time.process_time() - self.cpu
        self.wall_s = time.perf_counter() - self.wall


def run(job: dict) -> dict:
    """Brief the night, then make its stories; return timings and counts."""
    from sklearn.metrics import adjusted_rand_score

    import pipeline.story.build as story_build
    from pipeline.briefing.engine import BriefingEngine
    from pipeline.core.config import load_config
    from pipeline.core.errors import ArticleError
    from pipeline.core.fileio import atomic_write_json
    from pipeline.grouping.articles import GroupInput, group_articles
    from pipeline.ingest.readers import read_file
    from pipeline.nightly.stories import NightStories
    from pipeline.record.briefing import Briefing
    from pipeline.support.claims import SupportChecker

    logging.basicConfig(level=logging.WARNING)
    config = load_config(Path(job["config"]))
    engine = BriefingEngine(config)
    out = Path(job["out"])

    with _Span() as load:
        models = engine.load_models()
        articles = []
        for item in read_file(Path(job["articles"]), max_bytes=config.ingest.max_article_bytes):
            if isinstance(item, ArticleError):
                raise item
            articles.append(item)
        engine.preparer.prepare(articles[0])  # the language detector: a load cost
        for backend, text in ((models.translator_backend, "Goedemorgen."),
                              (models.summarizer_backend, "Good morning.")):
            backend.generate([text], max_new_tokens=4)
        engine.checker.check(["Anna Smit was in Utrecht."], "Anna Smit was in Utrecht.")  # NER
    mt, summ = models.translator_backend, models.summarizer_backend
    clocks = {"translation": Clock(), "summarization": Clock()}
    mt._generate_ids = clocks["translation"].wrap(mt._generate_ids)
    summ._generate_ids = clocks["summarization"].wrap(summ._generate_ids)
    for backend in (mt, summ):
        backend.reset_counters()

    # (a) the night's briefings.
    with _Span() as night:
        outcomes = list(engine.run(articles))
    failed = [str(o) for o in outcomes if not isinstance(o, Briefing)]
    if failed:
        raise RuntimeError(f"the pipeline failed on {len(failed)} article(s): {failed}")
    night_generate = {k: c.cpu_s for k, c in clocks.items()}
    night_summary_lengths = Counter(summ.output_lengths)
    night_summary_stats = dict(summ.stats)
    paths, outlets = {}, {}
    briefings_dir = out / "briefings"
    briefings_dir.mkdir(parents=True, exist_ok=True)
    for article, briefing in zip(articles, outcomes, strict=True):
        paths[briefing.id] = briefings_dir / f"{briefing.id}.json"
        atomic_write_json(paths[briefing.id], briefing.to_dict())
        outlets[briefing.id] = article.source or briefing.id

    # The digest's grouping (not part of the story step: the digest groups without stories).
    with _Span() as grouping:
        inputs = [GroupInput(id=b.id, nl=[s.nl or s.en for s in b.sentences],
                             en=[s.en for s in b.sentences]) for b in outcomes]
        found = group_articles(inputs, threshold=config.nightly.group_threshold,
                               related_threshold=config.nightly.related_threshold)
    groups = [{"id": f"event-{n + 1}", "articles": [outcomes[i].id for i in g.members]}
              for n, g in enumerate(found)]
    predicted = [0] * len(outcomes)
    for n, g in enumerate(found):
        for i in g.members:
            predicted[i] = n

    # (b) the story step, as the nightly runs it: the engine's summarizer, its own parser.
    for stale in (out / "stories").glob("story-*.json") if (out / "stories").is_dir() else ():
        stale.unlink()  # every story made again: nothing reused from an earlier run
    # Random weights write near-identical summaries, which the story input would merge as
    # wire copy; real outlets' briefings differ. Merging is off: every member's briefing
    # enters the story input (the longest input, so the dearest story).
    story_build.SAME_SENTENCE_JACCARD = 2.0
    loads = Clock()
    story_build.load_parser = loads.wrap(story_build.load_parser)
    SupportChecker._load = loads.wrap(SupportChecker._load)
    summ.reset_counters()
    before = clocks["summarization"].cpu_s
    stories = NightStories(out / "stories", lambda: engine.summarizer)
    with _Span() as story:
        made = stories(groups, paths, outlets)
    story_generate = clocks["summarization"].cpu_s - before
    if stories.made != len(made) or not all(s.get("briefing") for s in made.values()):
        raise RuntimeError(f"{stories.made} of {len(made)} stories made, "
                           f"{sum(bool(s.get('briefing')) for s in made.values())} with a briefing")
    multi = [g["articles"] for g in groups if len(g["articles"]) >= 2]

    night_generate_s = sum(night_generate.values())
    story_cpu = story.cpu_s - loads.cpu_s
    return {
        "articles": len(outcomes),
        "sentences": sum(len(b.sentences) for b in outcomes),
        "source_tokens": engine.translator.stats["source_tokens"],
        "true_stories": len(set(job["labels"])),
        "events": len(groups),
        "adjusted_rand": round(adjusted_rand_score(job["labels"], predicted), 4),
        "event_sizes": dict(sorted(Counter(len(g["articles"]) for g in groups).items())),
        "story_events": len(multi),
        "story_members": sum(len(m) for m in multi),
        "stories_made": stories.made,
        "stories_with_briefing": sum(bool(s.get("briefing")) for s in made.values()),
        "story_summaries": summ.stats["inputs"],
        "story_input_tokens": summ.stats["source_tokens"],
        "night_summary_input_tokens": night_summary_stats["source_tokens"],
        "pinned": {"translation": job["translation_new_tokens"],
                   "summary": job["summary_new_tokens"]},
        "output_tokens": {
            "translation": histogram(mt.output_lengths),
            "night_summary": histogram(night_summary_lengths),
            "story_summary": histogram(summ.output_lengths),
        },
        "load": {"cpu_s": load.cpu_s, "wall_s": load.wall_s},
        "night": {"cpu_s": night.cpu_s, "wall_s": night.wall_s,
                  "generate_cpu_s": night_generate_s,
                  "translate_generate_cpu_s": night_generate["translation"],
                  "summarize_generate_cpu_s": night_generate["summarization"],
                  "support_s": sum(b.timings["support_s"] for b in outcomes)},
        "grouping": {"cpu_s": grouping.cpu_s, "wall_s": grouping.wall_s},
        "stories": {"cpu_s": story_cpu, "wall_s": story.wall_s - loads.wall_s,
                    "generate_cpu_s": story_generate,
                    "load_cpu_s": loads.cpu_s, "load_wall_s": loads.wall_s},
        "cpu_share": share(story_cpu, night.cpu_s),
        "wall_share": share(story.wall_s - loads.wall_s, night.wall_s),
        "generate_share": share(story_generate, night_generate_s),
        "load_average": [job["load_before"], os.getloadavg()[0]],
        "own_peak_rss_mb": own_peak_rss_mb(),
    }


def main(argv: list[str]) -> None:
    """``python -m bench.story_step JOB.json RESULT.json``."""
    step_main(run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
