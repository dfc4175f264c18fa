"""Polite, bounded HTTP for feeds (httpx): one ``Fetcher`` per poll cycle.

- Concurrency is bounded overall and per host; every request names monitor
  and its version in the User-Agent and accepts gzip, deflate and brotli.
- Conditional GET: the stored ETag / Last-Modified go back as
  If-None-Match / If-Modified-Since; a 304 is reported without a body.
- Every connection goes through ``netguard.GuardedBackend``: the host is
  resolved once and the connected address itself is checked (never link-local,
  reserved, multicast or unspecified, in any IPv6 spelling; loopback and
  private only while ``allow_private``).
- Redirects are followed here, not by httpx, hop by hop: at most
  ``MAX_REDIRECTS``, no loops, http(s) only, each hop through the same guard,
  and never from a public host into a private network (those hops go through
  a second client whose guard refuses private addresses). A chain of 301/308
  only yields a new permanent URL.
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
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from monitor import __version__
from monitor.settings import FetchSettings
from monitor.sources.bodylimit import BodyTooLarge, decoder_for, encodings_accepted
from monitor.sources.netguard import REFUSED, GuardedBackend, Resolver, is_internal, parse_ip
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
    peer: str | None = None  # the address the last hop connected to

    @property
    def from_public_host(self) -> bool:
        """Whether the last hop connected to the open internet (not loopback or private)."""
        address = parse_ip(self.peer or "")
        return address is not None and not is_internal(address)


class _Refused(Exception):
    """A fetch stopped by policy (redirect rules, scheme, limits); the message says why."""


def _peer(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    try:
        return str(sock.getpeername()[0]) if sock is not None else None
    except OSError:
        return None


class _Cookies(httpx.Cookies):
    """The client's cookies, read from a response only when it sets one.

    httpx wraps every response and its request in urllib objects to look for
    Set-Cookie headers (~0.08 ms, 7 % of the CPU of a feed answering 304);
    without such a header there is nothing to read, and the jar stays as it was.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class Fetcher:
    """An httpx client plus the semaphores and limits of one poll cycle."""

    def __init__(self, settings: FetchSettings, *, resolver: Resolver | None = None):
        self.settings = settings
        self._resolver = resolver
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.client = self._client(allow_private=settings.allow_private)
        # For redirects out of a public host; its own pool, so a connection
        # made for an intranet feed is never reused by such a hop.
        self._public: httpx.AsyncClient | None = None

    def _client(self, *, allow_private: bool) -> httpx.AsyncClient:
        settings = self.settings
        timeout = httpx.Timeout(
            settings.total_timeout, connect=settings.connect_timeout, pool=settings.total_timeout
        )
        # Requests in flight are bounded by the semaphores above, so httpx need
        # not queue; it keeps a few idle connections for feeds sharing a host
        # (httpcore scans every pooled connection per request: keep it small).
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=settings.concurrency)
        transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        # httpx takes no network backend of its own; its httpcore pool does.
        pool = transport._pool
        if not hasattr(pool, "_network_backend"):
            raise RuntimeError("this httpx/httpcore cannot take a guarded network backend")
        pool._network_backend = GuardedBackend(allow_private=allow_private, resolver=self._resolver)
        client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        )
        # The cookies property would wrap a new jar into a plain Cookies: set it underneath.
        if isinstance(getattr(client, "_cookies", None), httpx.Cookies):
            client._cookies = _Cookies()
        return client

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        if self._public is not None:
            await self._public.aclose()

    def _public_client(self) -> httpx.AsyncClient:
        if self._public is None:
            self._public = self._client(allow_private=False)
        return self._public

    def _host_slots(self, url: str) -> asyncio.Semaphore:
        host = host_of(url)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return self._hosts[host]

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        public_only: bool = False,
    ) -> FetchResult:
        """Fetch one feed within every limit; never raises for a network or HTTP problem.

        ``public_only`` refuses loopback and private addresses whatever the
        settings say (for a URL that a public page pointed to).
        """
        headers = {"Accept-Encoding": encodings_accepted()}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._slots, self._host_slots(url):
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._follow(url, headers, public_only)
            except TimeoutError:
                reason = f"timed out after {self.settings.total_timeout:g} s"
            except _Refused as exc:
                reason = str(exc)
            except httpx.HTTPError as exc:
                reason = _network_reason(exc)
            except httpx.InvalidURL as exc:  # not an HTTPError: a URL httpx cannot even send
                reason = f"invalid URL: {' '.join(str(exc).split())[:200]}"
            except OSError as exc:
                reason = exc.strerror or str(exc) or type(exc).__name__
        return FetchResult("error", url, error=reason)

    async def _follow(self, url: str, headers: dict[str, str], public_only: bool) -> FetchResult:
        visited = [url]
        permanent: str | None = None
        still_permanent = True
        client = self._public_client() if public_only else self.client
        while True:
            if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
                raise _Refused(f"refused to fetch {url[:200]}: only http and https")
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    peer = _peer(response)
                    status = response.status_code
                    if status not in REDIRECTS:
                        return replace(await self._finish(response, url, permanent), peer=peer)
                    location = response.headers.get("location", "").strip()
            except httpx.ConnectError as exc:
                reason = str(exc)
                if reason.startswith(REFUSED):
                    reason = reason.removeprefix(REFUSED).lstrip(": ")
                    raise _Refused(f"refused to fetch {url[:200]}: {reason}") from None
                raise
            public = peer is None or FetchResult("ok", url, peer=peer).from_public_host
            if len(visited) == 1 and client is self.client and public:
                client = self._public_client()  # out of a public host, never into the intranet
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
    if detail.startswith(REFUSED):
        return detail
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
