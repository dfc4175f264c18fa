"""Polite, bounded HTTP for feeds (httpx): one ``Fetcher`` per poll cycle.

- Concurrency is bounded overall and per host; every request names monitor
  and its version in the User-Agent and accepts gzip, deflate and brotli.
- Conditional GET: the stored ETag / Last-Modified go back as
  If-None-Match / If-Modified-Since; a 304 is reported without a body.
- Redirects are followed here, not by httpx, hop by hop: at most
  ``MAX_REDIRECTS``, no loops, http(s) only, never to a link-local address
  (cloud metadata) nor from a public host into a private network. A chain of
  301/308 only yields a new permanent URL.
- Limits: connect and per-read timeouts, plus one deadline around the whole
  fetch (a server trickling a byte a second is cut off). The body limit is
  counted on the raw bytes and again while decompressing incrementally (see
  ``bodylimit``), so a gzip bomb stops at the limit.
- Statuses become outcomes: 410 is ``gone``; other errors carry the status
  and Retry-After for the caller's backoff (``retry_delay``, ``backoff_delay``).
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import ipaddress
import socket
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from monitor import __version__
from monitor.config import FetchSettings
from monitor.sources.bodylimit import BodyTooLarge, decoder_for, encodings_accepted
from monitor.urls import WEB_SCHEMES, host_of, resolve

MAX_REDIRECTS = 5
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
BACKOFF_BASE_SECONDS = 30 * 60
USER_AGENT = f"monitor/{__version__} (news digest feed reader; httpx/{httpx.__version__})"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
Outcome = Literal["ok", "not_modified", "gone", "error"]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch came to. ``permanent_url`` is set when 301/308 moved the feed."""

    outcome: Outcome
    url: str
    permanent_url: str | None = None
    status: int = 0
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: str | None = None


