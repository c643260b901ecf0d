"""Every module of the package imports on its own, so no module imports back up into a
package that is still initialising (an import cycle)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

# Each module is imported in a forked child of an interpreter that has imported no module
# of this package: a fresh interpreter as far as `pipeline` is concerned. Heavy third-party
# libraries are imported once in the parent so the children are quick.
CHILD = r"""
import importlib, os, sys
import torch, transformers  # noqa: F401  (third-party only; no `pipeline` module yet)
assert not any(m == "pipeline" or m.startswith("pipeline.") for m in sys.modules)
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def test_module_list_covers_the_package():
    names = module_names()
    assert "pipeline.cli" in names and "pipeline.nightly.runner" in names
    assert len(names) > 50


def test_every_module_imports_alone_in_a_fresh_interpreter():
    result = subprocess.run([sys.executable, "-c", CHILD, *module_names()],
                            capture_output=True, text=True, cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_library_never_imports_the_command_line():
    """Flags, exit codes and what a terminal shows live in ``pipeline.cli``; the library
    below it raises and returns, and knows nothing of them."""
    import ast

    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(PACKAGE)}: {name}" for name in names
                          if name == "pipeline.cli" or name.startswith("pipeline.cli.")]
    assert offenders == []


def test_the_command_line_starts_without_the_heavy_libraries():
    """`briefing --version`, `--help` and a usage error answer at once: the models' and the
    archive's libraries load only in the commands that use them."""
    heavy = ("torch", "transformers", "ctranslate2", "sklearn", "ray", "spacy")
    code = ("import sys, pipeline.cli; "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PACKAGE.parent, check=True)
    assert result.stdout.split() == []
