"""Turn paths, directories and stdin into articles, one error record per unreadable item.

Formats:
- ``.txt`` in the desk's format: `` date YYYY-MM `` then the text on the same line.
  A ``.txt`` without that prefix is read as plain text with no date.
- ``.jsonl``: one JSON object per line with ``id`` and ``text`` (optional ``date``,
  ``title``, ``url``, ``source``). Each line is decoded and parsed on its own, so one bad
  line is one error (with its line number) and the other lines are read.
- ``.parquet``: a table (e.g. a Hugging Face ``datasets`` export) with the JSONL columns,
  read with pyarrow (no cache copy); other columns become JSON values in ``extra``.
- a directory: every ``.txt``, ``.jsonl`` and ``.parquet`` below it, in sorted order (see
  :mod:`pipeline.ingest.walk` for links, FIFOs and unreadable folders).
- ``-``: standard input, JSONL when every non-empty line is a JSON object, else one article.

Ids are kept as written (``a/b`` stays ``a/b``); output file names come from
:func:`pipeline.core.fileio.file_stem`. Sizes are checked before anything is read whole.
"""

from __future__ import annotations

import base64
import datetime
import io
import logging
import math
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.core.errors import ArticleError, InputUnavailableError
from pipeline.ingest import jsonio
from pipeline.ingest.article import Article
from pipeline.ingest.walk import walk_article_files

DATE_PREFIX = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+", re.ASCII)
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".parquet")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

ReadResult = Article | ArticleError
log = logging.getLogger(__name__)


def safe_id(raw: str) -> str:
    """An id usable as a file name: unsafe characters become ``_``."""
    cleaned = _ID_UNSAFE.sub("_", raw.strip()).strip("._")
    return cleaned or "article"


_UTF8_BOM = jsonio.UTF8_BOM
_SNIFF_BYTES = jsonio.SNIFF_BYTES
_looks_utf16 = jsonio.looks_utf16


def _utf16_error(origin: str, article_id: str | None) -> ArticleError:
    return ArticleError(f"{origin}: the file is UTF-16 encoded, not UTF-8; re-save it as UTF-8",
                        reason="not-utf8", origin=origin, article_id=article_id)


def decode_article_bytes(data: bytes, *, origin: str, max_bytes: int, article_id: str | None) -> str:
    """Decode one article's bytes, rejecting empty, huge, binary and non-UTF-8 input.

    Raises:
        ArticleError: with reason ``empty``, ``too-large``, ``binary`` or ``not-utf8``
            (UTF-16 is named as such).
    """
    if len(data) > max_bytes:
        raise _too_large(origin, len(data), max_bytes, article_id)
    if not data.strip():
        raise ArticleError(f"{origin}: the article is empty", reason="empty", origin=origin,
                           article_id=article_id)
    if _looks_utf16(data[:_SNIFF_BYTES]):
        raise _utf16_error(origin, article_id)
    # A NUL anywhere (not only in the sniffed start) would reach the outputs.
    if b"\x00" in data or _control_ratio(data[:_SNIFF_BYTES]) > 0.1:
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


def _too_large(origin: str, size: int, max_bytes: int, article_id: str | None) -> ArticleError:
    return ArticleError(
        f"{origin}: {size:,} bytes is over the {max_bytes:,}-byte limit for one article "
        "(ingest.max_article_bytes); it was not processed",
        reason="too-large", origin=origin, article_id=article_id,
    )


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


_describe = jsonio.describe


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
    article_id = jsonio.record_id(raw_id)
    if article_id is None and raw_id is not None and not isinstance(raw_id, str):
        shown = repr(raw_id) if isinstance(raw_id, float | bool) else type(raw_id).__name__
        raise ArticleError(f"{origin}: 'id' must be a string or a whole number, got {shown}",
                           reason=reason, origin=origin)
    article_id = article_id or ""
    text = record.get("text")
    if not article_id:
        raise ArticleError(f"{origin}: the record has no 'id'", reason=reason, origin=origin)
    if not isinstance(text, str):
        raise ArticleError(f"{origin}: the record has no 'text' string", reason=reason,
                           origin=origin, article_id=article_id)
    if not text.strip():
        raise ArticleError(f"{origin}: the article is empty", reason="empty", origin=origin,
                           article_id=article_id)
    if "\x00" in text:
        raise ArticleError(f"{origin}: the text contains NUL characters (binary data)",
                           reason="binary", origin=origin, article_id=article_id)
    optional = {k: record.get(k) for k in ("date", "title", "url", "source")}
    for key, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise ArticleError(f"{origin}: field '{key}' must be a string",
                               reason=reason, origin=origin, article_id=article_id)
    extra = {k: v for k, v in record.items() if k not in {"id", "text", *optional}}
    return Article(id=article_id, text=text, origin=origin, extra=extra, **optional)