class _Refused(Exception):
    """A fetch stopped by policy (redirect rules, scheme, limits); the message says why."""


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    literal = _ip(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise _Refused(f"cannot resolve {host}: {exc.strerror or exc}") from None
    found = (_ip(str(info[4][0]).split("%")[0]) for info in infos)
    return [address for address in found if address is not None]


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Addresses no feed lives at: link-local (cloud metadata), multicast, unspecified."""
    return address.is_link_local or address.is_multicast or address.is_unspecified


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_private or address.is_loopback or address.is_reserved


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


class Fetcher:
    """An httpx client plus the semaphores and limits of one poll cycle."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        timeout = httpx.Timeout(
            settings.total_timeout, connect=settings.connect_timeout, pool=settings.total_timeout
        )
        # Requests in flight are bounded by the semaphores above, so httpx need
        # not queue; it keeps a few idle connections for feeds sharing a host
        # (httpcore scans every pooled connection per request: keep it small).
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=settings.concurrency)
        self.client = httpx.AsyncClient(
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    def _host_slots(self, url: str) -> asyncio.Semaphore:
        host = host_of(url)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return self._hosts[host]

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one feed within every limit; never raises for a network or HTTP problem."""
        headers = {"Accept-Encoding": encodings_accepted()}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._slots, self._host_slots(url):
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._follow(url, headers)
            except TimeoutError:
                reason = f"timed out after {self.settings.total_timeout:g} s"
            except _Refused as exc:
                reason = str(exc)
            except httpx.HTTPError as exc:
                reason = _network_reason(exc)
            except OSError as exc:
                reason = exc.strerror or str(exc) or type(exc).__name__
        return FetchResult("error", url, error=reason)

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        visited = [url]
        permanent: str | None = None
        still_permanent = True
        origin_internal: bool | None = None
        while True:
            if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
                raise _Refused(f"refused to fetch {url[:200]}: only http and https")
            if len(visited) == 1:
                # The configured URL: only a literal address is checked (no extra DNS).
                literal = _ip(host_of(url))
                addresses = [literal] if literal is not None else []
            else:
                if origin_internal is None:
                    origin = await _addresses(host_of(visited[0]), _port(visited[0]))
                    origin_internal = any(_internal(a) for a in origin)
                addresses = await _addresses(host_of(url), _port(url))
                if not origin_internal and any(_internal(a) for a in addresses):
                    raise _Refused(f"refused redirect from a public host to {url[:200]}")
            if any(_forbidden(a) for a in addresses):
                raise _Refused(f"refused to fetch {url[:200]}: link-local or reserved address")
            async with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status not in REDIRECTS:
                    return await self._finish(response, url, permanent)
                location = response.headers.get("location", "").strip()
            if not location:
                raise _Refused(f"HTTP {status} redirect without a Location")
            target = resolve(url, location)
            if target in visited:
                raise _Refused(f"redirect loop at {target[:200]}")
            if len(visited) > MAX_REDIRECTS:
                raise _Refused(f"more than {MAX_REDIRECTS} redirects")
            still_permanent = still_permanent and status in PERMANENT
            if still_permanent:
                permanent = target
            visited.append(target)
            url = target

    async def _finish(self, response: httpx.Response, url: str, moved: str | None) -> FetchResult:
        status = response.status_code
        base = FetchResult("error", url, permanent_url=moved, status=status)
        if status == 304:
            return replace(base, outcome="not_modified")
        if status == 410:
            return replace(base, outcome="gone", error="HTTP 410 Gone")
        if not 200 <= status < 300:
            reason = f"HTTP {status} {response.reason_phrase or ''}".strip()
            return replace(base, error=reason, retry_after=response.headers.get("retry-after"))
        return replace(
            base,
            outcome="ok",
            body=await self._read(response),
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(f"body of {int(declared):,} bytes is over the {limit:,}-byte limit")
        try:
            decoder = decoder_for(response.headers.get("content-encoding"), limit)
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(f"body is over the {limit:,}-byte limit")
                decoder.feed(chunk)
            return decoder.finish()
        except (BodyTooLarge, ValueError) as exc:
            raise _Refused(str(exc)) from None
        except httpx.TransportError as exc:
            if isinstance(exc, httpx.TimeoutException):
                raise
            reason = _network_reason(exc, "while reading the body")
            raise _Refused(f"{reason} ({received:,} bytes received)") from None


_BROKEN = {
    errno.ECONNRESET: "connection reset by peer",
    errno.EPIPE: "connection closed by the server (broken pipe)",
    errno.ECONNABORTED: "connection aborted",
}


def _broken_connection(exc: BaseException) -> str | None:
    """'connection reset by peer' and its kin, found anywhere in the exception's chain."""
    seen: BaseException | None = exc
    for _ in range(8):  # httpx wraps httpcore wraps the OSError
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno in _BROKEN:
            return _BROKEN[seen.errno]
        if "reset by peer" in str(seen).lower():
            return _BROKEN[errno.ECONNRESET]
        seen = seen.__cause__ or seen.__context__
    return None


def _network_reason(exc: httpx.HTTPError, phase: str = "before the response arrived") -> str:
    """A network failure in words a person can act on, saying when in the exchange it came."""
    timeouts: dict[type[httpx.HTTPError], str] = {
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "read timed out",
        httpx.PoolTimeout: "timed out waiting for a connection",
    }
    kind = timeouts.get(type(exc))
    detail = " ".join(str(exc).split())[:160]
    if kind:
        return kind
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {detail or 'connection failed'}"
    broken = _broken_connection(exc)
    if broken:
        return f"{broken} {phase}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke off the exchange {phase}: {detail or 'protocol error'}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection broken {phase}" + (f": {detail}" if detail else "")
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def retry_delay(header: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), if any."""
    if not header:
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def backoff_delay(failures: int, cap_seconds: float, key: str) -> float:
    """Exponential backoff with jitter: ~30 min doubling per failure, up to ``cap_seconds``.

    The jitter (a factor in [0.75, 1)) is derived from ``key`` and the failure
    count, so feeds failing together spread out yet a run is reproducible;
    each step still at least 1.5 times the last until the cap.
    """
    exponent = min(max(failures, 1) - 1, 32)
    digest = hashlib.sha256(f"{key}:{failures}".encode()).digest()
    jitter = 0.75 + 0.25 * int.from_bytes(digest[:4], "big") / 2**32
    return min(BACKOFF_BASE_SECONDS * 2**exponent, cap_seconds) * jitter
