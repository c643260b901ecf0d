"""Where the night's articles come from, as a stream of keyed candidates.

A source is one of (``nightly.sources`` or ``--source``):
- a folder: every ``.txt`` (desk format), ``.jsonl`` and ``.html``/``.htm`` file below it;
- a ``.txt``, ``.jsonl`` or ``.html`` file;
- an RSS/Atom feed: a local ``.xml``/``.rss``/``.atom`` file or an http(s) URL (feedparser);
- an http(s) URL of a single article page.

Every article gets a *key* that identifies it across nights: its URL when it has one, else
``SOURCE/ID`` (the source as written in the config, the article id). A feed entry whose text is
shorter than ``nightly.feed_min_words`` is a teaser: its link is fetched and the article is
extracted from the page (trafilatura), but only when the state does not already know that
entry in the same version (see :class:`Candidate.stamp`).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.core.errors import ArticleError, ConfigError, FetchError, FetchRefusedError
from pipeline.core.netguard import is_http_url
from pipeline.ingest.article import Article
from pipeline.ingest.readers import read_file, safe_id
from pipeline.ingest.walk import walk_article_files
from pipeline.nightly.extract import fragment_to_text, page_to_article
from pipeline.nightly.fetch import Fetched

ARTICLE_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")


@dataclass(frozen=True)
class Candidate:
    """One article as offered by a source, not yet compared with the state.

    Exactly one of ``article``, ``error`` and ``fetch_url`` is set: the article itself, why it
    could not be read, or the page still to fetch for it.

    Attributes:
        key: identity across nights (URL, or ``SOURCE/ID``).
        source: the source as configured.
        stamp: the feed's version of the entry (its updated/published value) for entries that
            need a fetch: an unchanged stamp of an article already done means no fetch.
    """

    key: str
    source: str
    article: Article | None = None
    error: ArticleError | None = None
    fetch_url: str | None = None
    stamp: str | None = None
    title: str | None = None
    date: str | None = None
    display_source: str | None = None
    partial: bool = False


@dataclass(frozen=True)
class SourceError:
    """A whole source could not be read tonight (its articles are not lost: see the digest)."""

    source: str
    message: str


@dataclass(frozen=True)
class SourceWarning:
    """A source was read, but perhaps not whole (a malformed feed): what was read is used,
    nothing is concluded from what is missing, and the digest says so."""

    source: str
    message: str


@dataclass(frozen=True)
class SourceContext:
    """What reading sources needs."""

    max_article_bytes: int
    feed_min_words: int
    fetch: Callable[[str], Fetched]
    max_feed_bytes: int = 5_000_000
    teasers: str = "mark"  # nightly.teasers: a teaser page is briefed marked, or skipped
    warnings: list[SourceWarning] = field(default_factory=list)


def check_sources(specs: list[str]) -> None:
    """Fail early on sources that cannot work (usage errors, exit 2).

    Raises:
        ConfigError: no sources, or an unsupported local file type.
        FileNotFoundError: a local path does not exist.
    """
    if not specs:
        raise ConfigError("no sources: give a source path or URL, or set nightly.sources")
    for spec in specs:
        if is_http_url(spec):
            continue
        path = _local_path(spec)
        if not path.exists():
            raise FileNotFoundError(spec)
        if path.is_file() and path.suffix.lower() not in ARTICLE_SUFFIXES + FEED_SUFFIXES:
            raise ConfigError(
                f"source {spec}: unsupported file type '{path.suffix}'; expected a folder, "
                f"{', '.join(ARTICLE_SUFFIXES + FEED_SUFFIXES)}, or an http(s) URL")


def read_source(spec: str, ctx: SourceContext) -> Iterator[Candidate]:
    """Yield the candidates of one source.

    Raises:
        FetchError: a feed URL cannot be fetched (the caller records a :class:`SourceError`).
        OSError: a local feed cannot be read.
    """
    if is_http_url(spec):
        fetched = ctx.fetch(spec)
        yield from _read_remote(spec, fetched, ctx)
        return
    path = _local_path(spec)
    if path.is_dir():
        for item in walk_article_files(path, ARTICLE_SUFFIXES):
            if isinstance(item, ArticleError):  # a link, FIFO or unreadable folder
                yield Candidate(key=item.origin, source=spec, error=item)
            else:
                yield from _read_article_file(spec, item, ctx)
    elif path.suffix.lower() in FEED_SUFFIXES:
        data = read_bounded(path, ctx.max_feed_bytes)
        if data is None:
            raise FetchError(f"{spec}: larger than {ctx.max_feed_bytes:,} bytes "
                             "(nightly.fetch_max_bytes); not read")
        yield from _read_feed(spec, data, ctx, base_url=None)
    else:
        yield from _read_article_file(spec, path, ctx)


def resolve(candidate: Candidate, ctx: SourceContext) -> Candidate:
    """Fetch and extract the page of a candidate that needs it; others pass through."""
    if candidate.fetch_url is None:
        return candidate
    article_id = _id_from_url(candidate.fetch_url)
    try:
        fetched = ctx.fetch(candidate.fetch_url)
        article = page_to_article(fetched.content, article_id=article_id,
                                  origin=candidate.fetch_url, url=candidate.fetch_url,
                                  source=candidate.display_source, teasers=ctx.teasers)
    except FetchError as exc:
        # A refused address or scheme is the link's doing: recorded once, not retried.
        reason = "fetch-refused" if isinstance(exc, FetchRefusedError) else "fetch-failed"
        error = ArticleError(f"cannot fetch the article page: {exc}", reason=reason,
                             origin=candidate.fetch_url, article_id=article_id)
        return replace(candidate, fetch_url=None, error=error)
    except ArticleError as error:
        return replace(candidate, fetch_url=None, error=error)
    article = replace(article, title=candidate.title or article.title,
                      date=candidate.date or article.date)
    return replace(candidate, fetch_url=None, article=article)


def content_hash(article: Article) -> str:
    """What "changed" means: the text and the headline, whitespace-normalised."""
    text = " ".join(article.text.split())
    title = " ".join((article.title or "").split())
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()


# -- readers --------------------------------------------------------------------------------


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None when it holds more than ``limit``: the size is checked
    before reading, and the read stops after ``limit + 1`` bytes (a file still growing, a
    device), so an oversized file never costs its size in memory."""
    if path.stat().st_size > limit:
        return None
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _local_path(spec: str) -> Path:
    if spec.startswith("file://"):
        spec = urlsplit(spec).path
    return Path(spec).expanduser()


