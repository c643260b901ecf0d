"""Read the archive's material: every night's ``digest.json`` and its articles' JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipeline.archive.paths import file_name, inside, regular_file
from pipeline.core.errors import BriefingFormatError, UnsafePathError
from pipeline.pages.digest_lines import night_date, summary_view
from pipeline.record.briefing import Briefing, read_briefing
from pipeline.record.marks import read_claims

NIGHT_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def file_stamp(path: Path) -> str:
    """Changes whenever the file is rewritten (modification time and size); "" if missing."""
    try:
        info = path.stat()
    except OSError:
        return ""
    return f"{info.st_mtime_ns}-{info.st_size}"


@dataclass(eq=False)
class ArticleRecord:
    """One briefed article: its digest entry and its briefing, read on first use (None if
    unreadable: its page then shows what the digest holds)."""

    night: str
    entry: dict
    path: Path | None = None
    warnings: list[str] | None = None
    preloaded: Briefing | None = None

    @cached_property
    def briefing(self) -> Briefing | None:
        """The article's briefing, read by :func:`read_briefing` (the one reader)."""
        if self.preloaded is not None or self.path is None:
            return self.preloaded
        return _read_briefing(self.path, self.warnings if self.warnings is not None else [])

    @cached_property
    def stamp(self) -> str:
        return file_stamp(self.path) if self.path is not None else ""

    @property
    def id(self) -> str:
        return self.entry["id"]

    @property
    def json_name(self) -> str:
        return self.entry.get("file") or f"{self.id}.json"


@dataclass
class Night:
    """One night folder with a readable digest."""

    date: str
    folder: Path
    digest: dict
    articles: list[ArticleRecord] = field(default_factory=list)
    stamp: str = ""  # of digest.json: what the night's pages and links are rebuilt from

    @property
    def totals(self) -> dict:
        """The night's totals (schema 2), or what a schema-1 digest can tell."""
        night = self.digest.get("night")
        if isinstance(night, dict):
            return night
        counts = self.digest.get("counts") or {}
        return {"date": self.date, "articles": counts.get("articles", 0) + counts.get("failed", 0),
                "briefed": counts.get("articles", 0), "failed": counts.get("failed", 0),
                "given_up": None, "runs": len(self.digest.get("runs") or [])}

    def article(self, article_id: str) -> ArticleRecord | None:
        return next((a for a in self.articles if a.id == article_id), None)


def read_nights(out_dir: Path) -> tuple[list[Night], list[str]]:
    """Every night under ``out_dir``, oldest first, and a warning per night left out.

    What a digest names is checked before it becomes a path (:mod:`pipeline.archive.paths`):
    a night whose date is not its folder's name, or whose folder links out of ``out_dir``, is
    left out; so are an article or an event whose id is not a file name; an article whose
    ``file`` leads outside its night folder keeps its page, built from the digest alone.
    """
    nights: list[Night] = []
    warnings: list[str] = []
    if not out_dir.is_dir():
        return nights, warnings
    root = out_dir.resolve()
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and NIGHT_DIR.match(p.name)):
        if not folder.resolve().is_relative_to(root):
            warnings.append(f"{folder}: a link to {folder.resolve()}, outside the archive; "
                            "night left out")
            continue
        digest_path = folder / "digest.json"
        if not digest_path.is_file():
            continue  # a night whose run never got as far as its digest
        try:
            regular_file(inside(folder, digest_path.name, "the digest"))
            digest = json.loads(digest_path.read_text(encoding="utf-8"))
            date = night_date(digest)
        except (OSError, ValueError, KeyError, TypeError, UnsafePathError) as exc:
            warnings.append(f"{digest_path}: unreadable digest, night left out ({exc})")
            continue
        if date != folder.name:
            warnings.append(f"{digest_path}: its night's date {str(date)[:40]!r} is not its "
                            "folder's name; night left out")
            continue
        digest["groups"] = _safe_groups(digest, digest_path, warnings)
        night = Night(date=date, folder=folder, digest=digest, stamp=file_stamp(digest_path))
        for number, entry in enumerate(digest.get("articles") or [], start=1):
            record = _article(entry, folder, date, f"{digest_path}: article {number}", warnings)
            if record is not None:
                night.articles.append(record)
        nights.append(night)
    return nights, warnings


def _safe_groups(digest: dict, digest_path: Path, warnings: list[str]) -> list:
    groups = []
    for number, group in enumerate(digest.get("groups") or [], start=1):
        try:
            file_name(group.get("id") if isinstance(group, dict) else None, "event id")
        except UnsafePathError as exc:
            warnings.append(f"{digest_path}: event {number}: {exc}; left out")
            continue
        groups.append(group)
    return groups


def _article(entry: object, folder: Path, date: str, where: str,
             warnings: list[str]) -> ArticleRecord | None:
    if not isinstance(entry, dict):
        warnings.append(f"{where}: not an object; left out")
        return None
    try:
        file_name(entry.get("id"), "article id")
    except UnsafePathError as exc:
        warnings.append(f"{where}: {exc}; left out")
        return None
    path: Path | None
    try:
        path = inside(folder, entry.get("file") or f"{entry['id']}.json", "article file")
    except UnsafePathError as exc:
        warnings.append(f"{where}: {exc}; its page shows the digest only")
        path = None
    return ArticleRecord(night=date, entry=_markable(entry, where, warnings), warnings=warnings,
                         path=path)


def _markable(entry: dict, where: str, warnings: list[str]) -> dict:
    """``entry`` as the pages can mark it: a summary whose claims cannot be read (a
    hand-edited or foreign digest) is a warning, and its sentences are shown unmarked."""
    try:
        for sentence in summary_view(entry):
            read_claims(sentence["claims"])
    except (BriefingFormatError, TypeError, KeyError, AttributeError) as exc:
        warnings.append(f"{where}: its summary's claims cannot be read ({exc}); its sentences "
                        "are shown without marks")
        if "summary_sentences" in entry:  # schema 3: the sentences stand apart
            texts = entry["summary_sentences"]
            if not isinstance(texts, list):
                texts = []
            return {**entry, "marks": False,
                    "summary_sentences": [t if isinstance(t, str) else "" for t in texts]}
        summary = entry.get("summary")
        return {**entry, "summary": [dict(s, claims=None) for s in summary
                                     if isinstance(s, dict)] if isinstance(summary, list) else []}
    return entry


def _read_briefing(path: Path, warnings: list[str]) -> Briefing | None:
    """The briefing, if :func:`read_briefing` (the one reader) accepts it; a missing or
    mistyped field is a warning naming the file and the field."""
    try:
        briefing = read_briefing(regular_file(path))
    except UnsafePathError as exc:
        warnings.append(f"{exc}; its page shows the digest only")
        return None
    except BriefingFormatError as exc:  # names the file and the field
        warnings.append(f"not a briefing this version reads: {exc}; its page shows the "
                        "digest only")
        return None
    except OSError as exc:
        warnings.append(f"{path}: unreadable article JSON; its page shows the digest only ({exc})")
        return None
    return briefing
