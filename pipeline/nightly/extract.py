"""Article text out of HTML: whole pages with trafilatura, feed fragments with html.parser.

Both return paragraphs separated by blank lines, the layout the rest of the pipeline expects.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article

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


def page_to_article(page: bytes | str, *, article_id: str, origin: str, url: str | None,
                    source: str | None) -> Article:
    """Extract the article in a web page (boilerplate, menus and comments removed).

    Raises:
        ArticleError: reason ``no-text`` when no article text can be found.
    """
    import trafilatura  # heavy; only runs that read HTML pay for it

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
    date = getattr(document, "date", None) or None
    page_url = url or getattr(document, "url", None) or None
    return Article(id=article_id, text="\n\n".join(lines), origin=origin, date=date,
                   title=title, url=page_url, source=source or getattr(document, "sitename", None))
