"""Is a page's extracted text the article, or only its teaser (a paywall, a "read on" stub)?

A paywalled page still has a headline and an opening paragraph, and extraction returns
them as if they were the article; a briefing of them would present two sentences as the
story. Three signals, any one enough:

- the page's JSON-LD says ``"isAccessibleForFree": false`` (schema.org's paywall marking,
  which Google asks publishers to use for subscription content);
- the text ends in a paywall phrase ("Lees verder", "Word abonnee", "Dit artikel is
  exclusief voor abonnees", "Log in om verder te lezen", "subscribe to continue reading"):
  only a short line among the last two counts, since an article may quote such a phrase;
- the text is shorter than the floor (:data:`TEASER_MIN_WORDS` words): too short to be
  a news article rather than its opening.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# The same floor as a feed entry that is fetched from its link (nightly.feed_min_words).
TEASER_MIN_WORDS = 80
PAYWALL_PHRASES = (
    "lees verder", "lees het hele artikel", "lees het volledige artikel", "word abonnee",
    "neem een abonnement", "dit artikel is exclusief voor abonnees", "exclusief voor abonnees",
    "alleen voor abonnees", "log in om verder te lezen", "log in om dit artikel te lezen",
    "abonneer je", "abonneer nu", "premium artikel", "plus artikel", "subscribe to continue",
    "subscribe to read", "this article is for subscribers", "sign in to continue reading",
)
# A paywall phrase counts where a paywall puts it, in a short call to action at the end of
# the text; the same words inside a sentence of the reporting are a quotation.
_LAST_LINES = 2
_PROMPT_MAX_WORDS = 25
_JSON_LD = re.compile(r"<script[^>]+type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
                      re.IGNORECASE | re.DOTALL)
_FREE = re.compile(r"[\"']isAccessibleForFree[\"']\s*:\s*(false|[\"']false[\"'])", re.IGNORECASE)


@dataclass(frozen=True)
class Teaser:
    """Why a text is a teaser, and how many words it has."""

    reason: str
    words: int

    def to_dict(self) -> dict:
        """The form kept in the article's ``extra["teaser"]``."""
        return {"reason": self.reason, "words": self.words}


def _not_free(page: str) -> bool:
    for block in _JSON_LD.findall(page[:2_000_000]):
        if _FREE.search(block):
            return True
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if item.get("isAccessibleForFree") in (False, "false", "False"):
                    return True
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return False


def teaser_of(lines: list[str], page: str | None = None, *,
              min_words: int = TEASER_MIN_WORDS) -> Teaser | None:
    """Why the extracted ``lines`` are only a teaser of the article, or None.

    Args:
        lines: the extracted text, one paragraph per item (headline removed).
        page: the page's HTML, for its JSON-LD paywall marking.
        min_words: the length floor.
    """
    words = sum(len(line.split()) for line in lines)
    if page and _not_free(page):
        return Teaser("the page marks itself as not free to read (isAccessibleForFree: false)",
                      words)
    tail = " ".join(line for line in lines[-_LAST_LINES:]
                    if len(line.split()) <= _PROMPT_MAX_WORDS).lower()
    phrase = next((p for p in PAYWALL_PHRASES if p in tail), None)
    if phrase:
        return Teaser(f"the text ends at a paywall (\"{phrase}\")", words)
    if words < min_words:
        return Teaser(f"only {words} words (fewer than {min_words})", words)
    return None
