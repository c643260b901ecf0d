"""The digest's summary lines, the same in digest.md, digest.html and the archive's pages:
the night's date and totals, what the run did, and what happens next to a failed article.

Plain text; each renderer escapes it for its format.
"""

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
