"""`python -m bench grouping`: how fast the digest groups a busy night, and how well.

Synthetic nights (no model, no network): stories of 1-5 reports from different outlets,
each report a dozen Dutch-looking sentences mixing the story's names, words and numbers
with common vocabulary, and an English side keeping the names and numbers (as a translation
does). One outlet in three spells each rare name differently ("Kaitab"/"Kataib"). The
timed step is :func:`pipeline.grouping.articles.group_articles`, features included, as the
digest runs it. Quality is the adjusted Rand index against the true stories (1.0 = exact).

Targets on the development machine: 1,000 articles in < 2 s, 5,000 in < 10 s, checked
against the process's CPU time: the step is single-threaded, and on a shared machine the
wall time mostly measures the other tenants (both are printed, with the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

TARGETS_S = {1000: 2.0, 5000: 10.0}
_CONSONANTS = "bdfghjklmnprstvwz"
_VOWELS = "aeiou"


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) + rng.choice("nrstlk")
                   for _ in range(syllables))


def _variant(name: str) -> str:
    # Swap the first vowel with the next letter: the transliteration drift of Kaitab/Kataib.
    for i in range(1, len(name) - 1):
        if name[i] in _VOWELS and name[i + 1] not in _VOWELS:
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name


def synthetic_night(count: int, seed: int = 0):
    """``count`` articles as ``GroupInput`` plus their true story labels."""
    from pipeline.grouping.articles import GroupInput

    rng = random.Random(seed)
    common_nl = [_word(rng, rng.randint(2, 3)) for _ in range(3000)]
    common_en = [_word(rng, rng.randint(2, 3)) for _ in range(3000)]
    inputs, labels = [], []
    story = 0
    while len(inputs) < count:
        names = [_word(rng, 2).capitalize() for _ in range(4)]
        words = [_word(rng, 3) for _ in range(25)]
        numbers = [str(rng.randint(11, 99_999)) for _ in range(3)]
        for report in range(min(rng.randint(1, 5), count - len(inputs))):
            spelled = [_variant(n) for n in names] if report % 3 == 2 else names
            nl, en = [], []
            for _ in range(12):
                picked = rng.sample(common_nl, 8) + rng.sample(words, 3)
                picked += [rng.choice(spelled), rng.choice(numbers)]
                rng.shuffle(picked)
                nl.append("Het " + " ".join(picked) + ".")
                english = rng.sample(common_en, 8) + [rng.choice(spelled), rng.choice(numbers)]
                en.append("The " + " ".join(english) + ".")
            inputs.append(GroupInput(id=f"a{len(inputs):05d}", nl=nl, en=en))
            labels.append(story)
        story += 1
    return inputs, labels


def measure(count: int, seed: int = 0) -> dict:
    """Time one grouping of a synthetic night of ``count`` articles."""
    from sklearn.metrics import adjusted_rand_score

    from pipeline.core.config import NightlyConfig
    from pipeline.grouping.articles import group_articles

    inputs, labels = synthetic_night(count, seed)
    settings = NightlyConfig()
    load = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    groups = group_articles(inputs, threshold=settings.group_threshold,
                            related_threshold=settings.related_threshold)
    seconds = time.process_time() - cpu_started
    wall = time.perf_counter() - started
    predicted = [0] * count
    for gi, group in enumerate(groups):
        for member in group.members:
            predicted[member] = gi
    target = TARGETS_S.get(count)
    return {"articles": count, "stories": len(set(labels)), "events": len(groups),
            "cpu_s": round(seconds, 3), "wall_s": round(wall, 3), "load_average": load,
            "target_s": target,
            "met": None if target is None else seconds < target,
            "adjusted_rand": round(adjusted_rand_score(labels, predicted), 4)}


def main(argv: list[str] | None = None) -> int:
    """Run the grouping benchmark; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench grouping", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(TARGETS_S),
                        help="night sizes to time (default 1000 5000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        result = measure(size, args.seed)
        results.append(result)
        verdict = ("" if result["met"] is None
                   else f"  target < {result['target_s']:.0f} s: "
                        f"{'met' if result['met'] else 'MISSED'}")
        print(f"{size:>6} articles  cpu {result['cpu_s']:7.3f} s  wall {result['wall_s']:7.3f} s "
              f"(load {result['load_average']:.1f})  {result['events']} events for "
              f"{result['stories']} stories  adjusted Rand {result['adjusted_rand']}{verdict}",
              flush=True)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if any(r["met"] is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
