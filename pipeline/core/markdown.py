"""Writing untrusted values into Markdown so that a Markdown renderer shows them as text.

Titles, ids, messages, system names and URLs come from articles and feeds: anyone can put
``<script>`` or ``javascript:`` in them. An ordinary renderer (CommonMark) passes raw HTML
through and links whatever a ``[label](url)`` names, so every Markdown writer of this project
(the nightly and batch digests, the evaluation report) goes through these helpers:

- :func:`text` for running text, headings, list items and table cells: HTML and the
  Markdown characters that change structure are backslash-escaped (CommonMark renders
  ``\\<`` as a literal ``<``), line breaks become spaces, control characters are dropped;
- :func:`code` for ids and keys shown as code spans;
- :func:`link` for links: only http(s) URLs become links; anything else (``javascript:``,
  ``data:``, relative paths) is shown as plain escaped text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Everywhere: HTML (< > &), emphasis and code (* _ `), links ([ ]), tables (|), GFM
# strikethrough (~), headings' closing #, attribute lists ({ }) and the escape itself.
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>#|~&])")
# Only at the start of a line: list items, setext underlines, ordered lists.
_LINE_START = re.compile(r"^([-+=]|\d+[.)])")
_WHITESPACE = re.compile(r"\s+")
# Control characters (a model can emit BEL or ESC): no text a reader should get; dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters kept as they are in a link destination; everything else is percent-encoded, so
# a URL can close neither the destination nor the HTML attribute it ends up in.
_URL_SAFE = ":/?#[]@!$&*+,;=%~-._"


def text(value: object) -> str:
    """``value`` as inline Markdown text that renders exactly as written (one line)."""
    return piece(str(value).strip())


def piece(value: object) -> str:
    """Like :func:`text`, for a piece of a line: whitespace is folded, not stripped, so
    pieces escaped one by one (a sentence around its marked claims) join as written."""
    flat = _WHITESPACE.sub(" ", _CONTROL.sub("", str(value)))
    escaped = _ALWAYS.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def code(value: object) -> str:
    """``value`` as a code span (a renderer escapes HTML inside it); never breaks out."""
    flat = _WHITESPACE.sub(" ", str(value)).strip()
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def is_safe_url(url: str | None) -> bool:
    """Whether ``url`` may be a link target: an absolute http(s) URL."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # malformed (``http://[::1``): never a link
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def link(label: object, url: str | None) -> str:
    """A link to ``url`` labelled ``label`` when ``url`` is http(s); else the escaped label,
    followed by the escaped URL when there is one."""
    if url and is_safe_url(url):
        return f"[{text(label)}]({quote(url.strip(), safe=_URL_SAFE)})"
    if url:
        return f"{text(label)} ({text(url)})"
    return text(label)
