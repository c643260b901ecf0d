"""The briefings a story is made of: briefing JSON files, or batch output directories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.core.errors import ArticleError, BriefingFormatError, JsonInputError
from pipeline.ingest.jsonio import read_json_file
from pipeline.ingest.walk import walk_article_files
from pipeline.record.briefing import NOT_A_BRIEFING, Briefing, is_briefing_record
from pipeline.record.story import is_story_record
from pipeline.story.build import Member
from pipeline.support.inputs import SKIPPED_FILES


def _outlet(data: dict, outlets: Mapping[str, str]) -> str:
    from pipeline.ingest.outlets import source_name

    return source_name(data, dict(outlets))


def read_story_inputs(paths: Sequence[Path], *, max_bytes: int,
                      outlets: Mapping[str, str] | None = None
                      ) -> tuple[list[Member], list[str]]:
    """The briefings named by ``paths``, each with its outlet, and one message per unusable item.

    Directories are read with the batch's folder walk (its link rules: nothing outside the
    folder, no FIFOs or devices); story files and run files in them are skipped.
    """
    files: list[tuple[Path, bool]] = []  # (path, found in a folder)
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            for item in walk_article_files(path, (".json",)):
                if isinstance(item, ArticleError):
                    errors.append(str(item))
                elif item.name not in SKIPPED_FILES:
                    files.append((item, True))
        else:
            files.append((path, False))
    members: list[Member] = []
    seen: dict[str, Path] = {}
    for path, in_folder in files:
        try:
            data = read_json_file(path, max_bytes=max_bytes)
            if in_folder and is_story_record(data):
                continue  # a story beside the briefings (a nightly folder)
            if not is_briefing_record(data):
                raise ValueError(NOT_A_BRIEFING)
            briefing = Briefing.from_dict({"id": path.stem, **data}, origin=str(path))
        except JsonInputError as err:
            errors.append(f"{path}: not a usable briefing ({err.detail})")
            continue
        except OSError as err:
            errors.append(f"{path}: cannot read ({err.strerror or err})")
            continue
        except BriefingFormatError as err:  # names the file and the field
            errors.append(f"not a usable briefing: {err}")
            continue
        except ValueError as err:
            errors.append(f"{path}: not a usable briefing ({err})")
            continue
        if briefing.id in seen:
            errors.append(f"{path}: duplicate id {briefing.id} (also in {seen[briefing.id]}); "
                          "used once")
            continue
        seen[briefing.id] = path
        members.append(Member(briefing, _outlet({**data, "id": briefing.id}, outlets or {})))
    return members, errors
