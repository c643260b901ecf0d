"""The one reader of JSONL and JSON files, shared by ``batch``, ``check`` and ``eval``.

A JSONL file is read one line at a time: each line is size-checked, decoded and parsed on
its own, so a bad byte, a line nested 100,000 deep or an integer of 5,000 digits is an
error for that line (with its number) and the other lines are still read. A UTF-8
byte-order mark is ignored; a UTF-16 or binary file is one error for the whole file.

Each caller turns a :class:`JsonInputError` into its own error type (an article's error,
an unusable briefing, an unusable evaluation input).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.core.errors import JsonInputError

UTF8_BOM = b"\xef\xbb\xbf"
SNIFF_BYTES = 8192
# A briefing (or a ``check`` / ``eval`` record) carries its article several times: the Dutch
# text, the English translation and the aligned sentences. Its bound is this many articles.
RECORD_ARTICLES = 4


def record_limit(max_article_bytes: int) -> int:
    """The most bytes one briefing or evaluation record may have."""
    return RECORD_ARTICLES * max_article_bytes


def record_id(raw: object) -> str | None:
    """A record's id as written: a string, or a whole number (``3`` and ``3.0`` are ``"3"``);
    None when ``raw`` cannot be an id (another type, a fraction, blank)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    return str(raw).strip() or None


def looks_utf16(sample: bytes) -> bool:
    """A UTF-16 byte-order mark, or text where every other byte is NUL."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    pairs = sample[: len(sample) // 2 * 2]
    if len(pairs) < 4:
        return False
    even_nuls = pairs[0::2].count(0)
    odd_nuls = pairs[1::2].count(0)
    half = len(pairs) // 2
    return max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.1 * half


def utf8_problem(data: bytes, exc: UnicodeDecodeError) -> str:
    """Where ``data`` stops being UTF-8: the byte, its line and its byte offset."""
    line = data.count(b"\n", 0, exc.start) + 1
    return f"byte 0x{data[exc.start]:02x} at line {line}, byte offset {exc.start}"


def decode_utf8(data: bytes) -> str:
    """``data`` as text (a leading byte-order mark dropped).

    Raises:
        JsonInputError: reason ``not-utf8``, naming the byte, its line and offset (UTF-16
            is named as such).
    """
    if looks_utf16(data[:SNIFF_BYTES]):
        raise JsonInputError("the file is UTF-16 encoded, not UTF-8; re-save it as UTF-8",
                             reason="not-utf8")
    try:
        return data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"not valid UTF-8 ({utf8_problem(data, exc)}); re-save the file "
                             "as UTF-8", reason="not-utf8") from None


def parse_json(text: str, *, line: int = 0) -> Any:
    """Decode one JSON value.

    Raises:
        JsonInputError: reason ``malformed-jsonl`` for invalid JSON, and for JSON this
            reader refuses (nesting deeper than Python's recursion limit, integers over
            4,300 digits), named with the exception.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if line == 0 else f"column {exc.colno}"
        raise JsonInputError(f"invalid JSON ({exc.msg} at {where})", reason="malformed-jsonl",
                             line=line) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise JsonInputError(f"cannot read this record ({describe(exc)})",
                             reason="malformed-jsonl", line=line) from None


def describe(exc: BaseException) -> str:
    """``Type: message`` of an exception, cut to one short line."""
    text = (str(exc).splitlines() or [""])[0]
    text = text if len(text) <= 120 else text[:117] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def iter_jsonl(stream: BinaryIO, *, max_bytes: int) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for every non-empty line; ``value`` is the decoded JSON, or
    a :class:`JsonInputError` for that line. A whole-file problem (UTF-16, binary) is one
    error with ``line`` 0, and nothing else is read.

    A line over ``max_bytes`` is skipped without being held in memory.

    Raises:
        OSError: the stream cannot be read.
    """
    number = 0
    while True:
        raw = stream.readline(max_bytes + 2)
        if not raw:
            return
        number += 1
        if number == 1:
            if looks_utf16(raw[:SNIFF_BYTES]):
                yield 0, JsonInputError("the file is UTF-16 encoded, not UTF-8; re-save it "
                                        "as UTF-8", reason="not-utf8")
                return
            if b"\x00" in raw[:SNIFF_BYTES]:
                yield 0, JsonInputError("this is a binary file, not JSONL", reason="binary")
                return
            raw = raw.removeprefix(UTF8_BOM)
        if len(raw.rstrip(b"\r\n")) > max_bytes:
            while not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
                if not raw:
                    break
            yield number, JsonInputError(f"the record is over the {max_bytes:,}-byte limit "
                                         "for one record", reason="too-large", line=number)
            continue
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, JsonInputError(
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte offset {exc.start} of "
                "the line); re-save the file as UTF-8", reason="not-utf8", line=number)
            continue
        try:
            yield number, parse_json(line, line=number)
        except JsonInputError as error:
            yield number, error


def read_jsonl_file(path: Path, *, max_bytes: int) -> Iterator[tuple[int, Any]]:
    """:func:`iter_jsonl` over a file.

    Raises:
        OSError: the file cannot be opened or read.
    """
    with Path(path).open("rb") as handle:
        yield from iter_jsonl(handle, max_bytes=max_bytes)


def read_bounded_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a file, reading at most ``max_bytes + 1`` of it.

    Raises:
        JsonInputError: reason ``too-large`` for a file over ``max_bytes`` (its size named).
        OSError: the file cannot be read.
    """
    with Path(path).open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        try:
            size = max(Path(path).stat().st_size, len(data))
        except OSError:
            size = len(data)
        raise JsonInputError(f"{size:,} bytes is over the {max_bytes:,}-byte limit for one "
                             "file; it was not read", reason="too-large")
    return data


def read_text_file(path: Path, *, max_bytes: int) -> str:
    """A UTF-8 text file of at most ``max_bytes`` (a byte-order mark dropped).

    Raises:
        JsonInputError: too large, or not UTF-8 (the byte, line and offset named).
        OSError: the file cannot be read.
    """
    return decode_utf8(read_bounded_bytes(path, max_bytes=max_bytes))


def read_json_file(path: Path, *, max_bytes: int) -> Any:
    """The JSON value in a file of at most ``max_bytes``.

    Raises:
        JsonInputError: too large, not UTF-8, invalid or refused JSON (see
            :func:`parse_json`).
        OSError: the file cannot be read.
    """
    return parse_json(read_text_file(path, max_bytes=max_bytes))
