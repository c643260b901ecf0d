"""The one Jinja2 environment every HTML page is rendered with (digest, archive, evaluation).

Every template is autoescaped: a value from the data is text unless the code marks it as
markup, so a page never needs an escape call. Undefined names fail loudly
(``StrictUndefined``); an optional field is read with ``|default(none)``.

Templates are written one element a line for reading; the loader joins their lines (the
indentation and the line break go), so no whitespace appears between inline elements that
the page did not ask for. A space between two lines is written at the end of the first
line's text as ``{{ " " }}``, or kept on one line.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup, escape

from pipeline.core.display import UNSAFE, visible_escape
from pipeline.core.markdown import is_safe_url
from pipeline.record.marks import MARK, marked_text

PACKAGE = "pipeline.pages"
TEMPLATES = "templates"
STATIC = "static"


# Controls and bidi overrides are shown as visible escapes, as the terminal shows them
# (pipeline.core.display: the one list).
def _shown(match: re.Match) -> str:
    return visible_escape(match.group(0))


def shown_text(value: object) -> object:
    """What a page shows of a value: None as nothing, controls as visible escapes (markup
    stays markup)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(UNSAFE.sub(_shown, value))
    if isinstance(value, str):
        return UNSAFE.sub(_shown, value)
    return value


class _JoinLines(Extension):
    """Drop each line break of a template source and the indentation after it."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        joined = "".join(line.lstrip() for line in source.splitlines())
        return joined + "\n" if source.endswith("\n") else joined


def safe_href(url: object, site: bool = False) -> str | None:
    """A link target that is safe in ``href``.

    Args:
        url: an absolute http(s) URL from the data, or (with ``site``) a link inside the site.
        site: the link is one the site made itself (a relative path or ``#fragment``); a
            relative reference is kept and anything else becomes ``#``.

    Returns:
        ``url``, or None (``site`` False: shown as text, no link) / ``"#"`` (``site`` True)
        for anything else (``javascript:``, ``data:``, file paths, malformed URLs).
    """
    text = "" if url is None else str(url)
    if is_safe_url(text):  # a malformed URL (``http://[::1``) is no link either
        return text
    if not site:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return "#"
    relative = (not parts.scheme and not parts.netloc and not text.startswith(("/", "\\"))
                and not any(ord(c) < 32 or c == "\\" for c in text))
    return text if text and relative else "#"


def marked(text: object, claims: object, title: str | None = None,
           css: str = "unsupported") -> Markup:
    """A sentence with each unsupported claim marked (``<mark>`` … ``[?]``), the rest escaped.

    The marks are placed by :func:`pipeline.record.marks.marked_text`, the one
    implementation every rendering of a briefing uses.
    """
    tag = (Markup('<mark class="{}" title="{}">').format(css, title) if title is not None
           else Markup('<mark class="{}">').format(css))
    template = str(tag).replace("{", "{{").replace("}", "}}") + "{} " + MARK + "</mark>"
    sentence = {"text": "" if text is None else str(text), "claims": claims or []}
    return Markup(marked_text(sentence, template, escape=lambda piece: str(escape(piece))))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def interval(value: object) -> str:
    """A figure's interval (``low``/``high`` and whether each is closed) as text:
    ``4``, ``≥ 1200``, ``> 3, < 5``, ``?`` when unbounded."""
    get = value.get if isinstance(value, dict) else lambda key: getattr(value, key, None)
    low, high = get("low"), get("high")
    if low is not None and low == high:
        return _number(low)
    left = "" if low is None else (f"≥ {low:g}" if get("low_closed") else f"> {low:g}")
    right = "" if high is None else (f"≤ {high:g}" if get("high_closed") else f"< {high:g}")
    return ", ".join(p for p in (left, right) if p) or "?"


def plural(count: object, word: str, many: str | None = None) -> str:
    """``1 source``, ``2 sources``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


@cache
def static_text(name: str) -> str:
    """The text of a file of ``pipeline/pages/static`` (CSS or JavaScript)."""
    return files(PACKAGE).joinpath(STATIC, name).read_text(encoding="utf-8")


def _inline(*names: str) -> Markup:
    # The site's own CSS and JavaScript files, inlined into a page as they are.
    return Markup("".join(static_text(name) for name in names))


@cache
def environment() -> jinja2.Environment:
    """The environment (made once): templates from the package, autoescaped, strict."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=[_JoinLines],
        keep_trailing_newline=True,
        finalize=shown_text,  # every value printed: None as nothing, controls as escapes
    )
    env.filters["safe_href"] = safe_href
    env.filters["marked"] = marked
    env.filters["interval"] = interval
    env.globals.update(plural=plural, inline=_inline, MARK=MARK)
    return env


def render(template: str, **context: object) -> str:
    """Render ``template`` (a path under ``pipeline/pages/templates``) with ``context``."""
    return environment().get_template(template).render(**context)


def asset_files() -> list[tuple[str, bytes]]:
    """Every template and static file, as ``(path, bytes)`` sorted by path."""
    found = []
    root = files(PACKAGE)
    for folder in (TEMPLATES, STATIC):
        stack = [(folder, root.joinpath(folder))]
        while stack:
            name, node = stack.pop()
            for child in node.iterdir():
                path = f"{name}/{child.name}"
                if child.is_dir():
                    stack.append((path, child))
                elif not child.name.startswith("."):
                    found.append((path, child.read_bytes()))
    return sorted(found)


def assets_digest() -> str:
    """A hash of every template and static file: what the pages look like."""
    digest = hashlib.sha256()
    for path, data in asset_files():
        digest.update(path.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()
