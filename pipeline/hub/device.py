"""Choosing the torch device and thread count, and CTranslate2's compute type.

torch is imported by the functions that need it: the CTranslate2 path never does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def resolve_device(requested: str) -> torch.device:
    """``auto`` picks CUDA when available, else CPU; ``cuda`` without a GPU is an error.

    Raises:
        ValueError: CUDA was requested but is not available.
    """
    import torch

    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("runtime.device is 'cuda' but no CUDA device is available")
    return torch.device(requested)


def apply_threads(threads: int | None) -> None:
    """Set torch's intra-op thread count when configured."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def ct2_compute_type(quantization: str, device: str) -> str:
    """CTranslate2's compute type for a conversion's weights on a device.

    CPU: the weights' own type (int8 or float32). CUDA: the default (int8) conversion runs
    as bfloat16, else float16, the GPU's fastest types: on an H200 bfloat16 decoded Marian
    1.6x faster than int8_float16 and float16 1.3x (``python -m bench compute-types``,
    bench/README.md "GPU"); int8 matrix products only pay on a GPU short of memory. The
    weights keep their int8 rounding, so the outputs stay those of the int8 model. float32
    weights stay float32 (the exact path).
    """
    if quantization != "int8":
        return "float32"
    if device == "cuda":
        import ctranslate2

        supported = ctranslate2.get_supported_compute_types("cuda")
        for candidate in ("bfloat16", "float16", "int8_float16", "int8"):
            if candidate in supported:
                return candidate
    return "int8"
