"""`briefing nightly` end to end with tiny models: idempotence, changes, wire copy, failures
and retries, feeds (a file and a local HTTP server), a kill -9 mid-batch, a concurrent run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.core.errors import FetchError, InvalidArgumentError
from pipeline.ingest.article import Article
from pipeline.nightly.fetch import Fetched
from pipeline.nightly.lock import RunActiveError
from pipeline.nightly.runner import run_nightly
from pipeline.nightly.sources import content_hash
from pipeline.nightly.state import ArticleRow, OutcomeRow, Registration, StateStore, key_id
from tests.conftest import tiny_config

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "articles"
NIGHT, NEXT_NIGHT = "2025-03-15", "2025-03-16"

pytestmark = pytest.mark.slow


def paragraphs() -> list[str]:
    """Dutch paragraphs of the sample articles (captions left out), 25+ words each."""
    found = []
    for path in sorted(SAMPLES.glob("*.txt")):
        blocks = path.read_text(encoding="utf-8").split("\n\n")[1:]
        found.extend(b.strip() for b in blocks if len(b.split()) >= 25 and "Beeld" not in b)
    return found


def write_article(folder: Path, name: str, text: str, date: str = "2025-03") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(f" date {date} {text}\n", encoding="utf-8")
    return path


def nightly_config(dirs, tmp_path: Path, sources, **overrides):
    values = {
        "nightly.sources": [str(s) for s in sources],
        "nightly.state_url": f"sqlite:///{tmp_path / 'state' / 'briefing.sqlite'}",
        "nightly.out_dir": str(tmp_path / "out"),
        "nightly.window": 4,
        # Tiny random models babble until the cap: keep generation short and the tests fast.
        "translation.generation.max_new_tokens": 8,
    }
    values.update(overrides)
    return tiny_config(dirs, **values)


def article_files(night_dir: Path) -> list[Path]:
    return sorted(p for p in night_dir.glob("*.json")
                  if p.name != "digest.json" and not p.name.startswith("story-"))


def store_of(config) -> StateStore:
    return StateStore.open(config.nightly.state_url)


def group_of(digest: dict, article_id: str) -> dict:
    return next(g for g in digest["groups"] if article_id in g["articles"])


# -- idempotence, feeds from a file, the digest ---------------------------------------------


def test_second_run_processes_nothing_and_loads_no_model(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    for name in ("001_dijkdoorbraak_kruiningen", "002_zeedijk_kruiningen_bezweken",
                 "004_huizenprijzen_2024"):
        (folder / f"{name}.txt").parent.mkdir(exist_ok=True)
        (folder / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    feed = REPO / "samples" / "feed.xml"
    config = nightly_config(tiny_model_dirs, tmp_path, [folder, feed])

    first = run_nightly(config, night=NIGHT)
    night_dir = tmp_path / "out" / NIGHT
    assert first.exit_code == 0 and first.models_loaded
    assert (first.summary.new, first.summary.done, first.summary.failed) == (6, 6, 0)
    files = article_files(night_dir)
    assert len(files) == 6
    data = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in files}
    assert all(d["nightly"]["night"] == NIGHT and d["sentences"] for d in data.values())
    feed_ids = [k for k, d in data.items() if d["url"]]
    assert len(feed_ids) == 3 and all(data[k]["source"] == "Voorbeeldkrant" for k in feed_ids)

    digest = json.loads((night_dir / "digest.json").read_text(encoding="utf-8"))
    assert digest["counts"] == {"articles": 6, "events": digest["counts"]["events"], "failed": 0,
                                "teasers": 0, "disagreements": 0}
    dike = group_of(digest, "001_dijkdoorbraak_kruiningen")
    # Two outlets on one breach, plus the feed's copy of 001: one heading, every source listed.
    assert "002_zeedijk_kruiningen_bezweken" in dike["articles"] and len(dike["articles"]) == 3
    assert any(s["url"] == "https://voorbeeldkrant.example/001_dijkdoorbraak_kruiningen"
               for s in dike["sources"])
    assert "Kruiningen" in dike["entities"]
    assert "004_huizenprijzen_2024" not in dike["articles"]
    # The event of three articles has its story beside the digest, shown first in its event.
    story = json.loads((night_dir / f"story-{dike['id']}.json").read_text(encoding="utf-8"))
    assert {a["id"] for a in story["articles"]} == set(dike["articles"])
    assert story["briefing"] and dike["story"]["file"] == f"story-{dike['id']}.json"
    html = (night_dir / "digest.html").read_text(encoding="utf-8")
    event_html = html[html.index(f'<article class="event" id="{dike["id"]}"'):]
    assert event_html.index('<section class="story"') < event_html.index('<ol class="briefing"')

    html = (night_dir / "digest.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert '<meta name="viewport"' in html and "@media (max-width" in html
    assert html.count("<details><summary>") == sum(len(a["summary_sentences"])
                                                   for a in digest["articles"])
    assert "https://voorbeeldkrant.example/001_dijkdoorbraak_kruiningen" in html
    assert (night_dir / "digest.md").read_text(encoding="utf-8").startswith("# Briefing digest")

    mtimes = {p.name: p.stat().st_mtime_ns for p in files}
    second = run_nightly(config, night=NIGHT)
    assert second.exit_code == 0
    assert not second.models_loaded and second.summary.models_loaded is False
    assert (second.summary.unchanged, second.summary.new, second.summary.done) == (6, 0, 0)
    assert {p.name: p.stat().st_mtime_ns for p in article_files(night_dir)} == mtimes
    again = json.loads((night_dir / "digest.json").read_text(encoding="utf-8"))
    assert again["counts"]["articles"] == 6 and len(again["runs"]) == 2
    assert again["run"]["unchanged"] == 6


def test_thousands_of_known_articles_finish_in_seconds(tmp_path, tiny_model_dirs):
    records = [{"id": f"wire-{i:05d}", "text": f"Bericht {i}: de gemeenteraad van Zwolle "
                "besprak dinsdagavond opnieuw de begroting voor het komende jaar."}
               for i in range(3000)]
    feed = tmp_path / "wire.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    # An earlier night briefed all of them (recorded directly: briefing 3000 takes minutes).
    store = store_of(config)
    run_id = store.start_run("2025-03-01", pid=0, host="test")
    items = [Registration(key=f"{feed}/{r['id']}", kind="new", source=str(feed),
                          article=Article(id=r["id"], text=r["text"], origin=str(feed)),
                          content_hash=content_hash(Article(id=r["id"], text=r["text"],
                                                            origin="")),
                          stamp=None, reset_attempts=True) for r in records]
    store.register(items, run_id=run_id, file_ids={i.key: i.article.id for i in items})
    with Session(store.engine) as session, session.begin():
        session.execute(update(ArticleRow).values(status="done", night="2025-03-01"))
    store.close()

    # What keeps such a run fast: a fixed number of queries, not one (or more) per article.
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        result = run_nightly(config, night=NIGHT)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert result.summary.unchanged == 3000 and result.summary.new == 0
    assert not result.models_loaded
    assert 0 < len(statements) < 100, f"{len(statements)} SQL statements for 3000 known articles"


def test_dry_run_changes_nothing(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    texts = paragraphs()
    write_article(folder, "a", texts[0])
    write_article(folder, "b", texts[1])
    config = nightly_config(tiny_model_dirs, tmp_path, [folder])
    result = run_nightly(config, night=NIGHT, dry_run=True)
    assert result.exit_code == 0 and not result.models_loaded
    assert sorted(action for _, action in result.planned) == ["new", "new"]
    assert not (tmp_path / "state").exists() and not (tmp_path / "out").exists()


# -- changes, wire copy, failures -----------------------------------------------------------


def test_changed_article_is_processed_again_and_the_change_recorded(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    texts = paragraphs()
    write_article(folder, "a", texts[0])
    write_article(folder, "b", texts[1])
    config = nightly_config(tiny_model_dirs, tmp_path, [folder])
    assert run_nightly(config, night=NIGHT).summary.new == 2

    write_article(folder, "a", texts[0] + " Later op de dag meldde de gemeente nieuwe details.")
    second = run_nightly(config, night=NEXT_NIGHT)
    assert (second.summary.changed, second.summary.unchanged) == (1, 1)
    changed = json.loads((tmp_path / "out" / NEXT_NIGHT / "a.json").read_text(encoding="utf-8"))
    assert "nieuwe details" in " ".join(s["nl"] for s in changed["sentences"])
    assert changed["nightly"]["kind"] == "changed"
    store = store_of(config)
    with Session(store.engine) as session:
        rows = session.scalars(select(OutcomeRow).where(
            OutcomeRow.key_id == key_id(f"{folder}/a")).order_by(OutcomeRow.id)).all()
        assert [(r.night, r.kind) for r in rows] == [(NIGHT, "new"), (NEXT_NIGHT, "changed")]
        assert rows[1].previous_hash == rows[0].content_hash != rows[1].content_hash
        assert session.get(ArticleRow, key_id(f"{folder}/a")).revision == 1

    # Re-running a past night rebuilds its digest as it was: both articles, old version.
    rebuilt = run_nightly(config, night=NIGHT)
    assert rebuilt.rebuilt and rebuilt.summary.seen == 0 and not rebuilt.models_loaded
    assert sorted(a["id"] for a in rebuilt.digest["articles"]) == ["a", "b"]
    assert [a["id"] for a in json.loads(
        (tmp_path / "out" / NEXT_NIGHT / "digest.json").read_text())["articles"]] == ["a"]


def test_same_text_from_two_sources_is_translated_once(tmp_path, tiny_model_dirs):
    text = paragraphs()[2]
    folder = tmp_path / "desk"
    write_article(folder, "anp-001", text)
    wire = tmp_path / "wire.jsonl"
    config = nightly_config(tiny_model_dirs, tmp_path, [folder])
    first = run_nightly(config, night=NIGHT)
    assert first.summary.translation["generate_calls"] > 0

    wire.write_text(json.dumps({"id": "wire-77", "text": text, "date": "2025-03"}) + "\n",
                    encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [folder, wire])
    second = run_nightly(config, night=NIGHT)
    stats = second.summary.translation
    assert second.summary.new == 1 and second.summary.unchanged == 1
    assert stats["generate_calls"] == 0 and stats["cache_hits"] == stats["pieces"] > 0
    assert set(group_of(second.digest, "wire-77")["articles"]) == {"anp-001", "wire-77"}


def test_failed_article_is_recorded_retried_and_later_succeeds(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    texts = paragraphs()
    write_article(folder, "short", texts[3])
    (folder / "latin1.txt").write_bytes(f" date 2025-03 {texts[4]}\n".encode("latin-1", "replace")
                                        + b"\xe9\xe8 caf\xe9\n")
    strict = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "ingest.min_article_words": 500})
    first = run_nightly(strict, night=NIGHT)
    assert first.exit_code == 1 and first.summary.failed == 2
    # Counted as a batch's run.json counts them, in digest.json's run section too.
    assert first.digest["run"]["failures_by_reason"] == {"too-short": 1, "not-utf8": 1}
    failed = {f["id"]: f for f in first.digest["failed"]}
    assert failed["short"]["reason"] == "too-short" and failed["short"]["final"]
    assert failed["latin1"]["reason"] == "not-utf8" and failed["latin1"]["attempt"] == 1
    md = (tmp_path / "out" / NIGHT / "digest.md").read_text(encoding="utf-8")
    assert "Not briefed (2)" in md and "too-short" in md

    # Too short is final: a later run does not try it again. The fixed file is read again.
    (folder / "latin1.txt").write_text(f" date 2025-03 {texts[4]}\n", encoding="utf-8")
    normal = nightly_config(tiny_model_dirs, tmp_path, [folder])
    second = run_nightly(normal, night=NIGHT)
    assert (second.summary.retried, second.summary.done, second.summary.unchanged) == (1, 1, 1)
    assert [(f["id"], f["final"], f["will_retry"]) for f in second.digest["failed"]] == [
        ("short", True, False)]
    assert second.exit_code == 1  # the night still lists it
    third = run_nightly(normal, night=NIGHT, reprocess=["failed"])  # after the fix: asked for
    assert third.exit_code == 0 and third.digest["failed"] == []
    assert {a["id"]: a["kind"] for a in third.digest["articles"]} == {
        "short": "reprocessed", "latin1": "retried"}


def _feed_with_teaser(path: Path, link: str) -> Path:
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Krant</title>'
                    f"<item><title>Kop</title><link>{link}</link><guid>{link}</guid>"
                    "<description>Lees verder.</description></item></channel></rss>",
                    encoding="utf-8")
    return path


def _unreachable(url: str):
    raise FetchError(f"{url}: connection refused")


def test_attempts_run_out_then_reprocess_failed(tmp_path, tiny_model_dirs):
    page = "https://krant.example/artikel-1"
    feed = _feed_with_teaser(tmp_path / "feed.xml", page)
    config = nightly_config(tiny_model_dirs, tmp_path, [feed], **{"nightly.max_attempts": 2})
    first = run_nightly(config, night=NIGHT, fetcher=_unreachable)
    assert first.exit_code == 1 and first.digest["failed"][0]["reason"] == "fetch-failed"
    assert first.digest["failed"][0]["will_retry"] is True  # an unreachable page can change
    second = run_nightly(config, night=NIGHT, fetcher=_unreachable)
    assert second.exit_code == 1 and second.summary.retried == 1
    assert second.digest["failed"][0]["attempt"] == 2
    assert second.digest["failed"][0]["will_retry"] is False

    third = run_nightly(config, night=NEXT_NIGHT, fetcher=_unreachable)  # given up: listed
    assert third.summary.exhausted == 1 and not third.models_loaded
    assert third.summary.exhausted_keys == [page] and third.exit_code == 0
    digest_md = (tmp_path / "out" / NEXT_NIGHT / "digest.md").read_text()
    assert "Given up" in digest_md and "tried again when reprocessed" in digest_md
    assert "--reprocess" not in digest_md  # the digest is read by people, not the CLI

    texts = paragraphs()
    html = _page("Kop", " ".join(texts[5:7])).encode()
    fourth = run_nightly(config, night=NEXT_NIGHT, reprocess=["failed"],
                         fetcher=lambda url: Fetched(url=url, content=html,
                                                     content_type="text/html"))
    assert fourth.summary.reprocessed == 1 and fourth.summary.done == 1
    assert fourth.exit_code == 0


def test_deterministic_failure_is_recorded_once(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    write_article(folder, "short", paragraphs()[5])
    strict = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "ingest.min_article_words": 500})
    first = run_nightly(strict, night=NIGHT)
    assert first.exit_code == 1 and first.digest["failed"][0]["reason"] == "too-short"
    assert first.digest["failed"][0]["will_retry"] is False
    later = run_nightly(strict, night=NEXT_NIGHT)  # not tried again, no model loaded
    assert later.exit_code == 0 and not later.models_loaded
    assert (later.summary.unchanged, later.summary.retried, later.summary.failed) == (1, 0, 0)
    store = store_of(strict)
    assert store.outcome_counts(NIGHT) == {"failed": 1} and store.outcome_counts(NEXT_NIGHT) == {}
    store.close()


def test_environment_failure_uses_no_attempt(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    write_article(folder, "a", paragraphs()[5])
    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{"nightly.max_attempts": 2})
    blocker = tmp_path / "out" / NIGHT / "a.json"  # the output cannot be written there
    blocker.mkdir(parents=True)
    for _ in range(3):
        with pytest.raises(OSError):
            run_nightly(config, night=NIGHT)
    store = store_of(config)
    with Session(store.engine) as session:
        row = session.get(ArticleRow, key_id(f"{folder}/a"))
        assert (row.status, row.attempts) == ("pending", 0)
    store.close()
    blocker.rmdir()  # the disk is fixed: the article is briefed, not given up as crashed
    fixed = run_nightly(config, night=NIGHT)
    assert fixed.exit_code == 0 and fixed.summary.done == 1 and fixed.digest["failed"] == []


def test_past_night_is_rebuilt_read_only(tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    texts = paragraphs()
    write_article(folder, "a", texts[0])
    normal = nightly_config(tiny_model_dirs, tmp_path, [folder])
    assert run_nightly(normal, night=NIGHT).exit_code == 0
    page = "https://krant.example/artikel-2"
    feed = _feed_with_teaser(tmp_path / "feed.xml", page)
    both = nightly_config(tiny_model_dirs, tmp_path, [folder, feed])
    next_night = run_nightly(both, night=NEXT_NIGHT, fetcher=_unreachable)
    assert [f["key"] for f in next_night.digest["failed"]] == [page]
    next_digest = (tmp_path / "out" / NEXT_NIGHT / "digest.json").read_bytes()
    store = store_of(normal)
    before = {n: store.outcome_counts(n) for n in (NIGHT, NEXT_NIGHT)}
    store.close()

    def no_fetch(url: str):
        raise AssertionError(f"a rebuild fetched {url}")

    rebuilt = run_nightly(both, night=NIGHT, fetcher=no_fetch)
    assert rebuilt.rebuilt and not rebuilt.models_loaded and rebuilt.exit_code == 0
    assert [a["id"] for a in rebuilt.digest["articles"]] == ["a"]
    assert rebuilt.digest["failed"] == []  # the next night's failure stays there
    store = store_of(normal)
    assert {n: store.outcome_counts(n) for n in (NIGHT, NEXT_NIGHT)} == before
    store.close()
    assert (tmp_path / "out" / NEXT_NIGHT / "digest.json").read_bytes() == next_digest

    # A past night no run was on (a mistyped date) is an error, not an empty digest.
    with pytest.raises(InvalidArgumentError, match="no run of the state was on the night"):
        run_nightly(both, night="2000-01-01", fetcher=no_fetch)
    assert not (tmp_path / "out" / "2000-01-01").exists()


# -- feeds over HTTP ------------------------------------------------------------------------


class _Site:
    """A tiny website on 127.0.0.1 (port 0) that counts hits and stops itself."""

    def __init__(self, pages: dict[str, tuple[int, str, str]]):
        self.pages = pages
        self.hits: dict[str, int] = {}
        self.fail_first: set[str] = set()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                status, kind, body = site.pages.get(self.path, (404, "text/plain", "not found"))
                if self.path in site.fail_first and site.hits[self.path] == 1:
                    status, body = 500, "try again later"
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.watchdog = threading.Timer(120, self.server.shutdown)

    def __enter__(self):
        self.thread.start()
        self.watchdog.start()
        return self

    def __exit__(self, *_exc):
        self.watchdog.cancel()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _rss(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Sat, 15 Mar 2025 11:30:00 +0100</pubDate><description>{text}</description>"
        "</item>" for path, title, text in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Lokale Krant</title><link>{base}/</link>{entries}</channel></rss>")


def _page(title: str, text: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in text.split(". ") if p)
    return (f"<html><head><title>{title}</title></head><body><nav>Home | Nieuws | Sport</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>© Lokale Krant</footer>"
            "</body></html>")


def test_feed_from_local_http_server_with_teasers_fetched(tmp_path, tiny_model_dirs, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    texts = paragraphs()
    full = " ".join(texts[6:9])
    pages = {
        "/teaser": (200, "text/html; charset=utf-8", _page("Stikstofvergunning vernietigd",
                                                           " ".join(texts[9:11]))),
        "/flaky": (200, "text/html; charset=utf-8", _page("Staking in Delfzijl",
                                                          " ".join(texts[11:13]))),
    }
    with _Site(pages) as site:
        site.pages["/feed.xml"] = (200, "application/rss+xml", _rss(site.base, [
            ("/full", "Volledig bericht", full),
            ("/teaser", "Stikstofvergunning vernietigd", "Lees het hele verhaal."),
            ("/flaky", "Staking in Delfzijl", "Lees verder."),
        ]))
        site.fail_first.add("/flaky")
        config = nightly_config(tiny_model_dirs, tmp_path, [f"{site.base}/feed.xml"], **{
            "nightly.fetch_allow": ["127.0.0.1"]})  # loopback is refused unless listed

        first = run_nightly(config, night=NIGHT)
        assert first.exit_code == 1
        assert (first.summary.new, first.summary.done, first.summary.failed) == (3, 2, 1)
        assert first.digest["failed"][0]["reason"] == "fetch-failed"
        teaser = json.loads((tmp_path / "out" / NIGHT / "teaser.json").read_text())
        assert teaser["url"] == f"{site.base}/teaser" and teaser["source"] == "Lokale Krant"
        assert "Home | Nieuws" not in " ".join(s["nl"] for s in teaser["sentences"])

        second = run_nightly(config, night=NIGHT)
        assert second.exit_code == 0
        assert (second.summary.retried, second.summary.unchanged) == (1, 2)
        assert site.hits == {"/feed.xml": 2, "/teaser": 1, "/flaky": 2}  # known teaser: no refetch
        assert second.digest["failed"] == [] and second.digest["counts"]["articles"] == 3

    gone = run_nightly(config, night=NIGHT)  # the site is down: recorded, nothing lost
    assert gone.exit_code == 1 and gone.summary.source_errors
    assert gone.digest["counts"]["articles"] == 3


# -- kill -9 and a concurrent run -----------------------------------------------------------


class _NightlyChild:
    """The console script running ``args`` (a nightly, one article at a time, --log-json)
    in the background, its stderr lines collected as they come; made once the first article
    is committed (its ``article.done`` event, sent after the commit)."""

    def __init__(self, args: list[str]):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from pipeline.cli import main; main()", *args,
             "--log-json", "--set", "nightly.window=1",
             "--set", "translation.generation.max_new_tokens=8"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._first_done = threading.Event()
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            deadline = time.monotonic() + 120
            while not self._first_done.wait(timeout=0.05):
                assert not self._ended.is_set(), \
                    f"the child ended (exit {self.process.wait()}) before an article was " \
                    f"done: {self.stderr[-2000:]}"
                assert time.monotonic() < deadline, "no article was done within 120 s"
        except BaseException:
            self.kill()
            raise

    def _read(self) -> None:
        try:
            for line in self.process.stderr:
                self.lines.append(line)
                with contextlib.suppress(ValueError):  # the tests assert on every line
                    record = json.loads(line)
                    if isinstance(record, dict) and record.get("event") == "article.done":
                        self._first_done.set()
        finally:
            self._ended.set()

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def finish(self, timeout: float) -> str:
        """Wait for the child to end; everything it wrote on stderr."""
        self.process.wait(timeout=timeout)
        assert self._ended.wait(timeout=timeout), "stderr was not read to its end"
        return self.stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_killed_mid_batch_then_resumed_exactly_once(tmp_path, tiny_model_dirs):
    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = tmp_path / "desk"
    texts = paragraphs()[:30]
    assert len(texts) == 30
    for number, text in enumerate(texts):
        write_article(folder, f"art{number:02d}", text)
    marian, bart = tiny_model_dirs
    state = tmp_path / "state" / "briefing.sqlite"
    out = tmp_path / "out"
    night_dir = out / NIGHT
    args = ["nightly", "--source", str(folder), "--state", str(state), "--out", str(out),
            "--date", NIGHT, "--translator", str(marian), "--summarizer", str(bart)]
    child = _NightlyChild(args)
    try:
        # A second run while this one is active refuses and touches nothing.
        config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
            "nightly.state_url": f"sqlite:///{state}", "nightly.out_dir": str(out)})
        with pytest.raises(RunActiveError):
            run_nightly(config, night=NIGHT)
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 3, refused.output
        assert "another nightly run is active" in refused.output
        child.process.send_signal(signal.SIGKILL)
        stderr = child.finish(timeout=30)
    finally:
        child.kill()
    assert child.process.returncode == -signal.SIGKILL
    events = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert events and events[0]["event"] == "run.started"  # --log-json: every line is JSON

    store = StateStore.open(f"sqlite:///{state}")
    done_before = store.outcome_counts(NIGHT).get("done", 0)
    assert done_before < 30, "the kill must land mid-batch"
    store.close()

    resumed = run_nightly(config, night=NIGHT)
    assert resumed.exit_code == 0
    assert resumed.summary.resumed == resumed.summary.done == 30 - done_before
    assert resumed.summary.new == 0

    store = StateStore.open(f"sqlite:///{state}")
    with Session(store.engine) as session:
        per_key = session.execute(select(OutcomeRow.key_id, func.count())
                                  .where(OutcomeRow.night == NIGHT)
                                  .group_by(OutcomeRow.key_id)).all()
        assert len(per_key) == 30 and all(count == 1 for _, count in per_key)
        assert session.scalar(select(func.count()).select_from(ArticleRow)
                              .where(ArticleRow.status == "done")) == 30
    files = article_files(night_dir)
    assert [p.stem for p in files] == [f"art{n:02d}" for n in range(30)]
    assert all(json.loads(p.read_text(encoding="utf-8"))["id"] == p.stem for p in files)
    digest = json.loads((night_dir / "digest.json").read_text(encoding="utf-8"))
    assert sorted(a["id"] for a in digest["articles"]) == [p.stem for p in files]
    assert [r["status"] for r in digest["runs"]] == ["interrupted", "finished"]
    assert not list(out.rglob("*.tmp"))


def test_sigterm_stops_a_run_cleanly_and_the_next_one_resumes(tmp_path, tiny_model_dirs):
    """SIGTERM (systemctl stop) ends the run as Ctrl-C does: exit 130, the run recorded as
    interrupted with its event, every finished article kept; the next run does the rest."""
    from pipeline.nightly.state import RunRow

    folder = tmp_path / "desk"
    for number, text in enumerate(paragraphs()[:20]):
        write_article(folder, f"art{number:02d}", text)
    marian, bart = tiny_model_dirs
    state = tmp_path / "state" / "briefing.sqlite"
    out = tmp_path / "out"
    night_dir = out / NIGHT
    child = _NightlyChild(["nightly", "--source", str(folder), "--state", str(state),
                           "--out", str(out), "--date", NIGHT, "--translator", str(marian),
                           "--summarizer", str(bart)])
    try:
        child.process.send_signal(signal.SIGTERM)
        stderr = child.finish(timeout=120)
    finally:
        child.kill()
    assert child.process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    events = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # all JSON
    assert events[-1]["event"] == "run.interrupted" and events[-1]["exit_code"] == 130
    store = StateStore.open(f"sqlite:///{state}")
    with Session(store.engine) as session:
        run = session.scalars(select(RunRow)).one()
        assert (run.status, run.exit_code) == ("interrupted", 130)
    done_before = store.outcome_counts(NIGHT).get("done", 0)
    store.close()
    assert 0 < done_before < 20, "the signal must land mid-batch"

    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **{
        "nightly.state_url": f"sqlite:///{state}", "nightly.out_dir": str(out)})
    resumed = run_nightly(config, night=NIGHT)
    assert resumed.exit_code == 0
    assert resumed.summary.done == 20 - done_before
    assert [p.stem for p in article_files(night_dir)] == [f"art{n:02d}" for n in range(20)]
    assert [r["status"] for r in resumed.digest["runs"]] == ["interrupted", "finished"]
    assert not list(out.rglob("*.tmp"))


def test_cli_prints_the_summary_and_refuses_bad_usage(tmp_path, tiny_model_dirs):
    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = tmp_path / "desk"
    write_article(folder, "a", paragraphs()[14])
    marian, bart = tiny_model_dirs
    base = ["nightly", "--source", str(folder), "--state", str(tmp_path / "s.sqlite"),
            "--out", str(tmp_path / "out"), "--translator", str(marian),
            "--summarizer", str(bart), "--set", "translation.generation.max_new_tokens=8"]
    runner = CliRunner()
    dry = runner.invoke(app, [*base, "--date", NIGHT, "--dry-run"])
    assert dry.exit_code == 0 and f"new          {folder}/a" in dry.stdout
    done = runner.invoke(app, [*base, "--date", NIGHT])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"Night {NIGHT} (run 1): 1 new, 0 changed, 0 unchanged")
    assert "Durations: reading" in done.stdout and "models loaded: yes" in done.stdout
    assert (tmp_path / "out" / NIGHT / "a.json").is_file()
    again = runner.invoke(app, [*base, "--date", NIGHT])
    assert again.exit_code == 0 and "1 unchanged" in again.stdout
    assert "models loaded: no" in again.stdout
    for bad in (["--date", "2025-13-01"], ["--reprocess", "no-such-article"],
                ["--source", str(tmp_path / "missing")]):
        result = runner.invoke(app, [*base, *bad])
        assert result.exit_code == 2, (bad, result.output)


# -- kills at chosen points: only an article alone in flight may be blamed ------------------

# Runs `briefing nightly` and SIGKILLs it at one chosen point, the way an OOM killer or a
# systemd stop would: "window N" as the Nth window is handed to the engine, "done N" just
# before the Nth briefing is committed (its file written), "culprit ID" whenever the article
# ID is in the window handed to the engine (an article that brings the process down).
_KILLER = """
import os, signal, sys
from pipeline.briefing.engine import BriefingEngine
from pipeline.nightly.state import StateStore
mode, arg = sys.argv[1], sys.argv[2]
sys.argv = [sys.argv[0], *sys.argv[3:]]
calls = {"window": 0, "done": 0}
run, record_done = BriefingEngine.run, StateStore.record_done
def kill_if(point, ids=()):
    calls[point] = calls.get(point, 0) + 1
    if (mode == point and calls[point] == int(arg)) or (mode == "culprit" and arg in ids):
        os.kill(os.getpid(), signal.SIGKILL)
