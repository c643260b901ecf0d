"""How an unsupported claim is marked on its sentence, for every rendering of a briefing.

The same words are used everywhere a reader sees a briefing (terminal, digest.html,
digest.md, evaluation report): :data:`NOTE` says once what the briefings are and how to read
the marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pipeline.core.errors import BriefingFormatError
from pipeline.core.markdown import piece, text
from pipeline.record.base import format_error
from pipeline.record.sentence import Claim, ClaimSpan, SummarySentence

if TYPE_CHECKING:
    from pipeline.record.briefing import SupportTotals

MARK = "[?]"
NOTE = ("Briefings are machine-translated and machine-summarized. A name or figure marked "
        "[?] was not found in the article (its English translation or the Dutch original), "
        "or is a name the sentence gives twice in two roles: check it before use. Unmarked "
        "names and figures were found there; that does not prove they are used in the "
        "right role.")


def marked_text(sentence: SummarySentence | Mapping[str, Any], template: str,
                escape: Callable[[str], str] = lambda text: text) -> str:
    """A summary sentence with each unsupported claim marked.

    Args:
        sentence: an item of ``Briefing.summary``, or a JSON object with its ``text`` and
            ``claims`` (a digest's or report's sentence); each claim is read as a
            :class:`~pipeline.record.sentence.ClaimSpan`, so one without ``supported`` is
            an error, never an unmarked claim.
        template: how a claim is written, ``{}`` standing for the (escaped) claim text.
        escape: applied to every piece of the sentence (HTML or Markdown escaping).

    Raises:
        BriefingFormatError: a claim is missing a field or has one of the wrong type.
    """
    if isinstance(sentence, SummarySentence):
        body, claims = sentence.text, sentence.claims
    else:
        body, claims = sentence.get("text", ""), read_claims(sentence.get("claims"))
    pieces, at = [], 0
    for claim in sorted(claims, key=lambda c: c.start):
        if not claim.marked or claim.start < at:
            continue
        pieces.append(escape(body[at:claim.start]))
        pieces.append(template.format(escape(body[claim.start:claim.end])))
        at = claim.end
    pieces.append(escape(body[at:]))
    return "".join(pieces)


def has_marks(sentences: Iterable[SummarySentence | Mapping[str, Any]]) -> bool:
    """Whether :func:`marked_text` marks a claim in any of ``sentences`` (read as it reads
    them), so that a page shows :data:`NOTE` beside them."""
    for sentence in sentences:
        claims = (sentence.claims if isinstance(sentence, SummarySentence)
                  else read_claims(sentence.get("claims")))
        if any(claim.marked for claim in claims):
            return True
    return False


def read_claims(raw: Any) -> list[Claim | ClaimSpan]:
    """A JSON sentence's ``claims`` (None: none) as :func:`marked_text` reads them.

    Raises:
        BriefingFormatError: not a list, or a claim missing a field or of the wrong type.
    """
    if raw is not None and not isinstance(raw, list):
        raise BriefingFormatError(f"claims: a list expected, got {type(raw).__name__}")
    try:
        return [c if isinstance(c, Claim | ClaimSpan) else ClaimSpan.model_validate(c)
                for c in raw or []]
    except ValidationError as err:
        raise format_error(err, "claim") from None


def marks_claims(support: SupportTotals | Mapping[str, Any] | None) -> bool:
    """Whether unsupported claims are shown to readers under a briefing's support record:
    every policy but ``keep`` (which records them in the JSON only)."""
    if support is None:
        return True
    policy = support.get("policy") if isinstance(support, Mapping) else support.policy
    return policy != "keep"


# -- Markdown, as both digests write it ---------------------------------------------------

def markdown_summary(sentences: Iterable[SummarySentence | Mapping[str, Any]]) -> str:
    """Summary sentences (``text`` and ``claims``) as one Markdown paragraph, each unsupported
    claim in bold and followed by ``[?]``."""
    mark = "**{}** " + text(MARK)
    return " ".join(marked_text(sentence, mark, piece).strip() for sentence in sentences)


def markdown_claim_count(count: int) -> str:
    """The bold note on one briefing: how many of its claims are marked (to check)."""
    return f"**{text(MARK)} {count} claim(s) to check**"


def markdown_header(total: int, briefings: int) -> list[str]:
    """A digest's header lines: the count over all briefings, then :data:`NOTE` once."""
    return [f"**{total} claim(s) to check**, in {briefings} briefing(s).",
            "", f"*{text(NOTE)}*", ""]
