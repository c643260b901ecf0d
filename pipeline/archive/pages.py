"""The archive's HTML pages: self-contained (inline CSS), relative links only, so the site
works from ``file://`` and from any folder of any web server. The markup is in
``pipeline/pages/templates/archive/`` (autoescaped: everything from the data is text; only
http(s) links become anchors); this module gathers what each page shows."""

from __future__ import annotations

import posixpath
from types import SimpleNamespace

from pipeline.archive.collect import ArticleRecord, Night
from pipeline.archive.search import index_text
from pipeline.archive.stories import EventKey, Stories
from pipeline.pages import render, safe_href
from pipeline.pages.digest_lines import night_line, run_line, summary_view
from pipeline.record.briefing import AlignedSentence
from pipeline.record.marks import NOTE, has_marks, marks_claims

TOP_STORIES = 3


def night_path(date: str) -> str:
    return f"{date}/index.html"


def article_path(date: str, article_id: str) -> str:
    return f"{date}/articles/{article_id}.html"


def watch_path(name: str) -> str:
    """The page of a watchlist."""
    from pipeline.archive.watch import watch_slug

    return f"watch/{watch_slug(name)}.html"


def watch_feed_path(name: str) -> str:
    """The Atom feed of a watchlist."""
    from pipeline.archive.watch import watch_slug

    return f"watch/{watch_slug(name)}.xml"


def story_path(story_id: str) -> str:
    return f"stories/{story_id}.html"