def _file_key(spec: str, article_id: str) -> str:
    return f"{spec.rstrip('/')}/{article_id}"


def _read_article_file(spec: str, path: Path, ctx: SourceContext) -> Iterator[Candidate]:
    if path.suffix.lower() in (".html", ".htm"):
        article_id = safe_id(path.stem)
        try:
            data = read_bounded(path, ctx.max_article_bytes * 4)  # markup weighs more
            if data is None:
                raise ArticleError(f"{path}: the page is too large", reason="too-large",
                                   origin=str(path), article_id=article_id)
            article = page_to_article(data, article_id=article_id, origin=str(path), url=None,
                                      source=None, teasers=ctx.teasers)
        except OSError as exc:
            error = ArticleError(f"{path}: cannot read ({exc.strerror})", reason="unreadable",
                                 origin=str(path), article_id=article_id)
            yield Candidate(key=_file_key(spec, article_id), source=spec, error=error)
            return
        except ArticleError as error:
            yield Candidate(key=_file_key(spec, article_id), source=spec, error=error)
            return
        yield _article_candidate(spec, article)
        return
    for item in read_file(path, max_bytes=ctx.max_article_bytes):
        if isinstance(item, ArticleError):
            key = _file_key(spec, item.article_id) if item.article_id else item.origin
            yield Candidate(key=key, source=spec, error=item)
        else:
            yield _article_candidate(spec, item)


def _article_candidate(spec: str, article: Article) -> Candidate:
    key = article.url if article.url and is_http_url(article.url) else _file_key(spec, article.id)
    return Candidate(key=key, source=spec, article=article)


def _read_remote(spec: str, fetched: Fetched, ctx: SourceContext) -> Iterator[Candidate]:
    parsed = _parse_feed(fetched.content)
    if parsed.get("version") or parsed.entries:
        yield from _read_feed(spec, fetched.content, ctx, base_url=fetched.url, parsed=parsed)
        return
    article_id = _id_from_url(fetched.url)
    try:
        article = page_to_article(fetched.content, article_id=article_id, origin=spec,
                                  url=fetched.url, source=urlsplit(fetched.url).netloc,
                                  teasers=ctx.teasers)
    except ArticleError as error:
        yield Candidate(key=spec, source=spec, error=error)
        return
    yield Candidate(key=spec, source=spec, article=article)


