"""Outlet names for articles: the article's own source, else ``nightly.outlets`` (folders to
outlets), else the host of its URL, else its file (:func:`source_name`).

A desk folder of ``.txt`` files says nothing about who published them; the configuration can
(``nightly.outlets: {"desk/volkskrant": "de Volkskrant"}``). A key matches an article whose
file lies in that folder (or is that file), or whose configured source is that key; a key
without a slash also matches a folder of that name anywhere. The longest key wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.core.netguard import is_http_url


def _parts(value: str) -> tuple[str, ...]:
    return Path(value.removeprefix("file://")).expanduser().resolve(strict=False).parts


def outlet_for(paths: list[str | None], outlets: Mapping[str, str]) -> str | None:
    """The configured outlet of the first of ``paths`` (file path, source spec) that matches."""
    if not outlets:
        return None
    keys = sorted(outlets, key=len, reverse=True)
    for value in paths:
        if not value:
            continue
        parts = _parts(value)
        for key in keys:
            if value.rstrip("/") == key.rstrip("/"):
                return outlets[key]
            key_parts = _parts(key)
            if parts[:len(key_parts)] == key_parts:
                return outlets[key]
            if "/" not in key.strip("/") and key.strip("/") in parts[:-1]:
                return outlets[key]
    return None


def source_name(article: dict, outlets: dict[str, str] | None = None,
                configured: str | None = None) -> str:
    """How a source is named in the digest: the outlet (the article's ``source``, else
    ``nightly.outlets`` for its file or configured source), else the host, else the file."""
    source = article.get("source") or ""
    url = article.get("url")
    if source and not _looks_like_path(source):
        return source
    outlet = outlet_for([source, configured], outlets or {})
    if outlet:
        return outlet
    if url and is_http_url(url):
        return urlsplit(url).netloc
    return Path(source).name if source else article["id"]


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".txt", ".jsonl", ".html", ".htm"))
