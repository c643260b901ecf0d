"""Paths the archive builds from what a digest says: each one stays inside its folder.

A digest names its night, its articles (``id``) and their JSON (``file``), and its events;
the archive turns these into file names. Whatever a digest holds, the build never reads or
writes outside the folder a name belongs to: absolute paths, ``..``, NUL bytes and names
whose symbolic links lead out of the folder are refused.
"""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

from pipeline.core.errors import UnsafePathError

MAX_NAME_BYTES = 200  # a page name adds ".html"; file systems allow 255 bytes


def file_name(value: object, what: str) -> str:
    """``value`` if it can name one file in a folder (an id, an event id): a non-empty string,
    one path component, not hidden, no NUL, at most :data:`MAX_NAME_BYTES` bytes.

    Raises:
        UnsafePathError: it cannot.
    """
    if not isinstance(value, str) or not value:
        raise UnsafePathError(f"{what} {value!r} is not a file name (not a non-empty string)")
    if "/" in value or "\\" in value or "\x00" in value or value.startswith("."):
        raise UnsafePathError(f"{what} {value!r} is not a file name (a path, a hidden name "
                              "or a NUL byte); it could lead outside its folder")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise UnsafePathError(f"{what} {value[:40]!r}… is not a file name (over "
                              f"{MAX_NAME_BYTES} bytes)")
    return value


def inside(folder: Path, relative: object, what: str) -> Path:
    """``folder / relative``, if it is a relative path that stays inside ``folder`` once
    every symbolic link is followed.

    Raises:
        UnsafePathError: an absolute path, ``..``, a NUL byte, or a link out of ``folder``.
    """
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise UnsafePathError(f"{what} {relative!r} is not a relative path (it could lead "
                              f"outside {folder}); it was not used")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or Path(relative).is_absolute() or ".." in pure.parts:
        raise UnsafePathError(f"{what} {relative!r} leads outside {folder}; it was not used")
    path = Path(folder) / pure
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        raise UnsafePathError(f"{what} {path}: cannot be resolved ({exc})") from exc
    if not resolved.is_relative_to(Path(folder).resolve()):
        raise UnsafePathError(f"{what} {path} is a link to {resolved}, outside {folder}; "
                              "it was not used")
    return path


def regular_file(path: Path) -> Path:
    """``path`` if it is a regular file (links followed): a FIFO, a device or a socket is
    never opened, so it can neither block the build nor stream without end.

    Raises:
        UnsafePathError: anything else that exists.
        OSError: it does not exist or cannot be examined.
    """
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise UnsafePathError(f"{path}: not a regular file (a FIFO, device, socket or folder); "
                              "it was not read")
    return path
