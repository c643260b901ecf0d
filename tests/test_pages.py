"""The page templates: one autoescaped, strict environment, found as package data."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib.resources import files
from pathlib import Path

import jinja2
import pytest

from pipeline.pages import env as pages_env
from pipeline.pages.env import asset_files, assets_digest, environment, safe_href, static_text

REPO = Path(__file__).resolve().parents[1]


def test_every_template_and_static_file_is_package_data():
    # A wheel holds only what package-data names: every file under pages/ must match it.
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]["package-data"]["pipeline"]
    folder = REPO / "pipeline" / "pages"
    on_disk = [p.relative_to(folder.parent).as_posix() for sub in ("templates", "static")
               for p in (folder / sub).rglob("*") if p.is_file()]
    assert len(on_disk) >= 5
    # (a setuptools glob's ``*`` stays inside one folder)
    missing = [p for p in on_disk if not any(
        fnmatch.fnmatchcase(p, pat) and pat.count("/") == p.count("/") for pat in patterns)]
    assert missing == []
    # And they are read through importlib.resources, as from an installed wheel.
    names = {path for path, _ in asset_files()}
    assert {"templates/base.html", "templates/digest.html", "static/digest.css"} <= names
    assert files("pipeline.pages").joinpath("static", "digest.css").read_text("utf-8") == \
        static_text("digest.css")


def test_one_environment_autoescapes_and_is_strict():
    env = environment()
    assert env is environment()
    assert env.autoescape is True
    page = env.from_string("<p title='{{ x }}'>{{ x }}</p>").render(x="<b>'&\"")
    assert page == "<p title='&lt;b&gt;&#39;&amp;&#34;'>&lt;b&gt;&#39;&amp;&#34;</p>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("[{{ x }}]").render(x=None) == "[]"


@pytest.mark.parametrize("url, expected", [
    ("https://x.example/a?b=1&c=2", "https://x.example/a?b=1&c=2"),
    ("http://x.example", "http://x.example"),
    ("javascript:alert(1)", None), ("JavaScript:alert(1)", None), (" javascript:alert(1)", None),
    ("data:text/html,<script>", None), ("file:///etc/passwd", None), ("//evil.example", None),
    ("http://[::1", None), ("", None), (None, None), ("../a.html", None),
])
def test_safe_href_keeps_only_web_links(url, expected):
    assert safe_href(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("../2025-03-14/index.html#event-1", "../2025-03-14/index.html#event-1"),
    ("#event-1", "#event-1"), ("https://x.example", "https://x.example"),
    ("javascript:alert(1)", "#"), ("java\tscript:alert(1)", "#"), ("/etc/passwd", "#"),
    ("//evil.example/x", "#"), ("\\\\evil\\x", "#"), ("data:,x", "#"), ("", "#"),
])
def test_safe_href_in_the_site_keeps_relative_links_and_neutralises_the_rest(url, expected):
    assert safe_href(url, site=True) == expected


def test_the_assets_digest_follows_the_files(monkeypatch):
    before = assets_digest()
    real = asset_files()
    monkeypatch.setattr(pages_env, "asset_files",
                        lambda: [(p, d + b" ") if p == "static/digest.css" else (p, d)
                                 for p, d in real])
    assert assets_digest() != before


def test_controls_and_bidi_overrides_are_shown_as_escapes_zero_width_spaces_kept():
    page = environment().from_string("<p title='{{ x }}'>{{ x }}</p>").render(
        x="gnp\u202e.exe\x1b[31m\u200b\u2066")
    shown = "gnp\\u202e.exe\\x1b[31m\u200b\\u2066"
    assert page == f"<p title='{shown}'>{shown}</p>"
