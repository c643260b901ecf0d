"""``digest.html``: one self-contained page (inline CSS, no scripts, no external assets).

Readable on a laptop and a phone: a single column that never exceeds a comfortable line
length, Dutch and English side by side on wide screens and stacked on narrow ones, light
and dark colour schemes. Every briefing sentence is a ``<details>`` element: open it to see
the source sentences it draws on. A name or figure the article does not contain is marked on
the sentence itself (visible without opening anything), a briefing with such claims carries a
badge, and the header counts them. The page is ``pipeline/pages/templates/digest.html``
(autoescaped: everything from the data is text).
"""

from __future__ import annotations

from pipeline.pages import render
from pipeline.pages.digest_lines import night_date, night_line, retry_note, run_line, summary_view
from pipeline.record.marks import NOTE


def render_html(digest: dict) -> str:
    """The digest as one HTML page."""
    models = digest.get("models") or {}
    model_names = ", ".join(f"{role}: {info.get('id')}" for role, info in models.items()
                            if isinstance(info, dict))
    return render("digest.html", digest=digest, model_names=model_names, note=NOTE,
                  night_date=night_date, night_line=night_line, run_line=run_line,
                  retry_note=retry_note, summary_view=summary_view)