def rel(page: str, target: str) -> str:
    """``target`` (relative to the site root) as a link from ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


PATHS = SimpleNamespace(night=night_path, article=article_path, story=story_path,
                        watch=watch_path, watch_feed=watch_feed_path)


def _page(template: str, page: str, page_title: str, **context: object) -> str:
    return render(f"archive/{template}", page=page, page_title=page_title, paths=PATHS,
                  link=lambda target: rel(page, target), **context)


def support_mark(support: object) -> dict | None:
    """A per-claim support mark (the briefing's ``summary[i].support``), whatever its shape:
    ``{"css", "label", "score"}``, or None where there is nothing to show."""
    if support is None:
        return None
    score = None
    if isinstance(support, dict):
        label = support.get("label") or support.get("verdict") or support.get("status")
        score = support.get("score")
    else:
        label = support
    if label is None or isinstance(label, dict | list):
        return None
    css = "".join(c if c.isalnum() else "-" for c in str(label).lower())
    return {"css": css, "label": label,
            "score": score if isinstance(score, int | float) else None}


def claims(record: ArticleRecord) -> list[tuple[str, object, list | None]]:
    """The briefing sentences, each with its support (None where the data has none) and
    the claims to mark on it (None: nothing to mark, as under the ``keep`` policy): from
    the typed briefing, or from the digest's entry when the briefing cannot be read."""
    briefing = record.briefing
    if briefing is not None:
        checked = briefing.checked_summary
        marks = checked is not None and marks_claims(briefing.support)
        return [(text, checked[i].support if checked is not None else None,
                 checked[i].claims if marks else None)
                for i, text in enumerate(briefing.summary_sentences) if text]
    return [(s["text"], s["support"], s["claims"]) for s in summary_view(record.entry)
            if s["text"]]


def _sentences(record: ArticleRecord) -> list[tuple[str, dict | None, list | None]]:
    return [(text, support_mark(support), marks) for text, support, marks in claims(record)]


def marks_note(sentences: list[tuple[str, dict | None, list | None]]) -> str | None:
    """What the ``[?]`` marks mean (:data:`~pipeline.record.marks.NOTE`), for a page that
    shows some; None when it shows none."""
    return NOTE if has_marks({"text": text, "claims": marks}
                             for text, _, marks in sentences) else None


def briefing_list(record: ArticleRecord) -> str:
    """An article's briefing as an HTML list, each sentence with its support mark."""
    from pipeline.pages.env import environment

    macro = environment().get_template("archive/macros.html").module.briefing
    sentences = _sentences(record)
    return str(macro(sentences, marks_note(sentences)))


# -- index ---------------------------------------------------------------------------------


def index_page(nights: list[Night], *, search_available: bool,
               watchlists: list[str] = ()) -> str:
    """Nights newest first, each with its counts and top stories; the watchlists' pages."""
    shown = []
    for night in reversed(nights):
        groups = night.digest.get("groups") or []
        shown.append({
            "date": night.date, "totals": night.totals, "events": len(groups),
            "top": [{"lead": g["lead"], "headline": g["headline"],
                     "sources": len(g.get("articles") or [])} for g in groups[:TOP_STORIES]],
            "more": len(groups) - TOP_STORIES})
    return _page("index.html", "index.html", "Briefing archive", nights=shown,
                 articles=sum(len(n.articles) for n in nights),
                 search_available=search_available,
                 watchlists=[(name, watch_path(name)) for name in watchlists])


# -- night ---------------------------------------------------------------------------------


def _continuity(key: EventKey, stories: Stories, headlines: dict) -> list[dict]:
    """The links of an event to the nights before and after it, and its story's page."""
    parts = []
    if key in stories.continues:
        (night, event), _score = stories.continues[key]
        parts.append({"kind": "Continues", "target": f"{night_path(night)}#{event}",
                      "text": headlines.get((night, event), event), "night": night})
    for later in stories.continued_by.get(key, []):
        parts.append({"kind": "Continued by", "target": f"{night_path(later[0])}#{later[1]}",
                      "text": headlines.get(later, later[1]), "night": later[0]})
    story = stories.story_of.get(key)
    if story:
        parts.append({"kind": "story", "target": story_path(story),
                      "nights": len({n for n, _ in stories.members[story]})})
    return parts


def night_page(night: Night, previous: Night | None, following: Night | None,
               stories: Stories, headlines: dict) -> str:
    """One night: its totals, the latest run, its events with links to every article."""
    digest = night.digest
    by_id = {a.id: a for a in night.articles}
    events = []
    for group in digest.get("groups") or []:
        lead = by_id.get(group["lead"])
        dates = group.get("dates") or []
        count = len(group.get("articles") or [])
        meta = (" – ".join(dict.fromkeys([dates[0], dates[-1]])) if dates else "undated") + \
            f' · {count} source{"s" if count != 1 else ""}'
        events.append({"group": group, "meta": meta,
                       "lead_sentences": _sentences(lead) if lead else None,
                       "sources": group.get("sources") or [],
                       "continuity": _continuity((night.date, group["id"]), stories, headlines)})
    note = marks_note([s for e in events for s in e["lead_sentences"] or []])
    line = night_line(digest) or (f"This night: {night.totals['briefed']} briefed, "
                                  f"{night.totals['failed']} not briefed.")
    return _page("night.html", night_path(night.date), f"Briefing — {night.date}",
                 night=night, events=events, line=line, run=run_line(digest.get("run")),
                 note=note,
                 previous=previous.date if previous else None,
                 following=following.date if following else None,
                 failed=digest.get("failed") or [])


# -- article -------------------------------------------------------------------------------


def _aligned(record: ArticleRecord) -> list[list[AlignedSentence]]:
    """The article's sentences, paragraph by paragraph."""
    paragraphs: list[list[AlignedSentence]] = []
    paragraph = None
    for sentence in record.briefing.sentences if record.briefing is not None else []:
        if not paragraphs or sentence.paragraph != paragraph:
            paragraphs.append([])
        paragraph = sentence.paragraph
        paragraphs[-1].append(sentence)
    return paragraphs


def _models(record: ArticleRecord) -> list[tuple[str, object, str]]:
    rows = []
    for role, info in (record.briefing.models if record.briefing is not None else {}).items():
        detail = ", ".join(str(v) for v in (info.revision, info.backend) if v)
        rows.append((role, info.id, detail))
    return rows


def article_page(record: ArticleRecord, night: Night, group: dict | None, stories: Stories,
                 headlines: dict) -> str:
    """One article: the briefing, the full translation beside the Dutch, provenance."""
    entry, briefing = record.entry, record.briefing
    sentences = _sentences(record)
    title = entry.get("title_en") or (briefing.title_en if briefing else None) or record.id
    event = None
    if group is not None:
        event = {"target": f"{night_path(night.date)}#{group['id']}",
                 "headline": group["headline"],
                 "others": len(group.get("articles") or []) - 1,
                 "continuity": _continuity((night.date, group["id"]), stories, headlines)}
    return _page("article.html", article_path(night.date, record.id),
                 f"{title} — {night.date}", searchable=True, night=night.date, title=title,
                 title_nl=entry.get("title_nl") or (briefing.title_nl if briefing else None),
                 outlet=entry.get("source_name") or entry.get("source") or "",
                 date=entry.get("date") or "undated", href=safe_href(entry.get("url")),
                 watch=entry.get("watch") or [], index_text=index_text, event=event,
                 sentences=sentences, note=marks_note(sentences), aligned=_aligned(record),
                 captions=briefing.removed_captions if briefing else [], models=_models(record),
                 json_name=record.json_name if briefing else None)


# -- story ---------------------------------------------------------------------------------


def story_page(story_id: str, stories: Stories, nights: dict[str, Night], headlines: dict) -> str:
    """A story: its events night by night."""
    events = stories.members[story_id]
    items = []
    for night_date, event_id in events:
        night = nights[night_date]
        group = next((g for g in night.digest.get("groups") or [] if g["id"] == event_id), {})
        items.append({"night": night_date, "event": event_id,
                      "headline": headlines.get((night_date, event_id)),
                      "sources": len(group.get("articles") or []), "lead": group.get("lead"),
                      "story": group.get("story")})
    first = headlines.get(events[0], story_id)
    return _page("story.html", story_path(story_id), f"Story — {first}", first=first,
                 nights=len({n for n, _ in events}), events=items)


# -- watchlist -----------------------------------------------------------------------------


def watch_page(name: str, hits: list) -> str:
    """A watchlist across nights: every article that mentions it, newest night first."""
    from pipeline.archive.watch import matched_sentence

    shown = [{"night": hit.night, "article": hit.article, "title": hit.title,
              "outlet": hit.outlet,
              "sentences": [{"text": matched_sentence(s), "matched": s.get("matched"),
                             "term": s.get("term")} for s in hit.sentences[:3]]}
             for hit in hits]
    return _page("watch.html", watch_path(name), f"Watch — {name}", name=name,
                 feed=watch_feed_path(name), hits=shown)


# -- search --------------------------------------------------------------------------------


def search_page(*, available: bool) -> str:
    """The search page (Pagefind's UI over the static index), or why there is none."""
    return _page("search.html", "search.html", "Search — Briefing archive", available=available)
