"""HTTP(S) GET with a timeout, a size limit and an honest User-Agent. Nothing else."""

from __future__ import annotations

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
        timeout_s: per-request timeout (connect and each read).
        max_bytes: larger responses are refused, not truncated.
        user_agent: sent with every request.
    """

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
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                content = response.read(self.max_bytes + 1)
                content_type = response.headers.get("Content-Type")
                final_url = response.geturl()
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise FetchError(f"{url}: {exc.reason}") from None
        except (TimeoutError, OSError, ValueError) as exc:
            raise FetchError(f"{url}: {exc}") from None
        if len(content) > self.max_bytes:
            raise FetchError(f"{url}: larger than {self.max_bytes:,} bytes "
                             "(nightly.fetch_max_bytes); not read")
        return Fetched(url=final_url, content=content, content_type=content_type)
