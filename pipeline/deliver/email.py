"""The night's digest by e-mail: one multipart message (plain text and the digest's HTML)
per recipient list, sent over SMTP with STARTTLS or TLS, retried with backoff.

The password is read from an environment variable or a file named in the configuration,
never from the configuration itself, and never appears in a message, a log line or an
error. The HTML part is the digest page itself, which is self-contained (inline CSS, no
remote images or scripts); anything remote left in it is removed before sending, so
opening the mail fetches nothing.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipeline.core.config import EmailConfig
from pipeline.core.errors import DeliveryConfigError

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# Remote resources a mail client would fetch on opening: src/href/srcset to http(s) in
# tags that load (img, script, link, iframe, video, audio, source).
_REMOTE = re.compile(
    r"<(?:img|script|iframe|video|audio|source|link)\b[^>]*\b(?:src|href|srcset)\s*=\s*"
    r"[\"']?\s*(?:https?:)?//[^>]*>(?:</(?:script|iframe|video|audio)>)?",
    re.IGNORECASE)


@dataclass
class Message:
    """One message to send: who gets it and what it says."""

    to: list[str]
    subject: str
    text: str
    html: str
    watchlist: str | None = None


@dataclass
class DeliveryReport:
    """What happened to one message."""

    to: list[str]
    subject: str
    sent: bool
    attempts: int
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> server's answer
    watchlist: str | None = None

    def to_dict(self) -> dict:
        """The JSON form recorded in the run summary and the digest."""
        return {"to": self.to, "subject": self.subject, "sent": self.sent,
                "attempts": self.attempts, "error": self.error, "refused": self.refused,
                "watchlist": self.watchlist}


def self_contained(html: str) -> str:
    """``html`` without any tag that would load something remote when the mail is opened."""
    return _REMOTE.sub("", html)


def subject_line(digest: dict, watchlist: str | None = None) -> str:
    """"Briefing 2026-12-01: 12 articles, 4 events, 1 failed · watch: Iran 3, VS 1"."""
    night = digest.get("night") or {}
    counts = digest.get("counts") or {}
    parts = [f"{counts.get('articles', 0)} articles", f"{counts.get('events', 0)} events"]
    if counts.get("failed"):
        parts.append(f"{counts['failed']} failed")
    subject = f"Briefing {night.get('date', '')}: " + ", ".join(parts)
    hits = [(w.get("name"), len(w.get("articles") or [])) for w in digest.get("watched") or []]
    if watchlist is not None:
        hits = [h for h in hits if h[0] == watchlist]
    shown = [f"{name} {n}" for name, n in hits if n]
    if shown:
        subject += " · watch: " + ", ".join(shown)
    return re.sub(r"[\r\n]+", " ", subject)[:250]


def messages_for(digest: dict, text: str, html: str, config: EmailConfig) -> list[Message]:
    """The messages of one night: the whole digest to ``to``, and to each watchlist's
    recipients in ``watch_to`` (when it was mentioned tonight) a message that leads with
    that watchlist's hits, in its subject and before the digest's text."""
    html = self_contained(html)
    found = [Message(list(config.to), subject_line(digest), text, html)] if config.to else []
    watched = {w.get("name"): w for w in digest.get("watched") or []}
    for name, recipients in config.watch_to.items():
        hits = (watched.get(name) or {}).get("hits") or []
        if recipients and hits:  # a watchlist nobody mentioned tonight sends nothing
            found.append(Message(list(recipients), subject_line(digest, name),
                                 _hits_text(name, hits) + text, html, name))
    return found


def _hits_text(name: str, hits: list[dict]) -> str:
    """The plain-text lead of a watchlist's message: its hits, before the whole digest."""
    lines = [f"Watched: {name} ({len({h.get('article') for h in hits})} article(s))", ""]
    for hit in hits:
        lines.append(f"- {hit.get('article')}: \"{hit.get('matched')}\" for {hit.get('term')}: "
                     f"{hit.get('nl') if hit.get('lang') == 'nl' else hit.get('en')}")
    return "\n".join(lines) + "\n\n---\n\n"


