"""A night's digest, rebuilt from the state and the per-article JSON files on every run.

Nothing in the digest comes from the run's memory: the state database says which articles
belong to the night (their latest outcome there), the article JSON files say what they read.
So a resumed or repeated run writes the same complete digest, and ``--date`` rebuilds any
past night. ``digest.json`` is the data; ``digest.md`` and ``digest.html`` render it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.core.config import NightlyConfig
from pipeline.core.fileio import atomic_write_json, atomic_write_text
from pipeline.grouping.articles import GroupInput, group_articles
from pipeline.ingest.outlets import source_name
from pipeline.nightly.outcomes import ArticleStatus, is_retryable
from pipeline.nightly.render_html import render_html
from pipeline.nightly.render_md import render_md
from pipeline.nightly.state import DONE, NightOutcome, StateStore
from pipeline.record.briefing import read_briefing
from pipeline.record.marks import marks_claims
from pipeline.support.evidence import find_evidence
from pipeline.watch.match import WatchMatcher

DIGEST_SCHEMA_VERSION = 3  # 2: "night" is an object; 3: articles embed the briefing's own
# summary sentences (record.sentence.SummarySentence) with their evidence beside them
# (groups, article id -> briefing file, article id -> outlet) -> group id -> story dict
StoryMaker = Callable[[list[dict], dict[str, Path], dict[str, str]], dict[str, dict]]
DIGEST_FILES = ("digest.json", "digest.md", "digest.html")


def build_digest(store: StateStore, *, night: str, out_dir: Path, settings: NightlyConfig,
                 run: dict | None, provenance: dict, stories: StoryMaker | None = None,
                 watch: WatchMatcher | None = None) -> dict:
    """Assemble the digest of ``night`` (the JSON written to ``digest.json``).

    Args:
        store: the state.
        night: ``YYYY-MM-DD``.
        out_dir: ``nightly.out_dir`` (article paths in the state are relative to it).
        settings: the nightly settings (thresholds and attempts are recorded in the digest).
        run: the summary of the run writing the digest (None when only rebuilding).
        provenance: package versions, git commit, configuration digest.
        stories: makes the story of each event of two or more articles
            (:class:`pipeline.nightly.stories.NightStories`); None leaves stories out.
        watch: the watchlists' matcher; the digest then opens with what they match.
    """
    articles: list[dict] = []
    failed: list[dict] = []
    for outcome in store.night_outcomes(night):
        if outcome.status == DONE:
            problems: list[str] = []
            entry = _article_entry(outcome, out_dir, settings, problems)
            if entry is not None:
                articles.append(entry)
                continue
            failed.append(_failure_entry(outcome, settings, missing_output=True,
                                         problem=problems[0] if problems else None))
        else:
            failed.append(_failure_entry(outcome, settings))
    groups = _groups(articles, settings)
    if stories is not None:
        made = stories(groups, {a["id"]: a["_path"] for a in articles},
                       {a["id"]: a["source_name"] for a in articles})
        for group in groups:
            group["story"] = made.get(group["id"])
    watched = _watched(articles, watch) if watch is not None else []
    runs = store.runs_for_night(night)
    models = next((a.pop("_models") for a in articles if a.get("_models")), None)
    for article in articles:
        article.pop("_models", None)
        article.pop("_sentences", None)
        article.pop("_path", None)
    return {
        "schema_version": DIGEST_SCHEMA_VERSION,
        "kind": "briefing-nightly-digest",
        "pipeline_version": __version__,
        "night": night_totals(night, articles, failed, runs),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": {"articles": len(articles), "events": len(groups), "failed": len(failed),
                   "teasers": sum(bool(a.get("teaser")) for a in articles),
                   "disagreements": sum((g.get("story") or {}).get("disagreements", 0)
                                        for g in groups)},
        # Names and figures of the night's briefings that their article does not contain.
        "support": {"unsupported_claims": sum(a["unsupported_claims"] for a in articles),
                    "briefings_with_unsupported": sum(bool(a["unsupported_claims"])
                                                      for a in articles)},
        "run": run,
        "runs": runs,
        "watched": watched,
        "groups": groups,
        "articles": articles,
        "failed": failed,
        "settings": {
            "group_threshold": settings.group_threshold,
            "related_threshold": settings.related_threshold,
            "max_attempts": settings.max_attempts,
            "evidence_sentences": settings.evidence_sentences,
        },
        "models": models,
        "provenance": provenance,
    }


def write_digest(digest: dict, night_dir: Path) -> dict[str, Path]:
    """Write ``digest.json``, ``digest.md`` and ``digest.html`` atomically (JSON last, so a
    reader that sees the new JSON also finds the new renderings)."""
    night_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: night_dir / name for name in DIGEST_FILES}
    atomic_write_text(paths["digest.md"], render_md(digest))
    atomic_write_text(paths["digest.html"], render_html(digest))
    atomic_write_json(paths["digest.json"], digest)
    return paths


def night_totals(night: str, articles: list[dict], failed: list[dict], runs: list[dict]) -> dict:
    """The night as a whole, whatever the latest run did: every article it touched, those
    briefed, those not (``given_up``: no attempts left), and how many runs it took."""
    given_up = sum(1 for f in failed if f["status_now"] == "failed" and not f["will_retry"])
    return {"date": night, "articles": len(articles) + len(failed), "briefed": len(articles),
            "failed": len(failed), "given_up": given_up, "runs": len(runs)}


def _article_entry(outcome: NightOutcome, out_dir: Path, settings: NightlyConfig,
                   problems: list[str] | None = None) -> dict | None:
    """The digest's entry of a briefed article; None (and why, appended to ``problems``) when
    its briefing file cannot be read."""
    if not outcome.output_path:
        return None
    try:
        briefing = read_briefing(out_dir / outcome.output_path)
    except FileNotFoundError:
        if problems is not None:
            problems.append(f"{outcome.output_path} is missing")
        return None
    except (OSError, ValueError) as err:  # BriefingFormatError names the file and the field
        if problems is not None:
            problems.append(f"it cannot be read ({err})")
        return None
    sentences = [asdict(s) for s in briefing.sentences]
    english = [s.en for s in briefing.sentences]
    # The briefing's own summary sentences (SummarySentence: text, evidence indices, support,
    # claims), embedded as they are; with them, the source sentences each one draws on.
    checked = briefing.checked_summary
    evidence_text = []
    for n, sentence in enumerate(briefing.summary_sentences):
        if checked is not None:
            evidence = [{"index": i, "nl": sentences[i]["nl"], "en": english[i]}
                        for i in checked[n].evidence[:settings.evidence_sentences]
                        if 0 <= i < len(sentences)]
        else:  # not checked (a schema-1 file): the sentences that share its words
            evidence = [{"index": e.index, "nl": sentences[e.index]["nl"],
                         "en": english[e.index], "score": e.score}
                        for e in find_evidence(sentence, english, limit=settings.evidence_sentences)]
        evidence_text.append(evidence)
    entry = {
        "key": outcome.key,
        "id": outcome.file_id,
        "file": Path(outcome.output_path).name,
        "title_en": briefing.title_en,
        "title_nl": briefing.title_nl,
        "date": briefing.date,
        "url": briefing.url,
        "source": briefing.source,
        "briefing_en": briefing.briefing_en,
        "summary_sentences": list(briefing.summary_sentences),
        "summary": [item.to_dict() for item in checked] if checked is not None else [],
        "summary_evidence": evidence_text,
        # whether readers see the unsupported claims marked (every policy but "keep")
        "marks": checked is not None and marks_claims(briefing.support),
        "unsupported_claims": briefing.unsupported_count,
        "support_notice": briefing.support.notice if briefing.support is not None else None,
        # A page whose text was only a teaser (nightly.teaser): briefed from so many words.
        "teaser": briefing.extra.get("teaser"),
        "kind": outcome.kind,
        "attempt": outcome.attempt,
        "processed_at": outcome.at.isoformat(timespec="seconds"),
        "group": None,
        "_sentences": sentences,
        "_models": {name: model.to_dict() for name, model in briefing.models.items()},
        "_path": out_dir / outcome.output_path,
    }
    entry["source_name"] = source_name(entry, settings.outlets, outcome.source)
    return entry


def _failure_entry(outcome: NightOutcome, settings: NightlyConfig, *,
                   missing_output: bool = False, problem: str | None = None) -> dict:
    if missing_output:
        reason = "output-missing"
        what = problem or f"{outcome.output_path} is missing or unreadable"
        message = (f"the briefing was recorded but {what}; reprocess {outcome.file_id} to "
                   "write it again")
    else:
        reason, message = outcome.reason or "error", outcome.error or ""
    will_retry = (outcome.status_now == ArticleStatus.FAILED and is_retryable(reason)
                  and outcome.attempts_now < settings.max_attempts)
    return {
        "key": outcome.key, "id": outcome.file_id, "origin": outcome.origin, "url": outcome.url,
        "source": outcome.source, "reason": reason, "message": message,
        "attempt": outcome.attempt, "max_attempts": settings.max_attempts,
        "will_retry": will_retry, "status_now": outcome.status_now,
        "night_now": outcome.night_now, "kind": outcome.kind,
        # Not retried because another run would fail the same way (not Dutch, too short…).
        "final": outcome.status_now == ArticleStatus.FAILED and not is_retryable(reason),
    }


def _lead_index(members: list[dict]) -> int:
    # The fullest report leads the event; ties go to the earliest id.
    return max(range(len(members)),
               key=lambda i: (len(members[i]["_sentences"]), [-ord(c) for c in members[i]["id"]]))


def _groups(articles: list[dict], settings: NightlyConfig) -> list[dict]:
    if not articles:
        return []
    inputs = [GroupInput(id=a["id"], nl=[s.get("nl") or s.get("en") or "" for s in a["_sentences"]],
                         en=[s.get("en") or "" for s in a["_sentences"]]) for a in articles]
    found = group_articles(inputs, threshold=settings.group_threshold,
                           related_threshold=settings.related_threshold)
    newest = [max((articles[i].get("date") or "") for i in group.members) for group in found]
    # Most outlets first, then newest (undated last), then by id: stable across re-runs.
    order = sorted(range(len(found)), key=lambda g: (
        -len(found[g].members), newest[g] == "", _negated(newest[g]),
        articles[found[g].members[0]]["id"]))
    names = {g: f"event-{rank + 1}" for rank, g in enumerate(order)}
    groups = []
    for g in order:
        members = [articles[i] for i in found[g].members]
        lead = members[_lead_index(members)]
        for member in members:
            member["group"] = names[g]
        dates = sorted({m["date"] for m in members if m.get("date")})
        groups.append({
            "id": names[g],
            "headline": lead.get("title_en") or lead["id"],
            "lead": lead["id"],
            "articles": [lead["id"]] + [m["id"] for m in members if m is not lead],
            "dates": dates,
            "sources": [{"name": m["source_name"], "title": m.get("title_en"),
                         "url": m.get("url"), "id": m["id"]}
                        for m in [lead] + [m for m in members if m is not lead]],
            "entities": found[g].entities,
            "cohesion": found[g].cohesion,
            "related": [{"group": names[other], "score": score}
                        for other, score in found[g].related],
        })
    return groups


def _watched(articles: list[dict], watch: WatchMatcher) -> list[dict]:
    """Per watchlist: the events and articles that mention it, each hit with its sentence."""
    by_list: dict[str, list[dict]] = {w.name: [] for w in watch.lists}
    for article in articles:
        hits = watch.hits(article["id"], [(s.get("en") or "", s.get("nl"))
                                          for s in article["_sentences"]])
        article["watch"] = sorted({h.watchlist for h in hits})
        for hit in hits:
            by_list[hit.watchlist].append(hit.to_dict() | {"group": article.get("group")})
    return [{"name": name, "articles": list(dict.fromkeys(h["article"] for h in hits)),
             "events": list(dict.fromkeys(h["group"] for h in hits if h["group"])),
             "hits": hits}
            for name, hits in by_list.items()]


def _negated(text: str) -> list[int]:
    # Sort newest date first inside an ascending sort key.
    return [-ord(c) for c in text]
