"""The base of every record type, and validation errors as one readable sentence."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.core.errors import BriefingFormatError

MAX_LISTED_ERRORS = 3


class Record(BaseModel):
    """A JSON object of a briefing: types are strict (``"yes"`` is not a boolean, ``"3"`` not
    a number); keys this version does not know are kept as written, never interpreted (a
    later release of the same ``schema_version`` only adds keys)."""

    model_config = ConfigDict(strict=True, extra="allow")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the keys it was read or built with, in the writer's order."""
        return self.model_dump(mode="json", exclude_unset=True)


def field_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a path: ``summary[2].claims[0].supported``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(the object)"


def format_error(err: ValidationError, origin: str | None = None) -> BriefingFormatError:
    """One :class:`BriefingFormatError` naming the file (``origin``) and each bad field."""
    problems = []
    for item in err.errors(include_url=False)[:MAX_LISTED_ERRORS]:
        message = item["msg"]
        message = message[:1].lower() + message[1:]
        if item["type"] != "missing" and "input" in item:
            message += f" (got {_json_type(item['input'])})"
        problems.append(f"{field_path(tuple(item['loc']))}: {message}")
    more = err.error_count() - len(problems)
    text = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    return BriefingFormatError(f"{origin}: {text}" if origin else text)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
