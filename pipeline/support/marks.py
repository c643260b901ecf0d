"""How an unsupported claim is marked on its sentence, for every rendering of a briefing.

The same words are used everywhere a reader sees a briefing (terminal, digest.html,
digest.md, evaluation report): :data:`NOTE` says once what the briefings are and how to read
the marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.core.markdown import piece, text

MARK = "[?]"
NOTE = ("Briefings are machine-translated and machine-summarized. A name or figure marked "
        "[?] was not found in the article (its English translation or the Dutch original): "
        "check it before use. Unmarked names and figures were found there; that does not "
        "prove they are used in the right role.")
def marked_text(sentence: dict, template: str,
                escape: Callable[[str], str] = lambda text: text) -> str:
    """A summary sentence (its JSON object) with each unsupported claim marked.

    Args:
        sentence: an item of ``Briefing.summary`` (``text`` and ``claims`` with offsets).
        template: how a claim is written, ``{}`` standing for the (escaped) claim text.
        escape: applied to every piece of the sentence (HTML or Markdown escaping).
    """
    text = sentence.get("text", "")
    pieces, at = [], 0
    for claim in sorted(sentence.get("claims") or [], key=lambda c: c.get("start", 0)):
        start, end = claim.get("start"), claim.get("end")
        if claim.get("supported", True) or start is None or end is None or start < at:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(template.format(escape(text[start:end])))
        at = end
    pieces.append(escape(text[at:]))
    return "".join(pieces)


def marks_claims(support: dict | None) -> bool:
    """Whether unsupported claims are shown to readers under a briefing's support record:
    every policy but ``keep`` (which records them in the JSON only)."""
    return (support or {}).get("policy", "flag") != "keep"


def unsupported_count(briefing: dict) -> int:
    """Unsupported claims in a briefing JSON object (0 without support data or with ``keep``)."""
    if not marks_claims(briefing.get("support")):
        return 0
    return sum(len(s.get("unsupported") or []) for s in briefing.get("summary") or [])


# -- Markdown, as both digests write it ---------------------------------------------------

def markdown_summary(sentences: Iterable[dict]) -> str:
    """Summary sentences (``text`` and ``claims``) as one Markdown paragraph, each unsupported
    claim in bold and followed by ``[?]``."""
    mark = "**{}** " + text(MARK)
    return " ".join(marked_text(sentence, mark, piece).strip() for sentence in sentences)


def markdown_claim_count(count: int) -> str:
    """The bold note on one briefing: how many of its claims the article does not contain."""
    return f"**{text(MARK)} {count} claim(s) not in the article**"


def markdown_header(total: int, briefings: int) -> list[str]:
    """A digest's header lines: the count over all briefings, then :data:`NOTE` once."""
    return [f"**{total} claim(s) not found in their article**, in {briefings} briefing(s).",
            "", f"*{text(NOTE)}*", ""]
