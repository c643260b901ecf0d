"""What ``briefing check`` reads: briefings of this pipeline or of any other summarizer.

A path is one of:

- a briefing JSON written by ``summarize --format json``, ``batch`` or ``nightly`` (one
  object, or a list of them);
- a directory: every ``*.json`` directly in it except ``run.json`` and ``digest.json`` (a
  ``batch`` output directory), found by the batch's folder walk: a FIFO, a link out of the
  folder or a link loop is an error naming it, never opened;
- JSONL (``.jsonl``), one object a line with ``id``, ``prediction`` (the briefing text),
  ``source`` (the article in English) and optionally ``source_nl`` (the Dutch original).

Files are read by :mod:`pipeline.ingest.jsonio` (the reader ``batch`` and ``eval`` use) and
briefings by :meth:`Briefing.from_dict`. A record that cannot be used (bad JSON or UTF-8,
a field of the wrong type, an unknown ``schema_version``, over the size bound) becomes a
:class:`CheckInputError` naming the file and line; the other records are still checked.
Invisible format characters (zero-width spaces, soft hyphens) are removed from every text,
as batch's cleaning removes them, so they cannot split a name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.config import IngestConfig
from pipeline.core.errors import (
    ArticleError,
    BriefingFormatError,
    CheckInputError,
    JsonInputError,
)
from pipeline.ingest.cleaning import strip_format_characters
from pipeline.ingest.jsonio import read_json_file, read_jsonl_file, record_id, record_limit
from pipeline.ingest.walk import walk_article_files
from pipeline.record.briefing import NOT_A_BRIEFING, Briefing, is_briefing_record
from pipeline.record.story import is_story_record
from pipeline.text.sentences import split_sentences

SKIPPED_FILES = frozenset({"run.json", "digest.json"})  # run files of batch and nightly
# One briefing JSON file or JSONL line: the bound batch's outputs fit in.
MAX_RECORD_BYTES = record_limit(IngestConfig().max_article_bytes)


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
                    yield from _read_json(file, in_folder=True)
        elif path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(path)
        else:
            yield from _read_json(path)


def _read_json(path: Path, *, in_folder: bool = False) -> Iterator[CheckItem | CheckInputError]:
    try:
        data = read_json_file(path, max_bytes=MAX_RECORD_BYTES)
    except JsonInputError as err:
        yield CheckInputError(f"{path}: not a usable JSON file ({err.detail})")
        return
    except OSError as err:
        yield CheckInputError(f"{path}: cannot read ({err.strerror or err})")
        return
    if in_folder and is_story_record(data):
        return  # a nightly's story beside its briefings, not a briefing to check
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, start=1):
        where = f"{path}" if len(records) == 1 else f"{path} item {n}"
        yield _from_briefing(record, where, Path(path).stem)


def _from_briefing(record: object, where: str, stem: str) -> CheckItem | CheckInputError:
    """A briefing JSON, read by :meth:`Briefing.from_dict` as every command reads it (its
    ``schema_version``, every field and its type checked; the file stem is the id when it
    has none)."""
    if not is_briefing_record(record):
        return CheckInputError(f"{where}: {NOT_A_BRIEFING}")
    try:
        briefing = Briefing.from_dict({"id": stem, **record}, origin=where)
    except BriefingFormatError as err:  # names the file and the field
        return CheckInputError(str(err))
    english = [s.en for s in briefing.sentences] if record.get("sentences") else []
    if not any(e.strip() for e in english):
        english = split_sentences(briefing.translation_en)
    if not english:
        return CheckInputError(f"{where}: the briefing has no article text to check against "
                               "(sentences and translation_en are empty)")
    dutch = [s.nl for s in briefing.sentences if s.nl]
    title_nl = briefing.title_nl
    source_nl = "\n".join(dutch + ([title_nl] if title_nl else [])) or None
    return CheckItem(
        id=briefing.id,
        sentences=[strip_format_characters(s) for s in briefing.summary_sentences],
        translation=[strip_format_characters(e) for e in english],
        source_nl=strip_format_characters(source_nl) if source_nl else None,
        origin=where,
        title_en=strip_format_characters(briefing.title_en) or None,
    )


def _read_jsonl(path: Path) -> Iterator[CheckItem | CheckInputError]:
    try:
        for lineno, record in read_jsonl_file(path, max_bytes=MAX_RECORD_BYTES):
            yield _from_jsonl(record, f"{path}:{lineno}" if lineno else f"{path}")
    except OSError as err:
        yield CheckInputError(f"{path}: cannot read ({err.strerror or err})")


def _from_jsonl(record: object, where: str) -> CheckItem | CheckInputError:
    if isinstance(record, JsonInputError):
        return CheckInputError(f"{where}: {record.detail}")
    if not isinstance(record, dict):
        return CheckInputError(f"{where}: not a JSON object")
    article_id = record_id(record.get("id"))
    missing = ([] if article_id else ["id"]) + [
        k for k in ("prediction", "source")
        if not isinstance(record.get(k), str) or not record[k].strip()]
    if missing:
        return CheckInputError(f"{where}: needs an id (a string or a whole number) and "
                               "non-empty text fields prediction and source; missing, empty "
                               f"or of the wrong type: {', '.join(missing)}")
    source_nl = record.get("source_nl")
    source_nl = strip_format_characters(source_nl) if isinstance(source_nl, str) else None
    return CheckItem(
        id=article_id, sentences=split_sentences(strip_format_characters(record["prediction"])),
        translation=split_sentences(strip_format_characters(record["source"])),
        source_nl=source_nl if source_nl and source_nl.strip() else None,
        origin=where,
    )
