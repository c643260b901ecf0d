"""Hostile input for the reader's archive (issue 18, the trust boundary): what a digest, a
briefing JSON or a feed says can neither run in a reader's browser or spreadsheet nor make the
build read or write outside its folders."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import threading
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
    night.articles.append(ArticleRecord(night=NIGHT, entry=entry))
    [_, row] = list(csv.reader(io.StringIO(night_csv(night, Stories()), newline="")))
    assert all(not cell or cell[0] not in "=+-@\t\r" for cell in row), row


# -- paths from a digest: nothing is read or written outside its folder --------------------


def _warned(result, *words: str) -> bool:
    return any(all(w in warning for w in words) for warning in result.warnings)


def _pages(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*.html")}


@pytest.mark.parametrize("bad_id", ["../../../../../pwned", "/tmp/pwned-abs", "a\x00b", "..",
                                    "sub/../../pwned"])
def test_an_article_id_that_is_not_a_file_name_is_left_out_and_the_rest_builds(tmp_path, bad_id):
    out = write_synthetic_archive(tmp_path / "deep" / "er" / "still" / "out")
    digest = _digest(out)
    digest["articles"][0]["id"] = bad_id
    _save(out, digest)
    result = build_archive(out, search=False)
    assert not list(tmp_path.rglob("pwned*")), "a page was written outside the site"
    assert not Path("/tmp/pwned-abs.html").exists()
    assert _warned(result, NIGHT, "not a file name")
    others = [a["id"] for a in digest["articles"][1:]]
    assert all(f"{NIGHT}/articles/{i}.html" in _pages(out) for i in others)
    assert "2025-03-15/articles/dike-inquiry.html" in _pages(out)  # other nights too


def _outside_briefing(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.json"
    data = json.loads((write_synthetic_archive(tmp_path / "other") / NIGHT /
                       "house-prices.json").read_text(encoding="utf-8"))
    data["sentences"][0]["en"] = "SECRET OUTSIDE THE SITE"
    secret.write_text(json.dumps(data), encoding="utf-8")
    return secret


@pytest.mark.parametrize("how", ["dotdot", "absolute", "nul", "link"])
def test_an_article_file_outside_its_night_is_never_read(tmp_path, how):
    secret = _outside_briefing(tmp_path)
    out = write_synthetic_archive(tmp_path / "out")
    digest = _digest(out)
    entry = digest["articles"][0]
    if how == "dotdot":
        entry["file"] = "../../secret.json"
    elif how == "absolute":
        entry["file"] = str(secret)
    elif how == "nul":
        entry["file"] = "x\x00.json"
    else:
        (out / NIGHT / entry["file"]).unlink()
        (out / NIGHT / entry["file"]).symlink_to(secret)
    _save(out, digest)
    result = build_archive(out, search=False)
    page = (out / NIGHT / "articles" / f"{entry['id']}.html").read_text(encoding="utf-8")
    assert "SECRET OUTSIDE" not in page
    assert "The article JSON is missing" in page  # the page shows what the digest holds
    assert _warned(result, NIGHT, "outside")
    assert (out / NIGHT / "articles" / "house-prices.html").is_file()


def test_an_article_file_that_is_a_fifo_does_not_block_the_build(tmp_path):
    out = write_synthetic_archive(tmp_path / "out")
    digest = _digest(out)
    entry = digest["articles"][0]
    fifo = out / NIGHT / "pipe.json"
    os.mkfifo(fifo)
    entry["file"] = "pipe.json"
    _save(out, digest)
    done = threading.Event()

    def unblock():  # should the build open the FIFO, end its wait so the test fails, not hangs
        while not done.wait(5):
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=unblock, daemon=True).start()
    try:
        result = build_archive(out, search=False)
    finally:
        done.set()
    assert _warned(result, "pipe.json", "not a regular file")
    assert (out / NIGHT / "articles" / f"{entry['id']}.html").is_file()


def test_a_digest_whose_date_is_not_its_folder_is_left_out(tmp_path):
    out = write_synthetic_archive(tmp_path / "a" / "b" / "out")
    digest = _digest(out)
    digest["night"]["date"] = "../../../../escaped"
    _save(out, digest)
    result = build_archive(out, search=False)
    assert not list(tmp_path.rglob("escaped*"))
    assert _warned(result, NIGHT, "date")
    assert result.nights == 2 and (out / "2025-03-15" / "index.html").is_file()


def test_an_event_id_that_is_not_a_file_name_is_left_out(tmp_path):
    out = write_synthetic_archive(tmp_path / "a" / "b" / "out")
    for night in (NIGHT, "2025-03-15"):  # the dike story spans both nights: a story page
        digest = _digest(out, night)
        digest["groups"][0]["id"] = "../../../../../story-escape"
        _save(out, digest, night)
    result = build_archive(out, search=False)
    assert not list(tmp_path.rglob("*story-escape*"))
    assert _warned(result, NIGHT, "not a file name")
    assert (out / NIGHT / "index.html").is_file()


def test_a_night_folder_linked_out_of_the_site_is_left_out(tmp_path):
    out = write_synthetic_archive(tmp_path / "out")
    elsewhere = write_synthetic_archive(tmp_path / "elsewhere") / "2025-03-16"
    shutil.rmtree(out / "2025-03-16")
    (out / "2025-03-16").symlink_to(elsewhere, target_is_directory=True)
    result = build_archive(out, search=False)
    assert not (elsewhere / "index.html").exists() and not (elsewhere / "articles").exists()
    assert _warned(result, "2025-03-16", "outside")
    assert result.nights == 2


def test_an_articles_folder_linked_out_of_the_site_is_neither_written_nor_cleaned(tmp_path):
    out = write_synthetic_archive(tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("someone else's page", encoding="utf-8")
    (out / NIGHT / "articles").symlink_to(elsewhere, target_is_directory=True)
    result = build_archive(out, search=False)
    assert [p.name for p in elsewhere.iterdir()] == ["keep.html"]
    assert _warned(result, NIGHT, "outside")
    assert (out / "2025-03-15" / "articles" / "dike-inquiry.html").is_file()


@pytest.mark.parametrize("claims", [
    [{"text": "A dike", "start": 0, "end": 6}],  # no "supported"
    [{"text": "A dike", "start": 6, "end": 0, "supported": False}],  # ends before it starts
    ["A dike"], {"text": "A dike"}, 5,
])
def test_claims_the_pages_cannot_read_leave_that_summary_unmarked_and_the_rest_builds(
        tmp_path, claims):
    """A digest's entry whose claims are malformed (the article JSON gone, so the pages read
    the digest) is a warning naming it; its sentences are shown unmarked, every page built."""
    out = write_synthetic_archive(tmp_path / "out")
    digest = _digest(out)
    entry = digest["articles"][0]
    (out / NIGHT / entry["file"]).unlink()
    entry["summary"][0]["claims"] = claims
    _save(out, digest)
    result = build_archive(out, search=False)
    assert _warned(result, "digest.json", "claims cannot be read", "without marks")
    page = (out / NIGHT / "articles" / f"{entry['id']}.html").read_text(encoding="utf-8")
    assert entry["summary"][0]["en"] in page and "[?]</mark>" not in page
    assert "2025-03-15/articles/dike-inquiry.html" in _pages(out)  # other nights too
    assert (out / "index.html").is_file()


def test_a_schema_3_summary_item_that_is_not_an_object_leaves_it_unmarked(tmp_path):
    out = write_synthetic_archive(tmp_path / "out")
    digest = _digest(out)
    entry = digest["articles"][0]
    (out / NIGHT / entry["file"]).unlink()
    texts = [s["en"] for s in entry["summary"]]
    entry |= {"summary_sentences": texts, "summary": ["not an object"], "marks": True}
    _save(out, digest)
    result = build_archive(out, search=False)
    assert _warned(result, "claims cannot be read")
    page = (out / NIGHT / "articles" / f"{entry['id']}.html").read_text(encoding="utf-8")
    assert all(text in page for text in texts)