def read_jsonl_stream(stream: BinaryIO, *, origin: str, max_bytes: int) -> Iterator[ReadResult]:
    """Yield one article or one error per non-empty line, reading one line at a time
    (:func:`pipeline.ingest.jsonio.iter_jsonl`): one bad line fails only its line, and a
    line over ``max_bytes`` is skipped without being held in memory."""
    for number, value in jsonio.iter_jsonl(stream, max_bytes=max_bytes):
        where = f"{origin}:{number}" if number else origin
        if isinstance(value, jsonio.JsonInputError):
            yield ArticleError(f"{where}: {value.detail}", reason=value.reason, origin=where)
            continue
        try:
            yield parse_record(value, origin=where)
        except ArticleError as error:
            yield error
        except Exception as exc:  # noqa: BLE001 - one record's problem is that record's error
            yield ArticleError(f"{where}: cannot read this record ({_describe(exc)})",
                               reason="malformed-jsonl", origin=where)


def read_parquet(source: Path | BinaryIO, *, max_bytes: int, origin: str | None = None
                 ) -> Iterator[ReadResult]:
    """Yield one article or one error per row of a Parquet table (a path or its bytes).

    Read with pyarrow one row group at a time, so nothing is copied into a cache and a
    large table is never held whole. Columns JSON cannot hold become JSON values (see
    :func:`json_value`); a typed ``date`` column is the article's date.
    """
    import pyarrow.parquet as pq

    origin = origin or str(source)
    try:
        table = pq.ParquetFile(source)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        yield ArticleError(f"{origin}: not a readable Parquet table ({type(exc).__name__})",
                           reason="malformed-table", origin=origin)
        return
    done = 0
    try:
        for group in range(table.num_row_groups):
            rows = _table_rows(table.read_row_group(group), origin=origin)
            yield from parse_table_rows(rows, origin=origin, max_bytes=max_bytes, start=done + 1)
            done += len(rows)
    except Exception as exc:  # noqa: BLE001 - a damaged row group ends the table, not the batch
        yield ArticleError(f"{origin}:row {done + 1}: the rest of the table cannot be read "
                           f"({_describe(exc)})", reason="malformed-table",
                           origin=f"{origin}:row {done + 1}")


def _table_rows(table, *, origin: str) -> list[dict]:
    """The rows of an Arrow table as dicts of JSON values; a column that cannot be turned
    into Python values is left out (and logged)."""
    columns: dict[str, list] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            columns[str(name)] = column.to_pylist()
        except Exception as exc:  # noqa: BLE001 - e.g. a timestamp outside Python's range
            log.warning("%s: column %r left out: its values cannot be read (%s)",
                        origin, name, _describe(exc))
    if not columns:  # nothing readable: each row is still one (error) row
        return [{} for _ in range(table.num_rows)]
    return [dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)]


def json_value(value: object) -> object:
    """A table cell as a JSON value: dates and times in ISO 8601, bytes in base64, decimals
    as strings, durations in seconds, NaN and infinities as null; lists and structs inside."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)  # Decimal, and anything else a table may hold


def _table_date(value: object) -> object:
    """A typed date (Arrow date32/date64/timestamp) as ``YYYY-MM-DD``; other values as they are."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def parse_table_rows(rows: Iterable[dict], *, origin: str, max_bytes: int, start: int = 1
                     ) -> Iterator[ReadResult]:
    """One article or one error per row of a table (Parquet, or a dataset's rows)."""
    for number, row in enumerate(rows, start=start):
        where = f"{origin}:row {number}"
        try:
            record = {k: v for k, v in row.items() if v is not None}
            if "date" in record:
                record["date"] = _table_date(record["date"])
            for key in record.keys() - {"id", "text", "date", "title", "url", "source"}:
                record[key] = json_value(record[key])
            text = record.get("text")
            if isinstance(text, str) and len(text.encode("utf-8")) > max_bytes:
                yield ArticleError(f"{where}: the record is over the {max_bytes:,}-byte limit",
                                   reason="too-large", origin=where,
                                   article_id=jsonio.record_id(record.get("id")))
                continue
            yield parse_record(record, origin=where, reason="malformed-table")
        except ArticleError as error:
            yield error
        except Exception as exc:  # noqa: BLE001 - one row's problem is that row's error
            yield ArticleError(f"{where}: cannot read this row ({_describe(exc)})",
                               reason="malformed-table", origin=where)


