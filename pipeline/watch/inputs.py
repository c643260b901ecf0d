"""The briefings `briefing watch` looks in: files, batch outputs, nightly outputs, archives."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.core.errors import ArticleError, BriefingFormatError, JsonInputError
from pipeline.ingest.jsonio import read_json_file
from pipeline.ingest.walk import walk_article_files
from pipeline.record.briefing import NOT_A_BRIEFING, Briefing, is_briefing_record
from pipeline.support.inputs import MAX_RECORD_BYTES, SKIPPED_FILES


def read_briefings(paths: Sequence[Path]) -> Iterator[Briefing | str]:
    """Every briefing below ``paths``, or a message per unusable one.

    A directory is walked (the batch's walk: no link out of it, no FIFO); JSON files in it
    that are not briefings at all (run files, stories, a search index) are passed over.
    A file named directly must be a briefing.
    """
    for path in paths:
        if path.is_dir():
            for item in walk_article_files(path, (".json",)):
                if isinstance(item, ArticleError):
                    yield str(item)
                elif item.name not in SKIPPED_FILES:
                    yield from _read(item, required=False)
        elif path.exists():
            yield from _read(path, required=True)
        else:
            yield f"{path}: no such file or directory"


def _read(path: Path, *, required: bool) -> Iterator[Briefing | str]:
    try:
        data = read_json_file(path, max_bytes=MAX_RECORD_BYTES)
    except JsonInputError as err:
        yield f"{path}: not a usable JSON file ({err.detail})"
        return
    except OSError as err:
        yield f"{path}: cannot read ({err.strerror or err})"
        return
    if not is_briefing_record(data):
        if required:
            yield f"{path}: {NOT_A_BRIEFING}"
        return
    try:
        yield Briefing.from_dict({"id": path.stem, **data}, origin=str(path))
    except BriefingFormatError as err:  # names the file and the field
        yield str(err)
