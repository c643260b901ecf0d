"""The Markdown digest of a batch: one section per briefing, then what failed.

As in the nightly's digest, a name or figure the article does not contain is written in bold
and followed by ``[?]`` (policy ``flag``), a briefing with such claims says how many, and
the header counts them and says once how to read the marks.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.errors import ArticleError
from pipeline.core.markdown import code, link, text
from pipeline.record.briefing import Briefing
from pipeline.record.marks import (
    markdown_claim_count,
    markdown_header,
    markdown_summary,
    marks_claims,
)


def render_digest_md(briefings: Sequence[Briefing], errors: Sequence[ArticleError],
                     title: str = "Briefing digest") -> str:
    """Render the digest: briefings sorted by date (newest first) then id, failures last."""
    lines = [f"# {text(title)}", ""]
    lines.append(f"{len(briefings)} article(s) briefed, {len(errors)} failed.")
    lines.append("")
    unsupported = {b.id: b.unsupported_count for b in briefings}
    if any(b.support and marks_claims(b.support) for b in briefings):
        lines += markdown_header(sum(unsupported.values()),
                                 sum(1 for n in unsupported.values() if n))
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
        if unsupported[briefing.id]:
            lines.append(markdown_claim_count(unsupported[briefing.id]))
            lines.append("")
        lines.append(_body(briefing))
        lines.append("")
    if errors:
        lines.append("## Not briefed")
        lines.append("")
        for error in errors:
            who = error.article_id or error.origin
            lines.append(f"- {code(who)} ({text(error.reason)}): {text(error)}")
        lines.append("")
    return "\n".join(lines)


def _body(briefing: Briefing) -> str:
    """The summary, its unsupported claims marked unless the policy is ``keep``."""
    if not briefing.briefing_en:
        return "_(the summarizer produced no text)_"
    if not briefing.summary or not marks_claims(briefing.support):
        return text(briefing.briefing_en)
    return markdown_summary(briefing.summary)
