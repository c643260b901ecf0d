"""The archive's watchlists: one page and one Atom feed per watchlist, across nights.

Every night's digest lists its watch hits (``watched``); a watchlist's page gathers them,
newest night first, each with the matching sentence and a link to the article, and its
feed carries one entry per article that mentions it, so a feed reader can follow "Iran".
A watchlist's file name comes from its name through :func:`watch_slug` (letters and
digits only), never from the digest as written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.archive.collect import Night
from pipeline.archive.exports import atom_element, atom_root, atom_text

FEED_ENTRIES = 100  # the newest article hits in a watchlist's feed


def watch_slug(name: str) -> str:
    """A file-safe name for a watchlist: ``Iran`` -> ``iran``; a name that is not plain
    letters, digits and hyphens keeps a hash of itself, so that ``Dijk!`` and ``Dijk?``
    get two pages (``dijk-1a2b3c``, ``dijk-4d5e6f``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    if slug and slug == name.lower():
        return slug
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{slug}-{digest}" if slug else f"watch-{digest}"


@dataclass
class WatchHit:
    """One article of one night that mentions a watchlist, with its matching sentences."""

    night: str
    article: str
    title: str
    outlet: str
    sentences: list[dict] = field(default_factory=list)  # the digest's hit dicts


def watch_hits(nights: list[Night]) -> dict[str, list[WatchHit]]:
    """Watchlist name -> its article hits, newest night first."""
    found: dict[str, list[WatchHit]] = {}
    for night in sorted(nights, key=lambda n: n.date, reverse=True):
        titles = {a.get("id"): a for a in night.digest.get("articles") or []}
        for entry in night.digest.get("watched") or []:
            name = str(entry.get("name") or "")
            if not name:
                continue
            hits = found.setdefault(name, [])
            by_article: dict[str, WatchHit] = {}
            for hit in entry.get("hits") or []:
                article = str(hit.get("article") or "")
                meta = titles.get(article) or {}
                if article not in by_article:
                    by_article[article] = WatchHit(
                        night.date, article, str(meta.get("title_en") or article),
                        str(meta.get("source_name") or meta.get("source") or ""))
                    hits.append(by_article[article])
                by_article[article].sentences.append(hit)
    return found


def matched_sentence(hit: dict) -> str:
    """The sentence as the match was found in it (the Dutch original for a Dutch match)."""
    return str((hit.get("nl") if hit.get("lang") == "nl" else None) or hit.get("en") or "")


def watch_feed(name: str, hits: list[WatchHit], *, article_href, page_href: str,
               self_href: str) -> str:
    """The Atom feed of one watchlist: one entry per article that mentions it."""
    feed = atom_root()
    add = atom_element
    add(feed, "title", f"Briefing — watch: {name}")
    add(feed, "id", f"urn:briefing:watch:{watch_slug(name)}")
    add(feed, "link", href=page_href)
    add(feed, "link", rel="self", href=self_href)
    add(feed, "updated", (f"{hits[0].night}T00:00:00+00:00" if hits
                          else datetime.now(UTC).isoformat(timespec="seconds")))
    add(add(feed, "author"), "name", "briefing nightly")
    for hit in hits[:FEED_ENTRIES]:
        entry = add(feed, "entry")
        add(entry, "title", f"{hit.title} ({hit.outlet})" if hit.outlet else hit.title)
        add(entry, "id", f"urn:briefing:watch:{watch_slug(name)}:{hit.night}:{hit.article}")
        add(entry, "link", href=article_href(hit.night, hit.article))
        add(entry, "updated", f"{hit.night}T00:00:00+00:00")
        add(entry, "summary", " … ".join(matched_sentence(s) for s in hit.sentences[:3]))
    return atom_text(feed)
