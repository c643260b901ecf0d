"""The archive's HTML pages: self-contained (inline CSS), relative links only, so the site
works from ``file://`` and from any folder of any web server. Everything from the data is
escaped; only http(s) links become anchors."""

from __future__ import annotations

import posixpath
from html import escape

from pipeline.archive.collect import ArticleRecord, Night
from pipeline.archive.search import index_text
from pipeline.archive.stories import Stories
from pipeline.nightly.render_md import night_line, run_line
from pipeline.pages import safe_href, static_text
from pipeline.pages.env import story_section

TOP_STORIES = 3

CSS = "\n" + static_text("digest.css") + """
main{overflow-wrap:anywhere}
.crumbs{font-size:.85rem;margin:0 0 .6rem}
.crumbs a{margin-right:.3rem}
nav.pager{display:flex;justify-content:space-between;gap:.6rem;margin:1rem 0;font-size:.9rem}
nav.pager span{min-width:0}
.links{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.88rem;margin:.6rem 0 0}
ol.nights{list-style:none;margin:1rem 0;padding:0}
ol.nights>li{background:var(--card);border:1px solid var(--line);border-radius:.8rem;
padding:.8rem 1rem;margin:.8rem 0}
ol.nights h2{font-size:1.15rem;margin:0 0 .2rem}
ol.nights ul{margin:.4rem 0 0;padding-left:1.1rem;font-size:.92rem}
ol.nights ul.stats{padding-left:0}
.mark{display:inline-block;font-size:.7rem;letter-spacing:.04em;text-transform:uppercase;
border-radius:.6rem;padding:0 .45rem;margin-left:.35rem;background:var(--chip);
vertical-align:middle}
.mark.unsupported,.mark.contradicted{background:var(--warnbg);color:var(--warn)}
ol.plain{padding-left:1.3rem}
ol.plain li{margin:.25rem 0}
.aligned{margin:.6rem 0}
.aligned .para{border-top:1px solid var(--line);padding-top:.3rem;margin-top:.5rem}
.aligned .pair p{min-width:0}
.continuity{font-size:.88rem;margin:.5rem 0 0}
dl.models{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;font-size:.88rem}
dl.models dt{color:var(--muted)}
dl.models dd{margin:0;min-width:0}
#search{margin:1rem 0}
#search{--pagefind-ui-font:inherit;--pagefind-ui-primary:var(--accent);--pagefind-ui-text:var(--fg);
--pagefind-ui-background:var(--card);--pagefind-ui-border:var(--line);--pagefind-ui-tag:var(--chip)}
.notice{background:var(--warnbg);border:1px solid var(--line);border-radius:.6rem;
padding:.6rem .9rem;font-size:.92rem}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


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


def watch_page(name: str, hits: list) -> str:
    """A watchlist across nights: every article that mentions it, newest night first."""
    from pipeline.archive.watch import matched_sentence

    page = watch_path(name)
    items = []
    for hit in hits:
        sentences = "".join(
            f'<p class="hit">{_e(matched_sentence(s))} <span class="muted small">'
            f"(“{_e(s.get('matched'))}” for {_e(s.get('term'))})</span></p>"
            for s in hit.sentences[:3])
        items.append(f'<li><a href="{_e(rel(page, article_path(hit.night, hit.article)))}">'
                     f"{_e(hit.title)}</a> <span class=\"muted small\">— {_e(hit.outlet)} · "
                     f'<a href="{_e(rel(page, night_path(hit.night)))}">{_e(hit.night)}</a>'
                     f"</span>{sentences}</li>")
    feed = rel(page, watch_feed_path(name))
    body = (_crumbs(page, (f"Watch: {name}", None))
            + f'<header><div class="muted small">Watchlist</div><h1>{_e(name)}</h1>'
            f'<div class="links"><a href="{_e(feed)}">Atom feed</a></div></header>'
            + (f'<ul class="hits">{"".join(items)}</ul>' if items
               else '<p class="none">No article has mentioned it yet.</p>'))
    return _page(page, f"Watch — {name}", body,
                 head=f'<link rel="alternate" type="application/atom+xml" '
                      f'title="Watch: {_e(name)}" href="{_e(feed)}">')


def story_path(story_id: str) -> str:
    return f"stories/{story_id}.html"


def rel(page: str, target: str) -> str:
    """``target`` (relative to the site root) as a link from ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _index_field(kind: str, key: str, value: object) -> str:
    """A Pagefind filter or metadata field (``kind``): not shown, its text made safe for the
    search UI, which renders it as HTML (:func:`~pipeline.archive.search.index_text`)."""
    return f'<span hidden data-pagefind-{kind}="{_e(key)}">{_e(index_text(value))}</span>'


