"""E-mail delivery against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS with
a login, implicit TLS, a refused recipient, a bad password and a server that hangs up."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from pydantic import ValidationError

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402

from pipeline.core.config import EmailConfig  # noqa: E402
from pipeline.deliver.email import (  # noqa: E402
    DeliveryConfigError,
    messages_for,
    self_contained,
    send,
    subject_line,
)

DIGEST = {"night": {"date": "2026-12-01"}, "counts": {"articles": 7, "events": 3, "failed": 1},
          "watched": [{"name": "Iran", "articles": ["a", "b"], "hits": [
              {"article": "a", "matched": "Iran", "term": "Iran", "lang": "en",
               "en": "Iran fired missiles.", "nl": "Iran vuurde raketten af."},
              {"article": "b", "matched": "Teheran", "term": "Teheran", "lang": "nl",
               "en": "Tehran said so.", "nl": "Teheran zei het."}]},
              {"name": "VS", "articles": [], "hits": []}]}
HTML = ('<html><body><h1>Night</h1><img src="https://tracker.example/p.gif">'
        '<script src="//cdn.example/x.js"></script><p>Iran fired missiles.</p></body></html>')
TEXT = "# Night\n\nIran fired missiles.\n"
PASSWORD = "s3cret-pa55"


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self, refuse: str | None = None):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"desk" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost / 127.0.0.1, made for these tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def _server_context(certificate):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(handler, **kwargs) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), **kwargs)
    controller.start()
    return controller


def _config(port: int, **overrides) -> EmailConfig:
    return EmailConfig(**{"host": "127.0.0.1", "port": port, "security": "none",
                          "sender": "briefing@desk.example", "to": ["analyst@desk.example"],
                          "attempts": 3, "backoff_s": 1.0, "timeout_s": 10, **overrides})


def _parsed(raw: bytes):
    return message_from_bytes(raw, policy=default_policy)


def test_the_digest_arrives_as_text_and_self_contained_html():
    inbox = Inbox()
    controller = _start(inbox)
    try:
        config = _config(controller.port,
                         watch_to={"Iran": ["iran-desk@desk.example"],
                                   "VS": ["vs-desk@desk.example"]})  # not mentioned: not sent
        reports = send(messages_for(DIGEST, TEXT, HTML, config), config)
    finally:
        controller.stop()
    assert [r.sent for r in reports] == [True, True]
    assert [m[1] for m in inbox.messages] == [["analyst@desk.example"], ["iran-desk@desk.example"]]
    mail = _parsed(inbox.messages[0][2])
    assert mail["Subject"] == "Briefing 2026-12-01: 7 articles, 3 events, 1 failed · watch: Iran 2"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in mail.iter_parts())
    assert "Iran fired missiles." in text and "Iran fired missiles." in html
    assert "tracker.example" not in html and "cdn.example" not in html
    watch_mail = _parsed(inbox.messages[1][2])
    assert watch_mail["Subject"].endswith("watch: Iran 2")
    lead = next(watch_mail.iter_parts()).get_content()
    assert lead.startswith("Watched: Iran (2 article(s))") and "Teheran zei het." in lead
    assert lead.index("Teheran") < lead.index("# Night")  # the hits lead, then the digest


def test_starttls_with_a_login_whose_password_comes_from_the_environment(certificate, monkeypatch):
    inbox = Inbox()
    controller = _start(inbox, tls_context=_server_context(certificate),
        require_starttls=True, authenticator=_authenticator, auth_require_tls=True)
    port = controller.port
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    try:
        config = _config(port, security="starttls", ca_file=certificate[0], username="desk",
                         password_env="BRIEFING_SMTP_PASSWORD")
        (report,) = send(messages_for(DIGEST, TEXT, HTML, config), config)
        assert report.sent and report.attempts == 1, report
        # A wrong password is refused once, not retried, and never shown.
        monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "wrong-" + PASSWORD)
        slept: list[float] = []
        (bad,) = send(messages_for(DIGEST, TEXT, HTML, config), config, sleep=slept.append)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert not bad.sent and bad.attempts == 1 and slept == []
    assert "login" in bad.error and PASSWORD not in str(bad.to_dict())


def test_a_certificate_the_client_does_not_trust_stops_the_delivery(certificate):
    inbox = Inbox()
    controller = _start(inbox, tls_context=_server_context(certificate),
                                   require_starttls=True)
    try:
        config = _config(controller.port, security="starttls",
                         attempts=2)
        (report,) = send(messages_for(DIGEST, TEXT, HTML, config), config, sleep=lambda s: None)
    finally:
        controller.stop()
    assert not report.sent and "certificate" in report.error and report.attempts == 1
    assert inbox.messages == []


def test_implicit_tls(certificate):
    inbox = Inbox()
    controller = _start(inbox, ssl_context=_server_context(certificate))
    try:
        config = _config(controller.port, security="ssl",
                         ca_file=certificate[0])
        (report,) = send(messages_for(DIGEST, TEXT, HTML, config), config)
    finally:
        controller.stop()
    assert report.sent and len(inbox.messages) == 1


def test_a_refused_recipient_is_reported_and_the_others_still_get_it():
    inbox = Inbox(refuse="gone@desk.example")
    controller = _start(inbox)
    try:
        config = _config(controller.port,
                         to=["analyst@desk.example", "gone@desk.example"])
        (report,) = send(messages_for(DIGEST, TEXT, HTML, config), config)
        only_gone = _config(config.port, to=["gone@desk.example"])
        (none_left,) = send(messages_for(DIGEST, TEXT, HTML, only_gone), only_gone,
                            sleep=lambda s: None)
    finally:
        controller.stop()
    assert report.sent and list(report.refused) == ["gone@desk.example"]
    assert "550" in report.refused["gone@desk.example"]
    assert inbox.messages[0][1] == ["analyst@desk.example"]
    assert not none_left.sent and none_left.attempts == 1 and "gone@desk.example" in none_left.refused


def test_a_server_that_hangs_up_is_retried_with_backoff_then_reported():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def hang_up():
        listener.settimeout(20)
        try:
            for _ in range(3):
                conn, _ = listener.accept()
                accepted.append(1)
                conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    slept: list[float] = []
    try:
        config = _config(listener.getsockname()[1], attempts=3, backoff_s=2.0)
        (report,) = send(messages_for(DIGEST, TEXT, HTML, config), config, sleep=slept.append)
    finally:
        thread.join(timeout=20)
        listener.close()
    assert not report.sent and report.attempts == 3 and len(accepted) == 3
    assert slept == [2.0, 4.0]
    assert "connection" in report.error


def test_the_password_is_never_in_the_configuration_and_clear_text_stays_local(tmp_path):
    with pytest.raises(ValidationError, match="password_env or password_file"):
        _config(25, username="desk")
    with pytest.raises(ValidationError, match="clear text"):
        _config(25, host="smtp.desk.example")
    with pytest.raises(ValidationError, match="extra"):
        _config(25, password=PASSWORD)
    config = _config(25, security="starttls", username="desk",
                     password_file=tmp_path / "missing")
    with pytest.raises(DeliveryConfigError, match="cannot be read"):
        send(messages_for(DIGEST, TEXT, HTML, config), config)


def test_subject_and_html_are_safe():
    hostile = {**DIGEST, "night": {"date": "2026-12-01\r\nBcc: everyone@example.com"}}
    assert "\n" not in subject_line(hostile) and "\r" not in subject_line(hostile)
    assert "<img" not in self_contained('<p>x</p><IMG SRC = "http://a/b.png" alt="">')
    assert '<img src="data:image/png;base64,AA">' in self_contained(
        '<img src="data:image/png;base64,AA">')
