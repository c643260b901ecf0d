"""Hostile and broken input for `briefing nightly`, one test per case (issue 12)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from datetime import date

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from pipeline.core.config import NightlyConfig
from pipeline.core.errors import ArticleError, FetchError
from pipeline.nightly.extract import page_to_article
from pipeline.nightly.fetch import Fetched, Fetcher
from pipeline.nightly.runner import run_nightly
from tests.test_nightly_runs import NIGHT, nightly_config, paragraphs

ENTRY = ("<item><title>{title}</title><guid isPermaLink=\"false\">{guid}</guid>"
         "<description>{text}</description></item>")


def _feed(items: list[tuple[str, str, str]], title: str = "Krant") -> str:
    entries = "".join(ENTRY.format(guid=g, title=t, text=x) for g, t, x in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{entries}</channel></rss>")


def _unreachable(url: str) -> Fetched:
    raise FetchError(f"{url}: connection refused")


def test_cut_off_feed_is_a_source_warning_in_summary_and_digest(tmp_path, tiny_model_dirs):
    texts = paragraphs()
    whole = _feed([(str(n), f"Bericht {n}", texts[n]) for n in range(4)])
    feed = tmp_path / "feed.xml"
    feed.write_text(whole[: whole.index("Bericht 3") + 40], encoding="utf-8")  # cut mid-entry
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    result = run_nightly(config, night=NIGHT)
    assert result.exit_code == 1
    [warning] = result.summary.source_warnings
    assert "malformed" in warning["message"] and "3 entries read" in warning["message"]
    assert result.summary.new == 3  # the 4th, cut off inside, waits for a whole feed
    digest = json.loads((tmp_path / "out" / NIGHT / "digest.json").read_text(encoding="utf-8"))
    assert digest["run"]["source_warnings"] == [warning]
    assert "Sources read only in part" in (tmp_path / "out" / NIGHT / "digest.md").read_text()


def test_cut_off_feed_never_replaces_known_articles(tmp_path, tiny_model_dirs):
    texts = paragraphs()
    feed = tmp_path / "feed.xml"
    feed.write_text(_feed([("1", "Een", texts[0]), ("2", "Twee", texts[1])]), encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    assert run_nightly(config, night=NIGHT, dry_run=False).summary.done == 2
    # The same feed, cut inside entry 1's text: entry 1 reads shorter than it is.
    cut = _feed([("1", "Een", texts[0]), ("2", "Twee", texts[1])])
    feed.write_text(cut[: cut.index(texts[0]) + 40] + "</description></item><item>",
                    encoding="utf-8")
    plan = run_nightly(config, night=NIGHT, dry_run=True)
    assert plan.summary.source_warnings and plan.summary.changed == 0
    assert all(action != "changed" for _, action in plan.planned)


def test_non_url_guids_are_scoped_by_their_feed(tmp_path, tiny_model_dirs):
    texts = paragraphs()
    one, two = tmp_path / "een.xml", tmp_path / "twee.xml"
    one.write_text(_feed([("1", "Dijk", texts[0])], "Een"), encoding="utf-8")
    two.write_text(_feed([("1", "Staking", texts[1])], "Twee"), encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [one, two])
    result = run_nightly(config, night=NIGHT, dry_run=True)
    assert result.summary.duplicates == 0
    assert sorted(result.planned) == [(f"{one}/1", "new"), (f"{two}/1", "new")]


def test_dry_run_exits_1_when_a_source_cannot_be_read(tmp_path, tiny_model_dirs):
    config = nightly_config(tiny_model_dirs, tmp_path, ["https://krant.example/feed.xml"])
    dry = run_nightly(config, night=NIGHT, dry_run=True, fetcher=_unreachable)
    real = run_nightly(config, night=NIGHT, fetcher=_unreachable)
    assert dry.summary.source_errors and dry.exit_code == real.exit_code == 1


def test_dry_run_exits_2_for_an_unknown_reprocess_key(tmp_path, tiny_model_dirs):
    from pipeline.cli import app

    folder = tmp_path / "desk"
    folder.mkdir()
    marian, bart = tiny_model_dirs
    args = ["nightly", "--source", str(folder), "--state", str(tmp_path / "s.sqlite"),
            "--out", str(tmp_path / "out"), "--translator", str(marian), "--summarizer",
            str(bart), "--date", NIGHT, "--reprocess", "no-such-article"]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 2
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 2 and "no-such-article" in dry.output


def test_shop_listing_page_is_not_an_article():
    items = "".join(f"<li><h3>Stofzuiger model {i}</h3><p>€ {99 + i},95</p>"
                    f"<p>4,{i % 10}/5 ({10 + i} reviews)</p><p>Op voorraad</p></li>"
                    for i in range(30))
    page = (f"<html><head><title>Stofzuigers kopen</title></head><body><main>"
            f"<h1>Stofzuigers</h1><ul>{items}</ul></main></body></html>")
    with pytest.raises(ArticleError) as caught:
        page_to_article(page, article_id="shop", origin="shop.html", url=None, source=None)
    assert caught.value.reason == "not-article" and "prices or ratings" in str(caught.value)


def test_product_page_type_is_not_an_article():
    body = "".join(f"<p>Deze stofzuiger zuigt ook de hoeken van de kamer schoon, zegt {n}.</p>"
                   for n in range(12))
    page = ('<html><head><title>Stofzuiger X</title><meta property="og:type" '
            f'content="product"></head><body><article>{body}</article></body></html>')
    with pytest.raises(ArticleError) as caught:
        page_to_article(page, article_id="p", origin="p.html", url=None, source=None)
    assert caught.value.reason == "not-article"


def test_a_news_page_is_still_an_article():
    body = "".join(f"<p>{p}</p>" for p in paragraphs()[:6])
    page = f"<html><head><title>Nieuws</title></head><body><article>{body}</article></body></html>"
    article = page_to_article(page, article_id="n", origin="n.html", url=None, source=None)
    assert len(article.text.split()) > 100


class _Trickle:
    """A loopback server that sends headers, then one body byte every 0.2 s (at most 200)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/slow"
        self.sent = 0
        self.cut_off = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.listener.settimeout(30)
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         b"Content-Length: 200\r\n\r\n")
            try:
                for _ in range(200):
                    time.sleep(0.2)
                    conn.sendall(b"x")
                    self.sent += 1
            except OSError:
                self.cut_off.set()  # the client hung up

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.listener.close()
        self.thread.join(timeout=60)