def _page(page: str, title: str, body: str, *, searchable: bool = False,
          head: str = "") -> str:
    main = '<main data-pagefind-body>' if searchable else "<main>"
    return ("<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="light dark">'
            f"<title>{_e(title)}</title>"
            f'<link rel="alternate" type="application/atom+xml" title="Briefing digests" '
            f'href="{_e(rel(page, "feed.xml"))}">'
            f"<style>{CSS}</style>{head}</head><body>{main}{body}</main></body></html>\n")


def _crumbs(page: str, *items: tuple[str, str | None]) -> str:
    links = [f'<a href="{_e(rel(page, "index.html"))}">Archive</a>']
    for label, target in items:
        links.append(f'› <a href="{_e(rel(page, target))}">{_e(label)}</a>' if target
                     else f"› {_e(label)}")
    if page != "search.html":
        links.append(f'· <a href="{_e(rel(page, "search.html"))}">Search</a>')
    return f'<nav class="crumbs" data-pagefind-ignore>{" ".join(links)}</nav>'


def _stats(totals: dict, events: int | None = None) -> str:
    items = [("briefed", totals.get("briefed")), ("events", events),
             ("not briefed", totals.get("failed")), ("given up", totals.get("given_up")),
             ("runs", totals.get("runs"))]
    return '<ul class="stats">' + "".join(
        f"<li><b>{_e(v)}</b> {_e(k)}</li>" for k, v in items if v is not None) + "</ul>"


def _mark(support: object) -> str:
    """A per-claim support mark (the briefing's ``summary[i].support``), whatever its shape."""
    if support is None:
        return ""
    score = None
    if isinstance(support, dict):
        label = support.get("label") or support.get("verdict") or support.get("status")
        score = support.get("score")
    else:
        label = support
    if label is None or isinstance(label, dict | list):
        return ""
    css = "".join(c if c.isalnum() else "-" for c in str(label).lower())
    title = f' title="score {_e(score)}"' if isinstance(score, int | float) else ""
    return f' <span class="mark {_e(css)}"{title}>{_e(label)}</span>'


def claims(record: ArticleRecord) -> list[tuple[str, object]]:
    """The briefing sentences with their support (None where the data has none)."""
    data = record.data or {}
    support: list[object] = []
    for source in (data.get("summary"), record.entry.get("summary")):
        if isinstance(source, list) and any(isinstance(s, dict) and "support" in s
                                            for s in source):
            support = [s.get("support") if isinstance(s, dict) else None for s in source]
            break
    sentences = data.get("summary_sentences") or [
        s.get("en") for s in record.entry.get("summary") or [] if isinstance(s, dict)]
    return [(text, support[i] if i < len(support) else None)
            for i, text in enumerate(sentences) if text]


def _briefing(record: ArticleRecord) -> str:
    items = "".join(f"<li>{_e(text)}{_mark(support)}</li>" for text, support in claims(record))
    return f'<ol class="plain">{items}</ol>' if items else \
        '<p class="none">The summarizer produced no text.</p>'


# -- index ---------------------------------------------------------------------------------


def index_page(nights: list[Night], *, search_available: bool,
               watchlists: list[str] = ()) -> str:
    """Nights newest first, each with its counts and top stories; the watchlists' pages."""
    page = "index.html"
    items = []
    for night in reversed(nights):
        groups = night.digest.get("groups") or []
        top = []
        for group in groups[:TOP_STORIES]:
            count = len(group.get("articles") or [])
            top.append(f'<li><a href="{_e(article_path(night.date, group["lead"]))}">'
                       f'{_e(group["headline"])}</a> <span class="muted small">'
                       f'({count} source{"s" if count != 1 else ""})</span></li>')
        more = len(groups) - TOP_STORIES
        if more > 0:
            top.append(f'<li class="muted"><a href="{_e(night_path(night.date))}">'
                       f"{more} more event{'s' if more != 1 else ''}</a></li>")
        items.append(f'<li><h2><a href="{_e(night_path(night.date))}">{_e(night.date)}</a></h2>'
                     f"{_stats(night.totals, len(groups))}"
                     f"{'<ul>' + ''.join(top) + '</ul>' if top else ''}</li>")
    body = ('<header><div class="muted small">Nightly briefing</div><h1>Archive</h1>'
            f'<div class="muted small">{len(nights)} night{"s" if len(nights) != 1 else ""}, '
            f'{sum(len(n.articles) for n in nights)} briefed articles.</div>'
            '<div class="links">'
            + ('<a href="search.html">Search the archive</a>' if search_available
               else '<span class="muted">Search unavailable (Pagefind is not installed)</span>')
            + '<a href="feed.xml">Atom feed</a></div>'
            + ('<div class="links">Watched: ' + "".join(
                f'<a href="{_e(watch_path(name))}">{_e(name)}</a>' for name in watchlists)
               + "</div>" if watchlists else "")
            + "</header>"
            + (f'<ol class="nights">{"".join(items)}</ol>' if items
               else '<p class="muted">No night has been briefed yet.</p>'))
    return _page(page, "Briefing archive", body)


