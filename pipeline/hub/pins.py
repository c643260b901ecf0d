"""The default models' exact pins and the checksums of their weight files.

A revision is only a pin when it is a full 40-hex commit: offline, huggingface_hub treats
only such a string as a commit; a short hash or a branch resolves only through a
``refs/<revision>`` file, which a cache pulled as ``main`` or copied from elsewhere lacks.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ModelVerificationError

FULL_COMMIT = re.compile(r"^[0-9a-f]{40}$")
HEX_PREFIX = re.compile(r"^[0-9a-f]{4,39}$")


@dataclass(frozen=True)
class Pin:
    """A model at one commit, with the sha256 of the files that hold its weights."""

    repo_id: str
    commit: str
    sha256: dict[str, str]
    note: str


PINS: dict[str, Pin] = {pin.repo_id: pin for pin in (
    Pin("Helsinki-NLP/opus-mt-nl-en", "48af999f2c59b10c05ca6e008dcedc07677a9b15",
        {"pytorch_model.bin": "70243188530be305eaee44a120fc768a1f7f52abad2f7bb4f87b70bd4fe2a6c1"},
        "head of main since 2023, the commit that set renormalize_logits=True (~316 MB)"),
    Pin("sshleifer/distilbart-cnn-12-6", "a4f8f3ea906ed274767e9906dbaede7531d660ff",
        {"pytorch_model.bin": "3bac65d18c99463302d12ca75c2220ea714f9c81ce235f205fa818efe71df6ea"},
        "head of main since 2021-06-14, a4f8f3e in transformers' pipeline defaults (~1.22 GB)"),
    # The optional consistency check (support.consistency). Commit and hash as the hub's
    # pages show them (huggingface.co/lytang/MiniCheck-Flan-T5-Large, tree/16c1622... and
    # the LFS details of pytorch_model.bin, last changed in b0bab33); not downloaded or
    # hashed here, since this project's machines reach no model hub.
    Pin("lytang/MiniCheck-Flan-T5-Large", "16c1622bd5aa7fa0d15dcabe466f800ac9a39b8e",
        {"pytorch_model.bin": "41291881e13c6235ed47149cec903bee9493e45d9d7325587a9fa2e266c526c0"},
        "2024-04-17, the last commit of the model-only tree; weights unchanged since "
        "(~3.13 GB); MIT per its model card"),
)}


def is_full_commit(revision: str | None) -> bool:
    """True for a 40-hex commit hash, the only revision that resolves offline by itself."""
    return bool(revision and FULL_COMMIT.match(revision))


def known_pin(repo_id: str) -> Pin | None:
    """The recorded pin of a hub model, if this project knows one."""
    return PINS.get(repo_id)


def expected_hashes(repo_id: str, commit: str) -> dict[str, str]:
    """``{file: sha256}`` known for this model at this commit; empty = unverified."""
    pin = PINS.get(repo_id)
    return dict(pin.sha256) if pin and pin.commit == commit else {}


def sha256_of(path: Path) -> str:
    """The sha256 of a file's content (symlinks followed), read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a snapshot: ``verified``, ``unverified`` (no known hash) or
    ``mismatch`` / ``missing-file`` (with the sentence that says why)."""

    status: str
    files: tuple[str, ...] = ()
    message: str | None = None

    @property
    def ok(self) -> bool:
        """False only when a known hash did not match or a hashed file is missing."""
        return self.status in ("verified", "unverified")


def verify_snapshot(role: str, repo_id: str, snapshot: Path) -> Verification:
    """Hash the weight files of a snapshot (named by its commit) against the known pins."""
    expected = expected_hashes(repo_id, Path(snapshot).name)
    if not expected:
        return Verification("unverified")
    for name, sha in sorted(expected.items()):
        path = Path(snapshot) / name
        if not path.is_file():
            return Verification("missing-file", (name,), (
                f"The {role} model '{repo_id}' has no {name} in {snapshot}; its expected "
                f"sha256 is {sha}."))
        found = sha256_of(path)
        if found != sha:
            return Verification("mismatch", (name,), (
                f"The {role} model file {path} does not match its pin: expected sha256 {sha}, "
                f"found {found}. Delete the snapshot and download it again."))
    return Verification("verified", tuple(sorted(expected)))


def require_verified(role: str, repo_id: str, snapshot: Path) -> Verification:
    """Like :func:`verify_snapshot`, but a mismatch or a missing file is an error.

    Raises:
        ModelVerificationError: a known hash did not match, or the file is missing.
    """
    result = verify_snapshot(role, repo_id, snapshot)
    if not result.ok:
        raise ModelVerificationError(result.message)
    return result
