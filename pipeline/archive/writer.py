"""Writing the site: atomic, skipped when unchanged, readable as the process umask allows."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.core.errors import UnsafePathError
from pipeline.core.fileio import atomic_write_text


def current_umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class SiteWriter:
    """Writes text files under a root; counts what it wrote and what was already current."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else None
        self.mode = 0o666 & ~current_umask()
        self.written: list[Path] = []
        self.unchanged = 0

    def write(self, path: Path, text: str) -> Path:
        """Write ``text`` to ``path`` unless it already holds exactly that.

        Raises:
            UnsafePathError: ``path`` is outside the root (through a link, say).
        """
        self.check(path)
        try:
            if path.read_bytes() == text.encode("utf-8"):  # bytes: CSV lines end in CRLF
                self.unchanged += 1
                return path
        except OSError:
            pass
        atomic_write_text(path, text)
        # A web server or an analysts' group must be able to read the site: the mode follows
        # the umask like any other file the user creates (a temporary file is created 0600).
        os.chmod(path, self.mode)
        self.written.append(path)
        return path

    def check(self, path: Path) -> Path:
        """``path`` if it lies inside the root once links are followed.

        Raises:
            UnsafePathError: it does not.
        """
        if self.root is not None and not Path(path).resolve().is_relative_to(self.root):
            raise UnsafePathError(f"{path} leads to {Path(path).resolve()}, outside the "
                                  f"archive {self.root}; it was not written")
        return path
