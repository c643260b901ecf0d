"""What made an output: package versions, git commit, configuration."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from pipeline import __version__

_PACKAGES = ("torch", "transformers", "tokenizers", "sentencepiece", "pysbd",
             "lingua-language-detector", "ctranslate2")


def package_versions(names: tuple[str, ...] = _PACKAGES) -> dict[str, str | None]:
    """Installed versions of the packages that shape the outputs."""
    versions: dict[str, str | None] = {"briefing": __version__, "python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit(start: Path | None = None) -> str | None:
    """The commit of the checkout the package runs from, or None outside git."""
    here = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                           capture_output=True, text=True, timeout=5).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")
