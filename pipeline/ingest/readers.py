"""Turn paths, directories and stdin into articles, one error record per unreadable item.

Formats:
- ``.txt`` in the desk's format: `` date YYYY-MM `` then the text on the same line.
  A ``.txt`` without that prefix is read as plain text with no date.
- ``.jsonl``: one JSON object per line with ``id`` and ``text`` (optional ``date``,
  ``title``, ``url``, ``source``).
- ``.parquet``: a table (e.g. a Hugging Face ``datasets`` export) with the JSONL columns.
- a directory: every ``.txt``, ``.jsonl`` and ``.parquet`` below it, in sorted order.
- ``-``: standard input, JSONL when every non-empty line is a JSON object, else one article.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article

DATE_PREFIX = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+", re.ASCII)
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".parquet")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

ReadResult = Article | ArticleError


def safe_id(raw: str) -> str:
    """An id usable as a file name: unsafe characters become ``_``."""
    cleaned = _ID_UNSAFE.sub("_", raw.strip()).strip("._")
    return cleaned or "article"


def decode_article_bytes(data: bytes, *, origin: str, max_bytes: int, article_id: str | None) -> str:
    """Decode one article's bytes, rejecting empty, huge, binary and non-UTF-8 input.

    Raises:
        ArticleError: with reason ``empty``, ``too-large``, ``binary`` or ``not-utf8``.
    """
    if len(data) > max_bytes:
        raise ArticleError(
            f"{origin}: {len(data):,} bytes is over the {max_bytes:,}-byte limit for one article "
            "(ingest.max_article_bytes); it was not processed",
            reason="too-large", origin=origin, article_id=article_id,
        )
    if not data.strip():
        raise ArticleError(f"{origin}: the article is empty", reason="empty", origin=origin,
                           article_id=article_id)
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.1:
        raise ArticleError(f"{origin}: this is a binary file, not text", reason="binary",
                           origin=origin, article_id=article_id)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{origin}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
            reason="not-utf8", origin=origin, article_id=article_id,
        ) from None


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


def parse_desk_text(text: str, *, article_id: str, origin: str) -> Article:
    """Parse the desk's ``.txt`` format: an optional `` date YYYY-MM `` prefix, then the body."""
    match = DATE_PREFIX.match(text)
    date = match.group(1) if match else None
    body = text[match.end():] if match else text.lstrip("\ufeff")
    if not body.strip():
        raise ArticleError(f"{origin}: the article has a date but no text", reason="empty",
                           origin=origin, article_id=article_id)
    return Article(id=article_id, text=body, origin=origin, date=date)


def parse_jsonl_line(line: str, *, origin: str) -> Article:
    """Parse one JSONL record into an article.

    Raises:
        ArticleError: reason ``malformed-jsonl`` for invalid JSON or missing/invalid fields.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"{origin}: invalid JSON ({exc.msg} at column {exc.colno})",
                           reason="malformed-jsonl", origin=origin) from None
    return parse_record(record, origin=origin)


def parse_record(record: object, *, origin: str, reason: str = "malformed-jsonl") -> Article:
    """Validate one article record (a JSON object or a dataset row).

    Raises:
        ArticleError: ``reason`` for a non-object or missing/invalid fields, ``empty`` for
            blank text.
    """
    if not isinstance(record, dict):
        raise ArticleError(f"{origin}: expected a JSON object, got {type(record).__name__}",
                           reason=reason, origin=origin)
    raw_id = record.get("id")
    article_id = safe_id(str(raw_id)) if raw_id not in (None, "") else None
    text = record.get("text")
    if article_id is None:
        raise ArticleError(f"{origin}: the record has no 'id'", reason=reason, origin=origin)
    if not isinstance(text, str):
        raise ArticleError(f"{origin}: the record has no 'text' string", reason=reason,
                           origin=origin, article_id=article_id)
    if not text.strip():
        raise ArticleError(f"{origin}: the article is empty", reason="empty", origin=origin,
                           article_id=article_id)
    optional = {k: record.get(k) for k in ("date", "title", "url", "source")}
    for key, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise ArticleError(f"{origin}: field '{key}' must be a string",
                               reason=reason, origin=origin, article_id=article_id)
    extra = {k: v for k, v in record.items() if k not in {"id", "text", *optional}}
    return Article(id=article_id, text=text, origin=origin, extra=extra, **optional)


def read_jsonl_text(text: str, *, origin: str, max_bytes: int) -> Iterator[ReadResult]:
    """Yield one article or one error per non-empty line of a JSONL document."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        if len(line.encode("utf-8")) > max_bytes:
            yield ArticleError(
                f"{where}: the record is over the {max_bytes:,}-byte limit for one article",
                reason="too-large", origin=where)
            continue
        try:
            yield parse_jsonl_line(line, origin=where)
        except ArticleError as error:
            yield error


