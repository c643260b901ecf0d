"""The docs/ site builds with MkDocs in strict mode: a broken link or anchor fails the build.

Skipped where mkdocs (the dev extra's mkdocs-material) is not installed.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None,
    reason="mkdocs-material is not installed (the dev extra has it)")


def _build(project: Path, site: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_docs_site_builds_strict(tmp_path):
    result = _build(ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    # the archive page's screenshots are copied with it
    assert (tmp_path / "site" / "screenshots" / "archive-index-laptop.png").is_file()


def test_a_broken_anchor_fails_the_build(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    with open(project / "docs" / "tests.md", "a", encoding="utf-8") as f:
        f.write("\nSee [the nightly](nightly.md#no-such-section).\n")
    result = _build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-section" in result.stdout + result.stderr