def test_trickling_server_is_cut_off_at_the_deadline(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    fetcher = Fetcher(timeout_s=1.0, max_bytes=10_000, user_agent="test",
                      allow=["127.0.0.1"])  # a loopback server: the intranet path
    with _Trickle() as server:
        with pytest.raises(FetchError, match="not complete within 1 s"):
            fetcher(server.url)
        sent_when_abandoned = server.sent
    assert sent_when_abandoned < 200  # abandoned mid-body, every byte arrived in time


def test_local_feed_over_the_size_limit_is_not_read(tmp_path, tiny_model_dirs):
    feed = tmp_path / "big.xml"
    feed.write_text(_feed([(str(n), f"Bericht {n}", "tekst " * 200) for n in range(20)]),
                    encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [feed], **{
        "nightly.fetch_max_bytes": 10_000})
    result = run_nightly(config, night=NIGHT, dry_run=True)
    assert result.exit_code == 1 and result.summary.seen == 0
    assert "larger than 10,000 bytes" in result.summary.source_errors[0]["message"]


def test_oversized_html_page_is_refused_before_reading(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    folder.mkdir()
    with (folder / "huge.html").open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: 1 GiB that takes no disk and must not be read
    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "ingest.max_article_bytes": 1000})
    result = run_nightly(config, night=NIGHT, dry_run=True)
    assert result.planned == [(f"{folder}/huge", "failed")]