def read_parquet(path: Path, *, max_bytes: int) -> Iterator[ReadResult]:
    """Yield one article or one error per row of a Parquet table read with ``datasets``."""
    from datasets import Dataset

    origin = str(path)
    try:
        table = Dataset.from_parquet(str(path), keep_in_memory=True)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        yield ArticleError(f"{origin}: not a readable Parquet table ({type(exc).__name__})",
                           reason="malformed-table", origin=origin)
        return
    for number, row in enumerate(table, start=1):
        where = f"{origin}:row {number}"
        text = row.get("text")
        if isinstance(text, str) and len(text.encode("utf-8")) > max_bytes:
            yield ArticleError(f"{where}: the record is over the {max_bytes:,}-byte limit",
                               reason="too-large", origin=where)
            continue
        record = {k: v for k, v in row.items() if v is not None}
        try:
            yield parse_record(record, origin=where, reason="malformed-table")
        except ArticleError as error:
            yield error


def read_file(path: Path, *, max_bytes: int) -> Iterator[ReadResult]:
    """Yield the articles (or errors) in one ``.txt``, ``.jsonl`` or ``.parquet`` file."""
    origin = str(path)
    if path.suffix.lower() == ".parquet":
        yield from read_parquet(path, max_bytes=max_bytes)
        return
    is_jsonl = path.suffix.lower() == ".jsonl"
    article_id = None if is_jsonl else safe_id(path.stem)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ArticleError(f"{origin}: cannot read ({exc.strerror})", reason="unreadable",
                           origin=origin, article_id=article_id)
        return
    if is_jsonl:
        yield from _read_jsonl_bytes(data, origin=origin, max_bytes=max_bytes)
    else:
        yield from _read_desk_bytes(data, origin=origin, max_bytes=max_bytes,
                                    article_id=article_id)


def read_stdin(*, max_bytes: int, stream=None) -> Iterator[ReadResult]:
    """Yield the articles on standard input (JSONL or a single desk-format article)."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read()
    lines = [ln for ln in data.splitlines() if ln.strip()]
    if lines and all(ln.lstrip().startswith(b"{") for ln in lines):
        yield from _read_jsonl_bytes(data, origin="-", max_bytes=max_bytes)
    else:
        yield from _read_desk_bytes(data, origin="-", max_bytes=max_bytes, article_id="stdin")


def _read_jsonl_bytes(data: bytes, *, origin: str, max_bytes: int) -> Iterator[ReadResult]:
    # The size limit applies per record, not to the whole document.
    try:
        text = decode_article_bytes(data, origin=origin, max_bytes=max(len(data), 1),
                                    article_id=None)
    except ArticleError as error:
        yield error
        return
    yield from read_jsonl_text(text, origin=origin, max_bytes=max_bytes)


def _read_desk_bytes(data: bytes, *, origin: str, max_bytes: int,
                     article_id: str) -> Iterator[ReadResult]:
    try:
        text = decode_article_bytes(data, origin=origin, max_bytes=max_bytes,
                                    article_id=article_id)
        yield parse_desk_text(text, article_id=article_id, origin=origin)
    except ArticleError as error:
        yield error


def expand_inputs(inputs: Iterable[str], suffixes: tuple[str, ...] = ARTICLE_SUFFIXES) -> list[str]:
    """Expand directories into their article files (sorted); keep files and ``-`` as given.

    Raises:
        FileNotFoundError: an input path does not exist.
    """
    expanded: list[str] = []
    for raw in inputs:
        if raw == "-":
            expanded.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            expanded.extend(
                str(p) for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
            )
        elif path.exists():
            expanded.append(str(path))
        else:
            raise FileNotFoundError(raw)
    return expanded


def read_inputs(inputs: Iterable[str], *, max_bytes: int, stdin=None) -> Iterator[ReadResult]:
    """Yield every article (or per-article error) from files, directories and ``-``.

    Raises:
        FileNotFoundError: an input path does not exist (a usage error, checked up front).
    """
    for item in expand_inputs(inputs):
        if item == "-":
            yield from read_stdin(max_bytes=max_bytes, stream=stdin)
        else:
            yield from read_file(Path(item), max_bytes=max_bytes)
