"""``digest.md``: the night's digest (see :mod:`pipeline.nightly.digest`) as Markdown."""

from __future__ import annotations

SUMMARY_FIELDS = ("new", "changed", "unchanged", "retried", "resumed", "reprocessed", "done",
                  "failed", "exhausted")


def night_date(digest: dict) -> str:
    """The night's date of a digest of any schema version (1: a string; 2: an object)."""
    night = digest["night"]
    return night["date"] if isinstance(night, dict) else night


def night_line(digest: dict) -> str:
    """One line: the night's totals over all its runs (empty for a schema-1 digest)."""
    night = digest.get("night")
    if not isinstance(night, dict):
        return ""
    given_up = f", {night['given_up']} given up" if night.get("given_up") else ""
    runs = night["runs"]
    plural = "s" if night["articles"] != 1 else ""
    return (f"This night: {night['articles']} article{plural}, {night['briefed']} briefed, "
            f"{night['failed']} not briefed{given_up}; {runs} run{'s' if runs != 1 else ''}.")


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
    return f"This run: {counts or 'nothing to do'}{tail}."


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[")


def _link(title: str, url: str | None) -> str:
    if url:
        return f"[{_md_escape(title)}]({url.replace(')', '%29').replace(' ', '%20')})"
    return _md_escape(title)


def render_md(digest: dict) -> str:
    """Render the digest: events (largest first), then what failed, then the run summary."""
    counts = digest["counts"]
    lines = [f"# Briefing digest — {night_date(digest)}", ""]
    if night_line(digest):
        lines.append(night_line(digest) + "  ")
    lines.append(f"{counts['articles']} article(s) in {counts['events']} event(s); "
                 f"{counts['failed']} not briefed.")
    lines.append("")
    lines.append(run_line(digest.get("run")))
    lines.append("")
    by_id = {a["id"]: a for a in digest["articles"]}
    group_titles = {g["id"]: g["headline"] for g in digest["groups"]}
    for group in digest["groups"]:
        lead = by_id[group["lead"]]
        lines.append(f"## {_md_escape(group['headline'])}")
        lines.append("")
        meta = []
        if group["dates"]:
            meta.append(" – ".join(dict.fromkeys([group["dates"][0], group["dates"][-1]])))
        meta.append(f"{len(group['articles'])} source(s)")
        if group["entities"]:
            meta.append(", ".join(group["entities"]))
        lines.append("*" + " · ".join(_md_escape(m) for m in meta) + "*")
        lines.append("")
        lines.append(_md_escape(lead.get("briefing_en") or "(the summarizer produced no text)"))
        lines.append("")
        for source in group["sources"]:
            title = source.get("title") or source["id"]
            lines.append(f"- {_link(title, source.get('url'))} — {_md_escape(source['name'])} "
                         f"(`{source['id']}`)")
        if group["related"]:
            related = ", ".join(f"{_md_escape(group_titles[r['group']])}" for r in group["related"])
            lines.append("")
            lines.append(f"Related: {related}")
        lines.append("")
    if digest["failed"]:
        lines.append(f"## Not briefed ({len(digest['failed'])})")
        lines.append("")
        for item in digest["failed"]:
            retry = ("will be retried on the next run" if item["will_retry"]
                     else "no attempts left" if item["status_now"] == "failed"
                     else f"since {item['status_now']}")
            lines.append(f"- `{item['id']}` ({item['reason']}): {_md_escape(item['message'])} "
                         f"— attempt {item['attempt']} of {item['max_attempts']}, {retry}")
        lines.append("")
    run = digest.get("run") or {}
    if run.get("source_errors"):
        lines.append("## Sources not read")
        lines.append("")
        for error in run["source_errors"]:
            lines.append(f"- `{error['source']}`: {_md_escape(error['message'])}")
        lines.append("")
    if run.get("exhausted_keys"):
        lines.append("## Given up (no attempts left; `--reprocess failed` retries them)")
        lines.append("")
        for key in run["exhausted_keys"]:
            lines.append(f"- `{key}`")
        lines.append("")
    return "\n".join(lines)
