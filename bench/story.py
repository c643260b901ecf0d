"""`python -m bench story`: the story step's share of a night's model time.

One run, one synthetic night, one process (``bench.story_step``): (a) the night's work --
every article briefed by the production ``BriefingEngine`` (translate, summarize, claim
check) -- then (b) the story step as the nightly runs it (``NightStories`` on the
briefing files, with the engine's summarizer, for every event of two or more articles the
nightly's grouping finds). The verdict is (b) / (a) in model time (process CPU time of the
models' ``generate`` calls) against 15%; the whole step's share, with its spaCy parse of
every member sentence, is printed beside it.

- **Models**: the random-weight models of ``make bench`` (real architectures, real
  tokenizers from ``../shared/models``), CTranslate2 int8 as the product default; without
  ``../shared/models`` the benchmark says so in one sentence and stops. Random weights
  write near-identical summaries, which the story input would merge as wire copy; the
  measured process turns that merging off, so every member's briefing is read (the
  dearest story).
- **Same length regime**: random weights make lengths arbitrary, so every output is pinned
  as in ``make bench``: 28 new tokens per translated sentence, 60 per summary (min = max),
  on both sides -- a story briefing is one summary of the same length as an article's.
- **Night**: stories of 1-5 reports from different outlets (as ``python -m bench
  grouping``), each report a dozen Dutch sentences plus a title: common Dutch words around
  the story's names, numbers and words, one outlet in three spelling the names differently.
- **CPU time**: the machine is shared; process CPU time (all threads) is the figure, wall
  time is printed beside it. Loading models (and the story step's parser) is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys

from bench.grouping import _variant, _word

LIMIT = 0.15  # issue 21: the story step adds at most 15% to a night's model time
QUICK_ARTICLES = 16
DEFAULT_ARTICLES = 48
SENTENCES = 12

# Common Dutch words (function words, frequent verbs and nouns): the language detector must
# read a report as Dutch, and the translator's input should tokenize like Dutch.
_DUTCH_TEXT = (
    "de het een van en in is dat op te met voor niet aan er om ook als bij door maar nog "
    "naar uit over tot zijn werd wordt heeft hebben waren was zou kan moet worden volgens "
    "gisteren vandaag morgen jaar jaren week dag avond nacht stad land regering minister "
    "politie mensen bewoners burgemeester gemeente provincie kabinet partij onderzoek "
    "rapport zegt zei meldde liet weten verder echter omdat terwijl nadat sinds tegen "
    "zonder onder tussen tijdens rond bijna meer minder veel weinig alle andere eerste "
    "tweede laatste nieuwe grote kleine belangrijke volgende vorige hele lange korte "
    "woensdag donderdag vrijdag zaterdag zondag maandag dinsdag ochtend middag uur "
    "kwartier miljoen miljard procent euro kilometer meter huizen straat wegen brug "
    "school ziekenhuis bedrijf werknemers leerlingen ouders kinderen vrouwen mannen "
    "slachtoffers gewonden doden hulpdiensten brandweer rechter rechtbank verdachte "
    "zaak besluit plan plannen kosten geld steun kritiek vragen antwoord gesprek "
    "overleg akkoord afspraak verkiezingen raad leden voorzitter woordvoerder"
)
_DUTCH = tuple(_DUTCH_TEXT.split())


def story_night(count: int, seed: int = 0) -> tuple[list[dict], list[int]]:
    """``count`` article records (JSONL fields: ``id``, ``title``, ``text``, ``source``) of
    stories of 1-5 reports, and each article's true story number.

    Each report is :data:`SENTENCES` sentences; report ``r`` of a story comes from outlet
    ``r``, and every third report spells the story's names differently.
    """
    rng = random.Random(seed)
    records: list[dict] = []
    labels: list[int] = []
    story = 0
    while len(records) < count:
        names = [_word(rng, 2).capitalize() for _ in range(4)]
        words = [_word(rng, 3) for _ in range(25)]
        numbers = [str(rng.randint(11, 99_999)) for _ in range(3)]
        for report in range(min(rng.randint(1, 5), count - len(records))):
            spelled = [_variant(n) for n in names] if report % 3 == 2 else names
            sentences = []
            for _ in range(SENTENCES):
                picked = rng.sample(_DUTCH, 13) + rng.sample(words, 2)
                picked += [rng.choice(spelled), rng.choice(numbers)]
                rng.shuffle(picked)
                text = " ".join(picked)
                sentences.append(text[0].upper() + text[1:] + ".")
            title = " ".join([spelled[0]] + rng.sample(_DUTCH, 5) + [rng.choice(words)])
            records.append({"id": f"s{story:03d}-r{report}", "title": title,
                            "text": " ".join(sentences), "source": f"outlet-{report + 1}"})
            labels.append(story)
        story += 1
    return records, labels


def share(story_s: float, night_s: float) -> float:
    """The story step's time as a fraction of the night's (0 for an empty night)."""
    return story_s / night_s if night_s > 0 else 0.0


def verdict(ratio: float, limit: float = LIMIT) -> str:
    """``PASS`` when ``ratio`` is at most ``limit``, else ``FAIL``."""
    return "PASS" if ratio <= limit else "FAIL"


def event_sizes(groups: list[list[str]]) -> dict[int, int]:
    """How many events have each number of articles."""
    sizes: dict[int, int] = {}
    for members in groups:
        sizes[len(members)] = sizes.get(len(members), 0) + 1
    return dict(sorted(sizes.items()))


def report_lines(result: dict, cpu_label: str) -> list[str]:
    """The printed report of one run (the table rows of bench/README.md and the verdict)."""
    night, stories = result["night"], result["stories"]
    sizes = ", ".join(f"{n} x {size}" for size, n in result["event_sizes"].items())
    multi = result["story_events"]
    lines = [
        f"cpu: {cpu_label}",
        f"night: {result['articles']} articles ({result['sentences']} sentences + titles, "
        f"{result['source_tokens']} Marian source tokens), {result['true_stories']} true "
        f"stories; grouping found {result['events']} events (adjusted Rand "
        f"{result['adjusted_rand']}): sizes {sizes}",
        f"story step: {multi} events of two or more articles, "
        f"{result['story_members']} members, story summaries {result['story_summaries']} "
        f"(input tokens {result['story_input_tokens']})",
        "lengths pinned on both sides: translation "
        f"{result['pinned']['translation']} new tokens, summary {result['pinned']['summary']}"
        f" (min = max); produced: translations {result['output_tokens']['translation']}, "
        f"night summaries {result['output_tokens']['night_summary']}, story summaries "
        f"{result['output_tokens']['story_summary']}",
        "",
        "| part | process CPU (s) | wall (s) | of which model generate, CPU (s) |",
        "|---|---:|---:|---:|",
        f"| (a) night: {result['articles']} briefings | {night['cpu_s']:.1f} | "
        f"{night['wall_s']:.1f} | {night['generate_cpu_s']:.1f} |",
        f"| (b) story step: {multi} stories | {stories['cpu_s']:.1f} | {stories['wall_s']:.1f}"
        f" | {stories['generate_cpu_s']:.1f} |",
        f"| loading (models; the story step's parser and NER, in (b)) | "
        f"{result['load']['cpu_s']:.1f}; {stories['load_cpu_s']:.1f} | "
        f"{result['load']['wall_s']:.1f}; {stories['load_wall_s']:.1f} | |",
        "",
        f"load average {result['load_average'][0]:.1f} before, "
        f"{result['load_average'][1]:.1f} after; cpu: {cpu_label}",
        f"whole step (b)/(a), with the figures' parse and the names' NER of every member "
        f"sentence (spaCy, no generation): {100 * result['cpu_share']:.1f}% of the night's "
        f"process CPU ({100 * result['wall_share']:.1f}% wall): "
        f"{'within' if result['cpu_share'] <= LIMIT else 'over'} {100 * LIMIT:.0f}%",
        f"{verdict(result['generate_share'])}: the story step adds "
        f"{100 * result['generate_share']:.1f}% to the night's model time (model generate, "
        f"process CPU; limit {100 * LIMIT:.0f}%)",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when the share is over the limit, 2 when it cannot run."""
    from bench.__main__ import pipeline_config
    from bench.cpu import describe_cpu
    from bench.inputs import article_paths, tokenizer_corpus
    from bench.measure import StepFailed, run_step
    from bench.random_models import BART, MARIAN, build_models
    from bench.settings import add_location_args, settings_from

    parser = argparse.ArgumentParser(prog="python -m bench story", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_location_args(parser)
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES,
                        help=f"articles in the night ({DEFAULT_ARTICLES})")
    parser.add_argument("--quick", action="store_true",
                        help=f"a small night of {QUICK_ARTICLES} articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.articles < 2:
        parser.error("--articles: a night needs at least 2 articles")
    settings = settings_from(args)
    if not all((settings.shared_models / name / "config.json").is_file()
               for name in (MARIAN, BART)):
        print(f"skipped: {settings.shared_models} not found (the real tokenizers are needed "
              "for model time that means anything)")
        return 0
    count = QUICK_ARTICLES if args.quick else args.articles
    out = settings.out_dir
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cpu = describe_cpu()
    print(f"cpu: {cpu['label']}", flush=True)

    paths, _ = article_paths(settings.seeds_dir, settings.samples_dir)
    models = build_models(out / "models", settings.shared_models,
                          tokenizer_corpus(paths, settings.samples_dir), settings.seed)
    import yaml

    config = out / "pipeline-default.yaml"
    config.write_text(yaml.safe_dump(pipeline_config(
        settings, models.marian, models.bart, out / "models", decoding="default")), "utf-8")
    records, labels = story_night(count, args.seed)
    night_dir = out / "story-night"
    night_dir.mkdir(parents=True, exist_ok=True)
    articles = night_dir / "articles.jsonl"
    articles.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        "utf-8")
    job = {"config": str(config), "articles": str(articles), "labels": labels,
           "out": str(night_dir), "translation_new_tokens": settings.translation_new_tokens,
           "summary_new_tokens": settings.summary_new_tokens, "load_before": os.getloadavg()[0]}
    work = out / "steps"
    try:
        run_step("bench.convert", job, work, "convert")
        print(f"night of {count} articles, then its stories (one process) ...", flush=True)
        result = run_step("bench.story_step", job, work, f"story-{count}")
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result["cpu"] = cpu
    result["verdict"] = verdict(result["generate_share"])
    (out / f"story-{count}.json").write_text(json.dumps(result, indent=2, default=str) + "\n",
                                             "utf-8")
    for line in report_lines(result, cpu["label"]):
        print(line)
    return 0 if result["verdict"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
