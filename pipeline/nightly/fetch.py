"""The one way the product fetches a URL: HTTP(S) GET to a vetted address, with an overall
deadline, a size limit, a bounded number of redirects and an honest User-Agent.

Every hop (the URL, then each redirect) is checked the same way: http or https only, the host
resolved once and its addresses vetted by :mod:`pipeline.core.netguard` (no loopback,
private, link-local, … address unless ``nightly.fetch_allow`` lists it), and the connection
made to the vetted address itself, while the Host header and TLS (SNI and the certificate
check) keep the name. Proxy settings in the environment are not used: a proxy would resolve
the name again, out of reach of the check.

The deadline covers the whole fetch, redirects included: a server that trickles its body (one
byte every few seconds never trips a per-read timeout) is cut off once the deadline has
passed, and the size limit is checked against ``Content-Length`` before the body is read,
then while reading.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from pipeline.core.errors import FetchError, FetchRefusedError, RefusedAddressError
from pipeline.core.netguard import (
    AllowList,
    Resolver,
    Target,
    is_http_url,
    normalise_host,
    system_resolver,
    vet,
)

REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fetched:
    """A fetched resource (``url``: where it was found, after redirects)."""

    url: str
    content: bytes
    content_type: str | None


class Fetcher:
    """Fetches http(s) URLs from public addresses (and the hosts or networks in ``allow``).

    Args:
        timeout_s: deadline of one fetch as a whole (every hop: connect, headers and body);
            each network operation also waits at most this long.
        max_bytes: larger responses are refused, not truncated.
        user_agent: sent with every request.
        allow: host names and networks (CIDR) that may be internal (``nightly.fetch_allow``).
        max_redirects: redirects followed before giving up.
        resolver: name -> addresses (``getaddrinfo``); called once per hop.
        ssl_context: for https (default: the system's trusted certificates, names checked).
    """

    _CHUNK = 64 * 1024

    def __init__(self, *, timeout_s: float, max_bytes: int, user_agent: str,
                 allow: Iterable[str] = (), max_redirects: int = 5,
                 resolver: Resolver = system_resolver, ssl_context: ssl.SSLContext | None = None):
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.allow = AllowList.parse(allow)
        self.max_redirects = max_redirects
        self.resolver = resolver
        self.ssl_context = ssl_context

    def __call__(self, url: str) -> Fetched:
        """GET ``url``, following at most ``max_redirects`` redirects.

        Raises:
            FetchRefusedError: the URL or a redirect is refused (its address or scheme).
            FetchError: anything else, with one sentence saying what went wrong.
        """
        if not is_http_url(url):
            if url.lower().startswith(("http:", "https:")):
                raise FetchError(f"{url}: not a valid URL")
            raise FetchRefusedError(f"{url}: only http(s) URLs are fetched")
        deadline = time.monotonic() + self.timeout_s
        current = url
        for hop in range(self.max_redirects + 1):
            where = url if hop == 0 else f"{url}: redirected to {current}"
            outcome = self._get(current, where, deadline)
            if isinstance(outcome, Fetched):
                return outcome
            target = urljoin(current, outcome).split("#", 1)[0]
            if not is_http_url(target):
                scheme = urlsplit(target).scheme or "?"
                raise FetchRefusedError(f"{url}: refused: a redirect to {scheme}:// "
                                        f"({target}) is not followed; only http and https are")
            current = target
        raise FetchError(f"{url}: more than {self.max_redirects} redirects "
                         "(nightly.fetch_max_redirects); not followed")

    def _get(self, url: str, where: str, deadline: float) -> Fetched | str:
        """One hop: the resource, or the Location it redirects to."""
        parts = urlsplit(url)
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise FetchError(f"{where}: not a valid URL (bad port)") from None
        if not host:
            raise FetchError(f"{where}: the URL names no host")
        host = normalise_host(host)
        https = parts.scheme.lower() == "https"
        port = port or (443 if https else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            targets = vet(host, port, self.allow, self.resolver)
        except RefusedAddressError as exc:
            raise FetchRefusedError(f"{where}: {exc}") from None
        except (OSError, ValueError) as exc:  # UnicodeError: not a valid host name
            raise FetchError(f"{where}: the host name does not resolve ({exc})") from None
        connection = None
        try:
            connection = self._connect(host, port, https, targets, deadline)
            connection.putrequest("GET", path, skip_accept_encoding=True)
            for name, value in (("User-Agent", self.user_agent), ("Accept", "*/*"),
                                ("Accept-Encoding", "identity"), ("Connection", "close")):
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{where}: HTTP {response.status} without a Location")
                return location.strip()
            if not 200 <= response.status < 300:
                raise FetchError(f"{where}: HTTP {response.status} {response.reason}")
            declared = response.getheader("Content-Length") or ""
            if declared.strip().isdigit() and int(declared) > self.max_bytes:
                raise self._too_large(where)
            content = self._read_body(where, connection, response, deadline)
            return Fetched(url=url, content=content,
                           content_type=response.getheader("Content-Type"))
        except FetchError:
            raise
        except ssl.SSLError as exc:
            raise FetchError(f"{where}: TLS failed ({exc.reason or exc})") from None
        except (TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise self._late(where) from None
            raise FetchError(f"{where}: {exc or type(exc).__name__}") from None
        finally:
            if connection is not None:
                connection.close()

    def _connect(self, host: str, port: int, https: bool, targets: list[Target],
                 deadline: float) -> http.client.HTTPConnection:
        """A connection to the first vetted address that answers."""
        failure: OSError | None = None
        for target in targets:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            timeout = min(self.timeout_s, remaining)
            if https:
                context = self.ssl_context or ssl.create_default_context()
                connection = _PinnedHTTPSConnection(host, port, target=target, timeout=timeout,
                                                    context=context)
            else:
                connection = _PinnedHTTPConnection(host, port, target=target, timeout=timeout)
            try:
                connection.connect()
                return connection
            except ssl.SSLError:
                connection.close()
                raise
            except OSError as exc:
                connection.close()
                failure = exc
        if failure is None:
            raise TimeoutError("the deadline passed before connecting")
        raise failure

    def _read_body(self, where: str, connection, response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._late(where)
            if connection.sock is not None:  # one read waits at most what is left
                with contextlib.suppress(OSError):
                    connection.sock.settimeout(max(remaining, 0.001))
            chunk = response.read1(self._CHUNK)  # returns what has arrived, never waits for more
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(where)
            chunks.append(chunk)

    def _too_large(self, where: str) -> FetchError:
        return FetchError(f"{where}: larger than {self.max_bytes:,} bytes "
                          "(nightly.fetch_max_bytes); not read")

    def _late(self, where: str) -> FetchError:
        return FetchError(f"{where}: not complete within {self.timeout_s:g} s "
                          "(nightly.fetch_timeout_s); abandoned")


def _open_socket(target: Target, timeout: float) -> socket.socket:
    """A TCP connection to the vetted address itself: no name, so no second lookup."""
    sock = socket.socket(target.family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(target.sockaddr)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to ``target`` (a vetted address); the Host header names ``host``."""

    def __init__(self, host: str, port: int, *, target: Target, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        """Connect to the vetted address."""
        self.sock = _open_socket(self._target, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``target``; SNI and the certificate check use ``host``."""

    def __init__(self, host: str, port: int, *, target: Target, timeout: float,
                 context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._target = target

    def connect(self) -> None:
        """Connect to the vetted address, then TLS for the name."""
        sock = _open_socket(self._target, self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
