"""Crash-safe file writing: a reader never sees a half-written output."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

MAX_FILE_STEM = 200
_STEM_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(raw_id: str, *, max_chars: int = MAX_FILE_STEM) -> str:
    """A file name stem for an id, distinct for distinct ids.

    An id that is already a safe, short ASCII name is used as it is. Any other id (unsafe or
    non-ASCII characters, over ``max_chars``) keeps a readable, cleaned prefix and gets a hash
    of the original id, so ``a/b`` and ``a_b``, or two ids in another script, never share a
    file. The original id is kept inside the output, not in its name.
    """
    cleaned = _STEM_UNSAFE.sub("_", raw_id).strip("._")
    if cleaned == raw_id and 0 < len(cleaned) <= max_chars:
        return cleaned
    digest = hashlib.sha256(raw_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    prefix = cleaned[: max_chars - len(digest) - 1].rstrip("._-")
    return f"{prefix}-{digest}" if prefix else digest


def _current_umask() -> int:
    # Linux reports the umask in /proc; elsewhere os.umask can only read it by setting it
    # (set straight back), which is not thread-safe, hence the preference.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and a rename.

    The file gets the permissions an ordinary ``open()`` would give it (0666 less the
    process umask); ``mkstemp`` alone would leave it readable by the owner only.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is capped so that a long (but legal) target name cannot make the temporary
    # one too long for the file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:200]}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_current_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path, *, depth: int = 0) -> int:
    """Delete the temporary files that :func:`atomic_write_text` leaves when its process is
    killed mid-write (``.<name>.*.tmp``) in ``folder`` and ``depth`` levels of sub-folders
    below it; only for a folder that one run writes to at a time. Returns how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for level in range(depth + 1):
        for stale in folder.glob("*/" * level + ".*.tmp"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def atomic_write_json(path: Path, data: object) -> None:
    """Write pretty-printed UTF-8 JSON atomically."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def append_jsonl(path: Path, record: dict) -> None:
    """Append one JSON line and flush it to disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
