"""Outlet names for articles read from files: ``nightly.outlets`` maps folders to outlets.

A desk folder of ``.txt`` files says nothing about who published them; the configuration can
(``nightly.outlets: {"desk/volkskrant": "de Volkskrant"}``). A key matches an article whose
file lies in that folder (or is that file), or whose configured source is that key; a key
without a slash also matches a folder of that name anywhere. The longest key wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


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
