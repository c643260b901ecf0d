"""Send a night's digest once it is written (``nightly.deliver``), and remember what was sent.

Each message (the whole digest, and one per watchlist with recipients of its own) is sent
once per night: the state database records it, so a later run of the same night, or a
re-run after a crash, does not send it again. ``briefing nightly --deliver-only --date D``
sends a night again on purpose. A failed delivery never fails the night: it is recorded in
the run summary and the digest header, and the next run of the night tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pipeline.core.config import EmailConfig
from pipeline.core.errors import DeliveryError
from pipeline.deliver.email import messages_for, send
from pipeline.nightly.state import StateStore


def message_key(watchlist: str | None) -> str:
    """How a message of a night is recorded: ``digest``, or ``watch:NAME``."""
    return "digest" if watchlist is None else f"watch:{watchlist}"


def deliver_night(email: EmailConfig, store: StateStore, night: str, digest: dict,
                  night_dir: Path, *, force: bool = False,
                  sleep: Callable[[float], None] = time.sleep) -> list[dict]:
    """Send the night's messages that were not sent yet (all of them with ``force``).

    Args:
        email: the e-mail settings.
        store: the state (what was delivered is recorded there).
        night: ``YYYY-MM-DD``.
        digest: the night's digest (its counts and watch hits make the subject).
        night_dir: where ``digest.md`` and ``digest.html`` were written.
        force: send again what was already delivered.
        sleep: waits between tries (tests).

    Returns:
        One record per message: the delivery report, or ``already_sent`` for one skipped.

    Raises:
        DeliveryError: the digest files are missing.
        DeliveryConfigError: the SMTP password cannot be read.
    """
    try:
        text = (night_dir / "digest.md").read_text(encoding="utf-8")
        html = (night_dir / "digest.html").read_text(encoding="utf-8")
    except OSError as err:
        raise DeliveryError(f"the digest of {night} is not in {night_dir} ({err.strerror}); "
                            "run or rebuild that night first") from err
    done = store.deliveries(night)
    records: list[dict] = []
    pending = []
    for message in messages_for(digest, text, html, email):
        key = message_key(message.watchlist)
        if key in done and not force:
            records.append({"message": key, "to": message.to, "sent": True,
                            "already_sent": done[key].get("at")})
        else:
            pending.append((key, message))
    for (key, _), report in zip(pending, send([m for _, m in pending], email, sleep=sleep),
                                strict=True):
        record = {"message": key, **report.to_dict()}
        if report.sent:
            record["at"] = datetime.now(UTC).isoformat(timespec="seconds")
            store.record_delivery(night, key, record)
        records.append(record)
    return records


def delivery_failed(records: list[dict] | None) -> bool:
    """Whether some message of the night could not be delivered."""
    return any(not r.get("sent") for r in records or [])


def deliver_again(config, night: str) -> list[dict]:
    """``briefing nightly --deliver-only --date NIGHT``: send a written night once more.

    Raises:
        DeliveryError: no e-mail delivery configured, or no digest for that night.
        StateError: the state database cannot be used.
    """
    from pipeline.core.errors import JsonInputError
    from pipeline.ingest.jsonio import read_json_file

    settings = config.nightly
    if settings.deliver.email is None:
        raise DeliveryError("no delivery is configured (nightly.deliver.email)")
    night_dir = settings.out_dir / night
    try:
        digest = read_json_file(night_dir / "digest.json", max_bytes=256 * 1024 * 1024)
    except (OSError, JsonInputError) as err:
        raise DeliveryError(f"no readable digest of {night} in {night_dir} ({err}); run or "
                            "rebuild that night first") from err
    store = StateStore.open(settings.state_url)
    try:
        with store.state_errors():
            return deliver_night(settings.deliver.email, store, night, digest, night_dir,
                                 force=True)
    finally:
        store.close()