def test_damaged_state_database_exits_2_with_one_sentence(tmp_path, tiny_model_dirs):
    from pipeline.cli import app
    from pipeline.ingest.article import Article
    from pipeline.nightly.state import Registration, StateStore

    db = tmp_path / "s.sqlite"
    store = StateStore.open(str(db))
    run_id = store.start_run("2025-03-01", pid=0, host="test")
    items = [Registration(key=f"k{i}", kind="new", source="s", content_hash="h", stamp=None,
                          article=Article(id=f"a{i}", text="x" * 3000, origin="o"),
                          reset_attempts=True) for i in range(200)]
    store.register(items, run_id=run_id, file_ids={i.key: i.key for i in items})
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(db.read_bytes())
    data[4096 * 5: 4096 * 40] = b"Z" * (4096 * 35)  # overwrite pages in the middle
    db.write_bytes(bytes(data))
    folder = tmp_path / "desk"
    folder.mkdir()
    marian, bart = tiny_model_dirs
    result = CliRunner().invoke(app, [
        "nightly", "--source", str(folder), "--state", str(db), "--out", str(tmp_path / "out"),
        "--translator", str(marian), "--summarizer", str(bart), "--date", NIGHT])
    assert result.exit_code == 2, result.output
    assert "is damaged" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1.0, 0.0])
def test_fetch_timeout_must_be_a_finite_positive_number(value):
    with pytest.raises(ValidationError):
        NightlyConfig(fetch_timeout_s=value)


def test_fetch_timeout_from_yaml_inf_is_rejected(tmp_path):
    from pipeline.cli import app

    config = tmp_path / "c.yaml"
    config.write_text("nightly:\n  fetch_timeout_s: .inf\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["nightly", "--config", str(config), "--source",
                                      str(tmp_path), "--dry-run"])
    assert result.exit_code == 2 and "fetch_timeout_s" in result.output


# -- the state database's environment (issue 18) --------------------------------------------


def _nightly_cli(tmp_path, db, *extra: str):
    from pipeline.cli import app

    folder = tmp_path / "desk"
    folder.mkdir(exist_ok=True)
    return CliRunner().invoke(app, ["nightly", "--source", str(folder), "--state", str(db),
                                    "--out", str(tmp_path / "out"), "--date", NIGHT, *extra])


def _one_sentence(result) -> None:
    assert "SQL" not in result.output and "please report" not in result.output, result.output
    assert "Traceback" not in result.output and "sqlalchemy" not in result.output.lower()


def test_state_locked_by_another_process_exits_3_in_one_sentence(tmp_path, monkeypatch):
    import sqlite3

    from pipeline.nightly import state as state_module

    db = tmp_path / "s.sqlite"
    state_module.StateStore.open(str(db)).close()
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a sqlite3 shell, a backup tool, ... writing
    try:
        result = _nightly_cli(tmp_path, db, "--log-json")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 3, result.output
    assert "is locked by another process" in result.output
    assert '"reason": "state-locked"' in result.output  # the log collector is told why
    _one_sentence(result)
    assert _nightly_cli(tmp_path, db).exit_code == 0  # once it is free, the run goes ahead


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(("setup", "expected"), [
    ("CREATE TABLE nightly_articles (key_id VARCHAR(64) PRIMARY KEY, key TEXT)",
     "has another layout: table nightly_articles lacks column"),
    ("CREATE TABLE nightly_runs (id INTEGER PRIMARY KEY, night TEXT, status TEXT, pid INT, "
     "host TEXT, started_at TEXT, finished_at TEXT, exit_code INT, summary TEXT, "
     "owner TEXT NOT NULL)", "has another layout: table nightly_runs has column"),
    ("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)",
     "is not a briefing state database"),
    ("CREATE TABLE nightly_meta (name VARCHAR(64) PRIMARY KEY, value TEXT); "
     "INSERT INTO nightly_meta VALUES ('schema_version', 'one')",
     "has a malformed schema version 'one'"),
])
def test_state_of_another_layout_exits_2_in_one_sentence(tmp_path, setup, expected, dry_run):
    import sqlite3

    db = tmp_path / "s.sqlite"
    with sqlite3.connect(db) as connection:
        connection.executescript(setup)
    connection.close()
    before = _schema_of(db)
    result = _nightly_cli(tmp_path, db, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 2, result.output
    assert expected in result.output
    _one_sentence(result)
    assert _schema_of(db) == before  # nothing was added to someone else's database


def _schema_of(db) -> list:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name"
                                  ).fetchall()
