"""`python -m bench factuality`: the claim check against FRANK's human labels, beside a baseline.

FRANK (Pagnoni et al., NAACL 2021; ``../shared/factuality/frank/``, see its README) labels
machine-written summaries of CNN/DM and XSum articles sentence by sentence. A summary is
*positive* when a sentence has an entity error or an out-of-article error (``EntE < 1`` or
``OutE < 1``). The checker flags a summary when ``briefing check`` (the same library path:
:func:`pipeline.support.inputs.read_check_inputs` and
:func:`pipeline.support.apply.support_summary`) marks a claim in any sentence (one the article
lacks, or partly, or a name repeated in two roles: every claim a sentence lists under
``unsupported``).
The **baseline** flags a sentence with a capitalised word (``\\b[A-Z][\\w'’-]*``) or a number
(``\\d[\\d,.:]*``) that the article does not contain as a whole word, case-sensitively (the
sentence's first word also counts as found in lower case; a possessive 's is stripped).

A second table scores the same flags against a wider label, ``EntE``, ``CircE`` or ``OutE``:
FRANK files a wrong figure, date or place under ``CircE`` (circumstance), and the check
covers figures as well as names, so under the first label every wrong figure it finds is a
false alarm. The first label is the one the targets are set on; the second says how much of
the difference is that.

Printed: precision, recall and F1 with 95% intervals (seeded percentile bootstrap over
summaries), summary-level on CNN/DM (all systems, each system) and on XSum (one sentence
per summary), the NER used, the time per summary and the CPU. Without the folder it says
so in one sentence and exits 0. ``--dump`` writes every summary's flags for error analysis.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.settings import REPO, SHARED

FRANK = SHARED / "factuality" / "frank"
SETS = {"cnndm": "frank_cnndm_{casing}.jsonl.gz", "xsum": "frank_xsum_{casing}.jsonl.gz"}
SEED, SAMPLES = 0, 1000
# FRANK's error types each label counts: the one the targets use, and the one that also
# counts wrong figures, times and places (CircE), which the check covers too.
LABELS = {"names": ("EntE", "OutE"), "names and figures": ("EntE", "CircE", "OutE")}

_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
_NUMBER = re.compile(r"\d[\d,.:]*")
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass
class Summary:
    """One labelled summary and what each side said about it."""

    id: str
    dataset: str
    model: str
    positive: bool
    positive_figures: bool = False  # under the wider label (LABELS["names and figures"])
    checker: bool = False  # an unsupported claim or a placeholder report
    claims: bool = False  # an unsupported claim
    placeholders: int = 0
    baseline: bool = False
    casing_warning: bool = False
    unsupported: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # the NER label of each unsupported claim
    baseline_words: list[str] = field(default_factory=list)


def read_gzip_jsonl(path: Path) -> list[dict]:
    """The records of a gzip'd JSONL file."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def is_positive(label: dict, types: tuple[str, ...] = LABELS["names"]) -> bool:
    """FRANK's label: some sentence has an error of one of ``types`` (by default an entity
    error or an out-of-article error; a type's score is below 1 when a sentence has it)."""
    return any(float(label[t]) < 1 for t in types)


