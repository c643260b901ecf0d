"""The JSON Schema of ``<id>.json``, from :class:`~pipeline.record.briefing.Briefing`.

Published as ``docs/briefing.schema.json``; after changing the record, write it again with
``python -m pipeline.record.json_schema docs/briefing.schema.json`` (a test keeps the file
equal to the record).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipeline.core.fileio import atomic_write_text
from pipeline.record.briefing import Briefing

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def briefing_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every ``<id>.json`` validates against."""
    return {"$schema": SCHEMA_URI, **Briefing.model_json_schema()}


def schema_text() -> str:
    """The schema as the published file holds it."""
    return json.dumps(briefing_json_schema(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    """Write the schema to the one path given."""
    if len(argv) != 1:
        print("usage: python -m pipeline.record.json_schema OUT.json", file=sys.stderr)
        return 2
    atomic_write_text(Path(argv[0]), schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