def _read_feed(spec: str, data: bytes, ctx: SourceContext, *, base_url: str | None,
               parsed=None) -> Iterator[Candidate]:
    if parsed is None:
        parsed = _parse_feed(data)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FetchError(f"{spec}: not an RSS/Atom feed" + (f" ({problem})" if problem else ""))
    feed_title = (parsed.feed.get("title") or "").strip() or urlsplit(base_url or spec).netloc
    entries = list(parsed.entries)
    problem = _feed_problem(parsed)
    if problem:
        # feedparser read what it could of a malformed (often cut-off) feed. The last entry
        # read may itself be cut off: it waits for a whole feed. The others are used, but
        # marked partial so that they never replace an article the state already has.
        held = entries.pop() if entries else None
        ctx.warnings.append(SourceWarning(source=spec, message=(
            f"{spec}: the feed is malformed ({problem}); {len(entries)} entr"
            f"{'y' if len(entries) == 1 else 'ies'} read, "
            + ("the last one held back, " if held is not None else "")
            + "more may be missing")))
    for number, entry in enumerate(entries, start=1):
        candidate = _entry_candidate(spec, entry, number, feed_title or spec, ctx)
        yield replace(candidate, partial=True) if problem else candidate


def _parse_feed(data: bytes):
    """feedparser on the bytes themselves: given bytes or a string, feedparser would open a
    URL or a local file of that name (a page whose body is ``/etc/…`` or ``http://…``)."""
    import feedparser

    return feedparser.parse(io.BytesIO(data))


def _feed_problem(parsed) -> str | None:
    """Why feedparser could not read a feed whole, or None (harmless notes are ignored)."""
    import feedparser

    if not parsed.get("bozo"):
        return None
    problem = parsed.get("bozo_exception")
    if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
        return None  # e.g. a declared encoding that was overridden: the feed is whole
    return str(problem) or type(problem).__name__


def _entry_candidate(spec: str, entry, number: int, feed_title: str,
                     ctx: SourceContext) -> Candidate:
    link = (entry.get("link") or "").strip() or None
    guid = (entry.get("id") or "").strip() or None
    title = (entry.get("title") or "").strip() or None
    # A link, or a guid that is a URL, is the same article in every feed; any other guid
    # ("1", "article-7") is only unique inside its feed, so it is scoped by the feed.
    key = (link or (guid if guid and is_http_url(guid) else None)
           or _file_key(spec, guid or safe_id(title or f"entry-{number}")))
    article_id = _id_from_url(link) if link else safe_id(guid or title or f"entry-{number}")
    origin = link or f"{spec}#{number}"
    date = _entry_date(entry)
    text = _entry_text(entry)
    if len(text.split()) < max(1, ctx.feed_min_words) and link and is_http_url(link):
        return Candidate(key=key, source=spec, fetch_url=link, title=title, date=date,
                         stamp=entry.get("updated") or entry.get("published"),
                         display_source=feed_title)
    if not text:
        error = ArticleError(f"{origin}: the feed entry has no text and no link to fetch",
                             reason="empty", origin=origin, article_id=article_id)
        return Candidate(key=key, source=spec, error=error)
    article = Article(id=article_id, text=text, origin=origin, date=date, title=title, url=link,
                      source=feed_title)
    return Candidate(key=key, source=spec, article=article)


def _entry_text(entry) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return fragment_to_text(value)
    return fragment_to_text(entry.get("summary") or "")


def _entry_date(entry) -> str | None:
    for name in ("published_parsed", "updated_parsed"):
        value = entry.get(name)
        if value:
            return time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(value)))
    return None


def _id_from_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed link (``http://[::1``): still an id
        return safe_id(url)
    segments = [s for s in parts.path.split("/") if s]
    stem = segments[-1].rsplit(".", 1)[0] if segments else ""
    if len(stem) < 3 or stem.lower() in {"index", "article", "artikel", "nieuws", "news"}:
        stem = f"{parts.netloc}{parts.path}"
    if parts.query:
        stem += "-" + hashlib.sha1(parts.query.encode()).hexdigest()[:8]
    return safe_id(stem)
