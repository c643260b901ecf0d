"""``digest.md``: the night's digest (see :mod:`pipeline.nightly.digest`) as Markdown.

A name or figure the article does not contain is written in bold and followed by ``[?]``;
a briefing with such claims gets a line saying how many; the header counts them.
"""

from __future__ import annotations

from pipeline.core.markdown import code, link, text
from pipeline.pages.digest_lines import night_date, night_line, retry_note, run_line, summary_view
from pipeline.record.marks import markdown_claim_count, markdown_header, markdown_summary


def _briefing_md(article: dict) -> str:
    summary = summary_view(article)
    if not summary:
        return text(article.get("support_notice") or article.get("briefing_en")
                    or "(the summarizer produced no text)")
    return markdown_summary({"text": s["text"], "claims": s["claims"]} for s in summary)


def teaser_md(article: dict) -> str:
    """The mark of a briefing made from a page's teaser only."""
    teaser = article["teaser"]
    return f"**Teaser only** ({teaser.get('words')} words): {text(teaser.get('reason') or '')}"


def story_md(story: dict) -> list[str]:
    """The event across outlets, in Markdown: briefing, who says what, names."""
    outlets = sorted({a["outlet"] for a in story["articles"]})
    lines = [f"**Across {len(outlets)} outlets**", ""]
    for sentence in story.get("briefing") or []:
        marks = " **[one outlet]**" if sentence.get("single_outlet") else ""
        lines.append(f"- {text(sentence['text'])}{marks} "
                     f"({text(', '.join(sentence.get('outlets') or []))})")
    if not story.get("briefing") and story.get("briefing_notice"):
        lines.append(f"- *{text(story['briefing_notice'])}*")
    lines.append("")
    rows = sorted(story.get("figures") or [], key=lambda r: r["agree"])
    if rows:
        lines += ["**Who says what**", ""]
        for row in rows:
            status = "**DISAGREE**" if not row["agree"] else "agree"
            said = "; ".join(f"{text(v['text'])} — {text(v['who'])}"
                             + ("" if v.get("who_is_outlet") else f" ({text(v['outlet'])})")
                             for v in row["values"])
            lines.append(f"- {status}: {text(row['what'])}: {said}")
        lines.append("")
    names = [n for n in story.get("names") or [] if n.get("variants") or n.get("only_one_outlet")]
    if names:
        shown = [text(n["name"]) + (f" (also {text(', '.join(n['variants']))})" if n.get("variants")
                                    else "") + (f" (only {text(n['outlets'][0])})"
                                                if n.get("only_one_outlet") else "")
                 for n in names]
        lines += ["Names: " + "; ".join(shown), ""]
    return lines


def watched_md(digest: dict) -> list[str]:
    """The watch hits per watchlist, in Markdown (empty without watchlists)."""
    watched = digest.get("watched") or []
    if not watched:
        return []
    titles = {a["id"]: a.get("title_en") or a["id"] for a in digest.get("articles") or []}
    lines = ["## Watched", ""]
    for entry in watched:
        lines += [f"### {text(entry['name'])} ({len(entry.get('articles') or [])} article(s))", ""]
        for hit in entry.get("hits") or []:
            lines.append(f"- **{text(titles.get(hit['article'], hit['article']))}** — "
                         f"“{text(hit['matched'])}” for {text(hit['term'])}: {text(hit['en'])}")
        if not entry.get("hits"):
            lines.append("- Not mentioned tonight.")
        lines.append("")
    return lines


def render_md(digest: dict) -> str:
    """Render the digest: events (largest first), then what failed, then the run summary."""
    counts = digest["counts"]
    lines = [f"# Briefing digest — {night_date(digest)}", ""]
    if night_line(digest):
        lines.append(night_line(digest) + "  ")
    lines.append(f"{counts['articles']} article(s) in {counts['events']} event(s); "
                 f"{counts['failed']} not briefed."
                 + (f" {counts['teasers']} briefed from a teaser only." if counts.get("teasers")
                    else "")
                 + (f" {counts['disagreements']} figure(s) the outlets disagree on."
                    if counts.get("disagreements") else ""))
    lines.append("")
    for delivery in digest.get("delivery") or []:
        if not delivery.get("sent"):
            lines += [f"**Not delivered** ({text(delivery['message'])}): "
                      f"{text(delivery.get('error') or '')}", ""]
    support = digest.get("support")
    if support:
        lines += markdown_header(support["unsupported_claims"],
                                 support.get("briefings_with_unsupported", 0))
    lines.append(run_line(digest.get("run")))
    lines.append("")
    lines += watched_md(digest)
    by_id = {a["id"]: a for a in digest["articles"]}
    group_titles = {g["id"]: g["headline"] for g in digest["groups"]}
    for group in digest["groups"]:
        lead = by_id[group["lead"]]
        lines.append(f"## {text(group['headline'])}")
        lines.append("")
        meta = []
        if group["dates"]:
            meta.append(" – ".join(dict.fromkeys([group["dates"][0], group["dates"][-1]])))
        meta.append(f"{len(group['articles'])} source(s)")
        if group["entities"]:
            meta.append(", ".join(group["entities"]))
        lines.append("*" + " · ".join(text(m) for m in meta) + "*")
        lines.append("")
        if lead.get("unsupported_claims"):
            lines.append(markdown_claim_count(lead["unsupported_claims"]))
            lines.append("")
        if group.get("story"):
            lines += story_md(group["story"])
            lines.append(f"**{text(lead['source_name'])}'s briefing**")
            lines.append("")
        if lead.get("teaser"):
            lines.append(teaser_md(lead))
            lines.append("")
        lines.append(_briefing_md(lead))
        lines.append("")
        for source in group["sources"]:
            title = source.get("title") or source["id"]
            missing = (by_id.get(source["id"]) or {}).get("unsupported_claims")
            lines.append(f"- {link(title, source.get('url'))} — {text(source['name'])} "
                         f"({code(source['id'])})"
                         + (f" — {markdown_claim_count(missing)}" if missing else ""))
        if group["related"]:
            related = ", ".join(f"{text(group_titles[r['group']])}" for r in group["related"])
            lines.append("")
            lines.append(f"Related: {related}")
        lines.append("")
    if digest["failed"]:
        lines.append(f"## Not briefed ({len(digest['failed'])})")
        lines.append("")
        for item in digest["failed"]:
            retry = retry_note(item)
            lines.append(f"- {code(item['id'])} ({text(item['reason'])}): {text(item['message'])} "
                         f"— attempt {item['attempt']} of {item['max_attempts']}, {retry}")
        lines.append("")
    run = digest.get("run") or {}
    if run.get("source_errors"):
        lines.append("## Sources not read")
        lines.append("")
        for error in run["source_errors"]:
            lines.append(f"- {code(error['source'])}: {text(error['message'])}")
        lines.append("")
    if run.get("source_warnings"):
        lines.append("## Sources read only in part")
        lines.append("")
        for warning in run["source_warnings"]:
            lines.append(f"- {code(warning['source'])}: {text(warning['message'])}")
        lines.append("")
    if run.get("exhausted_keys"):
        lines.append("## Given up (no attempts left; they are tried again when reprocessed)")
        lines.append("")
        for key in run["exhausted_keys"]:
            lines.append(f"- {code(key)}")
        lines.append("")
    return "\n".join(lines)
