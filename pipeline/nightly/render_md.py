"""``digest.md``: the night's digest (see :mod:`pipeline.nightly.digest`) as Markdown."""

from __future__ import annotations

from pipeline.core.markdown import code, link, text

SUMMARY_FIELDS = ("new", "changed", "unchanged", "retried", "resumed", "reprocessed", "done",
                  "failed", "exhausted")


def run_line(run: dict | None) -> str:
    """One line: what the run writing the digest did."""
    if not run:
        return "Rebuilt from the state; no articles were read."
    counts = ", ".join(f"{run.get(k, 0)} {k}" for k in SUMMARY_FIELDS if run.get(k))
    seconds = (run.get("durations") or {}).get("total_s")
    tail = f" in {seconds:.1f}s" if isinstance(seconds, int | float) else ""
    errors = run.get("source_errors") or []
    if errors:
        counts += f"; {len(errors)} source(s) could not be read"
    partial = run.get("source_warnings") or []
    if partial:
        counts += f"; {len(partial)} source(s) read only in part"
    return f"This run: {counts or 'nothing to do'}{tail}."


def retry_note(item: dict) -> str:
    """What happens next to a failed article of the digest."""
    if item["will_retry"]:
        return "will be retried on the next run"
    if item.get("final"):
        return "not retried: the same article fails the same way (reprocess it after a fix)"
    if item["status_now"] == "failed":
        return "no attempts left"
    return f"since {item['status_now']}"


def render_md(digest: dict) -> str:
    """Render the digest: events (largest first), then what failed, then the run summary."""
    counts = digest["counts"]
    lines = [f"# Briefing digest — {digest['night']}", ""]
    lines.append(f"{counts['articles']} article(s) in {counts['events']} event(s); "
                 f"{counts['failed']} not briefed.")
    lines.append("")
    lines.append(run_line(digest.get("run")))
    lines.append("")
    by_id = {a["id"]: a for a in digest["articles"]}
    group_titles = {g["id"]: g["headline"] for g in digest["groups"]}
    for group in digest["groups"]:
        lead = by_id[group["lead"]]
        lines.append(f"## {text(group['headline'])}")
        lines.append("")
        meta = []
        if group["dates"]:
            meta.append(" – ".join(dict.fromkeys([group["dates"][0], group["dates"][-1]])))
        meta.append(f"{len(group['articles'])} source(s)")
        if group["entities"]:
            meta.append(", ".join(group["entities"]))
        lines.append("*" + " · ".join(text(m) for m in meta) + "*")
        lines.append("")
        lines.append(text(lead.get("briefing_en") or "(the summarizer produced no text)"))
        lines.append("")
        for source in group["sources"]:
            title = source.get("title") or source["id"]
            lines.append(f"- {link(title, source.get('url'))} — {text(source['name'])} "
                         f"({code(source['id'])})")
        if group["related"]:
            related = ", ".join(f"{text(group_titles[r['group']])}" for r in group["related"])
            lines.append("")
            lines.append(f"Related: {related}")
        lines.append("")
    if digest["failed"]:
        lines.append(f"## Not briefed ({len(digest['failed'])})")
        lines.append("")
        for item in digest["failed"]:
            retry = retry_note(item)
            lines.append(f"- {code(item['id'])} ({text(item['reason'])}): {text(item['message'])} "
                         f"— attempt {item['attempt']} of {item['max_attempts']}, {retry}")
        lines.append("")
    run = digest.get("run") or {}
    if run.get("source_errors"):
        lines.append("## Sources not read")
        lines.append("")
        for error in run["source_errors"]:
            lines.append(f"- {code(error['source'])}: {text(error['message'])}")
        lines.append("")
    if run.get("source_warnings"):
        lines.append("## Sources read only in part")
        lines.append("")
        for warning in run["source_warnings"]:
            lines.append(f"- {code(warning['source'])}: {text(warning['message'])}")
        lines.append("")
    if run.get("exhausted_keys"):
        lines.append("## Given up (no attempts left; `--reprocess failed` retries them)")
        lines.append("")
        for key in run["exhausted_keys"]:
            lines.append(f"- {code(key)}")
        lines.append("")
    return "\n".join(lines)