def killing_run(self, items, *args, **kwargs):
    items = list(items)
    kill_if("window", [getattr(i, "id", None) for i in items])
    yield from run(self, items, *args, **kwargs)
def killing_record_done(self, *args, **kwargs):
    kill_if("done")
    return record_done(self, *args, **kwargs)
BriefingEngine.run, StateStore.record_done = killing_run, killing_record_done
from pipeline.cli import main
main()
"""


def _kill_setup(tmp_path, tiny_model_dirs, count: int):
    folder = tmp_path / "desk"
    for number, text in enumerate(paragraphs()[:count]):
        write_article(folder, f"a{number}", text)
    marian, bart = tiny_model_dirs
    state, out = tmp_path / "state" / "briefing.sqlite", tmp_path / "out"
    settings = {"nightly.window": 3, "nightly.max_attempts": 2}
    args = ["nightly", "--source", str(folder), "--state", str(state), "--out", str(out),
            "--date", NIGHT, "--translator", str(marian), "--summarizer", str(bart),
            "--set", "translation.generation.max_new_tokens=8",
            *[f"--set={key}={value}" for key, value in settings.items()]]
    config = nightly_config(tiny_model_dirs, tmp_path, [folder], **settings, **{
        "nightly.state_url": f"sqlite:///{state}", "nightly.out_dir": str(out)})
    return args, config


def _killed_run(args: list[str], mode: str, arg: str) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    child = subprocess.run([sys.executable, "-c", _KILLER, mode, arg, *args], cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, (mode, arg, child.stderr[-2000:])


def _attempts(config) -> dict[str, tuple[str, int]]:
    store = store_of(config)
    with Session(store.engine) as session:
        rows = session.scalars(select(ArticleRow)).all()
        found = {row.file_id: (row.status, row.attempts) for row in rows}
    store.close()
    return found


def test_kills_never_give_up_an_article_that_was_not_alone_in_flight(tmp_path, tiny_model_dirs):
    args, config = _kill_setup(tmp_path, tiny_model_dirs, 6)
    # Windows of 3, two attempts each: before, the second kill with a0..a2 in flight gave
    # all three up as "crashed".
    _killed_run(args, "window", "1")  # a0 a1 a2 in flight: none is blamed
    _killed_run(args, "window", "1")  # a3 a4 a5 (first: what was in flight goes last)
    _killed_run(args, "done", "1")    # a0 a1 a2 again, a0's file written, not committed
    _killed_run(args, "window", "2")  # a3 a4 a5 briefed; then a0, alone: counted once
    assert _attempts(config)["a0"] == ("pending", 0)  # counted by the next run, once
    _killed_run(args, "done", "2")    # a1 a2 briefed, killed before a2 is committed
    assert _attempts(config)["a0"] == ("pending", 1)

    final = run_nightly(config, night=NIGHT)
    assert final.exit_code == 0 and final.digest["failed"] == []
    assert _attempts(config) == {
        "a0": ("done", 2), "a1": ("done", 1), "a2": ("done", 1), "a3": ("done", 1),
        "a4": ("done", 1), "a5": ("done", 1)}
    night_dir = tmp_path / "out" / NIGHT
    assert {p.stem: json.loads(p.read_text(encoding="utf-8"))["nightly"]["attempt"]
            for p in article_files(night_dir)} == {"a0": 2, "a1": 1, "a2": 1, "a3": 1,
                                                   "a4": 1, "a5": 1}
    assert final.digest["counts"]["articles"] == 6
    assert [r["status"] for r in final.digest["runs"]] == ["interrupted"] * 5 + ["finished"]


def test_an_article_that_kills_every_run_is_given_up_alone(tmp_path, tiny_model_dirs):
    args, config = _kill_setup(tmp_path, tiny_model_dirs, 6)
    _killed_run(args, "culprit", "a4")  # a0-a2 briefed; dies with a3 a4 a5 in flight
    _killed_run(args, "culprit", "a4")  # a3 alone: briefed; a4 alone: dies (counted: 1)
    _killed_run(args, "culprit", "a4")  # a5 briefed; a4 alone again: dies (counted: 2)

    final = run_nightly(config, night=NIGHT)  # a4 has used its attempts: given up, not run
    assert final.exit_code == 1
    assert [(f["id"], f["reason"]) for f in final.digest["failed"]] == [("a4", "crashed")]
    assert _attempts(config) == {
        "a0": ("done", 1), "a1": ("done", 1), "a2": ("done", 1), "a3": ("done", 1),
        "a4": ("failed", 2), "a5": ("done", 1)}
