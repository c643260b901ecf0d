"""Choosing the torch device and thread count."""

from __future__ import annotations

import torch


def resolve_device(requested: str) -> torch.device:
    """``auto`` picks CUDA when available, else CPU; ``cuda`` without a GPU is an error.

    Raises:
        ValueError: CUDA was requested but is not available.
    """
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("runtime.device is 'cuda' but no CUDA device is available")
    return torch.device(requested)


def apply_threads(threads: int | None) -> None:
    """Set torch's intra-op thread count when configured."""
    if threads:
        torch.set_num_threads(threads)
