"""HTTP(S) GET with an overall deadline, a size limit and an honest User-Agent. Nothing else.

The deadline covers the whole fetch: a server that trickles its body (one byte every few
seconds never trips a per-read timeout) is cut off once the deadline has passed, and the
size limit is checked against ``Content-Length`` before the body is read, then while
reading.
"""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.core.errors import BriefingError


class FetchError(BriefingError):
    """A URL could not be fetched (network, HTTP status, size, scheme)."""


@dataclass(frozen=True)
class Fetched:
    """A fetched resource."""

    url: str
    content: bytes
    content_type: str | None


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an http(s) URL."""
    return urlsplit(value).scheme.lower() in {"http", "https"}


class Fetcher:
    """Fetches http(s) URLs.

    Args:
        timeout_s: deadline of one fetch as a whole (connect, headers and body); each
            network operation also waits at most this long.
        max_bytes: larger responses are refused, not truncated.
        user_agent: sent with every request.
    """

    _CHUNK = 64 * 1024

    def __init__(self, *, timeout_s: float, max_bytes: int, user_agent: str):
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.user_agent = user_agent

    def __call__(self, url: str) -> Fetched:
        """GET ``url``.

        Raises:
            FetchError: with one sentence saying what went wrong.
        """
        if not is_http_url(url):
            raise FetchError(f"{url}: only http(s) URLs are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "*/*"})
        deadline = time.monotonic() + self.timeout_s
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                declared = response.headers.get("Content-Length") or ""
                if declared.strip().isdigit() and int(declared) > self.max_bytes:
                    raise self._too_large(url)
                content = self._read_body(url, response, deadline)
                content_type = response.headers.get("Content-Type")
                final_url = response.geturl()
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise FetchError(f"{url}: {exc.reason}") from None
        except (TimeoutError, OSError, ValueError) as exc:
            if time.monotonic() >= deadline:
                raise self._late(url) from None
            raise FetchError(f"{url}: {exc}") from None
        return Fetched(url=final_url, content=content, content_type=content_type)

    def _read_body(self, url: str, response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._late(url)
            _limit_next_read(response, remaining)
            chunk = response.read1(self._CHUNK)  # returns what has arrived, never waits for more
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(url)
            chunks.append(chunk)

    def _too_large(self, url: str) -> FetchError:
        return FetchError(f"{url}: larger than {self.max_bytes:,} bytes "
                          "(nightly.fetch_max_bytes); not read")

    def _late(self, url: str) -> FetchError:
        return FetchError(f"{url}: not complete within {self.timeout_s:g} s "
                          "(nightly.fetch_timeout_s); abandoned")


def _limit_next_read(response, seconds: float) -> None:
    # The socket's timeout bounds one read; shrink it to what is left of the deadline. The
    # socket sits in a private attribute of http.client; without it each read still has the
    # per-operation timeout, so a fetch ends at most one timeout after its deadline.
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(seconds, 0.001))
