"""Hostile and broken input to the readers and the preparer: one test per case (issue 12)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from pipeline.core.config import IngestConfig
from pipeline.core.errors import ArticleError, InputUnavailableError
from pipeline.ingest.article import Article
from pipeline.ingest.prepare import ArticlePreparer
from pipeline.ingest.readers import read_file, read_inputs, read_stdin

LIMIT = 1_000_000
DUTCH = ("De gemeenteraad van Utrecht heeft dinsdagavond ingestemd met een plan om de binnenstad "
         "autoluw te maken. Winkeliers zijn bezorgd over de bereikbaarheid.")


def _good(article_id: str) -> str:
    return json.dumps({"id": article_id, "text": DUTCH})


def _read(*paths) -> list[Article | ArticleError]:
    return list(read_inputs([str(p) for p in paths], max_bytes=LIMIT))


def _jsonl(tmp_path: Path, middle: bytes) -> list[Article | ArticleError]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(_good("a").encode() + b"\n" + middle + b"\n" + _good("c").encode() + b"\n")
    return _read(path)


def _only_middle_fails(results, reason: str = "malformed-jsonl") -> ArticleError:
    first, middle, last = results
    assert isinstance(first, Article) and first.id == "a"
    assert isinstance(last, Article) and last.id == "c"
    assert isinstance(middle, ArticleError) and middle.reason == reason
    assert middle.origin.endswith(":2")
    return middle


def test_deeply_nested_json_line_is_that_lines_error(tmp_path):
    middle = _only_middle_fails(_jsonl(tmp_path, b"[" * 100_000 + b"]" * 100_000))
    assert "RecursionError" in str(middle)


def test_integer_over_4300_digits_is_that_lines_error(tmp_path):
    record = b'{"id": "b", "text": "x", "n": ' + b"9" * 5000 + b"}"
    middle = _only_middle_fails(_jsonl(tmp_path, record))
    assert "ValueError" in str(middle)


def test_one_bad_byte_fails_only_its_line(tmp_path):
    record = json.dumps({"id": "b", "text": DUTCH}).encode().replace(b"gemeenteraad", b"gem\xffraad")
    middle = _only_middle_fails(_jsonl(tmp_path, record), reason="not-utf8")
    assert "0xff" in str(middle)


def test_jsonl_with_a_bom_keeps_its_first_line(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _good("first").encode() + b"\n" + _good("second").encode())
    assert [a.id for a in _read(path)] == ["first", "second"]


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_utf16_is_named_not_called_binary(tmp_path, suffix):
    path = tmp_path / f"wide{suffix}"
    content = _good("w") if suffix == ".jsonl" else f" date 2024-01 {DUTCH}"
    path.write_bytes(content.encode("utf-16"))
    (error,) = _read(path)
    assert error.reason == "not-utf8" and "UTF-16" in str(error)


def test_utf16_without_bom_is_named_too(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(DUTCH.encode("utf-16-le"))
    (error,) = _read(path)
    assert error.reason == "not-utf8" and "UTF-16" in str(error)


def test_nul_after_the_first_8kb_does_not_reach_the_output(tmp_path):
    path = tmp_path / "late-nul.txt"
    path.write_bytes((DUTCH + " ") .encode() * 80 + b"\x00" + DUTCH.encode())
    (error,) = _read(path)
    assert error.reason == "binary"


def test_escaped_nul_in_a_jsonl_text_is_rejected(tmp_path):
    record = json.dumps({"id": "b", "text": DUTCH + "\x00" + DUTCH}).encode()
    _only_middle_fails(_jsonl(tmp_path, record), reason="binary")


def test_huge_file_is_rejected_without_reading_it(tmp_path):
    import tracemalloc

    path = tmp_path / "sparse.txt"
    with path.open("wb") as handle:
        handle.truncate(256 * 1024**2)  # sparse, so the test costs no disk
    tracemalloc.start()
    try:
        (error,) = _read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too-large" and "268,435,456 bytes" in str(error)
    assert peak < 16 * 1024**2  # the limit (1 MB) was read, not the file


def test_over_long_jsonl_line_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "long.jsonl"
    long_line = json.dumps({"id": "b", "text": "woord " * 2000}).encode()
    path.write_bytes(_good("a").encode() + b"\n" + long_line + b"\n" + _good("c").encode())
    results = list(read_file(path, max_bytes=5000))
    _only_middle_fails(results, reason="too-large")


def test_file_symlink_leaving_the_input_folder_is_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 geheime tekst die nooit gelezen mag worden")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "shadow.txt").symlink_to(secret)
    (error,) = _read(folder)
    assert error.reason == "symlink-outside" and error.article_id == "shadow"
    assert "geheime" not in str(error)


def test_file_symlink_inside_the_input_folder_is_read(tmp_path):
    folder = tmp_path / "in"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "a.txt").write_text(DUTCH)
    (folder / "link.txt").symlink_to(folder / "real" / "a.txt")
    assert sorted(a.id for a in _read(folder)) == ["a", "link"]


def test_dangling_link_is_an_error(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "ok.txt").write_text(DUTCH)
    error, article = _read(tmp_path)
    assert error.reason == "dangling-link" and isinstance(article, Article)


def test_symlink_loop_is_an_error(tmp_path):
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (error,) = _read(tmp_path)
    assert error.reason == "symlink-loop"


def test_folder_symlink_is_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.txt").write_text(DUTCH)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    (error,) = _read(folder)
    assert error.reason == "symlink-skipped"


def test_fifo_in_a_folder_is_an_error_and_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (error,) = _read(tmp_path)
    assert error.reason == "not-a-file" and "FIFO" in str(error)


def test_unreadable_sub_folder_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text(DUTCH)
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        # The test runs as root, where chmod 000 does not lock anything: inject EACCES.
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    error, article = _read(tmp_path)
    assert error.reason == "unreadable" and error.origin == str(locked)
    assert isinstance(article, Article)


def test_unreadable_folder_as_the_only_input_is_an_error(tmp_path, monkeypatch):
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == tmp_path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    (error,) = _read(tmp_path)
    assert error.reason == "unreadable"


def test_closed_stdin_is_one_clear_error():
    stream = io.BytesIO(b"")
    stream.close()
    with pytest.raises(InputUnavailableError, match="standard input is closed"):
        list(read_stdin(max_bytes=LIMIT, stream=stream))


def test_large_unpunctuated_paragraph_is_prepared_in_bounded_time():
    # ~200 KB, one paragraph, no punctuation: pysbd alone needed over ten minutes
    text = (DUTCH.replace(".", "") + " ") * 1300
    prepared = ArticlePreparer(IngestConfig()).prepare(
        Article(id="x", text=text, origin="x.txt"))
    assert prepared.word_count == len(text.split())


def _typed_parquet(path: Path) -> Path:
    """A table as a ``datasets`` export carries it: typed dates, timestamps, bytes, decimals."""
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({
        "id": ["a", "b"],
        "text": [DUTCH, DUTCH],
        "date": pa.array([datetime.date(2024, 3, 1), None], pa.date32()),
        "fetched": pa.array([datetime.datetime(2024, 3, 1, 12, 30), None], pa.timestamp("us")),
        "raw": pa.array([b"\x00\xff", b"ok"], pa.binary()),
        "price": pa.array([decimal.Decimal("1.50"), None], pa.decimal128(5, 2)),
        "score": pa.array([float("nan"), 0.5], pa.float64()),
    }), path)
    return path


def test_parquet_columns_json_cannot_hold_become_json_values(tmp_path):
    first, second = _read(_typed_parquet(tmp_path / "typed.parquet"))
    assert isinstance(first, Article) and isinstance(second, Article), (first, second)
    assert first.date == "2024-03-01" and second.date is None
    assert first.extra == {"fetched": "2024-03-01T12:30:00", "raw": "AP8=", "price": "1.50",
                           "score": None}
    assert second.extra == {"raw": "b2s=", "score": 0.5}
    json.dumps([first.extra, second.extra], allow_nan=False)  # what the outputs carry


def test_parquet_timestamp_date_is_the_articles_date(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "stamped.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [DUTCH], "date": pa.array(
        [datetime.datetime(2024, 3, 1, 23, 0)], pa.timestamp("ns"))}), path)
    (article,) = _read(path)
    assert isinstance(article, Article) and article.date == "2024-03-01"


def test_reading_parquet_leaves_no_copy_in_the_datasets_cache(tmp_path, monkeypatch):
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    monkeypatch.setattr("datasets.config.HF_DATASETS_CACHE", cache, raising=False)
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [DUTCH]}), path)
    (article,) = _read(path)
    assert isinstance(article, Article)
    left = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
    assert left == []


def test_parquet_row_over_the_limit_keeps_its_id(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"id": ["small", "big"], "text": [DUTCH, DUTCH * 100]}), path)
    small, big = read_file(path, max_bytes=5000)
    assert isinstance(small, Article)
    assert big.reason == "too-large" and big.article_id == "big"


def test_ray_reads_parquet_bytes_with_the_same_conversion(tmp_path):
    from pipeline.batch.ray_workers import article_from_payload, read_input

    path = _typed_parquet(tmp_path / "typed.parquet")
    rows = read_input({"index": 0, "path": "s3://bucket/typed.parquet",
                       "bytes": path.read_bytes()}, max_bytes=LIMIT)
    assert [row["kind"] for row in rows] == ["article", "article"]
    remote = article_from_payload(rows[0]["payload"])
    (local, _) = _read(path)
    assert (remote.date, remote.extra) == (local.date, local.extra)


def test_whole_number_float_id_is_accepted_and_a_fraction_is_that_lines_error(tmp_path):
    path = tmp_path / "floats.jsonl"
    text = json.dumps(DUTCH)
    path.write_text(f'{{"id": 3.0, "text": {text}}}\n{{"id": 3.5, "text": {text}}}\n',
                    encoding="utf-8")
    whole, fraction = _read(path)
    assert isinstance(whole, Article) and whole.id == "3"
    assert fraction.reason == "malformed-jsonl" and fraction.origin.endswith(":2")
    assert "whole number" in str(fraction) and "3.5" in str(fraction)


@pytest.mark.parametrize("page", [b"", b"\xff\xfe<\x00h\x00"])
def test_a_page_without_text_is_its_error_without_trafilatura_log_lines(page, caplog):
    import logging

    from pipeline.nightly.extract import page_to_article

    with caplog.at_level(logging.DEBUG), pytest.raises(ArticleError) as caught:
        page_to_article(page, article_id="p", origin="feed:p", url=None, source=None)
    assert caught.value.reason == "no-text"
    assert [r for r in caplog.records if r.name.startswith("trafilatura")] == []


def test_reading_parquet_prints_no_progress_bar(tmp_path, capfd):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [DUTCH]}), path)
    capfd.readouterr()
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert capfd.readouterr().err == ""


def test_cleaning_drops_every_invisible_format_character():
    from pipeline.ingest.cleaning import normalise_whitespace

    text = "Utr\u00adecht en Den\u200e Haag\u2063 kregen\u202a hulp."
    assert normalise_whitespace(text) == ["Utrecht en Den Haag kregen hulp."]


def test_parquet_column_python_cannot_hold_is_left_out_with_a_note(tmp_path, caplog):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "far.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [DUTCH],
                             "seen": pa.array([2**40], pa.timestamp("s"))}), path)
    (article,) = _read(path)
    assert isinstance(article, Article) and article.extra == {}
    assert any("'seen' left out" in r.getMessage() for r in caplog.records)