def test_full_disk_under_the_state_exits_4_and_costs_no_attempt(tmp_path, tiny_model_dirs):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from pipeline.cli import app
    from pipeline.nightly.state import ArticleRow, StateStore, key_id
    from tests.test_nightly_runs import write_article

    folder = tmp_path / "desk"
    write_article(folder, "a", paragraphs()[5])
    db = tmp_path / "s.sqlite"
    marian, bart = tiny_model_dirs
    args = ["nightly", "--source", str(folder), "--state", str(db), "--out",
            str(tmp_path / "out"), "--date", NIGHT, "--translator", str(marian),
            "--summarizer", str(bart), "--set", "translation.generation.max_new_tokens=8",
            "--set", "nightly.window=1"]
    full = {"now": False}

    def disk_full(_conn, cursor, statement, parameters, _context, executemany):
        # The disk fills up when the briefing is to be recorded: from then on every write
        # fails with a genuine SQLITE_FULL (no new page may be added to the file).
        full["now"] = full["now"] or statement.startswith("INSERT INTO nightly_outcomes")
        if full["now"] and statement.split(None, 1)[0] in ("INSERT", "UPDATE", "DELETE"):
            cursor.execute("PRAGMA max_page_count=1")  # clamped to the file's current size
            filler = "INSERT INTO nightly_meta (name, value) VALUES ('f', zeroblob(1000000))"
            return filler, [()] if executemany else ()
        return statement, parameters

    event.listen(Engine, "before_cursor_execute", disk_full, retval=True)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        event.remove(Engine, "before_cursor_execute", disk_full)
    assert full["now"]
    assert result.exit_code == 4, result.output
    assert "is full" in result.output
    _one_sentence(result)
    store = StateStore.open(str(db))
    with Session(store.engine) as session:
        row = session.get(ArticleRow, key_id(f"{folder}/a"))
        assert (row.status, row.attempts) == ("pending", 0)
    store.close()
    fixed = CliRunner().invoke(app, args)  # space was freed: briefed at its first attempt
    assert fixed.exit_code == 0, fixed.output
    data = json.loads((tmp_path / "out" / NIGHT / "a.json").read_text(encoding="utf-8"))
    assert data["nightly"]["attempt"] == 1



def test_a_clock_behind_the_state_runs_as_the_latest_night(tmp_path, tiny_model_dirs):
    from pipeline.cli import app
    from tests.test_nightly_runs import write_article

    folder = tmp_path / "desk"
    folder.mkdir()
    marian, bart = tiny_model_dirs
    args = ["nightly", "--source", str(folder), "--state", str(tmp_path / "s.sqlite"),
            "--out", str(tmp_path / "out"), "--translator", str(marian), "--summarizer",
            str(bart), "--set", "translation.generation.max_new_tokens=8"]
    later = "2999-01-02"  # a night the clock has not reached: the clock went backwards
    assert CliRunner().invoke(app, [*args, "--date", later]).exit_code == 0
    write_article(folder, "a", paragraphs()[5])

    dry = CliRunner().invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Dry run for {later}" in dry.output and f"new          {folder}/a" in dry.output
    result = CliRunner().invoke(app, args)  # no --date: never refused, never blamed on one
    assert result.exit_code == 0, result.output
    assert "--date" not in result.output
    assert f"the clock says {date.today().isoformat()}" in result.output
    assert f"Night {later} (run 2): 1 new" in result.output
    assert (tmp_path / "out" / later / "a.json").is_file()
    assert not (tmp_path / "out" / date.today().isoformat()).exists()