# -- night ---------------------------------------------------------------------------------


def _pager(page: str, previous: Night | None, following: Night | None) -> str:
    older = (f'<a href="{_e(rel(page, night_path(previous.date)))}" rel="prev">'
             f"← {_e(previous.date)}</a>" if previous else '<span class="muted">← oldest night</span>')
    newer = (f'<a href="{_e(rel(page, night_path(following.date)))}" rel="next">'
             f"{_e(following.date)} →</a>" if following else '<span class="muted">newest night →</span>')
    return f'<nav class="pager" data-pagefind-ignore>{older}{newer}</nav>'


def _continuity(page: str, key: tuple[str, str], stories: Stories, headlines: dict) -> str:
    parts = []
    if key in stories.continues:
        (night, event), score = stories.continues[key]
        target = f"{night_path(night)}#{event}"
        parts.append(f'Continues <a href="{_e(rel(page, target))}">'
                     f"{_e(headlines.get((night, event), event))}</a> ({_e(night)})")
    for later in stories.continued_by.get(key, []):
        target = f"{night_path(later[0])}#{later[1]}"
        parts.append(f'Continued by <a href="{_e(rel(page, target))}">'
                     f"{_e(headlines.get(later, later[1]))}</a> ({_e(later[0])})")
    story = stories.story_of.get(key)
    if story:
        nights = len({n for n, _ in stories.members[story]})
        parts.append(f'<a href="{_e(rel(page, story_path(story)))}">The story over {nights} '
                     "nights</a>")
    return (f'<div class="continuity" data-pagefind-ignore>{" · ".join(parts)}</div>'
            if parts else "")


def night_page(night: Night, previous: Night | None, following: Night | None,
               stories: Stories, headlines: dict) -> str:
    """One night: its totals, the latest run, its events with links to every article."""
    page = night_path(night.date)
    digest = night.digest
    by_id = {a.id: a for a in night.articles}
    events = []
    for group in digest.get("groups") or []:
        lead = by_id.get(group["lead"])
        dates = group.get("dates") or []
        count = len(group.get("articles") or [])
        meta = (" – ".join(dict.fromkeys([dates[0], dates[-1]])) if dates else "undated") + \
            f' · {count} source{"s" if count != 1 else ""}'
        chips = "".join(f"<li>{_e(n)}</li>" for n in group.get("entities") or [])
        sources = []
        for source in group.get("sources") or []:
            href = safe_href(source.get("url"))
            original = f' · <a href="{_e(href)}" rel="noopener">original</a>' if href else ""
            sources.append(f'<li><a href="{_e(rel(page, article_path(night.date, source["id"])))}">'
                           f'{_e(source.get("title") or source["id"])}</a> '
                           f'<span class="muted">— {_e(source.get("name"))}</span>{original}</li>')
        events.append(
            f'<article class="event" id="{_e(group["id"])}"><h2>'
            f'<a href="{_e(rel(page, article_path(night.date, group["lead"])))}">'
            f'{_e(group["headline"])}</a></h2><div class="meta">{_e(meta)}</div>'
            + (f'<ul class="chips">{chips}</ul>' if chips else "")
            + (story_section(group["story"]) if group.get("story") else "")
            + (_briefing(lead) if lead else "")
            + '<h3 class="label">Sources</h3><ul class="sources">' + "".join(sources) + "</ul>"
            + _continuity(page, (night.date, group["id"]), stories, headlines)
            + "</article>")
    failed = digest.get("failed") or []
    failed_html = ""
    if failed:
        failed_html = ('<section class="failed" id="failed"><h2>Not briefed '
                       f'({len(failed)})</h2><ul>' + "".join(
                           f"<li><code>{_e(f.get('id'))}</code> <strong>{_e(f.get('reason'))}"
                           f"</strong>: {_e(f.get('message'))}</li>" for f in failed)
                       + "</ul></section>")
    line = night_line(digest) or (f"This night: {night.totals['briefed']} briefed, "
                                  f"{night.totals['failed']} not briefed.")
    body = (_crumbs(page, (night.date, None))
            + f'<header><div class="muted small">Nightly briefing</div><h1>{_e(night.date)}</h1>'
            f'<div class="small"><b>{_e(line)}</b></div>'
            f'<div class="muted small">{_e(run_line(digest.get("run")))}</div>'
            f"{_stats(night.totals, len(digest.get('groups') or []))}"
            '<div class="links"><a href="digest.html">Digest page</a>'
            '<a href="digest.md">Markdown</a><a href="digest.json">JSON</a>'
            '<a href="articles.csv">Articles (CSV)</a></div></header>'
            + _pager(page, previous, following)
            + ("".join(events) or '<p class="muted">Nothing was briefed this night.</p>')
            + failed_html + _pager(page, previous, following))
    return _page(page, f"Briefing — {night.date}", body)


