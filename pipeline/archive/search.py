"""The search index: Pagefind (its PyPI package ships the binary) run over the built site."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pipeline.archive.writer import current_umask

INDEX_DIR = "pagefind"
TIMEOUT_S = 600

# Pagefind indexes the decoded text of filters and metadata, and its UI renders them as HTML:
# what goes into those fields must not be markup. Each character that HTML gives a meaning
# becomes a look-alike that it does not.
_INDEX_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06",
                                   '"': "\u201d", "'": "\u2019", "`": "\u02cb"})


def index_text(value: object) -> str:
    """``value`` as text for a Pagefind filter or metadata field: ``< > & " ' ` `` become
    look-alikes (‹ › ＆ ” ’ ˋ) and control characters spaces, so the search UI, which renders
    these fields as HTML, shows text and never markup. The pages themselves show the text
    as written (escaped)."""
    text = "" if value is None else str(value)
    text = "".join(" " if ord(c) < 32 or 0x7f <= ord(c) < 0xa0 else c for c in text)
    return text.translate(_INDEX_LOOKALIKES)


def pagefind_binary() -> Path | None:
    """The Pagefind executable, or None when the ``pagefind[bin]`` package is missing."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        found = get_executable()
    except Exception:  # noqa: BLE001 - a broken install means no search, not a failed night
        return None
    return Path(found) if found and Path(found).exists() else None


def build_index(site: Path) -> str | None:
    """Index every article page of ``site``; returns None, or why there is no index.

    Only pages marked ``data-pagefind-body`` (the article pages) are indexed.
    """
    binary = pagefind_binary()
    if binary is None:
        return "Pagefind is not installed (pip install 'pagefind[bin]')"
    target = site / INDEX_DIR
    if target.exists():
        shutil.rmtree(target)  # no stale fragments of articles since re-briefed
    try:
        completed = subprocess.run(
            [str(binary), "--site", str(site), "--output-subdir", INDEX_DIR, "--silent"],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
            umask=current_umask())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Pagefind could not run: {exc}"
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        return f"Pagefind failed (exit {completed.returncode}): {detail[-1] if detail else ''}"
    return None
