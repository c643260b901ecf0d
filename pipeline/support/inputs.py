"""What ``briefing check`` reads: briefings of this pipeline or of any other summarizer.

A path is one of:

- a briefing JSON written by ``summarize --format json``, ``batch`` or ``nightly`` (one
  object, or a list of them);
- a directory: every ``*.json`` directly in it except ``run.json`` and ``digest.json`` (a
  ``batch`` output directory), found by the batch's folder walk: a FIFO, a link out of the
  folder or a link loop is an error naming it, never opened;
- JSONL (``.jsonl``), one object a line with ``id``, ``prediction`` (the briefing text),
  ``source`` (the article in English) and optionally ``source_nl`` (the Dutch original).

A record that cannot be used becomes a :class:`CheckInputError` naming the file and line;
the other records are still checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ArticleError, BriefingError
from pipeline.ingest.walk import walk_article_files
from pipeline.text.sentences import split_sentences

SKIPPED_FILES = frozenset({"run.json", "digest.json"})  # run files of batch and nightly


class CheckInputError(BriefingError):
    """A path or record ``briefing check`` cannot use."""


@dataclass
class CheckItem:
    """One briefing to check: its sentences and the article texts."""

    id: str
    sentences: list[str]  # the briefing, one sentence per item
    translation: list[str]  # the article in English, one sentence per item (evidence indices)
    source_nl: str | None
    origin: str
    title_en: str | None = None


def read_check_inputs(paths: list[Path]) -> Iterator[CheckItem | CheckInputError]:
    """Every briefing in ``paths`` (see the module docstring), in order.

    Raises:
        CheckInputError: a path does not exist.
    """
    for path in paths:
        if not path.exists():
            raise CheckInputError(f"no such file or directory: {path}")
    for path in paths:
        if path.is_dir():
            # The batch's folder walk: no FIFO is opened, no link out of the folder followed.
            files = [f for f in walk_article_files(path, (".json",), recursive=False)
                     if not (isinstance(f, Path) and f.name in SKIPPED_FILES)]
            if not files:
                yield CheckInputError(f"{path}: no briefing JSON files in this directory")
            for file in files:
                if isinstance(file, ArticleError):
                    yield CheckInputError(str(file))
                else:
                    yield from _read_json(file)
        elif path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(path)
        else:
            yield from _read_json(path)


def _read_json(path: Path) -> Iterator[CheckItem | CheckInputError]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        yield CheckInputError(f"{path}: not a readable JSON file ({_first_line(err)})")
        return
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, start=1):
        where = f"{path}" if len(records) == 1 else f"{path} item {n}"
        yield _from_briefing(record, where)


def _from_briefing(record: object, where: str) -> CheckItem | CheckInputError:
    if not isinstance(record, dict) or "summary_sentences" not in record:
        return CheckInputError(f"{where}: not a briefing JSON (no summary_sentences)")
    sentences = record.get("sentences") or []
    english = [s.get("en") or "" for s in sentences if isinstance(s, dict)]
    dutch = [s.get("nl") for s in sentences if isinstance(s, dict) and s.get("nl")]
    if not any(e.strip() for e in english):
        english = split_sentences(record.get("translation_en") or "")
    if not english:
        return CheckInputError(f"{where}: the briefing has no article text to check against "
                               "(sentences and translation_en are empty)")
    title_en, title_nl = record.get("title_en"), record.get("title_nl")
    summary = record.get("summary_sentences")
    if not isinstance(summary, list) or not all(isinstance(s, str) for s in summary):
        return CheckInputError(f"{where}: summary_sentences is not a list of strings")
    return CheckItem(
        id=str(record.get("id") or Path(where.split(" item ")[0]).stem),
        sentences=summary,
        translation=english,
        source_nl="\n".join(dutch + ([title_nl] if title_nl else [])) or None,
        origin=where,
        title_en=title_en if isinstance(title_en, str) else None,
    )


def _read_jsonl(path: Path) -> Iterator[CheckItem | CheckInputError]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        yield CheckInputError(f"{path}: not a readable UTF-8 file ({_first_line(err)})")
        return
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except ValueError as err:
            yield CheckInputError(f"{where}: not a JSON object ({_first_line(err)})")
            continue
        if not isinstance(record, dict):
            yield CheckInputError(f"{where}: not a JSON object")
            continue
        missing = [k for k in ("id", "prediction", "source")
                   if not isinstance(record.get(k), str) or not record[k].strip()]
        if missing:
            yield CheckInputError(f"{where}: needs non-empty text fields id, prediction and "
                                  f"source; missing or empty: {', '.join(missing)}")
            continue
        source_nl = record.get("source_nl")
        yield CheckItem(
            id=record["id"], sentences=split_sentences(record["prediction"]),
            translation=split_sentences(record["source"]),
            source_nl=source_nl if isinstance(source_nl, str) and source_nl.strip() else None,
            origin=where,
        )


def _first_line(err: Exception) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]