# -- article -------------------------------------------------------------------------------


def _aligned(record: ArticleRecord) -> str:
    sentences = (record.data or {}).get("sentences") or []
    if not sentences:
        return '<p class="none">The article JSON is missing: no translation to show.</p>'
    blocks, paragraph, rows = [], None, []
    for sentence in sentences:
        if sentence.get("paragraph") != paragraph and rows:
            blocks.append(f'<div class="para">{"".join(rows)}</div>')
            rows = []
        paragraph = sentence.get("paragraph")
        rows.append(f'<div class="pair"><p class="en" lang="en">{_e(sentence.get("en"))}</p>'
                    f'<p class="nl" lang="nl">{_e(sentence.get("nl"))}</p></div>')
    blocks.append(f'<div class="para">{"".join(rows)}</div>')
    return ('<div class="aligned"><div class="pair small muted" aria-hidden="true">'
            '<span>English</span><span>Dutch original</span></div>' + "".join(blocks) + "</div>")


def _models(record: ArticleRecord) -> str:
    models = (record.data or {}).get("models") or {}
    rows = []
    for role, info in models.items():
        if not isinstance(info, dict):
            continue
        detail = ", ".join(str(v) for v in (info.get("revision"), info.get("backend")) if v)
        rows.append(f"<dt>{_e(role)}</dt><dd><code>{_e(info.get('id'))}</code>"
                    + (f' <span class="muted">({_e(detail)})</span>' if detail else "") + "</dd>")
    return f'<dl class="models">{"".join(rows)}</dl>' if rows else \
        '<p class="none">Not recorded.</p>'


def article_page(record: ArticleRecord, night: Night, group: dict | None, stories: Stories,
                 headlines: dict) -> str:
    """One article: the briefing, the full translation beside the Dutch, provenance."""
    page = article_path(night.date, record.id)
    entry, data = record.entry, record.data or {}
    title = entry.get("title_en") or data.get("title_en") or record.id
    outlet = entry.get("source_name") or entry.get("source") or ""
    href = safe_href(entry.get("url"))
    meta = [f"<span>{_e(entry.get('date') or 'undated')}</span>",
            f"<span>{_e(outlet)}</span>" + _index_field("filter", "outlet", outlet)
            + "".join(_index_field("filter", "watch", name) for name in entry.get("watch") or [])]
    if href:
        meta.append(f'<a href="{_e(href)}" rel="noopener">original article</a>')
    title_nl = entry.get("title_nl") or data.get("title_nl")
    captions = data.get("removed_captions") or []
    event = ""
    if group is not None:
        target = f"{night_path(night.date)}#{group['id']}"
        others = len(group.get("articles") or []) - 1
        event = ('<div class="continuity" data-pagefind-ignore>'
                 f'Event: <a href="{_e(rel(page, target))}">'
                 f"{_e(group['headline'])}</a>"
                 + (f" ({others} other source{'s' if others != 1 else ''})" if others else "")
                 + "</div>" + _continuity(page, (night.date, group["id"]), stories, headlines))
    body = (_crumbs(page, (night.date, night_path(night.date)), (title, None))
            + f"<header><h1>{_e(title)}</h1>"
            + (f'<div class="muted small" lang="nl">{_e(title_nl)}</div>' if title_nl else "")
            + f'<div class="meta" data-pagefind-ignore>{" · ".join(meta)} · night '
            f"<span>{_e(night.date)}</span>{_index_field('filter', 'night', night.date)}"
            f"{_index_field('meta', 'title', title)}</div>{event}</header>"
            + '<h3 class="label">Briefing</h3>' + _briefing(record)
            + '<h3 class="label">Full translation, sentence by sentence</h3>' + _aligned(record)
            + '<h3 class="label">Removed captions</h3>'
            + ('<ul class="plain">' + "".join(f"<li>{_e(c)}</li>" for c in captions) + "</ul>"
               if captions else '<p class="none">None.</p>')
            + '<div data-pagefind-ignore><h3 class="label">Models</h3>' + _models(record)
            + '<div class="links">'
            + (f'<a href="../{_e(record.json_name)}">Briefing JSON</a>' if record.data
               else '<span class="muted">Briefing JSON missing</span>')
            + '<a href="../digest.json">Night digest JSON</a></div></div>')
    return _page(page, f"{title} — {night.date}", body, searchable=True)