def read_file(path: Path, *, max_bytes: int) -> Iterator[ReadResult]:
    """Yield the articles (or errors) in one ``.txt``, ``.jsonl`` or ``.parquet`` file."""
    origin = str(path)
    if path.suffix.lower() == ".parquet":
        yield from read_parquet(path, max_bytes=max_bytes, origin=origin)
        return
    is_jsonl = path.suffix.lower() == ".jsonl"
    article_id = None if is_jsonl else path.stem
    try:
        with path.open("rb") as handle:
            if is_jsonl:
                yield from read_jsonl_stream(handle, origin=origin, max_bytes=max_bytes)
                return
            data = read_bounded(handle, max_bytes)
    except OSError as exc:
        yield ArticleError(f"{origin}: cannot read ({exc.strerror or exc})", reason="unreadable",
                           origin=origin, article_id=article_id)
        return
    if len(data) > max_bytes:
        size = _size_of(path, len(data))
        yield _too_large(origin, size, max_bytes, article_id)
        return
    yield from read_desk_bytes(data, origin=origin, max_bytes=max_bytes, article_id=article_id)


def read_bounded(handle: BinaryIO, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes: enough to tell "too large" without reading it all."""
    return handle.read(max_bytes + 1)


def _size_of(path: Path, at_least: int) -> int:
    try:
        return max(path.stat().st_size, at_least)
    except OSError:
        return at_least


def read_stdin(*, max_bytes: int, stream=None) -> Iterator[ReadResult]:
    """Yield the articles on standard input (JSONL or a single desk-format article).

    Raises:
        InputUnavailableError: standard input is closed.
    """
    if stream is None:
        stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is None or stream.closed:
            raise ValueError("closed")
        data = stream.read()
    except (ValueError, OSError):
        raise InputUnavailableError(
            "standard input is closed; pass a file, or pipe the article into the command"
        ) from None
    lines = [ln for ln in data.removeprefix(_UTF8_BOM).splitlines() if ln.strip()]
    if lines and all(ln.lstrip().startswith(b"{") for ln in lines):
        yield from read_jsonl_stream(io.BytesIO(data), origin="-", max_bytes=max_bytes)
    else:
        yield from read_desk_bytes(data, origin="-", max_bytes=max_bytes, article_id="stdin")


def read_desk_bytes(data: bytes, *, origin: str, max_bytes: int,
                    article_id: str) -> Iterator[ReadResult]:
    """The article (or its error: empty, binary, not UTF-8, too large) in desk-format bytes."""
    try:
        text = decode_article_bytes(data, origin=origin, max_bytes=max_bytes,
                                    article_id=article_id)
        yield parse_desk_text(text, article_id=article_id, origin=origin)
    except ArticleError as error:
        yield error


def expand_inputs(inputs: Iterable[str], suffixes: tuple[str, ...] = ARTICLE_SUFFIXES
                  ) -> list[str | ArticleError]:
    """Expand directories into their article files (sorted); keep files and ``-`` as given.

    A folder's links, FIFOs and unreadable sub-folders come back as errors, in place
    (see :func:`pipeline.ingest.walk.walk_article_files`).

    Raises:
        FileNotFoundError: an input path does not exist.
    """
    expanded: list[str | ArticleError] = []
    for raw in inputs:
        if raw == "-":
            expanded.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            expanded.extend(item if isinstance(item, ArticleError) else str(item)
                            for item in walk_article_files(path, suffixes))
        elif path.exists():
            expanded.append(str(path))
        else:
            raise FileNotFoundError(raw)
    return expanded


def read_inputs(inputs: Iterable[str], *, max_bytes: int, stdin=None) -> Iterator[ReadResult]:
    """Yield every article (or per-article error) from files, directories and ``-``.

    Raises:
        FileNotFoundError: an input path does not exist (a usage error, checked up front).
        InputUnavailableError: ``-`` was given and standard input is closed.
    """
    for item in expand_inputs(inputs):
        if isinstance(item, ArticleError):
            yield item
        elif item == "-":
            yield from read_stdin(max_bytes=max_bytes, stream=stdin)
        else:
            yield from read_file(Path(item), max_bytes=max_bytes)
