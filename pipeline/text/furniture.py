"""Page furniture in a summary: a news page's call to its reader, not the story.

News sites print calls to act on the page around their articles ("Click here for all the
latest Arsenal news", "Scroll down for video", "Follow us on Twitter"). Summarizers trained
on such pages (the CNN/Daily Mail set behind the default summarizer, distilbart-cnn) learnt
these lines with the stories and write them where the article has none. Such a line asks
the reader to do something with the page; it states nothing the article says.

A sentence counts as one when it opens with a verb of acting on a page in the imperative,
addressed to the reader: click or tap (here, on, the link), press (here, the button),
scroll or swipe (a direction), follow us, sign up or subscribe (for, to, now, here, or
alone), or visit a web address. Only the
opening counts: after a subject ("Users can click here") or inside a quotation the words
are the story's, and so are a verb that is no page's ("Press on with the reforms") and a
noun ("Sign up was slow").
"""

from __future__ import annotations

import re

_ON_PAGE = r"(?:here|on|through|below|above|the\s+(?:link|button|image|picture|video))"
_PRESSED = r"(?:here|the\s+(?:link|button|play\s+button))"  # not "press on with ..."
_DIRECTION = r"(?:down|up|left|right|through|below|above)"
_FOR = r"(?:\s+(?:for|to|now|here|today|at)\b|\s*[.!]?\s*$)"  # "Sign up." is one too
_CALL = re.compile(
    r"^[\s*•\-–—]*(?P<call>(?:please\s+)?"
    rf"(?:(?:click|tap)\s+{_ON_PAGE}\b|press\s+{_PRESSED}\b|(?:scroll|swipe)\s+{_DIRECTION}\b"
    rf"|follow\s+us\b|sign\s+up(?={_FOR})|subscribe(?={_FOR})"
    r"|visit\s+(?:www\.)?[\w-]+\.(?:com|co\.uk|org|net|nl|be|eu)\b))",
    re.IGNORECASE)


def reader_call(sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` opens with a call to the reader to act on the page (see the
    module): the offsets of the call's words ("Click here"), else None."""
    match = _CALL.match(sentence)
    return match.span("call") if match else None


def makes_call(text: str, call: str) -> bool:
    """Whether ``text`` (an article) has the words of ``call`` itself, in any case."""
    words = re.findall(r"[\w.]+", call)
    pattern = r"(?<![\w-])" + r"[\s-]+".join(re.escape(w) for w in words) + r"(?![\w-])"
    return bool(words) and re.search(pattern, text, re.IGNORECASE) is not None
