"""Where the Ray engine finds a cluster's authentication token, and what it says when the
token is missing (no Ray process is started here)."""

from __future__ import annotations

import pytest

pytest.importorskip("ray", reason="Ray is not installed (pip install 'briefing[ray]')")

from pipeline.batch import ray_cluster  # noqa: E402
from pipeline.batch.ray_cluster import stop_leftovers, token_source  # noqa: E402


@pytest.fixture()
def no_token(monkeypatch, tmp_path):
    for name in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_AUTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_the_token_is_found_where_ray_reads_it_in_ray_s_order(no_token, monkeypatch):
    assert token_source() is None
    default = no_token / "home" / ".ray" / "auth_token"
    default.parent.mkdir(parents=True)
    default.write_text("  \n", encoding="utf-8")
    assert token_source() is None  # an empty file is no token
    default.write_text("abc123", encoding="utf-8")
    assert token_source() == str(default)
    named = no_token / "token"
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(named))
    assert token_source() is None  # Ray reads only this file once it is named
    named.write_text("abc123", encoding="utf-8")
    assert token_source() == f"RAY_AUTH_TOKEN_PATH ({named})"
    monkeypatch.setenv("RAY_AUTH_TOKEN", "abc123")
    assert token_source() == "RAY_AUTH_TOKEN"


def test_a_missing_token_is_one_sentence_saying_where_to_put_it(no_token, monkeypatch):
    message = ray_cluster._auth_message("10.0.0.1:6379")
    assert "10.0.0.1:6379" in message and "no token was found" in message
    assert all(where in message for where in
               ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "~/.ray/auth_token"))
    monkeypatch.setenv("RAY_AUTH_TOKEN", "abc123")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    assert "set RAY_AUTH_MODE=token" in ray_cluster._auth_message("10.0.0.1:6379")
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    assert "rejected the authentication token from RAY_AUTH_TOKEN" in \
        ray_cluster._auth_message("10.0.0.1:6379")


def test_sessions_of_a_live_driver_or_without_a_record_are_left_alone(tmp_path, monkeypatch):
    import json
    import os

    killed = []
    monkeypatch.setattr(ray_cluster, "_kill_session", lambda d: killed.append(d.name) or [1])
    live = tmp_path / "session_live"
    live.mkdir()
    (live / ray_cluster.DRIVER_FILE).write_text(json.dumps(
        {"pid": os.getpid(), "start": ray_cluster._start_time(os.getpid())}), encoding="utf-8")
    (tmp_path / "session_user").mkdir()  # a cluster the user started: no record
    dead = tmp_path / "session_dead"
    dead.mkdir()
    # The driver's pid, now another process (this one): a different start time.
    (dead / ray_cluster.DRIVER_FILE).write_text(json.dumps(
        {"pid": os.getpid(), "start": "1"}), encoding="utf-8")
    (tmp_path / "session_latest").symlink_to(dead)

    stop_leftovers(tmp_path)

    assert killed == ["session_dead"]
    assert (live / ray_cluster.DRIVER_FILE).exists()
    assert not (dead / ray_cluster.DRIVER_FILE).exists()
