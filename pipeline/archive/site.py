"""Build the archive: read, link stories, write every page and export, index for search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.archive import pages
from pipeline.archive.collect import Night, read_nights
from pipeline.archive.exports import atom_feed, night_csv
from pipeline.archive.search import build_index, pagefind_binary
from pipeline.archive.stories import link_stories
from pipeline.archive.writer import SiteWriter


@dataclass
class ArchiveResult:
    """What a build did."""

    index: Path
    nights: int = 0
    articles: int = 0
    stories: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    search_error: str | None = None  # None: the search index was built
    warnings: list[str] = field(default_factory=list)


def build_archive(out_dir: Path, *, search: bool = True) -> ArchiveResult:
    """Build (or bring up to date) the static site in ``out_dir`` (``nightly.out_dir``).

    Pages whose content did not change are not rewritten. Pages of articles and stories
    that no longer exist are removed. With ``search``, Pagefind indexes the article pages.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nights, warnings = read_nights(out_dir)
    stories = link_stories(nights)
    headlines = {(n.date, g["id"]): g["headline"] for n in nights
                 for g in n.digest.get("groups") or []}
    search_available = search and pagefind_binary() is not None
    writer = SiteWriter()
    keep: set[Path] = set()
    for position, night in enumerate(nights):
        previous = nights[position - 1] if position else None
        following = nights[position + 1] if position + 1 < len(nights) else None
        keep.add(writer.write(out_dir / pages.night_path(night.date),
                              pages.night_page(night, previous, following, stories, headlines)))
        keep.add(writer.write(night.folder / "articles.csv", night_csv(night, stories)))
        groups = _groups_by_article(night)
        for record in night.articles:
            keep.add(writer.write(out_dir / pages.article_path(night.date, record.id),
                                  pages.article_page(record, night, groups.get(record.id),
                                                     stories, headlines)))
    by_date = {n.date: n for n in nights}
    for story_id in stories.members:
        keep.add(writer.write(out_dir / pages.story_path(story_id),
                              pages.story_page(story_id, stories, by_date, headlines)))
    removed = _remove_stale(out_dir, nights, keep)
    writer.write(out_dir / "feed.xml", atom_feed(nights))
    writer.write(out_dir / "search.html", pages.search_page(available=search_available))
    index = writer.write(out_dir / "index.html",
                         pages.index_page(nights, search_available=search_available))
    search_error = build_index(out_dir) if search else "search disabled"
    if search_available and search_error:
        # The index failed after the pages said search works: say so on the search page.
        writer.write(out_dir / "search.html", pages.search_page(available=False))
    return ArchiveResult(index=index, nights=len(nights),
                         articles=sum(len(n.articles) for n in nights),
                         stories=len(stories.members), written=len(writer.written),
                         unchanged=writer.unchanged, removed=removed, search_error=search_error,
                         warnings=warnings)


def update_archive(out_dir: Path, emit: Callable[[str, dict], None] | None = None) -> dict:
    """Rebuild the archive after a nightly run; returns ``{"archive": index path}``.

    The night's digest is already written when this runs, so a failure here costs the
    archive, not the night: it is reported as an ``archive.failed`` event and the next run
    rebuilds the site from scratch.
    """
    emit = emit or (lambda _event, _fields: None)
    try:
        result = build_archive(out_dir)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        emit("archive.failed", {"message": f"{type(exc).__name__}: {exc}"})
        return {}
    for warning in result.warnings:
        emit("archive.warning", {"message": warning})
    emit("archive.built", {"index": str(result.index), "nights": result.nights,
                           "articles": result.articles, "stories": result.stories,
                           "written": result.written, "search": result.search_error or "ok"})
    return {"archive": result.index}


def _groups_by_article(night: Night) -> dict[str, dict]:
    return {article_id: group for group in night.digest.get("groups") or []
            for article_id in group.get("articles") or []}


def _remove_stale(out_dir: Path, nights: list[Night], keep: set[Path]) -> int:
    removed = 0
    folders = [n.folder / "articles" for n in nights] + [out_dir / "stories"]
    for folder in folders:
        if folder.is_dir():
            for page in folder.glob("*.html"):
                if page not in keep:
                    page.unlink(missing_ok=True)
                    removed += 1
    return removed
