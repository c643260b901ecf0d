"""Hostile input for the reader's archive (issue 18, the trust boundary): what a digest, a
briefing JSON or a feed says can neither run in a reader's browser or spreadsheet nor make the
build read or write outside its folders."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pipeline.archive import build_archive
from pipeline.archive.exports import night_csv
from tests.test_archive_browser_data import write_synthetic_archive

NIGHT = "2025-03-14"


def _digest(out: Path, night: str = NIGHT) -> dict:
    return json.loads((out / night / "digest.json").read_text(encoding="utf-8"))


def _save(out: Path, digest: dict, night: str = NIGHT) -> None:
    (out / night / "digest.json").write_text(json.dumps(digest), encoding="utf-8")


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_evaluate_are_quoted_as_text(tmp_path, lead):
    out = write_synthetic_archive(tmp_path / "out")
    digest = _digest(out)
    formula = f"{lead}HYPERLINK(\"http://evil.example\",\"x\")"
    digest["articles"][0].update(title_en=formula, title_nl=formula, source_name=formula,
                                 briefing_en=formula)
    _save(out, digest)
    build_archive(out, search=False)
    rows = list(csv.DictReader(io.StringIO(
        (out / NIGHT / "articles.csv").read_bytes().decode("utf-8"), newline="")))
    row = next(r for r in rows if r["id"] == digest["articles"][0]["id"])
    for column in ("title_en", "title_nl", "outlet", "briefing_en"):
        assert row[column] == "'" + formula, column
    # Ordinary cells are left as they are.
    other = next(r for r in rows if r["id"] == digest["articles"][1]["id"])
    assert other["title_en"] == digest["articles"][1]["title_en"]
    assert other["date"] == digest["articles"][1]["date"]


def test_csv_night_export_neutralises_every_text_column():
    from pipeline.archive.collect import ArticleRecord, Night
    from pipeline.archive.stories import Stories

    entry = {"id": "=cmd", "title_en": "@SUM(A1)", "url": "-1+1", "group": "+g",
             "briefing_en": "=1", "date": "\t2025"}
    night = Night(date=NIGHT, folder=Path("."), digest={
        "groups": [{"id": "+g", "headline": "=evil()"}]})
    night.articles.append(ArticleRecord(night=NIGHT, entry=entry, preloaded={}))
    [_, row] = list(csv.reader(io.StringIO(night_csv(night, Stories()), newline="")))
    assert all(not cell or cell[0] not in "=+-@\t\r" for cell in row), row
