"""Lay a saved model out exactly as the Hugging Face hub cache does, without any network.

``models--ORG--NAME/blobs/<hash>`` holds each file once; ``snapshots/<commit>/<name>`` is a
relative symlink to its blob (as huggingface_hub writes it); ``refs/<ref>`` holds the commit.
Large files are named by their sha256 (git LFS), small ones by their git blob hash.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file

# Files the real opus-mt-nl-en / distilbart-cnn-12-6 repositories carry besides what loading
# needs; present here as small dummies so a test notices if anything reads or needs them.
EXTRA_FILES = ("tf_model.h5", "flax_model.msgpack", "rust_model.ot", "README.md",
               ".gitattributes")


def _git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def as_hub_snapshot_files(model_dir: Path, work: Path) -> Path:
    """A copy of a ``save_pretrained`` directory as the hub ships the default models:
    weights in ``pytorch_model.bin`` (no safetensors) plus TF/Flax/Rust exports."""
    work = Path(work)
    shutil.copytree(model_dir, work)
    safetensors = work / "model.safetensors"
    if safetensors.is_file():
        torch.save(load_file(str(safetensors)), work / "pytorch_model.bin")
        safetensors.unlink()
    for name in EXTRA_FILES:
        (work / name).write_bytes(f"dummy {name}: must never be needed\n".encode())
    return work


def install_in_hub_cache(model_dir: Path, hub_cache: Path, repo_id: str, commit: str,
                         ref: str | None = "main") -> Path:
    """Install the files of ``model_dir`` into ``hub_cache`` as snapshot ``commit`` of
    ``repo_id``, blobs symlinked from the snapshot.

    Returns:
        The snapshot directory (what ``snapshot_download`` would return).
    """
    repo = Path(hub_cache) / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    blobs = repo / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    for file in sorted(p for p in Path(model_dir).rglob("*") if p.is_file()):
        data = file.read_bytes()
        large = file.suffix in (".bin", ".safetensors", ".h5", ".msgpack", ".ot")
        name = hashlib.sha256(data).hexdigest() if large else _git_blob_sha1(data)
        (blobs / name).write_bytes(data)
        link = snapshot / file.relative_to(model_dir)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blobs / name, link.parent))
    if ref:
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / ref).write_text(commit)
    return snapshot
