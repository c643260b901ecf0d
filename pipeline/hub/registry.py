"""Resolve a :class:`ModelSpec` to a local directory: a local path, the cache, or a download.

Hub models live in the Hugging Face cache layout (``models--ORG--NAME/{blobs,snapshots,refs}``)
under :func:`pipeline.hub.cache.hub_cache_dir`, so ``briefing models pull`` or ``hf download``
on a connected machine and a copied cache on an offline one behave the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.config import ModelSpec
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.cache import hub_cache_dir
from pipeline.hub.pins import HEX_PREFIX, is_full_commit, known_pin, require_verified

__all__ = ["DOWNLOAD_PATTERNS", "ResolvedModel", "find_cached", "hub_cache_dir", "is_local",
           "is_pinned", "pin_advice", "pull_model", "resolve_model"]

# Only what loading needs: configs, tokenizer files and the PyTorch weights (plus
# safetensors where a repository has them). The default models also ship tf_model.h5,
# flax_model.msgpack and rust_model.ot (0.3-1.6 GB each), which are never fetched. The same
# patterns are used to look a snapshot up offline: huggingface_hub checks a cached snapshot
# against its cached file listing filtered by them.
DOWNLOAD_PATTERNS = ["*.json", "*.txt", "*.spm", "*.model", "pytorch_model*.bin",
                     "model*.safetensors"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$|^[A-Za-z0-9][\w.-]*$")


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


def is_pinned(spec: ModelSpec) -> bool:
    """True for local directories and hub models pinned to a full 40-hex commit."""
    return is_local(spec) or is_full_commit(spec.revision)


def is_local(spec: ModelSpec) -> bool:
    """True when the spec names a directory on disk rather than a hub id."""
    return Path(spec.id).expanduser().is_dir() or spec.id.startswith(("/", ".", "~"))


def _repo_folder(spec: ModelSpec, cache: Path) -> Path:
    return cache / f"models--{spec.id.replace('/', '--')}"


def cached_snapshots(spec: ModelSpec, cache: Path) -> list[str]:
    """The commits of the complete-looking snapshots (with a config.json) in the cache."""
    folder = _repo_folder(spec, cache) / "snapshots"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "config.json").is_file())


def pin_advice(spec: ModelSpec, cache: Path) -> str | None:
    """Which full commit to pin a short or branch revision to, when it can be told."""
    if is_full_commit(spec.revision):
        return None
    pin = known_pin(spec.id)
    revision = spec.revision or "main"
    if pin and (revision == "main" or pin.commit.startswith(revision)):
        return pin.commit
    matches = [c for c in cached_snapshots(spec, cache) if c.startswith(revision)]
    return matches[0] if len(matches) == 1 else None


def find_cached(spec: ModelSpec, model_cache: Path | None) -> Path | None:
    """The cached snapshot directory for a hub spec, or None when it is not downloaded.

    A full commit is looked up directly, a branch or tag through ``refs/<revision>`` (as
    huggingface_hub does), and a short commit also by the one snapshot whose commit starts
    with it, so a cache copied from another machine resolves ``a4f8f3e`` too.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    cache = hub_cache_dir(model_cache)
    try:
        path = Path(snapshot_download(
            repo_id=spec.id, revision=spec.revision, cache_dir=cache,
            local_files_only=True, allow_patterns=DOWNLOAD_PATTERNS,
        ))
    except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError, ValueError):
        # LocalEntryNotFoundError includes IncompleteSnapshotError: a cached snapshot that
        # lacks files its cached listing says it should have is not usable.
        path = None
    if path is None and spec.revision and HEX_PREFIX.match(spec.revision):
        matches = [c for c in cached_snapshots(spec, cache) if c.startswith(spec.revision)]
        if len(matches) == 1:
            path = _repo_folder(spec, cache) / "snapshots" / matches[0]
    return path if path is not None and (path / "config.json").is_file() else None


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


def _missing_message(role: str, spec: ModelSpec, cache: Path) -> str:
    flag = f"--{role}" if role in ("translator", "summarizer") else "a local directory"
    message = f"The {role} model '{spec.display}' is not available offline: looked in {cache}."
    advice = pin_advice(spec, cache)
    if not is_full_commit(spec.revision):
        revision = spec.revision or "main"
        message += (f" Offline, the revision '{revision}' resolves only through "
                    f"refs/{revision} in the cache")
        message += f"; pin the full commit {advice} instead." if advice else (
            "; pin a full 40-character commit instead.")
    if role == "consistency":  # optional: pulled only while the check is enabled
        return message + (
            " Fetch it with `briefing models pull` (with support.consistency.enabled: true) "
            f"on a machine that can reach the Hugging Face hub (then copy {cache} here), or "
            "set support.consistency.model.id to a local copy's directory.")
    return message + (
        f" Fetch it with `briefing models pull` on a machine that can reach the Hugging Face "
        f"hub (then copy {cache} here), or pass {flag} DIR to use a local copy."
    )