def read_password(config: EmailConfig) -> str | None:
    """The SMTP password from its environment variable or file; None without a login.

    Raises:
        DeliveryConfigError: the variable is unset or the file unreadable (named, never shown).
    """
    import os

    if not config.username:
        return None
    if config.password_env:
        value = os.environ.get(config.password_env)
        if not value:
            raise DeliveryConfigError(f"the SMTP password variable {config.password_env} is "
                                      "not set")
        return value
    assert config.password_file is not None
    try:
        return Path(config.password_file).read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "empty or not text"
        raise DeliveryConfigError(f"the SMTP password file {config.password_file} cannot be read "
                                  f"({reason})") from err


def build_email(message: Message, sender: str) -> EmailMessage:
    """The MIME message: text/plain first, then the HTML alternative."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(message.to)
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(message.text, subtype="plain", charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


def _tls_context(config: EmailConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """One login with one mechanism (PLAIN, else LOGIN; the connection is encrypted by
    then). smtplib's ``login`` tries every mechanism after a refusal, and servers that
    hang up after one refused login make a wrong password look like a lost connection."""
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no login")
    offered = client.esmtp_features["auth"].upper().split()
    client.user, client.password = user, password
    if "PLAIN" in offered:
        client.auth("PLAIN", client.auth_plain)
    elif "LOGIN" in offered:
        client.auth("LOGIN", client.auth_login, initial_response_ok=False)
    else:
        raise smtplib.SMTPNotSupportedError("the server offers no PLAIN or LOGIN login")


def _send_once(mail: EmailMessage, config: EmailConfig, password: str | None) -> dict[str, str]:
    port = config.port or DEFAULT_PORTS[config.security]
    if config.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, port, timeout=config.timeout_s,
                                                context=_tls_context(config))
    else:
        client = smtplib.SMTP(config.host, port, timeout=config.timeout_s)
    with client:
        client.ehlo()
        if config.security == "starttls":
            client.starttls(context=_tls_context(config))
            client.ehlo()
        if config.username:
            _login(client, config.username, password or "")
        refused = client.send_message(mail)
    return {rcpt: f"{code} {answer.decode('utf-8', 'replace')}"
            for rcpt, (code, answer) in refused.items()}


def _describe(err: BaseException) -> tuple[str, bool]:
    """A one-line reason and whether trying again may help."""
    if isinstance(err, smtplib.SMTPAuthenticationError):
        return f"the server refused the login ({err.smtp_code})", False
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "the server refused every recipient", False
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return "the server does not offer STARTTLS (or the login method)", False
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"the server's TLS certificate was not accepted ({err.verify_message})", False
    if isinstance(err, smtplib.SMTPResponseException):
        retry = 400 <= err.smtp_code < 500
        return f"the server answered {err.smtp_code}", retry
    if isinstance(err, ConnectionRefusedError):
        return "cannot reach the server (connection refused)", True
    if isinstance(err, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout,
                        TimeoutError)):
        return f"the connection was lost ({type(err).__name__})", True
    if isinstance(err, OSError):
        return f"cannot reach the server ({err.strerror or type(err).__name__})", True
    return f"sending failed ({type(err).__name__})", True


def send(messages: Sequence[Message], config: EmailConfig, *,
         sleep: Callable[[float], None] = time.sleep) -> list[DeliveryReport]:
    """Send each message, retrying one that fails for a passing reason with backoff.

    A message is tried at most ``config.attempts`` times, waiting ``backoff_s``,
    ``2 * backoff_s``, ... between tries. Recipients the server refuses are reported;
    the message counts as sent when it reached at least one.

    Raises:
        DeliveryConfigError: the password cannot be read (nothing is sent).
    """
    password = read_password(config)
    reports = []
    for message in messages:
        mail = build_email(message, config.sender)
        report = DeliveryReport(list(message.to), message.subject, sent=False, attempts=0,
                                watchlist=message.watchlist)
        for attempt in range(1, config.attempts + 1):
            report.attempts = attempt
            try:
                report.refused = _send_once(mail, config, password)
                report.sent, report.error = True, None
                break
            except (smtplib.SMTPException, OSError) as err:
                report.error, retry = _describe(err)
                if isinstance(err, smtplib.SMTPRecipientsRefused):
                    report.refused = {r: f"{c} {a.decode('utf-8', 'replace')}"
                                      for r, (c, a) in err.recipients.items()}
                if not retry or attempt == config.attempts:
                    break
                sleep(config.backoff_s * 2 ** (attempt - 1))
        reports.append(report)
    return reports
