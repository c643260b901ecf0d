"""Hostile links for the nightly's fetcher (issue 18): internal addresses in every numeric form,
redirects to them or to other schemes, DNS that answers differently the second time, and
feeds with hundreds of teasers.

Every server here listens on 127.0.0.1 or ::1, and a guard (``_loopback_only``) fails any test
whose code tries to connect anywhere else: nothing leaves the machine even when the code under
test misbehaves.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.core.errors import FetchError
from pipeline.nightly.fetch import Fetched, Fetcher
from pipeline.nightly.runner import run_nightly
from tests.test_nightly_runs import NIGHT, _page, nightly_config, paragraphs

_REAL_CONNECT = socket.socket.connect
_REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Refuse, in the test, any connection to an address that is not on this machine."""

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            ip = ipaddress.ip_address(host.split("%")[0])
            mapped = getattr(ip, "ipv4_mapped", None) or ip
            if not (mapped.is_loopback or mapped.is_unspecified):
                raise AssertionError(f"the test tried to connect to {host}")
        return _REAL_CONNECT(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")


class _Server:
    """A loopback web server: path -> (status, headers, body); counts hits, keeps Host headers."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], str]], host="127.0.0.1",
                 tls: ssl.SSLContext | None = None):
        self.routes = routes
        self.hits: dict[str, int] = {}
        self.hosts: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                server.hosts.append(self.headers.get("Host", ""))
                status, headers, body = server.routes.get(self.path, (404, {}, "not found"))
                data = body.encode("utf-8")
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8",
                                    **headers}.items():
                    self.send_header(name, value.format(base=server.base))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        class V6Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6

        cls = V6Server if ":" in host else ThreadingHTTPServer
        self.httpd = cls((host, 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.base = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def total(self) -> int:
        return sum(self.hits.values())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def _article_page() -> str:
    return _page("Geheime pagina", " ".join(paragraphs()[9:11]))


def _fetcher(**kwargs) -> Fetcher:
    kwargs.setdefault("timeout_s", 5.0)
    return Fetcher(max_bytes=1_000_000, user_agent="test", **kwargs)


# -- the address classifier ---------------------------------------------------------------


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "loopback"), ("2130706433", "loopback"), ("127.1", "loopback"),
    ("0x7f.1", "loopback"), ("0x7F.0.0.1", "loopback"), ("0177.0.0.1", "loopback"),
    ("0x7f000001", "loopback"), ("017700000001", "loopback"), ("127.000.000.001", "loopback"),
    ("127.255.255.254", "loopback"), ("::1", "loopback"), ("[::1]", "loopback"),
    ("0:0:0:0:0:0:0:1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:7f00:1", "loopback"), ("[::ffff:127.0.0.1]", "loopback"),
    ("64:ff9b::7f00:1", "loopback"), ("2002:7f00:1::1", "loopback"),
    ("0.0.0.0", "unspecified"), ("0", "unspecified"), ("0.1.2.3", "unspecified"),
    ("::", "unspecified"), ("::ffff:0.0.0.0", "unspecified"),
    ("169.254.169.254", "link-local"), ("2852039166", "link-local"),
    ("0xa9.0xfe.0xa9.0xfe", "link-local"), ("::ffff:169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("fe80::1%25eth0", "link-local"),
    ("10.0.0.1", "private"), ("012.1", "private"), ("172.16.0.1", "private"),
    ("192.168.1.1", "private"), ("100.64.0.1", "private"), ("fc00::1", "private"),
    ("fd12:3456::1", "private"), ("fec0::1", "private"), ("::ffff:10.1.2.3", "private"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("::7f00:1", "reserved"),
    ("192.0.2.1", "reserved"), ("2001:db8::1", "reserved"),
])
def test_classifier_refuses_every_numeric_form_of_an_internal_address(host, expected):
    from pipeline.core.netguard import address_class, numeric_address

    address = numeric_address(host)
    assert address is not None, host
    assert address_class(address) == expected


@pytest.mark.parametrize(("host", "canonical"), [
    ("8.8.8.8", "8.8.8.8"), ("134744072", "8.8.8.8"), ("0x8.0x8.0x8.0x8", "8.8.8.8"),
    ("00000127.0.0.1", "87.0.0.1"),  # octal 127: not loopback, as the C library reads it
    ("2606:4700::1111", "2606:4700::1111"), ("::ffff:8.8.8.8", "::ffff:808:808"),
    ("[2606:4700::1111]", "2606:4700::1111"),
    ("64:ff9b::808:808", "64:ff9b::808:808"),
])
def test_classifier_passes_public_addresses(host, canonical):
    from pipeline.core.netguard import address_class, numeric_address

    address = numeric_address(host)
    assert address == ipaddress.ip_address(canonical) and address_class(address) is None


@pytest.mark.parametrize("host", ["localhost", "krant.example", "127.0.0.1.nip.io", "1.2.3.4.5",
                                  "0x", "08.1", "256.1.1.1", "1.2.3.4294967296", "9" * 5000])
def test_names_are_not_numeric_addresses(host):
    from pipeline.core.netguard import numeric_address

    assert numeric_address(host) is None


# -- refused before any connection --------------------------------------------------------


@pytest.mark.parametrize(("form", "shown", "kind"), [
    ("127.0.0.1", "127.0.0.1", "loopback"), ("localhost", "127.0.0.1", "loopback"),
    ("127.1", "127.0.0.1", "loopback"), ("2130706433", "127.0.0.1", "loopback"),
    ("0x7f.1", "127.0.0.1", "loopback"), ("0177.0.0.1", "127.0.0.1", "loopback"),
    ("0.0.0.0", "0.0.0.0", "unspecified"), ("[::ffff:127.0.0.1]", "127.0.0.1", "loopback"),
])
def test_a_link_to_this_machine_is_refused_and_never_connected(form, shown, kind):
    with (_Server({"/secret": (200, {}, _article_page())}) as server,
          pytest.raises(FetchError, match=rf"refused: .*{shown}.* is an? {kind} address")):
        _fetcher()(f"http://{form}:{server.port}/secret")
    assert server.total == 0


@needs_ipv6
def test_ipv6_loopback_is_refused():
    with (_Server({"/secret": (200, {}, _article_page())}, host="::1") as server,
          pytest.raises(FetchError, match=r"refused: ::1 is a loopback address")):
        _fetcher()(f"{server.base}/secret")
    assert server.total == 0


@pytest.mark.parametrize(("url", "message"), [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://10.0.0.8:8080/admin", "10.0.0.8 is a private address"),
    ("http://[fd00::1]/", "fd00::1 is a private address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
])
def test_internal_networks_are_refused(url, message):
    with pytest.raises(FetchError, match=f"refused: {message}"):
        _fetcher()(url)


@pytest.mark.parametrize("url", ["http://" + "9" * 5000 + "/", "http://" + "a" * 70 + ".nl/",
                                 "http://[::1/", "http://krant.example:99999/", "http:///x"])
def test_a_malformed_host_is_one_sentence(url):
    with pytest.raises(FetchError):
        _fetcher()(url)


def test_a_name_resolving_to_any_internal_address_only_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        if host == "intern.krant.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        return _REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchError, match=r"refused: intern\.krant\.example \(10\.1\.2\.3\) is "
                                         r"a private address"):
        _fetcher()("http://intern.krant.example/nieuws")


# -- the intranet path: nightly.fetch_allow -----------------------------------------------


@pytest.mark.parametrize("allow", [["127.0.0.1"], ["127.0.0.0/8"], ["LOCALHOST."]])
def test_fetch_allow_lets_a_listed_host_or_network_through(allow):
    with _Server({"/page": (200, {}, "hallo")}) as server:
        fetched = _fetcher(allow=allow)(f"http://localhost:{server.port}/page")
    assert fetched.content == b"hallo" and server.hits == {"/page": 1}


@needs_ipv6
def test_fetch_allow_covers_ipv6_networks():
    with _Server({"/page": (200, {}, "hallo")}, host="::1") as server:
        assert _fetcher(allow=["::1/128"])(f"{server.base}/page").content == b"hallo"
        with pytest.raises(FetchError, match="refused"):
            _fetcher(allow=["127.0.0.1"])(f"{server.base}/page")
    assert server.total == 1


def test_fetch_allow_is_validated():
    from pydantic import ValidationError

    from pipeline.core.config import NightlyConfig

    assert NightlyConfig().fetch_allow == []
    NightlyConfig(fetch_allow=["intranet.krant.local", "10.0.0.0/8", "fd00::/8", "10.1.2.3"])
    for bad in ["http://intranet/", "intranet:8080", "10.0.0.0/33", "*", "", "a b"]:
        with pytest.raises(ValidationError):
            NightlyConfig(fetch_allow=[bad])
    with pytest.raises(ValidationError, match="is a URL; write the host alone"):
        NightlyConfig(fetch_allow=["https://intranet.krant.local/feed"])


# -- redirects ----------------------------------------------------------------------------


def test_an_allowed_host_redirecting_to_a_refused_address_is_refused():
    routes = {"/secret": (200, {}, _article_page())}
    with _Server(routes) as server:
        routes["/go"] = (302, {"Location": f"http://127.0.0.1:{server.port}/secret"}, "")
        with pytest.raises(FetchError, match=r"redirect.*refused: 127\.0\.0\.1 is a loopback"):
            _fetcher(allow=["localhost"])(f"http://localhost:{server.port}/go")
    assert server.hits == {"/go": 1}


@needs_ipv6
def test_a_redirect_from_an_allowed_ipv6_host_to_ipv4_loopback_is_refused():
    with _Server({"/secret": (200, {}, _article_page())}) as inner:
        target = f"http://2130706433:{inner.port}/secret"
        with (_Server({"/go": (301, {"Location": target}, "")}, host="::1") as outer,
              pytest.raises(FetchError, match=r"2130706433 \(127\.0\.0\.1\) is a loopback")):
            _fetcher(allow=["::1"])(f"{outer.base}/go")
        assert outer.hits == {"/go": 1}
    assert inner.total == 0


def test_a_redirect_to_ftp_is_not_followed():
    with _Server({}) as server:
        server.routes["/go"] = (302, {"Location": f"ftp://127.0.0.1:{server.port}/f"}, "")
        with pytest.raises(FetchError, match=r"redirect to ftp://.* not followed"):
            _fetcher(allow=["127.0.0.1"], timeout_s=2.0)(f"{server.base}/go")
    assert server.hits == {"/go": 1}


def test_a_redirect_loop_stops_at_the_bound():
    with (_Server({"/loop": (302, {"Location": "/loop"}, "")}) as server,
          pytest.raises(FetchError, match=r"more than 3 redirects")):
        _fetcher(allow=["127.0.0.1"], max_redirects=3)(f"{server.base}/loop")
    assert server.hits == {"/loop": 4}


def test_redirects_within_the_bound_are_followed_and_the_final_url_kept():
    routes = {"/a": (301, {"Location": "/b"}, ""), "/b": (307, {"Location": "{base}/c"}, ""),
              "/c": (200, {}, "eind")}
    with _Server(routes) as server:
        fetched = _fetcher(allow=["127.0.0.1"], max_redirects=2)(f"{server.base}/a")
    assert fetched.content == b"eind" and fetched.url == f"{server.base}/c"


# -- one resolution, and the vetted address is the one connected to -----------------------


def test_the_vetted_address_is_connected_to_without_a_second_lookup(monkeypatch):
    calls = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host == "nieuws.rebind.example":
            calls.append(host)  # first answer passes the check; any later one is internal
            address = "127.0.0.1" if len(calls) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return _REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    with _Server({"/page": (200, {}, "echt")}) as server:
        fetched = _fetcher(allow=["127.0.0.1/32"])(
            f"http://nieuws.rebind.example:{server.port}/page")
    assert fetched.content == b"echt"
    assert calls == ["nieuws.rebind.example"]  # resolved once, for the check
    assert server.hosts == [f"nieuws.rebind.example:{server.port}"]  # the Host keeps the name


def test_each_redirect_hop_is_resolved_once_and_checked(monkeypatch):
    calls = []

    def dns(host, port, *args, **kwargs):
        if host.endswith(".rebind.example"):
            calls.append(host)
            address = "127.0.0.1" if host.startswith("a.") else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return _REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    with _Server({}) as server:
        server.routes["/go"] = (302, {"Location": f"http://b.rebind.example:{server.port}/x"}, "")
        with pytest.raises(FetchError, match=r"b\.rebind\.example \(10\.9\.9\.9\) is a private"):
            _fetcher(allow=["127.0.0.1"])(f"http://a.rebind.example:{server.port}/go")
    assert calls == ["a.rebind.example", "b.rebind.example"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_https_connects_to_the_vetted_address_and_checks_the_certificate_for_the_name(
        tmp_path, monkeypatch):
    name = "nieuws.rebind.example"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", f"/CN={name}", "-addext",
                    f"subjectAltName=DNS:{name}"], check=True, capture_output=True)
    calls = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host.endswith(".rebind.example"):
            calls.append(host)
            address = "127.0.0.1" if len(calls) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return _REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    names = []
    server_tls.sni_callback = lambda _sock, sni, _ctx: names.append(sni)
    client_tls = ssl.create_default_context(cafile=str(cert))
    with _Server({"/page": (200, {}, "versleuteld")}, tls=server_tls) as server:
        fetched = _fetcher(allow=["127.0.0.1"], ssl_context=client_tls)(
            f"https://{name}:{server.port}/page")
        assert fetched.content == b"versleuteld"
        assert calls == [name] and names == [name]
        calls.clear()  # the same address under a name the certificate does not carry
        with pytest.raises(FetchError, match="TLS failed"):
            _fetcher(allow=["127.0.0.1"], ssl_context=client_tls)(
                f"https://andere.rebind.example:{server.port}/page")


# -- the nightly: a refused link is one article's error, the night goes on ------------------


def _rss(items: list[tuple[str, str, str]], title: str = "Krant") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{text}</description></item>" for link, t, text in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{entries}</channel></rss>")


@pytest.mark.slow
def test_nightly_refuses_a_teaser_linking_to_loopback_and_briefs_the_rest(
        tmp_path, tiny_model_dirs):
    texts = paragraphs()
    with _Server({"/secret": (200, {}, _article_page())}) as server:
        link = f"http://127.1:{server.port}/secret"
        feed = tmp_path / "feed.xml"
        feed.write_text(_rss([(link, "Intern", "Lees verder."),
                              ("https://krant.example/dijk", "Dijk", " ".join(texts[:3]))]),
                        encoding="utf-8")
        config = nightly_config(tiny_model_dirs, tmp_path, [feed])
        result = run_nightly(config, night=NIGHT)
    assert server.total == 0
    assert (result.summary.done, result.summary.failed, result.exit_code) == (1, 1, 1)
    [failed] = result.digest["failed"]
    assert failed["key"] == link and failed["reason"] == "fetch-refused"
    assert "refused: 127.1 (127.0.0.1) is a loopback address" in failed["message"]
    assert not (tmp_path / "out" / NIGHT / "secret.json").exists()


def test_a_feed_url_on_an_internal_address_is_a_source_error(tmp_path, tiny_model_dirs):
    with _Server({"/feed.xml": (200, {}, _rss([]))}) as server:
        config = nightly_config(tiny_model_dirs, tmp_path, [f"{server.base}/feed.xml"])
        result = run_nightly(config, night=NIGHT, dry_run=True)
    assert server.total == 0 and result.exit_code == 1
    assert "refused: 127.0.0.1 is a loopback address" in result.summary.source_errors[0]["message"]


def test_a_feed_entry_with_a_malformed_link_does_not_stop_the_feed(tmp_path, tiny_model_dirs):
    feed = _teaser_feed(tmp_path / "feed.xml", ["http://[::1/x", "https://krant.example/a"])
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    result = run_nightly(config, night=NIGHT, dry_run=True, fetcher=_Counting())
    assert ("https://krant.example/a", "fetch") in result.planned
    assert not result.summary.source_errors


@pytest.mark.slow
def test_a_full_entry_with_a_malformed_link_is_briefed_and_the_digest_written(
        tmp_path, tiny_model_dirs):
    feed = tmp_path / "feed.xml"
    feed.write_text(_rss([("http://[::1/dijk", "Dijk", " ".join(paragraphs()[:3]))]),
                    encoding="utf-8")
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    result = run_nightly(config, night=NIGHT, fetcher=_Counting())
    assert result.summary.done == 1 and "digest.html" in result.paths
    assert 'href="http://[::1/dijk"' not in result.paths["digest.html"].read_text()


def test_a_remote_body_naming_a_local_file_is_not_read_as_that_file(tmp_path, tiny_model_dirs):
    secret = tmp_path / "intern.xml"
    secret.write_text(_rss([("https://intern.example/x", "Geheim", " ".join(paragraphs()[:3]))]),
                      encoding="utf-8")

    def fetcher(url):
        return Fetched(url=url, content=str(secret).encode(), content_type="text/plain")

    config = nightly_config(tiny_model_dirs, tmp_path, ["https://krant.example/feed"])
    result = run_nightly(config, night=NIGHT, dry_run=True, fetcher=fetcher)
    assert "https://intern.example/x" not in dict(result.planned)


# -- fan-out: caps per feed and per run, round-robin by host, a dry run fetches nothing -----


class _Counting:
    def __init__(self):
        self.urls: list[str] = []

    def __call__(self, url: str) -> Fetched:
        self.urls.append(url)
        raise FetchError(f"{url}: connection refused")


def _teaser_feed(path, links: list[str]):
    path.write_text(_rss([(link, f"Bericht {n}", "Lees verder.")
                          for n, link in enumerate(links)]), encoding="utf-8")
    return path


def test_a_dry_run_fetches_no_page(tmp_path, tiny_model_dirs):
    feed = _teaser_feed(tmp_path / "feed.xml",
                        [f"https://krant.example/artikel-{n}" for n in range(400)])
    fetcher = _Counting()
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    result = run_nightly(config, night=NIGHT, dry_run=True, fetcher=fetcher)
    assert fetcher.urls == []
    actions = [action for _, action in result.planned]
    assert actions.count("fetch") == 50 and actions.count("not-fetched") == 350
    assert (result.summary.fetches, result.summary.fetches_skipped) == (50, 350)


def test_a_dry_run_plans_a_link_to_an_internal_address_as_failed(tmp_path, tiny_model_dirs):
    feed = _teaser_feed(tmp_path / "feed.xml", ["http://169.254.169.254/latest/meta-data/",
                                                "https://krant.example/a"])
    fetcher = _Counting()
    config = nightly_config(tiny_model_dirs, tmp_path, [feed])
    result = run_nightly(config, night=NIGHT, dry_run=True, fetcher=fetcher)
    assert fetcher.urls == [] and result.exit_code == 1
    assert sorted(result.planned) == [("http://169.254.169.254/latest/meta-data/", "failed"),
                                      ("https://krant.example/a", "fetch")]


def test_fetches_are_capped_per_run_and_spread_round_robin_over_hosts(tmp_path,
                                                                      tiny_model_dirs):
    links = ([f"https://a.example/artikel-{n}" for n in range(300)]
             + [f"https://b.example/artikel-{n}" for n in range(100)])
    feed = _teaser_feed(tmp_path / "feed.xml", links)
    fetcher = _Counting()
    config = nightly_config(tiny_model_dirs, tmp_path, [feed], **{
        "nightly.fetch_max_per_feed": 1000, "nightly.fetch_max_per_run": 10})
    events = []
    result = run_nightly(config, night=NIGHT, fetcher=fetcher,
                         on_event=lambda event, fields: events.append((event, fields)))
    hosts = [url.split("/")[2] for url in fetcher.urls]
    assert hosts == ["a.example", "b.example"] * 5
    assert fetcher.urls[:2] == [links[0], links[300]]
    assert (result.summary.fetches, result.summary.fetches_skipped) == (10, 390)
    skipped = [fields for event, fields in events if event == "article.skipped"]
    assert len(skipped) == 390 and {f["reason"] for f in skipped} == {"fetch-cap-run"}
    assert result.exit_code == 1  # read in part: the digest says so
    [warning] = result.summary.source_warnings
    assert "390 teaser page(s) not fetched" in warning["message"]
    digest = json.loads((tmp_path / "out" / NIGHT / "digest.json").read_text(encoding="utf-8"))
    assert digest["run"]["fetches_skipped"] == 390
    assert len(digest["run"]["fetches_skipped_keys"]) == 50  # at most MAX_LISTED listed


def test_fetches_are_capped_per_feed(tmp_path, tiny_model_dirs):
    one = _teaser_feed(tmp_path / "een.xml", [f"https://een.example/a{n}" for n in range(30)])
    two = _teaser_feed(tmp_path / "twee.xml", [f"https://twee.example/b{n}" for n in range(30)])
    fetcher = _Counting()
    config = nightly_config(tiny_model_dirs, tmp_path, [one, two], **{
        "nightly.fetch_max_per_feed": 5, "nightly.fetch_max_per_run": 8})
    result = run_nightly(config, night=NIGHT, fetcher=fetcher)
    assert len(fetcher.urls) == 8
    per_host = {h: sum(1 for u in fetcher.urls if h in u) for h in ("een", "twee")}
    assert max(per_host.values()) <= 5 and sum(per_host.values()) == 8
    assert (result.summary.fetches, result.summary.fetches_skipped) == (8, 52)
    assert len(result.summary.source_warnings) == 2


def test_a_link_offered_by_two_feeds_is_fetched_once(tmp_path, tiny_model_dirs):
    one = _teaser_feed(tmp_path / "een.xml", ["https://krant.example/x"])
    two = _teaser_feed(tmp_path / "twee.xml", ["https://krant.example/x"])
    fetcher = _Counting()
    config = nightly_config(tiny_model_dirs, tmp_path, [one, two])
    result = run_nightly(config, night=NIGHT, fetcher=fetcher)
    assert fetcher.urls == ["https://krant.example/x"] and result.summary.duplicates == 1