def resolve_model(
    role: str, spec: ModelSpec, *, model_cache: Path | None, offline: bool,
    download: bool = True,
) -> ResolvedModel:
    """Find the model locally, downloading it when allowed and possible.

    Args:
        role: "translator" or "summarizer" (used in messages).
        spec: the configured model.
        model_cache: ``runtime.model_cache`` (None: the Hugging Face cache).
        offline: never contact the hub.
        download: fetch a missing hub model when online.

    Raises:
        ModelUnavailableError: not found locally and not downloadable; one clear sentence.
    """
    if is_local(spec):
        return _local(role, spec)
    _check_hub_id(role, spec)
    cached = find_cached(spec, model_cache)
    if cached is not None:
        return ResolvedModel(role=role, spec=spec, path=cached, origin="hub-cache")
    if offline or not download:
        raise ModelUnavailableError(_missing_message(role, spec, hub_cache_dir(model_cache)))
    return pull_model(role, spec, model_cache=model_cache)


def _check_hub_id(role: str, spec: ModelSpec) -> None:
    if not _HUB_ID.match(spec.id):
        raise ModelUnavailableError(
            f"The {role} model '{spec.id}' is neither an existing directory nor a hub id "
            "like 'org/name'."
        )


def _unresolvable_hub_host() -> str | None:
    """The hub's host name when it does not resolve here (an air-gapped machine), else None.

    Not checked in offline mode (huggingface_hub says so itself) or behind a proxy, which
    resolves names the machine cannot.
    """
    import os
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    proxies = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
    if constants.HF_HUB_OFFLINE or any(os.environ.get(name) for name in proxies):
        return None
    host = urlparse(constants.ENDPOINT).hostname
    if not host:
        return None
    try:
        socket.getaddrinfo(host, 443)
    except OSError:  # socket.gaierror: the name does not resolve
        return host
    return None


def _unreachable_message(role: str, spec: ModelSpec, cache: Path, why: str) -> str:
    return (
        f"The {role} model '{spec.display}' cannot be downloaded: {why}. Copy a Hugging Face "
        f"cache that holds it (its models--{spec.id.replace('/', '--')} folder) from a "
        f"machine that has it into {cache}, or point runtime.model_cache or HF_HUB_CACHE "
        "at such a cache."
    )


def pull_model(role: str, spec: ModelSpec, *, model_cache: Path | None) -> ResolvedModel:
    """Download a hub model (at its revision) into the cache and verify its weights.

    Only the files loading needs are fetched (:data:`DOWNLOAD_PATTERNS`). A model with a
    known pin has its weight files hashed after the download.

    Raises:
        ModelUnavailableError: the hub cannot be reached, or the id/revision does not exist.
        ModelVerificationError: a downloaded file does not match its recorded sha256.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if is_local(spec):
        return _local(role, spec)
    _check_hub_id(role, spec)
    cache = hub_cache_dir(model_cache)
    unresolved = _unresolvable_hub_host()
    if unresolved:
        # Fail at once, not after huggingface_hub's five retries (~25 s of warnings).
        raise ModelUnavailableError(_unreachable_message(
            role, spec, cache, f"the Hugging Face hub could not be reached from this machine "
            f"({unresolved} does not resolve)"))
    try:
        path = Path(snapshot_download(
            repo_id=spec.id, revision=spec.revision, cache_dir=cache,
            allow_patterns=DOWNLOAD_PATTERNS,
        ))
    except RepositoryNotFoundError:
        raise ModelUnavailableError(f"The {role} model '{spec.id}' does not exist on the hub.") from None
    except RevisionNotFoundError:
        raise ModelUnavailableError(
            f"The {role} model '{spec.id}' has no revision '{spec.revision}' on the hub."
        ) from None
    except OfflineModeIsEnabled:
        raise ModelUnavailableError(_unreachable_message(
            role, spec, cache, "offline mode is on (HF_HUB_OFFLINE)")) from None
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        why = "the Hugging Face hub could not be reached from this machine"
        if isinstance(exc, HfHubHTTPError) and not isinstance(exc, LocalEntryNotFoundError):
            why = f"the Hugging Face hub answered with an error ({type(exc).__name__})"
        raise ModelUnavailableError(_unreachable_message(role, spec, cache, why)) from None
    require_verified(role, spec.id, path)
    return ResolvedModel(role=role, spec=spec, path=path, origin="hub-download")
