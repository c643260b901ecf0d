"""``digest.html``: one self-contained page (inline CSS, no scripts, no external assets).

Readable on a laptop and a phone: a single column that never exceeds a comfortable line
length, Dutch and English side by side on wide screens and stacked on narrow ones, light
and dark colour schemes. Every briefing sentence is a ``<details>`` element: open it to see
the source sentences it draws on. A name or figure the article does not contain is marked on
the sentence itself (visible without opening anything), a briefing with such claims carries a
badge, and the header counts them. Everything from the data is escaped.
"""

from __future__ import annotations

from html import escape

from pipeline.core.markdown import is_safe_url
from pipeline.nightly.render_md import night_date, night_line, retry_note, run_line
from pipeline.record.marks import MARK, NOTE, marked_text

CSS = """
:root{--bg:#fbfaf7;--fg:#1d1d1f;--muted:#6b6b70;--line:#e4e1da;--card:#fff;--accent:#0b5cad;
--chip:#eef3f9;--warn:#a03a12;--warnbg:#fff4ee;--nl:#f6f3ec}
@media (prefers-color-scheme:dark){:root{--bg:#16171a;--fg:#e8e6e3;--muted:#a0a0a8;
--line:#2c2e33;--card:#1e2024;--accent:#7db4ff;--chip:#243040;--warn:#ffb08a;--warnbg:#2e211b;
--nl:#23241f}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.55 -apple-system,
BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 4rem}
header h1{font-size:1.6rem;line-height:1.2;margin:.2rem 0 .4rem}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.stats{display:flex;flex-wrap:wrap;gap:.4rem;margin:.8rem 0 0;padding:0;list-style:none}
.stats li{background:var(--card);border:1px solid var(--line);border-radius:.5rem;
padding:.15rem .6rem;font-size:.85rem}
.stats b{font-variant-numeric:tabular-nums}
nav.toc{margin:1.2rem 0;font-size:.95rem}
nav.toc ol{padding-left:1.3rem;margin:.3rem 0}
article.event{background:var(--card);border:1px solid var(--line);border-radius:.8rem;
padding:1rem 1.1rem;margin:1.2rem 0}
article.event h2{font-size:1.25rem;line-height:1.3;margin:0 0 .3rem}
.meta{font-size:.85rem;color:var(--muted);margin-bottom:.6rem}
.chips{display:flex;flex-wrap:wrap;gap:.3rem;margin:.4rem 0 .8rem;padding:0;list-style:none}
.chips li{background:var(--chip);border-radius:1rem;padding:.05rem .6rem;font-size:.8rem}
ol.briefing{list-style:none;margin:0;padding:0}
ol.briefing li{margin:0 0 .35rem}
details>summary{cursor:pointer;list-style:none}
details>summary::-webkit-details-marker{display:none}
ol.briefing summary{padding:.15rem 0 .15rem 1.1rem;position:relative}
ol.briefing summary::before{content:"▸";position:absolute;left:0;color:var(--muted);
transition:transform .15s}
ol.briefing details[open]>summary::before{transform:rotate(90deg)}
ol.briefing summary:hover{color:var(--accent)}
.evidence{margin:.3rem 0 .7rem 1.1rem;border-left:3px solid var(--line);padding-left:.7rem}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;margin:.4rem 0;font-size:.9rem}
.pair p{margin:0;padding:.4rem .55rem;border-radius:.4rem}
.pair .nl{background:var(--nl)}
.pair .en{background:var(--chip)}
.pair .lang{display:block;font-size:.7rem;letter-spacing:.06em;text-transform:uppercase;
color:var(--muted)}
.none{font-size:.85rem;color:var(--muted);font-style:italic}
h3.label{font-size:.75rem;letter-spacing:.06em;text-transform:uppercase;color:var(--muted);
margin:.9rem 0 .2rem;font-weight:600}
.sources{margin:0;padding-left:1.1rem;font-size:.9rem}
.sources li{margin:.15rem 0}
a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}
.more{margin-top:.6rem;font-size:.92rem}
.more>summary{color:var(--accent)}
.more .other{border-top:1px solid var(--line);padding-top:.5rem;margin-top:.5rem}
.related{font-size:.85rem;margin-top:.6rem}
section.failed{background:var(--warnbg);border:1px solid var(--line);border-radius:.8rem;
padding:.8rem 1.1rem;margin:1.2rem 0}
section.failed h2{font-size:1.1rem;color:var(--warn);margin:.2rem 0 .4rem}
section.failed li{margin:.3rem 0;font-size:.92rem;overflow-wrap:anywhere}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
footer{margin-top:2rem;font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
mark.unsupported{background:var(--warnbg);color:var(--warn);border-bottom:2px solid var(--warn);
padding:0 .15rem;border-radius:.2rem;font-weight:600}
.badge{display:inline-block;background:var(--warnbg);color:var(--warn);border:1px solid var(--warn);
border-radius:1rem;padding:0 .55rem;font-size:.78rem;font-weight:600;vertical-align:middle}
.note{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.5rem .7rem;
font-size:.85rem;margin:.8rem 0 0}
.stats li.warn{color:var(--warn);border-color:var(--warn)}
section.watched{background:var(--card);border:1px solid var(--accent);border-radius:.8rem;
padding:.8rem 1.1rem;margin:1.2rem 0}
section.watched>h2{font-size:1.2rem;margin:.1rem 0 .3rem}
.watchlist h2{font-size:1rem;margin:.6rem 0 .2rem}
ul.hits{margin:0;padding-left:1.1rem}
ul.hits li{margin:.3rem 0;overflow-wrap:anywhere}
ul.hits p{margin:.15rem 0}
mark.watch{background:var(--chip);color:inherit;font-weight:600;padding:0 .15rem;border-radius:.2rem}
section.story{border-left:3px solid var(--accent);padding-left:.8rem;margin:.4rem 0 .8rem}
ol.story-briefing{margin:.2rem 0;padding-left:1.2rem}
ol.story-briefing li{margin:0 0 .35rem}
.who-row{border-top:1px solid var(--line);padding:.35rem 0}
.who-row.disagree{background:var(--warnbg);border-radius:.4rem;padding:.35rem .5rem}
.who-row .values{margin:.15rem 0 0;padding-left:1.1rem;font-size:.92rem}
.who-row .values li{overflow-wrap:anywhere}
ul.names{margin:.1rem 0;padding-left:1.1rem;font-size:.92rem}
@media (max-width:40rem){body{font-size:16px}main{padding:1rem .7rem 3rem}
.pair{grid-template-columns:1fr}article.event{padding:.8rem .8rem}}
@media print{body{background:#fff}details{display:block}article.event{break-inside:avoid}}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _safe_href(url: str | None) -> str | None:
    # Only web links become anchors; anything else (javascript:, file paths) is shown as text.
    if url and is_safe_url(url):  # a malformed URL (``http://[::1``) is no link either
        return url
    return None


def _marked(sentence: dict) -> str:
    return marked_text({"text": sentence["en"], "claims": sentence.get("claims")},
                       '<mark class="unsupported" title="Not found in the article">{} ' + MARK
                       + "</mark>", escape=_e)


def badge(article: dict) -> str:
    """The badge of a briefing with claims its article does not contain ("" without)."""
    n = article.get("unsupported_claims") or 0
    if not n:
        return ""
    return (f' <span class="badge" title="{_e(NOTE)}">{n} claim{"s" if n != 1 else ""} '
            "not in article</span>")


def _summary_items(article: dict) -> str:
    items = []
    for sentence in article["summary"]:
        pairs = []
        if sentence.get("unsupported"):
            missing = ", ".join(f"{u['text']} ({u['label']})" for u in sentence["unsupported"])
            pairs.append(f'<p class="none">Not found in the article: {_e(missing)}</p>')
        for ev in sentence["evidence"]:
            nl = (f'<p class="nl" lang="nl"><span class="lang">Dutch</span>{_e(ev["nl"])}</p>'
                  if ev.get("nl") else "")
            pairs.append(f'<div class="pair">{nl}<p class="en" lang="en">'
                         f'<span class="lang">English</span>{_e(ev["en"])}</p></div>')
        if not sentence["evidence"]:
            pairs.append('<p class="none">No source sentence shares its words.</p>')
        support = f' data-support="{_e(sentence["support"])}"' if sentence.get("support") else ""
        items.append(f"<li{support}><details><summary>{_marked(sentence)}</summary>"
                     f'<div class="evidence">{"".join(pairs)}</div></details></li>')
    if not items:
        empty = article.get("support_notice") or "The summarizer produced no text."
        return f'<p class="none">{_e(empty)}</p>'
    return f'<ol class="briefing">{"".join(items)}</ol>'


def teaser_badge(article: dict) -> str:
    """The mark of a briefing made from a page's teaser only ("" without)."""
    teaser = article.get("teaser")
    if not teaser:
        return ""
    return (f' <span class="badge teaser" title="{_e(teaser.get("reason"))}">teaser only · '
            f'{_e(teaser.get("words"))} words</span>')


