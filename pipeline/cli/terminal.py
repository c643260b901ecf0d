"""The one writer of every command's text output: what the data holds cannot drive a terminal.

Ids, claims, titles, file names and the error messages that quote them come from outside.
Before any of it is printed, each character that a terminal acts on instead of showing is
written as a visible escape: C0 and C1 controls (ESC starts escape sequences, ``\\x9b`` is
CSI on its own, NUL, BEL) as ``\\xNN``, and the bidirectional controls (U+202E, the
right-to-left override, makes ``gnp.exe`` read ``exe.png``) as ``\\uNNNN``. Line breaks and
tabs stay in text, and are escaped inside one field of a tab-separated line. JSON output keeps
the same data: those characters become ``\\u`` escapes inside its strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape as escape_markup

from pipeline.core.display import UNSAFE, UNSAFE_CHARACTERS, visible_escape

# What no reader is shown as it is (pipeline.core.display, shared with the pages); in a field
# of a line, tabs and line breaks too.
_IN_TEXT = UNSAFE
_IN_FIELD = re.compile(f"[\t\n{UNSAFE_CHARACTERS}]")
_NAMED = {"\t": "\\t", "\n": "\\n"}

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _shown(match: re.Match) -> str:
    char = match.group(0)
    return _NAMED.get(char) or visible_escape(char)


def safe(text: object) -> str:
    """``text`` with every character a terminal would act on shown as a visible escape;
    line breaks and tabs are kept."""
    return _IN_TEXT.sub(_shown, str(text))


def field(text: object) -> str:
    """``text`` as one field of a line: as :func:`safe`, and tabs and line breaks escaped
    too, so it can neither add a column nor a line."""
    return _IN_FIELD.sub(_shown, str(text))


def json_text(data: Any, **options: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **options)`` with the characters :func:`safe`
    escapes written as ``\\uNNNN`` (the same JSON value, nothing raw on a terminal)."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _IN_TEXT.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` on stdout (``err``: stderr) through :func:`safe`."""
    typer.echo(safe(text), err=err, nl=nl)


def say(text: object, *, style: str = "", label: str = "", console: Console | None = None
        ) -> None:
    """Print ``text`` on stderr (or ``console``) as written: escaped by :func:`safe` and for
    Rich markup, optionally after a styled ``label`` (``say(msg, style="bold red",
    label="error:")``)."""
    prefix = ""
    if label:
        prefix = (f"[{style}]{escape_markup(label)}[/] " if style
                  else f"{escape_markup(label)} ")
    (console or stderr).print(prefix + markup(text), markup=True)


def markup(text: object) -> str:
    """``text`` for a Rich renderable that reads markup (a table cell): :func:`safe`, and
    brackets that would read as styles escaped."""
    return escape_markup(safe(text))
