"""A story as terminal text: the briefing, then who says what, disagreements first."""

from __future__ import annotations

from pipeline.record.story import FigureValue, Story


def _value(v: FigureValue) -> str:
    who = v.who if v.who_is_outlet else f"{v.who} ({v.outlet})"
    return f"{v.text} — {who}"


def story_text(story: Story) -> str:
    """The story as plain text (callers make it terminal-safe)."""
    lines = [f"Story {story.event}: {len(story.articles)} article(s) from "
             f"{len({a.outlet for a in story.articles})} outlet(s)"]
    if story.briefing:
        lines.append("")
        for sentence in story.briefing:
            marks = " [one outlet]" if sentence.single_outlet else ""
            marks += " [?]" if sentence.unsupported else ""  # a claim to check
            lines.append(f"  {sentence.text}{marks}  ({', '.join(sentence.outlets)})")
    elif story.briefing_notice:
        lines.append(f"  ({story.briefing_notice})")
    rows = sorted(story.figures, key=lambda r: r.agree)
    if rows:
        lines += ["", "Who says what:"]
        for row in rows:
            lines.append(f"  {'DISAGREE' if not row.agree else 'agree   '}  {row.what}")
            lines += [f"      {_value(v)}" for v in row.values]
    names = [n for n in story.names if n.variants or n.only_one_outlet]
    if names:
        lines += ["", "Names:"]
        for name in names:
            extra = f" (also spelled {', '.join(name.variants)})" if name.variants else ""
            only = " — only " + name.outlets[0] if name.only_one_outlet else ""
            lines.append(f"  {name.name}{extra}{only}")
    lines.append("")
    lines.append(f"{len(story.disagreements)} disagreement(s) in {len(story.figures)} figure row(s)")
    return "\n".join(lines)
