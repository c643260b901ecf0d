"""Nightly building blocks that need no model: planning, grouping, evidence, extraction,
state, cache, lock and configuration. Hand-computed cases first."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.core.config import load_config
from pipeline.core.errors import ArticleError, ConfigError
from pipeline.grouping.articles import GroupInput, cluster, group_articles, normalise_number
from pipeline.ingest.article import Article
from pipeline.ingest.cleaning import normalise_whitespace
from pipeline.ingest.readers import DATE_PREFIX
from pipeline.ingest.segment import split_sentences
from pipeline.nightly.cache import SqlTranslationCache
from pipeline.nightly.extract import fragment_to_text
from pipeline.nightly.lock import RunActiveError, RunLock
from pipeline.nightly.plan import Planner, classify, needs_fetch
from pipeline.nightly.sources import Candidate, content_hash
from pipeline.nightly.state import Known, StateStore
from pipeline.support.evidence import find_evidence, tokens

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "articles"
SEEDS = REPO.parent / "shared" / "seeds"


# -- grouping -------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("1.200", "1200"), ("1,200", "1200"), ("4,12", "4.12"), ("4.12", "4.12"),
    ("1.500.000", "1500000"), ("72", "72"), ("7", None), ("2025", "2025"), ("0,5", "0.5"),
])
def test_numbers_normalise_across_dutch_and_english(raw, expected):
    assert normalise_number(raw) == expected


def test_average_linkage_does_not_chain():
    # a~b and b~c are close, a~c far: single linkage would chain all three; average does not.
    sims = [[1.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.0]]
    assert cluster(sims, threshold=0.25) == [[0, 1], [2]]
    assert cluster(sims, threshold=0.1) == [[0, 1, 2]]  # average of 0.0 and 0.3 is 0.15


def _dutch_sentences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    match = DATE_PREFIX.match(text)
    body = text[match.end():] if match else text
    return [s for para in normalise_whitespace(body) for s in split_sentences(para)]


def _groups_by_prefix(folder: Path) -> tuple[list[list[str]], list[str], list]:
    files = sorted(folder.glob("*.txt"))
    names = [f.name[:3] for f in files]
    groups = group_articles([GroupInput(id=n, nl=_dutch_sentences(f), en=[])
                             for n, f in zip(names, files, strict=True)],
                            threshold=0.25, related_threshold=0.10)
    return [sorted(names[i] for i in g.members) for g in groups], names, groups


def test_samples_group_the_dike_breach_and_nothing_else():
    members, _, groups = _groups_by_prefix(SAMPLES)
    assert ["001", "002", "003"] in members  # two outlets and the follow-up
    assert sum(len(m) for m in members) == 10
    assert all(len(m) == 1 for m in members if m != ["001", "002", "003"])
    dike = groups[[m for m in members].index(["001", "002", "003"])]
    assert "Kruiningen" in dike.entities


@pytest.mark.shared
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not available")
def test_seeds_same_strike_grouped_and_related_articles_linked():
    members, names, groups = _groups_by_prefix(SEEDS)
    assert ["000", "004"] in members  # the same missile strike, two reports
    by_name = {names[i]: gi for gi, g in enumerate(groups) for i in g.members}
    assert by_name["001"] != by_name["000"] and by_name["003"] != by_name["000"]
    related_to_001 = {other for other, _ in groups[by_name["001"]].related}
    related_to_003 = {other for other, _ in groups[by_name["003"]].related}
    assert by_name["003"] in related_to_001 and by_name["001"] in related_to_003


# -- evidence -------------------------------------------------------------------------------


def test_evidence_hand_computed():
    sentences = ["The dike broke near Kruiningen.", "About 1,200 residents were evacuated.",
                 "The weather was calm on Sunday."]
    # "evacuated" and "1200" only occur in sentence 1: it is the whole evidence.
    found = find_evidence("Some 1.200 people were evacuated.", sentences)
    assert [e.index for e in found] == [1]
    # Every word below occurs in one sentence, so all weigh log(4/2) + 1: scores are shares.
    # {dike, kruiningen, residents, evacuated}: sentences 0 and 1 cover 2 of 4 each.
    found = find_evidence("Dike at Kruiningen: residents evacuated.", sentences)
    assert [(e.index, e.score) for e in found] == [(0, 0.5), (1, 0.5)]
    # {dike, kruiningen, broke, residents}: 3/4 and 1/4; 1/4 is under half the best: dropped.
    found = find_evidence("Dike at Kruiningen broke; residents.", sentences)
    assert [(e.index, e.score) for e in found] == [(0, 0.75)]
    assert find_evidence("Nothing shared here.", sentences) == []
    assert tokens("The 1,200 and 1.200") == {"1200"}


# -- planning -------------------------------------------------------------------------------


def _article(text="Een artikel over de dijk bij Kruiningen.", id_="a1") -> Article:
    return Article(id=id_, text=text, origin=f"src/{id_}.txt")


def _known(status, article=None, attempts=0, stamp=None, hash_=..., reason="model-error"):
    h = content_hash(article) if hash_ is ... and article is not None else (
        None if hash_ is ... else hash_)
    return Known(key="k", status=status, content_hash=h, stamp=stamp, attempts=attempts,
                 file_id="a1", article_id="a1", last_reason=reason)


def test_classify_table():
    a, b = _article(), _article("Een ander artikel over de storm in Zeeland.")
    ok = Candidate(key="k", source="src", article=a)
    err = Candidate(key="k", source="src",
                    error=ArticleError("x", reason="not-utf8", origin="src/a1.txt"))
    assert classify(ok, None, 3) == "new"
    assert classify(ok, _known("done", a), 3) == "unchanged"
    assert classify(ok, _known("done", b), 3) == "changed"
    assert classify(ok, _known("failed", a, attempts=1), 3) == "waiting"  # retried from state
    assert classify(ok, _known("failed", a, attempts=3), 3) == "exhausted"
    assert classify(ok, _known("failed", b, attempts=3), 3) == "changed"
    assert classify(ok, _known("failed", None, attempts=3, hash_=None), 3) == "retried"
    assert classify(ok, _known("pending", a), 3) == "waiting"
    assert classify(err, None, 3) == "fail-new"
    assert classify(err, _known("done", a), 3) == "kept"  # a bad read never undoes a briefing
    assert classify(err, _known("failed", None, attempts=1, hash_=None), 3) == "fail-retried"
    assert classify(err, _known("failed", None, attempts=3, hash_=None), 3) == "exhausted"

    # A failure that cannot change is recorded once: seen again, nothing to do.
    assert classify(ok, _known("failed", a, attempts=1, reason="not-dutch"), 3) == "unchanged"
    assert classify(ok, _known("failed", b, attempts=1, reason="not-dutch"), 3) == "changed"
    assert classify(err, _known("failed", None, attempts=1, hash_=None, reason="not-utf8"),
                    3) == "unchanged"
    assert classify(err, _known("failed", None, attempts=1, hash_=None, reason="unreadable"),
                    3) == "fail-retried"
    # An entry of a malformed feed never replaces stored content; a new one is used.
    partial = Candidate(key="k", source="src", article=b, partial=True)
    assert classify(partial, _known("done", a), 3) == "kept"
    assert classify(partial, None, 3) == "new"


def test_teasers_are_not_refetched_when_known():
    teaser = Candidate(key="u", source="feed", fetch_url="http://127.0.0.1/x", stamp="v1")
    assert needs_fetch(teaser, None, 3)
    assert not needs_fetch(teaser, _known("done", stamp="v1", hash_="h"), 3)
    assert needs_fetch(teaser, _known("done", stamp="v2", hash_="h"), 3)
    assert needs_fetch(teaser, _known("failed", stamp="v1", attempts=1, hash_=None), 3)


def test_planner_dedupes_keys_and_gives_unique_file_ids():
    planner = Planner({}, {"a1"}, 3)
    planner.add(Candidate(key="src/a1", source="src", article=_article()))
    planner.add(Candidate(key="src/a1", source="src", article=_article()))
    planner.add(Candidate(key="other/digest", source="other", article=_article(id_="digest")))
    assert len(planner.plan.duplicates) == 1
    ids = planner.new_file_ids
    assert ids["src/a1"].startswith("a1-") and ids["other/digest"].startswith("digest-")
    # story-<event>.json are the night's stories: an article never takes such a name.
    planner.add(Candidate(key="feed/story-event-1", source="feed",
                          article=_article(id_="story-event-1")))
    assert re.fullmatch(r"story-event-1-[0-9a-f]{8}", planner.new_file_ids["feed/story-event-1"])


def test_the_story_cleanup_removes_stories_only(tmp_path):
    from pipeline.nightly.stories import NightStories

    story = {"schema_version": 1, "event": "event-9", "figures": [], "articles": []}
    (tmp_path / "story-event-9.json").write_text(json.dumps(story), encoding="utf-8")
    briefing = {"schema_version": 2, "id": "story-event-1-0a1b2c3d", "summary_sentences": []}
    (tmp_path / "story-event-1-0a1b2c3d.json").write_text(json.dumps(briefing), "utf-8")
    NightStories(tmp_path)([], {}, {})  # tonight has no event of two articles
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story-event-1-0a1b2c3d.json"]


# -- extraction -----------------------------------------------------------------------------


def test_fragment_to_text_keeps_paragraphs():
    html = "<p>Eerste alinea met <b>vet</b> &amp; meer.</p><p>Tweede<br>regel.</p><script>x</script>"
    assert fragment_to_text(html) == "Eerste alinea met vet & meer.\n\nTweede\n\nregel."
    assert fragment_to_text("Platte tekst.\n\nTweede alinea.") == "Platte tekst.\n\nTweede alinea."


# -- state, cache, lock, config -------------------------------------------------------------


def test_translation_cache_round_trip(tmp_path):
    store = StateStore.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    cache = SqlTranslationCache(store.engine)
    cache.put_many({"k1": "one", "k2": "two"})
    cache.put_many({"k1": "changed?"})  # present keys are kept
    assert cache.get_many(["k1", "k2", "k3"]) == {"k1": "one", "k2": "two"}
    assert len(cache) == 2
    reopened = SqlTranslationCache(StateStore.open(str(tmp_path / "s.sqlite")).engine)
    assert reopened.get_many(["k2"]) == {"k2": "two"}


@contextlib.contextmanager
def _lock_held_by_another_process(lock: Path):
    """``lock`` held by a child process (night 2025-03-15) until the block ends; the child
    is then killed (-9), as a crashed run would be."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from pipeline.nightly.lock import RunLock
            held = RunLock({str(lock)!r}, night="2025-03-15")
            held.acquire()
            print("held", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_second_lock_holder_is_refused_and_kill_releases_it(tmp_path):
    lock = tmp_path / "run.lock"
    with _lock_held_by_another_process(lock), \
            pytest.raises(RunActiveError, match=r"another nightly run is active.*2025-03-15"):
        RunLock(lock).acquire()
    with RunLock(lock) as after_kill:  # kill -9 leaves no stale lock, and is told
        assert after_kill.previous_run_died
    with RunLock(lock) as after_release:
        assert not after_release.previous_run_died


def _key_paths(data: dict, prefix: str = "") -> set[str]:
    paths = set()
    for key, value in data.items():
        paths.add(prefix + key)
        if isinstance(value, dict):
            paths |= _key_paths(value, f"{prefix}{key}.")
    return paths


def test_nightly_yaml_spells_out_every_key_and_is_valid():
    import yaml

    from pipeline.core.config import AppConfig

    path = REPO / "configs" / "nightly.yaml"
    written = _key_paths(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert written == _key_paths(AppConfig().model_dump(mode="json"))
    config = load_config(path)
    assert config.nightly.max_attempts >= 1 and config.nightly.sources


def test_nightly_config_is_validated():
    with pytest.raises(ConfigError, match="nightly.grup_threshold: unknown key"):
        load_config(None, {"nightly.grup_threshold": 0.3})
    with pytest.raises(ConfigError, match="related_threshold must not exceed"):
        load_config(None, {"nightly.related_threshold": 0.5, "nightly.group_threshold": 0.3})


def test_evidence_on_the_sample_reference_points_at_the_right_sentence():
    translation = (REPO / "eval" / "translations" / "001_dijkdoorbraak_kruiningen.txt")
    english = [s for para in translation.read_text(encoding="utf-8").split("\n\n")
               for s in split_sentences(para.strip(), "en") if s]
    reference = (REPO / "eval" / "references" / "001_dijkdoorbraak_kruiningen.txt")
    claim = next(line for line in reference.read_text(encoding="utf-8").splitlines()
                 if "Hansweert" in line)
    best = find_evidence(claim, english)[0]
    assert "Hansweert" in english[best.index] and "4.12" in english[best.index]


# -- rendering and console ------------------------------------------------------------------


def _digest() -> dict:
    article = {
        "id": "a1", "title_en": "Dike <breach>", "source_name": "Krant & Co", "url": None,
        "summary": [{"en": "The dike broke.", "evidence": [
            {"index": 0, "nl": "De dijk brak.", "en": "The dike broke.", "score": 1.0}]},
            {"en": "Nothing matches.", "evidence": []}],
    }
    other = {**article, "id": "a2", "summary": [], "url": "javascript:alert(1)"}
    return {
        "night": "2025-03-15", "generated_at": "2025-03-16T03:00:00+00:00",
        "pipeline_version": "0.1.0", "models": None,
        "counts": {"articles": 2, "events": 1, "failed": 1},
        "run": {"new": 2, "done": 2, "failed": 1, "durations": {"total_s": 1.5}},
        "groups": [{"id": "event-1", "headline": "Dike <breach>", "lead": "a1",
                    "articles": ["a1", "a2"], "dates": ["2025-03"], "entities": ["Kruiningen"],
                    "related": [], "sources": [
                        {"name": "Krant & Co", "title": "Dike", "url": "https://x.example/a?b=1&c=2",
                         "id": "a1"},
                        {"name": "Other", "title": "Bad link", "url": "javascript:alert(1)",
                         "id": "a2"}]}],
        "articles": [article, other],
        "failed": [{"id": "f1", "url": None, "reason": "too-short", "message": "only <3> words",
                    "attempt": 1, "max_attempts": 3, "will_retry": True, "status_now": "failed"}],
    }


def test_html_digest_is_escaped_self_contained_and_expandable():
    from pipeline.nightly.render_html import render_html
    from pipeline.nightly.render_md import render_md

    html = render_html(_digest())
    assert "Dike &lt;breach&gt;" in html and "<breach>" not in html
    assert 'href="https://x.example/a?b=1&amp;c=2"' in html
    assert "javascript:" not in html  # not a web link: shown as text only
    assert html.count("<details><summary>") == 2  # one per briefing sentence of a1
    assert '<p class="nl" lang="nl"><span class="lang">Dutch</span>De dijk brak.</p>' in html
    assert "No source sentence shares its words." in html
    assert "only &lt;3&gt; words" in html and "will be retried on the next run" in html
    assert "<script" not in html and "<link" not in html
    md = render_md(_digest())
    assert "## Dike \\<breach\\>" in md and "## Not briefed (1)" in md  # escaped HTML


def test_console_events_draw_a_progress_bar_on_a_terminal():
    import io

    from rich.console import Console

    from pipeline.cli.events import ConsoleEvents

    buffer = io.StringIO()
    events = ConsoleEvents(Console(file=buffer, force_terminal=True, width=80), progress=True)
    events("plan", {"work": 2})
    events("models.loaded", {"seconds": 0.1})
    events("article.done", {"key": "a"})
    events("article.failed", {"key": "b", "reason": "too-short", "message": "[x] short"})
    events.close()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    assert "2/2" in plain  # the bar advanced for the done and the failed article
    assert "failed: b (too-short): [x] short" in plain


def test_json_logging_is_taken_off_the_root_logger_when_the_command_ends():
    # A handler left behind wrote later log records of the same process into a closed sink
    # ("--- Logging error --- Traceback" in another command's output).
    import io
    import logging

    from pipeline.cli.events import JsonLines, JsonLogHandler, install_json_logging

    stream = io.StringIO()
    sink = JsonLines(stream)
    install_json_logging(sink)
    logging.getLogger("pipeline.test").warning("during the run")
    sink.close()
    logging.getLogger("pipeline.test").warning("after the run")
    assert not any(isinstance(h, JsonLogHandler) for h in logging.getLogger().handlers)
    assert "during the run" in stream.getvalue() and "after the run" not in stream.getvalue()


# -- --log-json: every line on stderr is JSON, errors too -------------------------------------


def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # a line of plain text fails here


def _nightly_json(args: list[str], tmp_path: Path, **env: str):
    from typer.testing import CliRunner

    from pipeline.cli import app

    folder = tmp_path / "desk"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(f" date 2025-03 {'De raad stemde in met het plan. ' * 8}\n",
                                  encoding="utf-8")
    base = ["nightly", "--source", str(folder), "--state", str(tmp_path / "s.sqlite"),
            "--out", str(tmp_path / "out"), "--date", "2025-03-15", "--log-json"]
    return CliRunner().invoke(app, [*base, *args], env=env)


@pytest.mark.parametrize(("args", "code", "needle"), [
    (["--set", "nightly.window=many"], 2, "nightly.window"),
    (["--reprocess", "all", "--deliver-only"], 2, "--deliver-only"),
])
def test_log_json_reports_a_usage_or_config_error_as_an_event(tmp_path, args, code, needle):
    result = _nightly_json(args, tmp_path)
    assert result.exit_code == code
    events = _json_lines(result.stderr)
    assert [e["event"] for e in events] == ["run.error"]
    assert needle in events[0]["message"] and events[0]["exit_code"] == code
    assert "error:" not in result.stderr


def test_log_json_reports_a_missing_model_as_an_event(tmp_path):
    result = _nightly_json(["--set", f"runtime.model_cache={tmp_path / 'cache'}"], tmp_path,
                           HF_HUB_OFFLINE="1")
    assert result.exit_code == 2
    events = _json_lines(result.stderr)
    assert events[0]["event"] == "run.started"
    last = events[-1]
    assert last["event"] == "run.error" and last["exit_code"] == 2
    assert "Helsinki-NLP/opus-mt-nl-en" in last["message"] and "Traceback" not in result.stderr


def test_log_json_reports_a_refused_run_as_an_event(tmp_path):
    lock = tmp_path / "run.lock"
    with _lock_held_by_another_process(lock):
        result = _nightly_json(["--set", f"nightly.lock_path={lock}"], tmp_path)
    assert result.exit_code == 3
    events = _json_lines(result.stderr)
    assert events[-1]["event"] == "run.refused" and events[-1]["reason"] == "run-active"
    assert events[-1]["exit_code"] == 3


def test_log_json_reports_a_bad_state_url_from_a_config_that_asks_for_json(tmp_path):
    """`nightly.log_json: true` in the config holds from the moment the config is read."""
    config = tmp_path / "nightly.yaml"
    config.write_text("nightly:\n  log_json: true\n", encoding="utf-8")
    from typer.testing import CliRunner

    from pipeline.cli import app

    bad = CliRunner().invoke(app, ["nightly", "--config", str(config), "--state", "://x",
                                   "--date", "2025-03-15"])
    assert bad.exit_code == 2
    events = _json_lines(bad.stderr)
    assert events[-1]["event"] == "run.error" and "state" in events[-1]["message"]


def test_log_json_reports_an_interrupt_anywhere_in_the_command_as_an_event(tmp_path,
                                                                          monkeypatch):
    """Ctrl-C while the run's report is written (after the run) is an event too."""
    import pipeline.cli.nightly as nightly_cli

    def interrupted(_result):
        raise KeyboardInterrupt

    monkeypatch.setattr(nightly_cli, "_report", interrupted)
    result = _nightly_json(["--dry-run"], tmp_path)
    assert result.exit_code == 130
    events = _json_lines(result.stderr)
    assert events[-1]["event"] == "run.interrupted"


def test_json_logging_gives_back_the_text_handlers_it_replaced():
    import io
    import logging

    from pipeline.cli.events import JsonLines, install_json_logging

    root = logging.getLogger()
    text = logging.StreamHandler(sys.stderr)
    root.addHandler(text)
    try:
        sink = JsonLines(io.StringIO())
        install_json_logging(sink)
        assert text not in root.handlers
        sink.close()
        assert text in root.handlers
    finally:
        root.removeHandler(text)
