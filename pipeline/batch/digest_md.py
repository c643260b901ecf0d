"""The Markdown digest of a batch: one section per briefing, then what failed."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.briefing.schema import Briefing
from pipeline.core.errors import ArticleError


def render_digest_md(briefings: Sequence[Briefing], errors: Sequence[ArticleError],
                     title: str = "Briefing digest") -> str:
    """Render the digest: briefings sorted by date (newest first) then id, failures last."""
    lines = [f"# {title}", ""]
    lines.append(f"{len(briefings)} article(s) briefed, {len(errors)} failed.")
    lines.append("")
    ordered = sorted(briefings, key=lambda b: b.id)
    ordered = sorted(ordered, key=lambda b: b.date or "", reverse=True)
    for briefing in ordered:
        lines.append(f"## {briefing.title_en or briefing.id}")
        meta = [x for x in (briefing.date, f"`{briefing.id}`", briefing.url or briefing.source) if x]
        lines.append("*" + " · ".join(meta) + "*")
        lines.append("")
        lines.append(briefing.briefing_en or "_(the summarizer produced no text)_")
        lines.append("")
    if errors:
        lines.append("## Not briefed")
        lines.append("")
        for error in errors:
            who = error.article_id or error.origin
            lines.append(f"- `{who}` ({error.reason}): {error}")
        lines.append("")
    return "\n".join(lines)
