"""The one folder walk every reader uses: article files below a root, and why others were left out.

Policy (docs/cli.md, "Folders, links and file names"):
- a symlink to a file is followed only when its target is a regular file inside the root;
  one that leaves the root, dangles or loops is a per-item error, never read;
- symlinks to folders are never followed (a per-item error says so);
- FIFOs, devices and sockets with an article suffix are per-item errors (never opened, so a
  FIFO cannot block the run);
- a sub-folder that cannot be listed is a per-item error (so is the root itself);
- hidden files (``.name``) and files with other suffixes are skipped silently.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.core.errors import ArticleError

WalkItem = Path | ArticleError


def _error(path: Path, message: str, reason: str) -> ArticleError:
    return ArticleError(f"{path}: {message}", reason=reason, origin=str(path),
                        article_id=path.stem or None)


def _check_link(path: Path, root: Path, suffixes: tuple[str, ...]) -> WalkItem | None:
    """A file symlink: the path to read, an error, or None (not an article name)."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        if path.suffix.lower() not in suffixes:
            return None
        return _error(path, "a dangling symbolic link; it was not read", "dangling-link")
    except (RuntimeError, OSError):  # 3.11 raises RuntimeError for a loop, later ELOOP
        return _error(path, "a symbolic link loop; it was not read", "symlink-loop")
    if target.is_dir():
        return _error(path, "a symbolic link to a folder; links to folders are not followed",
                      "symlink-skipped")
    if path.suffix.lower() not in suffixes:
        return None
    if not target.is_relative_to(root):
        return _error(path, f"a symbolic link to {target}, outside the input folder; "
                            "it was not read", "symlink-outside")
    return _check_special(path, target.stat().st_mode)


def _check_special(path: Path, mode: int) -> WalkItem:
    if stat.S_ISREG(mode):
        return path
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device")
    return _error(path, f"{kind}, not a regular file; it was not read", "not-a-file")


def walk_article_files(root: Path, suffixes: tuple[str, ...], *,
                       recursive: bool = True) -> list[WalkItem]:
    """Every readable article file below ``root`` (sorted by path) and an error per item left out.

    Args:
        root: a folder.
        suffixes: lower-case file suffixes that name articles (``(".txt", ".jsonl")``).
        recursive: False: only the files directly in ``root`` (its sub-folders, and links to
            folders, are not looked at).
    """
    root = Path(root)
    resolved_root = root.resolve()
    found: list[WalkItem] = []

    def _unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        found.append(_error(where, f"cannot list this folder ({exc.strerror}); its articles "
                                   "were not read", "unreadable"))

    for folder, dirnames, filenames in _walk(root, _unlistable, recursive=recursive):
        base = Path(folder)
        for name in dirnames if recursive else ():
            if not name.startswith(".") and (base / name).is_symlink():
                item = _check_link(base / name, resolved_root, suffixes)
                if item is not None:
                    found.append(item)
        for name in filenames:
            if name.startswith("."):
                continue
            path = base / name
            try:
                info = path.lstat()
            except OSError as exc:
                found.append(_error(path, f"cannot read ({exc.strerror})", "unreadable"))
                continue
            item: WalkItem | None
            if stat.S_ISLNK(info.st_mode):
                item = _check_link(path, resolved_root, suffixes)
            elif path.suffix.lower() not in suffixes:
                item = None
            else:
                item = _check_special(path, info.st_mode)
            if item is not None:
                found.append(item)
    return sorted(found, key=lambda i: str(i) if isinstance(i, Path) else i.origin)


def _walk(root: Path, onerror, *, recursive: bool = True):
    """``os.walk`` without following folder links, sorted top-down (only ``root`` itself
    unless ``recursive``)."""
    for folder, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames.sort()
        # os.walk lists a link to a folder among the folders; keep it there for the caller
        # (it is reported, not entered: followlinks=False).
        yield folder, list(dirnames), sorted(filenames)
        if not recursive:
            return
