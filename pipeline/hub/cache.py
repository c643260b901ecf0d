"""Where models live: the project's ``runtime.model_cache``, else Hugging Face's own cache.

``runtime.model_cache`` set: hub snapshots in ``<model_cache>/hub`` (the standard hub cache
layout, so a copied folder just works) and CTranslate2 conversions in ``<model_cache>/ct2``.
Unset: hub snapshots where huggingface_hub keeps them (``HF_HUB_CACHE``, else
``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``), so a model fetched with
``hf download`` is found from any working directory, and conversions in
``$HF_HOME/briefing-ct2``.

The environment is read on every call, not once at import as ``huggingface_hub.constants``
does, with the same precedence as those constants.
"""

from __future__ import annotations

import os
from pathlib import Path


def _expand(value: str) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(value))).absolute()


def hf_home() -> Path:
    """``HF_HOME``, else ``$XDG_CACHE_HOME/huggingface``, else ``~/.cache/huggingface``."""
    default = os.path.join(os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache")),
                           "huggingface")
    return _expand(os.getenv("HF_HOME", default))


def default_hub_cache() -> Path:
    """huggingface_hub's cache: ``HF_HUB_CACHE`` (or the legacy ``HUGGINGFACE_HUB_CACHE``),
    else ``<HF_HOME>/hub``."""
    value = os.getenv("HF_HUB_CACHE") or os.getenv("HUGGINGFACE_HUB_CACHE")
    return _expand(value) if value else hf_home() / "hub"


def hub_cache_dir(model_cache: Path | None) -> Path:
    """Where hub snapshots are stored and looked up (absolute)."""
    if model_cache is not None:
        return _expand(str(model_cache)) / "hub"
    return default_hub_cache()


def conversions_dir(model_cache: Path | None) -> Path:
    """Where CTranslate2 conversions are written (absolute)."""
    if model_cache is not None:
        return _expand(str(model_cache)) / "ct2"
    return hf_home() / "briefing-ct2"


def cache_source(model_cache: Path | None) -> str:
    """Which setting chose the hub cache, for ``briefing config show`` and messages."""
    if model_cache is not None:
        return "runtime.model_cache"
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        if os.getenv(name):
            return name
    return "the Hugging Face default"