# -- story ---------------------------------------------------------------------------------


def story_page(story_id: str, stories: Stories, nights: dict[str, Night], headlines: dict) -> str:
    """A story: its events night by night."""
    page = story_path(story_id)
    events = stories.members[story_id]
    items = []
    for night_date, event_id in events:
        night = nights[night_date]
        group = next((g for g in night.digest.get("groups") or [] if g["id"] == event_id), {})
        count = len(group.get("articles") or [])
        lead = group.get("lead")
        lead_link = (f' · <a href="{_e(rel(page, article_path(night_date, lead)))}">lead article</a>'
                     if lead else "")
        story = story_section(group["story"]) if group.get("story") else ""
        items.append(f'<li><h2><a href="{_e(rel(page, night_path(night_date)))}#{_e(event_id)}">'
                     f"{_e(night_date)}</a></h2>{_e(headlines.get((night_date, event_id)))}"
                     f' <span class="muted small">({count} source{"s" if count != 1 else ""})'
                     f"</span>{lead_link}{story}</li>")
    first = headlines.get(events[0], story_id)
    body = (_crumbs(page, ("Story", None))
            + f'<header><div class="muted small">Story over {len({n for n, _ in events})} '
            f"nights</div><h1>{_e(first)}</h1></header>"
            + f'<ol class="nights">{"".join(items)}</ol>')
    return _page(page, f"Story — {first}", body)


# -- search --------------------------------------------------------------------------------


SEARCH_SCRIPT = """
<script src="pagefind/pagefind-ui.js"></script>
<script>
(function () {
  var box = document.getElementById("search");
  if (location.protocol === "file:") {
    document.getElementById("file-note").hidden = false;
  }
  try {
    new PagefindUI({element: "#search", showSubResults: true, showImages: false,
                    baseUrl: new URL(".", location.href).pathname});
  } catch (error) {
    box.textContent = "Search could not start: " + error;
  }
})();
</script>
"""


def search_page(*, available: bool) -> str:
    """The search page (Pagefind's UI over the static index), or why there is none."""
    page = "search.html"
    if available:
        head = '<link href="pagefind/pagefind-ui.css" rel="stylesheet">'
        body = (_crumbs(page, ("Search", None)) + "<h1>Search the archive</h1>"
                '<p class="notice" id="file-note" hidden>This page was opened from a file. '
                "Browsers do not let a page read its own folder, so the search index cannot "
                "load: serve the archive folder instead, e.g. <code>python -m http.server "
                "-d out/nightly</code>, and open <code>http://127.0.0.1:8000/search.html</code>."
                "</p>"
                '<div id="search"><noscript>Search needs JavaScript.</noscript></div>'
                + SEARCH_SCRIPT)
        return _page(page, "Search — Briefing archive", body, head=head)
    body = (_crumbs(page, ("Search", None)) + "<h1>Search the archive</h1>"
            '<p class="notice">Search is unavailable: the archive was built without Pagefind. '
            "Install it (<code>pip install 'pagefind[bin]'</code>) and the next nightly run "
            "builds the index.</p>")
    return _page(page, "Search — Briefing archive", body)