def _in_article(word: str, article: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", article) is not None


def baseline_words(sentence: str, article: str) -> list[str]:
    """The capitalised words and numbers of ``sentence`` the article lacks (the baseline)."""
    missing = []
    first = re.match(r"\W*(\w[\w'’-]*)", sentence)
    for pattern in (_CAPITALISED, _NUMBER):
        for match in pattern.finditer(sentence):
            word = _POSSESSIVE.sub("", match.group(0)).rstrip(".,:'’-")
            if not word or _in_article(word, article):
                continue
            if first and match.start() == first.start(1) and _in_article(word.lower(), article):
                continue
            missing.append(word)
    return missing


def run_checker(records: list[dict], checker, summaries: dict[str, Summary]) -> dict:
    """Run the library path of ``briefing check`` on ``records``; fills each summary's flags.

    Returns:
        Wall and process seconds over the whole set (reading, sentence splitting and the
        check: what ``briefing check`` spends per summary) and the support step's own times.
    """
    from pipeline.core.errors import CheckInputError
    from pipeline.support.apply import support_summary
    from pipeline.support.inputs import read_check_inputs

    _ = checker.ner  # loading the NER is once per process: not counted
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        path.write_text("".join(json.dumps({k: r[k] for k in ("id", "prediction", "source")})
                                + "\n" for r in records), encoding="utf-8")
        wall, cpu = time.perf_counter(), time.process_time()
        steps = []
        for item in read_check_inputs([path]):
            if isinstance(item, CheckInputError):
                raise SystemExit(f"error: {item}")
            checked = support_summary(checker, item.sentences, item.translation,
                                      source_nl=item.source_nl, extra_en=item.title_en,
                                      policy="flag")
            steps.append(checked.seconds)
            summary = summaries[item.id]
            summary.unsupported = [c["text"] for s in checked.summary for c in s["unsupported"]]
            summary.reasons = [c.get("reason", "") for s in checked.summary for c in s["unsupported"]]
            summary.labels = [c.get("label", "") for s in checked.summary for c in s["unsupported"]]
            summary.placeholders = checked.support.get("placeholders", 0)
            summary.claims = bool(summary.unsupported)
            summary.checker = summary.claims or bool(summary.placeholders)
            summary.casing_warning = bool(checked.support.get("casing"))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps.sort()
    return {"wall_s": wall, "cpu_s": cpu, "n": len(steps),
            "support_median_s": steps[len(steps) // 2] if steps else None}


def scores(pairs: Iterable[tuple[bool, bool]]) -> dict:
    """Precision, recall and F1 of ``(flagged, positive)`` pairs, each with its interval."""
    from pipeline.evaluation.metrics.bootstrap import statistic_ci

    pairs = list(pairs)
    flagged = [float(f) for f, _ in pairs]
    positive = [float(p) for _, p in pairs]

    def ratio(num, den):
        import numpy as np

        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    def precision(c):
        return ratio((c[0] * c[1]).sum(axis=-1), c[0].sum(axis=-1))

    def recall(c):
        return ratio((c[0] * c[1]).sum(axis=-1), c[1].sum(axis=-1))

    def f1(c):
        tp = (c[0] * c[1]).sum(axis=-1)
        return ratio(2 * tp, c[0].sum(axis=-1) + c[1].sum(axis=-1))

    out = {"n": len(pairs), "positive": int(sum(positive)), "flagged": int(sum(flagged))}
    for name, statistic in (("precision", precision), ("recall", recall), ("f1", f1)):
        est = statistic_ci([flagged, positive], statistic, SEED, SAMPLES)
        out[name] = {"value": est.value, "low": est.low, "high": est.high}
    return out


def _fmt(score: dict) -> str:
    value, low, high = score["value"], score["low"], score["high"]
    if value is None:
        return "–"
    # Three decimals for the estimate: a target such as F1 0.70 is read off this table, and
    # 0.695 must not print as 0.70.
    return f"{value:.3f} [{low:.2f}, {high:.2f}]" if low is not None else f"{value:.3f}"


def rows_for(dataset: str, casing: str, summaries: list[Summary],
             wide: bool = False) -> list[dict]:
    """The table rows of one set: all systems, then each system (CNN/DM); ``wide``: against
    the wider label (``positive_figures``)."""
    def truth(s: Summary) -> bool:
        return s.positive_figures if wide else s.positive

    groups = [(f"{dataset}, all systems, {casing}", summaries)]
    models = sorted({s.model for s in summaries})
    if len(models) > 1:
        groups += [(f"{dataset}, {m} only, {casing}", [s for s in summaries if s.model == m])
                   for m in models]
    rows = []
    for label, group in groups:
        rows.append({"set": label,
                     "checker": scores((s.checker, truth(s)) for s in group),
                     "claims_only": scores((s.claims, truth(s)) for s in group),
                     "baseline": scores((s.baseline, truth(s)) for s in group),
                     "casing_warnings": sum(s.casing_warning for s in group)})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; returns the exit status (0 also when FRANK is absent)."""
    parser = argparse.ArgumentParser(prog="python -m bench factuality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frank", type=Path, default=FRANK, help="the FRANK folder")
    parser.add_argument("--sets", default="cnndm,xsum", help="cnndm, xsum or both")
    parser.add_argument("--casing", default="truecased", choices=("truecased", "asis"))
    parser.add_argument("--no-spacy", action="store_true", help="the rule-based NER")
    parser.add_argument("--limit", type=int, default=None, help="first N summaries per set")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "bench",
                        help="where factuality.json goes")
    parser.add_argument("--dump", type=Path, default=None,
                        help="write every summary's flags here (error analysis)")
    args = parser.parse_args(argv)
    if not (args.frank / "frank_labels.jsonl.gz").is_file():
        print(f"bench factuality: skipped, the FRANK folder {args.frank} is not here.")
        return 0
    from bench.cpu import describe_cpu
    from pipeline.support.claims import SupportChecker

    labels = {r["id"]: r for r in read_gzip_jsonl(args.frank / "frank_labels.jsonl.gz")}
    checker = SupportChecker(use_spacy=not args.no_spacy)
    cpu = describe_cpu()
    report: dict = {"ner": checker.ner.to_dict(), "cpu": cpu, "seed": SEED,
                    "bootstrap_samples": SAMPLES, "casing": args.casing, "sets": {}}
    rows, wide, dumped = [], [], []
    for dataset in args.sets.split(","):
        records = read_gzip_jsonl(args.frank / SETS[dataset].format(casing=args.casing))
        records = [r for r in records if r["id"] in labels][:args.limit]
        summaries = {}
        for record in records:
            label = labels[record["id"]]
            summary = Summary(record["id"], dataset, label["model"], is_positive(label),
                              is_positive(label, LABELS["names and figures"]))
            summary.baseline_words = [w for line in record["prediction"].splitlines()
                                      for w in baseline_words(line, record["source"])]
            summary.baseline = bool(summary.baseline_words)
            summaries[record["id"]] = summary
        timing = run_checker(records, checker, summaries)
        timing["per_summary_ms"] = 1000 * timing["wall_s"] / max(timing["n"], 1)
        timing["cpu_per_summary_ms"] = 1000 * timing["cpu_s"] / max(timing["n"], 1)
        set_rows = rows_for(dataset, args.casing, list(summaries.values()))
        wide_rows = rows_for(dataset, args.casing, list(summaries.values()), wide=True)
        report["sets"][dataset] = {"rows": set_rows, "rows_names_and_figures": wide_rows,
                                   "timing": timing}
        rows += set_rows
        wide += wide_rows
        dumped += [vars(s) for s in summaries.values()]
        print(f"{dataset}: {timing['n']} summaries, {timing['per_summary_ms']:.0f} ms per summary "
              f"({timing['cpu_per_summary_ms']:.0f} ms process CPU; support step median "
              f"{1000 * (timing['support_median_s'] or 0):.0f} ms); "
              f"{sum(s.casing_warning for s in summaries.values())} with a casing warning",
              flush=True)
    ner = checker.ner
    print(f"NER: {ner.name} {ner.version or ''} ({ner.kind}); CPU: {cpu['label']}")
    print(f"P / R / F1 [95% bootstrap, seed {SEED}, {SAMPLES} samples]; checker: a summary "
          "with an unsupported claim or a placeholder report (UNK); claims only: without the "
          "placeholder reports")
    print("label: EntE < 1 or OutE < 1 (names; the targets' label)")
    _table(rows)
    print("label: EntE, CircE or OutE < 1 (names and figures: FRANK files wrong figures, "
          "times and places as CircE)")
    _table(wide)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "factuality.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.dump:
        args.dump.write_text(json.dumps(dumped, indent=1), encoding="utf-8")
    return 0


def _table(rows: list[dict]) -> None:
    print("| set | n | pos | checker P | R | F1 | baseline P | R | F1 | claims only P / R / F1 |")
    print("|---|---:|---:|---|---|---|---|---|---|---|")
    for row in rows:
        c, b, o = row["checker"], row["baseline"], row["claims_only"]
        print(f"| {row['set']} | {c['n']} | {c['positive']} | {_fmt(c['precision'])} | "
              f"{_fmt(c['recall'])} | {_fmt(c['f1'])} | {_fmt(b['precision'])} | "
              f"{_fmt(b['recall'])} | {_fmt(b['f1'])} | "
              + " / ".join(f"{o[k]['value']:.3f}" if o[k]["value"] is not None else "–"
                           for k in ("precision", "recall", "f1")) + " |")


if __name__ == "__main__":
    sys.exit(main())
