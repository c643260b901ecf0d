"""Build the archive: read, link stories, write every page and export, index for search."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.archive import pages
from pipeline.archive import stories as stories_module
from pipeline.archive.collect import Night, read_nights
from pipeline.archive.exports import atom_feed, night_csv
from pipeline.archive.search import build_index, pagefind_binary
from pipeline.archive.stories import Stories, StoryCache, link_stories
from pipeline.archive.watch import watch_feed, watch_hits
from pipeline.archive.writer import SiteWriter
from pipeline.core.errors import BriefingFormatError, UnsafePathError
from pipeline.pages import assets_digest


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
    rendered_nights: int = 0  # nights whose pages were rendered (the others were current)
    linked_nights: int = 0  # nights whose story links were computed (the others were cached)
    search_error: str | None = None  # None: the search index was built
    warnings: list[str] = field(default_factory=list)


STATE_DIR = ".archive"  # caches of the build, inside the output folder


# Bump when the archive's Python changes what its pages or story links hold; the templates,
# the static files and the data are hashed and need no bump.
BUILD_FORMAT = 1


def _code_version() -> str:
    """The key of the build's caches: pages and links are reused only while what made them
    is unchanged (templates and static files, link settings, format, package version); what
    each night shows from the data is in its own fingerprint."""
    return hashlib.sha256(json.dumps(
        [BUILD_FORMAT, __version__, assets_digest(), stories_module.LOOKBACK_DAYS,
         stories_module.DEFAULT_THRESHOLD, stories_module.ENTITY_WEIGHT]).encode()).hexdigest()


def _load_state(out_dir: Path, code: str) -> dict:
    try:
        state = json.loads((out_dir / STATE_DIR / "state.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("code") != code:
        shutil.rmtree(out_dir / STATE_DIR / "features", ignore_errors=True)
        return {}
    return state


def _page_fingerprint(code: str, night: Night, previous: Night | None,
                      following: Night | None, search_available: bool, stories: Stories,
                      headlines: dict) -> str:
    links = []
    for group in night.digest.get("groups") or []:
        key = (night.date, group["id"])
        earlier = stories.continues.get(key)
        later = stories.continued_by.get(key, [])
        story = stories.story_of.get(key)
        links.append([group["id"], earlier, [(k, headlines.get(k)) for k in later],
                      headlines.get(earlier[0]) if earlier else None,
                      story, len(stories.members.get(story, [])) if story else 0])
    return hashlib.sha256(json.dumps(
        [code, night.stamp, previous.date if previous else None,
         following.date if following else None, search_available, links],
        default=str).encode()).hexdigest()


def build_archive(out_dir: Path, *, search: bool = True) -> ArchiveResult:
    """Build (or bring up to date) the static site in ``out_dir`` (``nightly.out_dir``).

    A night's pages are rendered again only when something they show changed (its digest,
    its neighbours, its stories, the code); files whose content did not change are not
    rewritten; pages of articles and stories that no longer exist are removed. With
    ``search``, Pagefind indexes the article pages.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = _code_version()
    state = _load_state(out_dir, code)
    nights, warnings = read_nights(out_dir)
    cache = StoryCache(folder=out_dir / STATE_DIR / "features", links=state.get("links") or {})
    stories = link_stories(nights, cache)
    headlines = {(n.date, g["id"]): g["headline"] for n in nights
                 for g in n.digest.get("groups") or []}
    search_available = search and pagefind_binary() is not None
    writer = SiteWriter(out_dir)
    fingerprints: dict[str, str] = {}
    removed = 0
    rendered = 0
    for position, night in enumerate(nights):
        previous = nights[position - 1] if position else None
        following = nights[position + 1] if position + 1 < len(nights) else None
        fingerprint = _page_fingerprint(code, night, previous, following, search_available,
                                        stories, headlines)
        fingerprints[night.date] = fingerprint
        if (state.get("pages") or {}).get(night.date) == fingerprint and \
                (out_dir / pages.night_path(night.date)).is_file():
            continue  # nothing it shows has changed
        rendered += 1
        try:
            removed += _write_night(writer, out_dir, night, previous, following, stories,
                                    headlines)
        except (UnsafePathError, BriefingFormatError) as exc:
            # a folder of the night links out of the site, or data no page can show
            warnings.append(f"{night.folder}: {exc}; the night's pages were not written")
            fingerprints.pop(night.date, None)
    by_date = {n.date: n for n in nights}
    story_pages = {writer.write(out_dir / pages.story_path(story_id),
                                pages.story_page(story_id, stories, by_date, headlines))
                   for story_id in stories.members}
    removed += _remove_stale(out_dir / "stories", story_pages)
    watched = watch_hits(nights)
    watch_pages: set[Path] = set()
    for name, hits in watched.items():
        watch_pages.add(writer.write(out_dir / pages.watch_path(name), pages.watch_page(name, hits)))
        watch_pages.add(writer.write(out_dir / pages.watch_feed_path(name), watch_feed(
            name, hits, article_href=lambda night, article: "../" + pages.article_path(night, article),
            page_href=pages.watch_path(name).rsplit("/", 1)[1],
            self_href=pages.watch_feed_path(name).rsplit("/", 1)[1])))
    removed += _remove_stale(out_dir / "watch", watch_pages, ("*.html", "*.xml"))
    writer.write(out_dir / "feed.xml", atom_feed(nights))
    writer.write(out_dir / "search.html", pages.search_page(available=search_available))
    index = writer.write(out_dir / "index.html",
                         pages.index_page(nights, search_available=search_available,
                                          watchlists=sorted(watched)))
    search_error = build_index(out_dir) if search else "search disabled"
    if search_available and search_error:
        # The index failed after the pages said search works: say so on the search page.
        writer.write(out_dir / "search.html", pages.search_page(available=False))
        fingerprints = {}  # and render every night again once search works
    for night in sorted(cache.dirty):
        writer.write(out_dir / STATE_DIR / "features" / f"{night}.json",
                     json.dumps(cache.features[night], ensure_ascii=False))
    writer.write(out_dir / STATE_DIR / "state.json", json.dumps(
        {"code": code, "links": cache.links, "pages": fingerprints}, ensure_ascii=False))
    return ArchiveResult(index=index, nights=len(nights),
                         articles=sum(len(n.articles) for n in nights),
                         stories=len(stories.members), written=len(writer.written),
                         unchanged=writer.unchanged, removed=removed, rendered_nights=rendered,
                         linked_nights=len(cache.computed), search_error=search_error,
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


def _write_night(writer: SiteWriter, out_dir: Path, night: Night, previous: Night | None,
                 following: Night | None, stories: Stories, headlines: dict) -> int:
    """Write a night's page, CSV and article pages; returns how many stale pages went."""
    keep = {writer.write(out_dir / pages.night_path(night.date),
                         pages.night_page(night, previous, following, stories, headlines))}
    writer.write(night.folder / "articles.csv", night_csv(night, stories))
    groups = _groups_by_article(night)
    for record in night.articles:
        keep.add(writer.write(out_dir / pages.article_path(night.date, record.id),
                              pages.article_page(record, night, groups.get(record.id),
                                                 stories, headlines)))
    return _remove_stale(writer.check(night.folder / "articles"), keep)


def _groups_by_article(night: Night) -> dict[str, dict]:
    return {article_id: group for group in night.digest.get("groups") or []
            for article_id in group.get("articles") or []}


def _remove_stale(folder: Path, keep: set[Path], patterns: tuple[str, ...] = ("*.html",)) -> int:
    removed = 0
    if folder.is_dir():
        for pattern in patterns:
            for page in folder.glob(pattern):
                if page not in keep:
                    page.unlink(missing_ok=True)
                    removed += 1
    return removed
