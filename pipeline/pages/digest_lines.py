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


def summary_view(article: dict) -> list[dict]:
    """Each summary sentence of a digest article as the pages show it: ``text``, ``support``,
    ``claims`` to mark (None: no marks), ``unsupported`` and ``evidence`` (the source
    sentences, ``{"index", "nl", "en"}``).

    Reads digest schema 3 (the briefing's own summary sentences, ``summary_evidence``
    beside them) and the re-keyed sentences of schema 2 (``en``, evidence objects), so the
    archive shows the nights written before as they were.
    """
    if "summary_sentences" not in article:  # schema 2
        return [{"text": s.get("en") or "", "support": s.get("support"), "claims": s.get("claims"),
                 "unsupported": s.get("unsupported"), "evidence": s.get("evidence") or []}
                for s in article.get("summary") or [] if isinstance(s, dict)]
    checked = article.get("summary") or []
    evidence = article.get("summary_evidence") or []
    marks = bool(article.get("marks"))
    view = []
    for n, text in enumerate(article["summary_sentences"]):
        item = checked[n] if n < len(checked) else None
        view.append({"text": text,
                     "support": item["support"] if item and marks else None,
                     "claims": item["claims"] if item and marks else None,
                     "unsupported": item["unsupported"] if item and marks else None,
                     "evidence": evidence[n] if n < len(evidence) else []})
    return view
