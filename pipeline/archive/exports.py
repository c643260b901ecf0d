"""What a desk takes elsewhere: an Atom feed of the digests and a CSV of each night's articles."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from pipeline.archive.collect import Night
from pipeline.archive.pages import PATHS, night_path
from pipeline.archive.stories import Stories
from pipeline.pages import render

ATOM = "http://www.w3.org/2005/Atom"
FEED_NIGHTS = 60
CSV_COLUMNS = ("night", "id", "title_en", "title_nl", "date", "outlet", "url", "event",
               "event_headline", "story", "briefing_en", "json", "page")


def atom_root() -> ET.Element:
    """An empty Atom ``feed`` element (the Atom namespace as the default)."""
    ET.register_namespace("", ATOM)
    return ET.Element(f"{{{ATOM}}}feed")


def atom_element(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """Add an Atom element ``tag`` under ``parent`` (its text and attributes as given)."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_text(feed: ET.Element) -> str:
    """The feed as an XML document."""
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def atom_feed(nights: list[Night]) -> str:
    """The latest nights as an Atom feed; links are relative to the feed's own address."""
    feed = atom_root()
    add = atom_element
    add(feed, "title", "Briefing — nightly digests")
    add(feed, "id", "urn:briefing:nightly-archive")
    add(feed, "link", href="index.html")
    add(feed, "link", rel="self", href="feed.xml")
    latest = [n.digest.get("generated_at") for n in nights if n.digest.get("generated_at")]
    add(feed, "updated", max(latest) if latest else
        datetime.now(UTC).isoformat(timespec="seconds"))
    add(add(feed, "author"), "name", "briefing nightly")
    for night in list(reversed(nights))[:FEED_NIGHTS]:
        entry = add(feed, "entry")
        totals = night.totals
        add(entry, "title", f"Briefing digest — {night.date}")
        add(entry, "id", f"urn:briefing:night:{night.date}")
        add(entry, "link", href=night_path(night.date))
        add(entry, "updated", night.digest.get("generated_at") or f"{night.date}T00:00:00+00:00")
        add(entry, "summary", f"{totals.get('briefed')} articles briefed in "
                              f"{len(night.digest.get('groups') or [])} events; "
                              f"{totals.get('failed')} not briefed.")
        add(entry, "content", _night_content(night), type="html")
    return atom_text(feed)


def _night_content(night: Night) -> str:
    # The entry's HTML (a template, autoescaped); the feed's XML writer escapes it again.
    return render("archive/feed_night.html", date=night.date, paths=PATHS,
                  groups=night.digest.get("groups") or []).strip()


def night_csv(night: Night, stories: Stories) -> str:
    """One row per briefed article of the night (UTF-8, header row, RFC 4180 quoting; a
    cell that would start a spreadsheet formula is prefixed with `'`, see :func:`csv_cell`)."""
    headlines = {g["id"]: g["headline"] for g in night.digest.get("groups") or []}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in night.articles:
        entry = record.entry
        event = entry.get("group")
        writer.writerow(csv_cell(cell) for cell in [
            night.date, record.id, entry.get("title_en") or "", entry.get("title_nl") or "",
            entry.get("date") or "", entry.get("source_name") or entry.get("source") or "",
            entry.get("url") or "", event or "", headlines.get(event, ""),
            stories.story_of.get((night.date, event), "") if event else "",
            entry.get("briefing_en") or "", record.json_name,
            f"articles/{record.id}.html"])
    return out.getvalue()


# A spreadsheet evaluates a cell that starts with one of these (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: one that would start a formula
    gets a leading ``'`` (OWASP's rule); every other cell is written as it is."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
