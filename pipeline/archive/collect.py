"""Read the archive's material: every night's ``digest.json`` and its articles' JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipeline.briefing.schema import BriefingFormatError, read_briefing
from pipeline.nightly.render_md import night_date

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
    """One briefed article: its digest entry and its briefing JSON, read on first use (None
    if unreadable: its page then shows what the digest holds)."""

    night: str
    entry: dict
    path: Path | None = None
    warnings: list[str] | None = None
    preloaded: dict | None = None

    @cached_property
    def data(self) -> dict | None:
        if self.preloaded is not None or self.path is None:
            return self.preloaded
        return _read_json(self.path, self.warnings if self.warnings is not None else [])

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
    """Every night under ``out_dir``, oldest first, and a warning per night left out."""
    nights: list[Night] = []
    warnings: list[str] = []
    if not out_dir.is_dir():
        return nights, warnings
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and NIGHT_DIR.match(p.name)):
        digest_path = folder / "digest.json"
        if not digest_path.is_file():
            continue  # a night whose run never got as far as its digest
        try:
            digest = json.loads(digest_path.read_text(encoding="utf-8"))
            date = night_date(digest)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            warnings.append(f"{digest_path}: unreadable digest, night left out ({exc})")
            continue
        night = Night(date=date, folder=folder, digest=digest, stamp=file_stamp(digest_path))
        for entry in digest.get("articles") or []:
            night.articles.append(ArticleRecord(
                night=date, entry=entry, warnings=warnings,
                path=folder / (entry.get("file") or f"{entry['id']}.json")))
        nights.append(night)
    return nights, warnings


def _read_json(path: Path, warnings: list[str]) -> dict | None:
    """The briefing JSON, if :meth:`Briefing.from_dict` (the one reader) accepts it; the
    pages then render from the checked object's fields as written."""
    try:
        _, data = read_briefing(path)
    except BriefingFormatError as exc:
        warnings.append(f"{path}: not a briefing this version reads; its page shows the digest "
                        f"only ({exc})")
        return None
    except (OSError, ValueError) as exc:
        warnings.append(f"{path}: unreadable article JSON; its page shows the digest only ({exc})")
        return None
    return data
