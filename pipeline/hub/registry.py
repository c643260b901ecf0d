"""Resolve a :class:`ModelSpec` to a local directory: a local path, the cache, or a download.

Hub models live in ``<runtime.model_cache>/hub`` in the standard Hugging Face cache layout,
so ``briefing models pull`` on a connected machine and a copied ``models/`` folder on an
offline one behave the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.config import ModelSpec
from pipeline.core.errors import ModelUnavailableError

# Only what loading needs; TF, Flax, Rust and ONNX exports are skipped.
DOWNLOAD_IGNORE = ["*.h5", "*.msgpack", "*.ot", "*.onnx", "onnx/*", "*.tflite", "*.mlmodel"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$|^[A-Za-z0-9][\w.-]*$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class ResolvedModel:
    """A model spec and the local directory it was found in."""

    role: str
    spec: ModelSpec
    path: Path
    origin: str  # "local-dir" | "hub-cache" | "hub-download"

    def provenance(self) -> dict:
        """What to record in a briefing about this model."""
        return {
            "id": self.spec.id,
            "revision": self.spec.revision if self.origin != "local-dir" else None,
            "resolved_path": str(self.path),
            "snapshot": self.path.name if self.origin != "local-dir" else None,
            "origin": self.origin,
            "backend": self.spec.backend,
            "quantization": self.spec.quantization,
        }


def hub_cache_dir(model_cache: Path) -> Path:
    """Where hub snapshots are stored inside the project's model cache."""
    return Path(model_cache) / "hub"


def is_pinned(spec: ModelSpec) -> bool:
    """True for local directories and hub models pinned to a commit hash."""
    return is_local(spec) or bool(spec.revision and _COMMIT.match(spec.revision))


def is_local(spec: ModelSpec) -> bool:
    """True when the spec names a directory on disk rather than a hub id."""
    return Path(spec.id).expanduser().is_dir() or spec.id.startswith(("/", ".", "~"))


def _missing_message(role: str, spec: ModelSpec, cache: Path, detail: str) -> str:
    flag = f"--{role}" if role in ("translator", "summarizer") else "a local directory"
    return (
        f"The {role} model '{spec.display}' is not available {detail}: looked in {cache}. "
        f"Fetch it with `briefing models pull` on a machine that can reach the Hugging Face hub "
        f"(then copy {cache.parent} here), or pass {flag} DIR to use a local copy."
    )


def _local(role: str, spec: ModelSpec) -> ResolvedModel:
    path = Path(spec.id).expanduser().resolve()
    if not path.is_dir():
        raise ModelUnavailableError(f"The {role} model directory {path} does not exist.")
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(
            f"The {role} model directory {path} has no config.json; it is not a saved "
            "transformers model (save one with model.save_pretrained(DIR))."
        )
    return ResolvedModel(role=role, spec=spec, path=path, origin="local-dir")


def find_cached(spec: ModelSpec, model_cache: Path) -> Path | None:
    """The cached snapshot directory for a hub spec, or None when it is not downloaded."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        path = snapshot_download(
            repo_id=spec.id, revision=spec.revision, cache_dir=hub_cache_dir(model_cache),
            local_files_only=True, ignore_patterns=DOWNLOAD_IGNORE,
        )
    except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError, ValueError):
        return None
    path = Path(path)
    return path if (path / "config.json").is_file() else None


def resolve_model(
    role: str, spec: ModelSpec, *, model_cache: Path, offline: bool, download: bool = True
) -> ResolvedModel:
    """Find the model locally, downloading it when allowed and possible.

    Args:
        role: "translator" or "summarizer" (used in messages).
        spec: the configured model.
        model_cache: the project's model cache (``runtime.model_cache``).
        offline: never contact the hub.
        download: fetch a missing hub model when online.

    Raises:
        ModelUnavailableError: not found locally and not downloadable; one clear sentence.
    """
    if is_local(spec):
        return _local(role, spec)
    if not _HUB_ID.match(spec.id):
        raise ModelUnavailableError(
            f"The {role} model '{spec.id}' is neither an existing directory nor a hub id "
            "like 'org/name'."
        )
    cache = hub_cache_dir(model_cache).resolve()
    cached = find_cached(spec, model_cache)
    if cached is not None:
        return ResolvedModel(role=role, spec=spec, path=cached, origin="hub-cache")
    if offline or not download:
        return _raise_missing(role, spec, cache, "offline")
    return pull_model(role, spec, model_cache=model_cache)


def _raise_missing(role: str, spec: ModelSpec, cache: Path, detail: str):
    raise ModelUnavailableError(_missing_message(role, spec, cache, detail))


def pull_model(role: str, spec: ModelSpec, *, model_cache: Path) -> ResolvedModel:
    """Download a hub model (at its pinned revision) into the model cache.

    Raises:
        ModelUnavailableError: the hub cannot be reached, or the id/revision does not exist.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if is_local(spec):
        return _local(role, spec)
    cache = hub_cache_dir(model_cache).resolve()
    try:
        path = snapshot_download(
            repo_id=spec.id, revision=spec.revision, cache_dir=cache,
            ignore_patterns=DOWNLOAD_IGNORE,
        )
    except RepositoryNotFoundError:
        raise ModelUnavailableError(f"The {role} model '{spec.id}' does not exist on the hub.") from None
    except RevisionNotFoundError:
        raise ModelUnavailableError(
            f"The {role} model '{spec.id}' has no revision '{spec.revision}' on the hub."
        ) from None
    except (OfflineModeIsEnabled, HfHubHTTPError, OSError, ValueError) as exc:
        detail = "offline" if isinstance(exc, OfflineModeIsEnabled) else "(the hub could not be reached)"
        return _raise_missing(role, spec, cache, detail)
    return ResolvedModel(role=role, spec=spec, path=Path(path), origin="hub-download")
