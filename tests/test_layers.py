"""The layer contract of `pipeline/` (pyproject.toml, [tool.importlinter]): each package
imports only from the layers below it, checked by import-linter on every import statement,
function-level ones included. tests/test_imports.py separately proves there is no cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_layers():
    result = _lint(REPO, REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_from_a_higher_layer_breaks_the_contract(tmp_path):
    # The same package with one upward import added: text/ (low) importing the nightly.
    shutil.copytree(REPO / "pipeline", tmp_path / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    module = tmp_path / "pipeline" / "text" / "normalize.py"
    module.write_text(module.read_text(encoding="utf-8")
                      + "\n\ndef _upward():\n    from pipeline.nightly import runner  # noqa\n",
                      encoding="utf-8")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode == 1
    assert "pipeline.text.normalize -> pipeline.nightly.runner" in result.stdout


def test_a_package_without_a_place_in_the_layers_breaks_the_contract(tmp_path):
    shutil.copytree(REPO / "pipeline", tmp_path / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pipeline" / "newstage").mkdir()
    (tmp_path / "pipeline" / "newstage" / "__init__.py").write_text("")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "newstage" in result.stdout + result.stderr
