"""The Markdown digest of a batch: one section per briefing, then what failed."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.briefing.schema import Briefing
from pipeline.core.errors import ArticleError
from pipeline.core.markdown import code, link, text


def render_digest_md(briefings: Sequence[Briefing], errors: Sequence[ArticleError],
                     title: str = "Briefing digest") -> str:
    """Render the digest: briefings sorted by date (newest first) then id, failures last."""
    lines = [f"# {text(title)}", ""]
    lines.append(f"{len(briefings)} article(s) briefed, {len(errors)} failed.")
    lines.append("")
    ordered = sorted(briefings, key=lambda b: b.id)
    ordered = sorted(ordered, key=lambda b: b.date or "", reverse=True)
    for briefing in ordered:
        # Titles, ids and URLs come from the articles: escaped, and only http(s) is a link.
        lines.append(f"## {text(briefing.title_en or briefing.id)}")
        where = (link(briefing.url, briefing.url) if briefing.url
                 else text(briefing.source) if briefing.source else None)
        meta = [x for x in (text(briefing.date) if briefing.date else None, code(briefing.id),
                            where) if x]
        lines.append("*" + " · ".join(meta) + "*")
        lines.append("")
        lines.append(text(briefing.briefing_en) if briefing.briefing_en
                     else "_(the summarizer produced no text)_")
        lines.append("")
    if errors:
        lines.append("## Not briefed")
        lines.append("")
        for error in errors:
            who = error.article_id or error.origin
            lines.append(f"- {code(who)} ({text(error.reason)}): {text(error)}")
        lines.append("")
    return "\n".join(lines)
