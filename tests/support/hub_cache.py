"""Lay a saved model out the way the Hugging Face hub cache does, without any network."""

from __future__ import annotations

import shutil
from pathlib import Path


def install_in_hub_cache(model_dir: Path, hub_cache: Path, repo_id: str, commit: str,
                         ref: str | None = "main") -> Path:
    """Copy ``model_dir`` into ``hub_cache`` as snapshot ``commit`` of ``repo_id``.

    Returns:
        The snapshot directory (what ``snapshot_download`` would return).
    """
    repo = Path(hub_cache) / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    shutil.copytree(model_dir, snapshot)
    if ref:
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / ref).write_text(commit)
    return snapshot
