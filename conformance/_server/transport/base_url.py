"""Where the target is and how its answers come: the base URL's rules, its pacing, content codings."""

from __future__ import annotations

import ipaddress
import zlib
from typing import TYPE_CHECKING

import httpx

from conformance._errors import UsageError

if TYPE_CHECKING:
    from conformance._contract.request import Request

__all__ = ["DEFAULT_REMOTE_RATE", "check_base_url", "decode_content", "default_rate"]

# Requests per second against a remote target when the user sets no --rate-limit.
DEFAULT_REMOTE_RATE = 10.0


def decode_content(body: bytes, headers: httpx.Headers, request: Request) -> bytes:
    """The body with a content coding undone, when the request asked for that coding; a coding
    nobody asked for stays as it came (a client that did not ask cannot read it either)."""
    coding = headers.get("content-encoding", "").strip().lower()
    asked = (request.header("accept-encoding") or "").lower()
    if coding not in ("gzip", "deflate") or coding not in asked:
        return body
    try:
        return zlib.decompress(body, 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS)
    except zlib.error:
        return body


def check_base_url(base_url: str) -> httpx.URL:
    """The parsed ``--base-url``, or a one-line ``UsageError`` saying how to fix it."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        raise UsageError(f"--base-url {base_url!r} is not a URL ({error})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(
            f"--base-url {base_url!r} must be an http(s) URL, like https://api.getlago.com/api/v1"
        )
    if not url.path.rstrip("/").endswith("/api/v1") or url.query or url.fragment:
        raise UsageError(
            f"--base-url {base_url!r} must end in /api/v1, like https://api.getlago.com/api/v1"
        )
    return url


def default_rate(url: httpx.URL) -> float | None:
    """The pacing for ``url`` when none is asked: none on loopback, 10 requests/s elsewhere."""
    host = url.host
    if host == "localhost":
        return None
    try:
        return None if ipaddress.ip_address(host.strip("[]")).is_loopback else DEFAULT_REMOTE_RATE
    except ValueError:
        return DEFAULT_REMOTE_RATE
