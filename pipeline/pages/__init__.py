"""HTML pages from Jinja2 templates on disk: one environment (:mod:`pipeline.pages.env`),
autoescaped, for the nightly digest, the archive and the evaluation report.

``templates/`` holds the base layout, one template per page type and the shared macros;
``static/`` the CSS and JavaScript, inlined into the pages (they are self-contained).
"""

from pipeline.pages.env import assets_digest, render, safe_href, static_text

__all__ = ["assets_digest", "render", "safe_href", "static_text"]
