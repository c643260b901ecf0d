"""Reading the desk format, JSONL, directories and stdin; every bad input gets its own error."""

from __future__ import annotations

import io
import json
import re

import pytest

from pipeline.core.errors import ArticleError
from pipeline.core.fileio import file_stem
from pipeline.ingest.article import Article
from pipeline.ingest.readers import expand_inputs, read_inputs, read_stdin

LIMIT = 1_000_000
DUTCH = "Het kabinet wil meer woningen bouwen in de Randstad, zei de minister dinsdag."


def _read(paths, **kw):
    return list(read_inputs([str(p) for p in paths], max_bytes=kw.pop("max_bytes", LIMIT), **kw))


def test_desk_format_date_and_text_on_first_line(tmp_path):
    path = tmp_path / "a1.txt"
    path.write_text(f" date 2024-03 Eerste zin. Beeld ANP\n\n{DUTCH}\n", encoding="utf-8")
    (article,) = _read([path])
    assert isinstance(article, Article)
    assert article.id == "a1"
    assert article.date == "2024-03"
    assert article.text.startswith("Eerste zin. Beeld ANP")
    assert DUTCH in article.text


def test_txt_without_date_prefix_is_plain_text(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(DUTCH, encoding="utf-8")
    (article,) = _read([path])
    assert article.date is None and article.text == DUTCH


def test_jsonl_records_and_malformed_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "x1", "text": DUTCH, "date": "2024-05-01", "title": "Kop",
                    "url": "https://e.example/1", "source": "krant", "section": "binnenland"}),
        "",
        "{not json",
        json.dumps({"text": DUTCH}),
        json.dumps({"id": "x4"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "x6", "text": DUTCH, "title": 5}),
        json.dumps({"id": "x7", "text": "   "}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _read([path])
    assert len(results) == 7  # the blank line is skipped, nothing else is lost
    first = results[0]
    assert isinstance(first, Article)
    assert (first.id, first.date, first.title, first.url, first.source) == (
        "x1", "2024-05-01", "Kop", "https://e.example/1", "krant")
    assert first.extra == {"section": "binnenland"}
    errors = results[1:]
    assert all(isinstance(e, ArticleError) for e in errors)
    assert [e.origin for e in errors] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7, 8)]
    assert [e.reason for e in errors] == ["malformed-jsonl"] * 5 + ["empty"]
    assert "invalid JSON" in str(errors[0])
    assert "no 'id'" in str(errors[1])
    assert "no 'text'" in str(errors[2])
    assert errors[4].article_id == "x6"


@pytest.mark.parametrize(
    ("content", "reason", "phrase"),
    [
        (b"", "empty", "empty"),
        (b"  \n\n ", "empty", "empty"),
        (b" date 2024-01 ", "empty", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "binary"),
        (" date 2024-01 Caf\u00e9 in Utrecht".encode("latin-1"), "not-utf8", "UTF-8"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, content, reason, phrase):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    (error,) = _read([path])
    assert isinstance(error, ArticleError)
    assert error.reason == reason
    assert phrase in str(error)
    assert error.article_id == "bad"
    assert str(path) in str(error)


def test_huge_article_is_rejected_not_truncated(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b" date 2024-01 " + (DUTCH.encode() + b" ") * (5 * 1024 * 1024 // len(DUTCH)))
    (error,) = _read([path])
    assert isinstance(error, ArticleError) and error.reason == "too-large"
    assert "limit" in str(error)


def test_directory_is_expanded_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text(DUTCH)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text(json.dumps({"id": "j", "text": DUTCH}) + "\n")
    (tmp_path / "notes.md").write_text("not an article")
    (tmp_path / ".hidden.txt").write_text(DUTCH)
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.jsonl")]


def test_umask_applies_to_atomic_writes(tmp_path):
    import os
    import stat

    from pipeline.core.fileio import atomic_write_text

    for mask, expected in ((0o022, 0o644), (0o027, 0o640)):
        old = os.umask(mask)
        try:
            target = tmp_path / f"out-{mask:o}.json"
            atomic_write_text(target, "{}")
        finally:
            os.umask(old)
        assert stat.S_IMODE(target.stat().st_mode) == expected


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        _read([tmp_path / "nope.txt"])


def test_stdin_jsonl_and_stdin_text():
    records = b'{"id": "s1", "text": "Een tekst."}\n{"id": "s2", "text": "Nog een."}\n'
    ids = [a.id for a in read_stdin(max_bytes=LIMIT, stream=io.BytesIO(records))]
    assert ids == ["s1", "s2"]
    (single,) = read_stdin(max_bytes=LIMIT, stream=io.BytesIO(f" date 2023-11 {DUTCH}".encode()))
    assert single.id == "stdin" and single.date == "2023-11"


def test_unsafe_ids_are_kept_and_their_file_names_are_safe():
    stream = io.BytesIO(json.dumps({"id": "../../etc/passwd", "text": DUTCH}).encode())
    (article,) = read_stdin(max_bytes=LIMIT, stream=stream)
    assert article.id == "../../etc/passwd"
    stem = file_stem(article.id)
    assert "/" not in stem and not stem.startswith(".")


@pytest.mark.parametrize("ids", [
    ("a/b", "a_b", "a b", "a:b"),
    ("één", "ëën", "日本", "中国", "article"),
    ("x" * 300, "x" * 299 + "y", "x" * 200),
])
def test_file_stems_of_distinct_ids_are_distinct_and_short(ids):
    stems = [file_stem(i) for i in ids]
    assert len(set(stems)) == len(ids)
    assert all(0 < len(s) <= 200 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", s)
               for s in stems)


def test_parquet_tables_from_datasets(tmp_path):
    from datasets import Dataset

    path = tmp_path / "articles.parquet"
    Dataset.from_list([
        {"id": "p1", "text": DUTCH, "title": "Kop"},
        {"id": None, "text": DUTCH, "title": None},
        {"id": "p3", "text": "", "title": None},
    ]).to_parquet(str(path))
    first, no_id, empty = _read([path])
    assert isinstance(first, Article) and (first.id, first.title) == ("p1", "Kop")
    assert no_id.reason == "malformed-table" and no_id.origin.endswith(":row 2")
    assert empty.reason == "empty"
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    (error,) = _read([broken])
    assert error.reason == "malformed-table"