def _interval(value: dict) -> str:
    low, high = value.get("low"), value.get("high")
    if low is not None and low == high:
        return _e(f"{low:g}" if isinstance(low, float) else low)
    left = "" if low is None else (f"≥ {low:g}" if value.get("low_closed") else f"> {low:g}")
    right = "" if high is None else (f"≤ {high:g}" if value.get("high_closed") else f"< {high:g}")
    return _e(", ".join(p for p in (left, right) if p) or "?")


def story_section(story: dict) -> str:
    """The event across outlets: its briefing, who says what (disagreements first, never
    folded away), and names only one outlet has or spells differently."""
    outlets = sorted({a["outlet"] for a in story["articles"]})
    parts = [f'<section class="story" aria-label="The event across outlets">'
             f'<h3 class="label">Across {len(outlets)} outlets</h3>']
    if story.get("briefing"):
        items = []
        for sentence in story["briefing"]:
            marks = (' <span class="badge" title="Only one outlet reports what this sentence '
                     'claims">one outlet</span>' if sentence.get("single_outlet") else "")
            claims = [{"text": c["text"], "start": c["start"], "end": c["end"],
                       "supported": c["supported"]} for c in sentence.get("claims") or []
                      if "start" in c]
            text = marked_text({"text": sentence["text"], "claims": claims},
                               '<mark class="unsupported" title="Not found in any article">{} '
                               + MARK + "</mark>", escape=_e)
            items.append(f'<li>{text}{marks} <span class="muted small">'
                         f'({_e(", ".join(sentence.get("outlets") or []))})</span></li>')
        parts.append(f'<ol class="story-briefing">{"".join(items)}</ol>')
    elif story.get("briefing_notice"):
        parts.append(f'<p class="none">{_e(story["briefing_notice"])}</p>')
    rows = sorted(story.get("figures") or [], key=lambda r: r["agree"])
    if rows:
        body = []
        for row in rows:
            status = ('<span class="badge">disagree</span>' if not row["agree"]
                      else '<span class="muted small">agree</span>')
            values = "".join(
                f'<li><span class="fig">{_e(v["text"])}</span> <span class="muted small">'
                f'({_interval(v)})</span> — {_e(v["who"])}'
                + ("" if v.get("who_is_outlet") else f' <span class="muted small">in '
                   f'{_e(v["outlet"])}</span>') + "</li>" for v in row["values"])
            body.append(f'<div class="who-row{"" if row["agree"] else " disagree"}">'
                        f'<div class="what"><strong>{_e(row["what"])}</strong> {status}</div>'
                        f'<ul class="values">{values}</ul></div>')
        parts.append(f'<h3 class="label">Who says what</h3><div class="who">{"".join(body)}</div>')
    names = [n for n in story.get("names") or [] if n.get("variants") or n.get("only_one_outlet")]
    if names:
        shown = []
        for n in names:
            extra = (f' (also spelled {_e(", ".join(n["variants"]))})' if n.get("variants") else "")
            only = (f' <span class="muted small">only {_e(n["outlets"][0])}</span>'
                    if n.get("only_one_outlet") else "")
            shown.append(f"<li>{_e(n['name'])}{extra}{only}</li>")
        parts.append(f'<h3 class="label">Names</h3><ul class="names">{"".join(shown)}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _highlight(text: str, matched: str) -> str:
    """``text`` escaped, with the first occurrence of ``matched`` marked."""
    at = text.find(matched) if matched else -1
    if at < 0:
        return _e(text)
    return (_e(text[:at]) + f'<mark class="watch">{_e(matched)}</mark>'
            + _e(text[at + len(matched):]))


def watched_section(digest: dict, *, article_href=None) -> str:
    """The night's watch hits, per watchlist, before everything else ("" without watchlists).

    Args:
        digest: the digest (its ``watched`` and ``articles``).
        article_href: article id -> link target; default the event on this page.
    """
    watched = digest.get("watched") or []
    if not watched:
        return ""
    titles = {a["id"]: (a.get("title_en") or a["id"], a.get("source_name") or "")
              for a in digest.get("articles") or []}
    blocks = []
    for entry in watched:
        hits = entry.get("hits") or []
        count = len(entry.get("articles") or [])
        head = (f'<h2>{_e(entry["name"])} <span class="muted small">{count} article'
                f'{"s" if count != 1 else ""}</span></h2>')
        if not hits:
            blocks.append(f'<div class="watchlist">{head}<p class="none">Not mentioned '
                          "tonight.</p></div>")
            continue
        items = []
        for hit in hits:
            title, outlet = titles.get(hit["article"], (hit["article"], ""))
            target = (article_href(hit["article"]) if article_href
                      else f'#{hit["group"]}' if hit.get("group") else None)
            name = f'<a href="{_e(target)}">{_e(title)}</a>' if target else _e(title)
            english = (_highlight(hit["en"], hit["matched"]) if hit["lang"] == "en"
                       else _e(hit["en"]))
            dutch = (f'<details><summary class="muted small">Dutch</summary><p lang="nl">'
                     f'{_highlight(hit["nl"], hit["matched"]) if hit["lang"] == "nl" else _e(hit["nl"])}'
                     "</p></details>" if hit.get("nl") else "")
            items.append(f'<li><strong>{name}</strong> <span class="muted small">— '
                         f'{_e(outlet)} · “{_e(hit["matched"])}” for {_e(hit["term"])}</span>'
                         f'<p class="hit">{english}</p>{dutch}</li>')
        blocks.append(f'<div class="watchlist">{head}<ul class="hits">{"".join(items)}</ul></div>')
    return f'<section class="watched" aria-label="Watched"><h2>Watched</h2>{"".join(blocks)}</section>'


def _source_item(source: dict) -> str:
    title = _e(source.get("title") or source["id"])
    href = _safe_href(source.get("url"))
    link = f'<a href="{_e(href)}" rel="noopener">{title}</a>' if href else title
    return f'<li>{link} <span class="muted">— {_e(source["name"])}</span></li>'


def _event(group: dict, by_id: dict, titles: dict) -> str:
    lead = by_id[group["lead"]]
    dates = " – ".join(dict.fromkeys([group["dates"][0], group["dates"][-1]])) \
        if group["dates"] else "undated"
    count = len(group["articles"])
    meta = f'{_e(dates)} · {count} source{"s" if count != 1 else ""}'
    chips = "".join(f"<li>{_e(name)}</li>" for name in group["entities"])
    parts = [f'<article class="event" id="{_e(group["id"])}">',
             f"<h2>{_e(group['headline'])}{badge(lead)}{teaser_badge(lead)}</h2>",
             f'<div class="meta">{meta}</div>']
    if chips:
        parts.append(f'<ul class="chips" aria-label="Key entities">{chips}</ul>')
    if group.get("story"):
        parts.append(story_section(group["story"]))
        parts.append(f'<h3 class="label">{_e(lead["source_name"])}\'s briefing</h3>')
    parts.append(_summary_items(lead))
    parts.append('<h3 class="label">Sources</h3><ul class="sources">'
                 + "".join(_source_item(s) for s in group["sources"]) + "</ul>")
    others = [by_id[i] for i in group["articles"] if i != lead["id"]]
    if others:
        inner = "".join(
            f'<div class="other"><strong>{_e(o.get("title_en") or o["id"])}</strong> '
            f'<span class="muted small">— {_e(o["source_name"])}</span>{badge(o)}{teaser_badge(o)}'
            f"{_summary_items(o)}</div>"
            for o in others)
        # The other briefings are folded away: their count of claims not in the article
        # stays visible on the folded line.
        folded = badge({"unsupported_claims": sum(o.get("unsupported_claims") or 0
                                                  for o in others)})
        parts.append(f'<details class="more"><summary>The other {len(others)} '
                     f'briefing{"s" if len(others) != 1 else ""} of this event{folded}</summary>'
                     f"{inner}</details>")
    if group["related"]:
        links = ", ".join(f'<a href="#{_e(r["group"])}">{_e(titles[r["group"]])}</a>'
                          for r in group["related"])
        parts.append(f'<div class="related muted">Related: {links}</div>')
    parts.append("</article>")
    return "".join(parts)


def _failed(digest: dict) -> str:
    run = digest.get("run") or {}
    blocks = []
    if digest["failed"]:
        items = []
        for item in digest["failed"]:
            retry = retry_note(item)
            href = _safe_href(item.get("url"))
            name = (f'<a href="{_e(href)}" rel="noopener">{_e(item["id"])}</a>' if href
                    else f"<code>{_e(item['id'])}</code>")
            items.append(f"<li>{name} <strong>{_e(item['reason'])}</strong>: {_e(item['message'])}"
                         f' <span class="muted">(attempt {item["attempt"]} of '
                         f'{item["max_attempts"]}, {_e(retry)})</span></li>')
        blocks.append(f'<section class="failed" id="failed"><h2>Not briefed '
                      f'({len(digest["failed"])})</h2><ul>{"".join(items)}</ul></section>')
    if run.get("source_errors"):
        items = "".join(f"<li><code>{_e(e['source'])}</code>: {_e(e['message'])}</li>"
                        for e in run["source_errors"])
        blocks.append(f'<section class="failed"><h2>Sources not read</h2><ul>{items}</ul>'
                      "</section>")
    if run.get("source_warnings"):
        items = "".join(f"<li><code>{_e(w['source'])}</code>: {_e(w['message'])}</li>"
                        for w in run["source_warnings"])
        blocks.append(f'<section class="failed"><h2>Sources read only in part</h2><ul>{items}'
                      "</ul></section>")
    if run.get("exhausted_keys"):
        items = "".join(f"<li><code>{_e(k)}</code></li>" for k in run["exhausted_keys"])
        blocks.append('<section class="failed"><h2>Given up (no attempts left)</h2>'
                      '<p class="small">They are tried again when reprocessed.</p>'
                      f"<ul>{items}</ul></section>")
    return "".join(blocks)


def render_html(digest: dict) -> str:
    """The digest as one HTML page."""
    counts = digest["counts"]
    by_id = {a["id"]: a for a in digest["articles"]}
    titles = {g["id"]: g["headline"] for g in digest["groups"]}
    stats = [("articles", counts["articles"]), ("events", counts["events"]),
             ("not briefed", counts["failed"])]
    stat_items = "".join(f"<li><b>{_e(v)}</b> {_e(k)}</li>" for k, v in stats)
    support = digest.get("support")
    if support:
        n = support["unsupported_claims"]
        stat_items += (f'<li class="{"warn" if n else ""}"><b>{_e(n)}</b> claim{"s" if n != 1 else ""}'
                       f" not in article ({_e(support.get('briefings_with_unsupported', 0))} "
                       "briefings)</li>")
    if counts.get("disagreements"):
        n = counts["disagreements"]
        stat_items += (f'<li class="warn"><b>{_e(n)}</b> figure{"s" if n != 1 else ""} the '
                       "outlets disagree on</li>")
    failed_delivery = [d for d in digest.get("delivery") or [] if not d.get("sent")]
    if failed_delivery:
        names = ", ".join(d["message"] for d in failed_delivery)
        stat_items += (f'<li class="warn">not delivered: {_e(names)}'
                       f' ({_e(failed_delivery[0].get("error"))})</li>')
    if counts.get("teasers"):
        stat_items += f'<li class="warn"><b>{_e(counts["teasers"])}</b> teaser only</li>'
    toc = ""
    if len(digest["groups"]) > 3:
        toc = ('<nav class="toc"><strong>Events</strong><ol>' + "".join(
            f'<li><a href="#{_e(g["id"])}">{_e(g["headline"])}</a></li>'
            for g in digest["groups"]) + "</ol></nav>")
    events = "".join(_event(g, by_id, titles) for g in digest["groups"])
    if not events:
        events = '<p class="muted">Nothing was briefed this night.</p>'
    models = digest.get("models") or {}
    model_names = ", ".join(f"{role}: {info.get('id')}" for role, info in models.items()
                            if isinstance(info, dict))
    footer = (f"Generated {_e(digest['generated_at'])} by briefing "
              f"{_e(digest['pipeline_version'])}"
              + (f" · {_e(model_names)}" if model_names else "")
              + ". Expand a sentence to see the source sentences it draws on, found by word "
              "overlap with the translation.")
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>Briefing digest — {_e(night_date(digest))}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f'<header><div class="muted small">Nightly briefing</div>'
        f"<h1>{_e(night_date(digest))}</h1>"
        f'<div class="small"><b>{_e(night_line(digest))}</b></div>'
        f'<div class="muted small">{_e(run_line(digest.get("run")))}</div>'
        f'<ul class="stats">{stat_items}</ul><p class="note">{_e(NOTE)}</p></header>'
        f"{watched_section(digest)}{toc}{events}{_failed(digest)}"
        f"<footer>{footer}</footer>"
        "</main></body></html>\n"
    )
