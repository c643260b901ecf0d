"""The nightly sends its digest by e-mail, once per night, and a failed delivery costs
nothing: a real SMTP server (aiosmtpd) on 127.0.0.1, the tiny models, the sample articles."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from pipeline.cli import app  # noqa: E402
from pipeline.nightly.runner import run_nightly  # noqa: E402
from tests.test_nightly_runs import NIGHT, nightly_config, paragraphs, write_article  # noqa: E402

pytestmark = pytest.mark.slow


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _email(port: int) -> dict:
    return {"host": "127.0.0.1", "port": port, "security": "none",
            "sender": "briefing@desk.example", "to": ["desk@desk.example"],
            "attempts": 2, "backoff_s": 0, "timeout_s": 10}


def test_the_digest_is_sent_once_a_night_and_again_on_request(tmp_path, tiny_model_dirs):
    texts = paragraphs()
    folder = tmp_path / "desk"
    for n in range(2):
        write_article(folder, f"art{n}", " ".join(texts[n:n + 3]))
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = nightly_config(tiny_model_dirs, tmp_path, [folder],
                                **{"nightly.deliver.email": _email(port)})
        first = run_nightly(config, night=NIGHT)
        assert first.exit_code == 0
        assert len(inbox.messages) == 1
        mail = message_from_bytes(inbox.messages[0], policy=default_policy)
        assert mail["Subject"].startswith(f"Briefing {NIGHT}: 2 articles")
        assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
        assert first.digest["delivery"][0]["sent"] is True

        write_article(folder, "art2", " ".join(texts[3:6]))  # the same night goes on
        second = run_nightly(config, night=NIGHT)
        assert second.summary.done == 1 and len(inbox.messages) == 1  # not sent twice
        assert second.digest["delivery"][0]["already_sent"]

        cli = CliRunner().invoke(app, [
            "nightly", "--deliver-only", "--date", NIGHT,
            "--state", str(tmp_path / "state" / "briefing.sqlite"), "--out", str(tmp_path / "out"),
            "--set", "nightly.deliver.email.host=127.0.0.1",
            "--set", f"nightly.deliver.email.port={port}",
            "--set", "nightly.deliver.email.security=none",
            "--set", "nightly.deliver.email.sender=briefing@desk.example",
            "--set", "nightly.deliver.email.to=[desk@desk.example]"])
        assert cli.exit_code == 0, cli.output
        assert len(inbox.messages) == 2 and f"sent digest of {NIGHT}" in cli.stdout
    finally:
        controller.stop()


def test_a_failed_delivery_is_recorded_and_the_next_run_sends_without_rebriefing(
        tmp_path, tiny_model_dirs):
    folder = tmp_path / "desk"
    write_article(folder, "art0", " ".join(paragraphs()[:3]))
    port = _free_port()  # nothing listens yet: the connection is refused
    config = nightly_config(tiny_model_dirs, tmp_path, [folder],
                            **{"nightly.deliver.email": _email(port)})
    first = run_nightly(config, night=NIGHT)
    assert first.exit_code == 1 and first.summary.done == 1  # briefed, but not delivered
    (record,) = first.digest["delivery"]
    assert not record["sent"] and record["attempts"] == 2 and "reach" in record["error"]
    night_dir = tmp_path / "out" / NIGHT
    assert "not delivered" in (night_dir / "digest.html").read_text(encoding="utf-8")
    assert "**Not delivered**" in (night_dir / "digest.md").read_text(encoding="utf-8")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        second = run_nightly(config, night=NIGHT)
    finally:
        controller.stop()
    assert second.exit_code == 0 and second.summary.done == 0 and not second.models_loaded
    assert len(inbox.messages) == 1 and second.digest["delivery"][0]["sent"]
