"""Article text out of HTML: whole pages with trafilatura, feed fragments with html.parser.

Both return paragraphs separated by blank lines, the layout the rest of the pipeline expects.
"""

from __future__ import annotations

import html
import logging
import re
from html.parser import HTMLParser

from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article
from pipeline.nightly.teaser import teaser_of

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "section", "article", "figure", "figcaption", "table", "tr", "hr"}
_SKIP_TAGS = {"script", "style", "noscript", "template"}
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data) -> None:
        if not self._skipping:
            self.parts.append(data)


def fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content); plain text passes through.

    Block elements become paragraph breaks; existing blank lines are kept.
    """
    if not _TAG.search(fragment):
        return html.unescape(fragment).strip()
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    text = "".join(collector.parts)
    return re.sub(r"\n\s*\n\s*", "\n\n", text).strip()


# Pages that say what they are (og:type) and are not news.
_NON_ARTICLE_TYPES = {"product", "product.item", "product.group", "profile", "music.song",
                      "video.other", "book"}
_PRICE = re.compile(r"[€$£]\s?\d|\d\s?[€$£]|\b\d+[.,]\d{2}\s?(?:euro|eur)\b|\bEUR\s?\d", re.I)
_RATING = re.compile(r"[★☆]|\b\d(?:[.,]\d)?\s?(?:/|van|uit|out of)\s?(?:5|10)\b"
                     r"|\b\d+\s?(?:reviews?|beoordelingen|recensies|sterren|stars)\b", re.I)
MIN_LINES_JUDGED = 8      # fewer lines: too little to call it a listing
SHORT_LINE_WORDS = 6      # a line under this many words is a label, a price, a menu item
MAX_SHORT_SHARE = 0.6     # an article is running text: most of its lines are sentences
MAX_COMMERCE_SHARE = 0.3  # a shop or review listing: prices and ratings on many lines


def not_an_article(lines: list[str], pagetype: str | None = None) -> str | None:
    """Why extracted text is obviously not a news article, or None.

    Three simple signals, any one enough: the page declares a non-article type (``og:type``
    product, profile, …); most lines are shorter than :data:`SHORT_LINE_WORDS` words (a
    listing, a menu); or many lines carry prices or ratings (a shop page). The last two need
    at least :data:`MIN_LINES_JUDGED` lines.
    """
    if pagetype and pagetype.strip().lower() in _NON_ARTICLE_TYPES:
        return f"the page declares itself a {pagetype.strip()} page"
    if len(lines) < MIN_LINES_JUDGED:
        return None
    short = sum(1 for line in lines if len(line.split()) < SHORT_LINE_WORDS) / len(lines)
    if short > MAX_SHORT_SHARE:
        return (f"{short:.0%} of its {len(lines)} lines have fewer than {SHORT_LINE_WORDS} "
                "words (a listing or menu, not running text)")
    commerce = sum(1 for line in lines
                   if _PRICE.search(line) or _RATING.search(line)) / len(lines)
    if commerce > MAX_COMMERCE_SHARE:
        return f"{commerce:.0%} of its {len(lines)} lines show prices or ratings (a shop page)"
    return None


def _quiet_trafilatura() -> None:
    """trafilatura logs ERROR lines ("empty HTML tree") for pages this module reports as
    their own error; keep them off stderr unless its logger was configured."""
    logger = logging.getLogger("trafilatura")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.CRITICAL)


def page_to_article(page: bytes | str, *, article_id: str, origin: str, url: str | None,
                    source: str | None, teasers: str = "mark") -> Article:
    """Extract the article in a web page (boilerplate, menus and comments removed).

    Raises:
        ArticleError: reason ``no-text`` when no article text can be found, ``not-article``
            when the page is obviously something else (:func:`not_an_article`), ``teaser``
            when it is only a teaser and ``teasers`` is ``skip`` (otherwise the article
            carries ``extra["teaser"]``: :mod:`pipeline.nightly.teaser`).
    """
    import trafilatura  # heavy; only runs that read HTML pay for it

    _quiet_trafilatura()
    document = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False)
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not text:
        raise ArticleError(f"{origin}: no article text found in the page", reason="no-text",
                           origin=origin, article_id=article_id)
    title = (getattr(document, "title", None) or "").strip() or None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    if not lines:
        raise ArticleError(f"{origin}: the page has a headline but no text", reason="no-text",
                           origin=origin, article_id=article_id)
    why = not_an_article(lines, getattr(document, "pagetype", None))
    if why:
        raise ArticleError(f"{origin}: not an article: {why}", reason="not-article",
                           origin=origin, article_id=article_id)
    date = getattr(document, "date", None) or None
    page_url = url or getattr(document, "url", None) or None
    teaser = teaser_of(lines, page if isinstance(page, str) else page.decode("utf-8", "replace"))
    if teaser is not None and teasers == "skip":
        raise ArticleError(f"{origin}: only a teaser of the article ({teaser.reason}); not "
                           "briefed", reason="teaser", origin=origin, article_id=article_id)
    return Article(id=article_id, text="\n\n".join(lines), origin=origin, date=date,
                   title=title, url=page_url, source=source or getattr(document, "sitename", None),
                   extra={"teaser": teaser.to_dict()} if teaser else {})
