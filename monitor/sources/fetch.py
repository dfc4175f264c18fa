"""Polite, bounded HTTP for feeds (aiohttp): one ``Fetcher`` per poll cycle.

- Concurrency is bounded overall and per host; every request names monitor
  and its version in the User-Agent and accepts gzip, deflate and brotli.
- Conditional GET: the stored ETag / Last-Modified go back as
  If-None-Match / If-Modified-Since; a 304 is reported without a body.
- Every connection goes through a ``netguard.Guard``: the host is resolved
  once and the connected address itself is checked (never link-local,
  reserved, multicast or unspecified, in any IPv6 spelling; loopback and
  private only while ``allow_private``).
- Redirects are followed here, not by aiohttp, hop by hop: at most
  ``MAX_REDIRECTS``, no loops, http(s) only, each hop through the same guard,
  and never from a public host into a private network (those hops go through
  a second session whose guard refuses private addresses). A chain of 301/308
  only yields a new permanent URL.
- Limits: connect and per-read timeouts, plus one deadline around the whole
  fetch (a server trickling a byte a second is cut off). The body is read raw
  (aiohttp decompresses nothing) and the limit is counted on those bytes and
  again while decompressing incrementally (see ``bodylimit``), so a gzip bomb
  stops at the limit.
- Statuses become outcomes: 410 is ``gone``; other errors carry the status
  and Retry-After for the caller's backoff (``retry_delay``, ``backoff_delay``).
- Cookies a server sets are sent back within the cycle (a consent wall's
  redirect hop), IP-literal hosts included; none outlives the ``Fetcher``.
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

import aiohttp

from monitor import __version__
from monitor.settings import FetchSettings
from monitor.sources.bodylimit import BodyTooLarge, decoder_for, encodings_accepted
from monitor.sources.netguard import (
    REFUSED,
    Guard,
    PeerResponse,
    Resolver,
    is_internal,
    parse_ip,
    refused_in,
)
from monitor.urls import WEB_SCHEMES, host_of, resolve

MAX_REDIRECTS = 5
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
BACKOFF_BASE_SECONDS = 30 * 60
USER_AGENT = f"monitor/{__version__} (news digest feed reader; aiohttp/{aiohttp.__version__})"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
Outcome = Literal["ok", "not_modified", "gone", "error"]
# aiohttp rounds a timeout over this many seconds up to a whole second: never, here.
_EXACT = 1e9


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


class Fetcher:
    """An aiohttp session plus the semaphores and limits of one poll cycle."""

    def __init__(self, settings: FetchSettings, *, resolver: Resolver | None = None):
        self.settings = settings
        self._resolver = resolver
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.session = self._session(allow_private=settings.allow_private)
        # For redirects out of a public host; its own pool, so a connection
        # made for an intranet feed is never reused by such a hop.
        self._public: aiohttp.ClientSession | None = None

    def _session(self, *, allow_private: bool) -> aiohttp.ClientSession:
        settings = self.settings
        guard = Guard(allow_private=allow_private, resolver=self._resolver)
        # Requests in flight are bounded by the semaphores above: the connector
        # need not queue (limit=0); idle connections stay for feeds sharing a host.
        connector = guard.connector(limit=0, timeout_ceil_threshold=_EXACT)
        timeout = aiohttp.ClientTimeout(
            total=None,  # the deadline around the whole fetch is ours (``fetch``)
            sock_connect=settings.connect_timeout,
            sock_read=settings.total_timeout,
            ceil_threshold=_EXACT,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            # Cookies kept for the cycle, IP-literal hosts too (a feed on 10.0.0.5).
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            auto_decompress=False,  # ``_read`` counts the raw bytes, ``bodylimit`` inflates
            trust_env=False,
            request_class=guard.request_class(),
            response_class=PeerResponse,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        if self._public is not None:
            await self._public.close()

    def _public_session(self) -> aiohttp.ClientSession:
        if self._public is None:
            self._public = self._session(allow_private=False)
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
            except _Refused as exc:
                reason = str(exc)
            # aiohttp's own connect and read timeouts are TimeoutErrors too: named first.
            except aiohttp.ServerTimeoutError as exc:
                reason = _network_reason(exc)
            except TimeoutError:
                reason = f"timed out after {self.settings.total_timeout:g} s"
            except aiohttp.InvalidURL as exc:  # a URL aiohttp cannot even send
                reason = f"invalid URL: {' '.join(str(exc).split())[:200]}"
            except aiohttp.ClientError as exc:
                reason = _network_reason(exc)
            except OSError as exc:
                reason = exc.strerror or str(exc) or type(exc).__name__
        return FetchResult("error", url, error=reason)

    async def _follow(self, url: str, headers: dict[str, str], public_only: bool) -> FetchResult:
        visited = [url]
        permanent: str | None = None
        still_permanent = True
        session = self._public_session() if public_only else self.session
        while True:
            if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
                raise _Refused(f"refused to fetch {url[:200]}: only http and https")
            try:
                async with session.get(url, headers=headers, allow_redirects=False) as response:
                    peer = response.peer if isinstance(response, PeerResponse) else None
                    status = response.status
                    if status not in REDIRECTS:
                        return replace(await self._finish(response, url, permanent), peer=peer)
                    location = response.headers.get("location", "").strip()
            except (aiohttp.ClientError, OSError) as exc:
                refused = refused_in(exc)
                if refused is not None:
                    # "refused: ::ffff:a9fe:a9fe is ...": the address keeps its colons.
                    reason = str(refused).removeprefix(f"{REFUSED}:").lstrip()
                    raise _Refused(f"refused to fetch {url[:200]}: {reason}") from None
                raise
            public = peer is None or FetchResult("ok", url, peer=peer).from_public_host
            if len(visited) == 1 and session is self.session and public:
                session = self._public_session()  # out of a public host, never into the intranet
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

    async def _finish(
        self, response: aiohttp.ClientResponse, url: str, moved: str | None
    ) -> FetchResult:
        status = response.status
        base = FetchResult("error", url, permanent_url=moved, status=status)
        if status == 304:
            return replace(base, outcome="not_modified")
        if status == 410:
            return replace(base, outcome="gone", error="HTTP 410 Gone")
        if not 200 <= status < 300:
            reason = f"HTTP {status} {response.reason or ''}".strip()
            return replace(base, error=reason, retry_after=response.headers.get("retry-after"))
        return replace(
            base,
            outcome="ok",
            body=await self._read(response),
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(f"body of {int(declared):,} bytes is over the {limit:,}-byte limit")
        received = 0
        try:
            decoder = decoder_for(response.headers.get("content-encoding"), limit)
            async for chunk in response.content.iter_any():  # raw: auto_decompress=False
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(f"body is over the {limit:,}-byte limit")
                decoder.feed(chunk)
            return decoder.finish()
        except (BodyTooLarge, ValueError) as exc:
            raise _Refused(str(exc)) from None
        except (aiohttp.ClientError, OSError) as exc:
            if isinstance(exc, TimeoutError):
                raise
            reason = _network_reason(exc, "while reading the body")
            raise _Refused(f"{reason} ({received:,} bytes received)") from None


_BROKEN = {
    errno.ECONNRESET: "connection reset by peer",
    errno.EPIPE: "connection closed by the server (broken pipe)",
    errno.ECONNABORTED: "connection aborted",
}


# Closed early, a body cut short, or bytes that are no HTTP response.
_BROKEN_OFF = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientResponseError,
)


def _broken_connection(exc: BaseException) -> str | None:
    """'connection reset by peer' and its kin, found anywhere in the exception's chain."""
    seen: BaseException | None = exc
    for _ in range(8):  # aiohttp wraps the OSError, sometimes twice
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno in _BROKEN:
            return _BROKEN[seen.errno]
        if "reset by peer" in str(seen).lower():
            return _BROKEN[errno.ECONNRESET]
        seen = seen.__cause__ or seen.__context__
    return None


def _detail(exc: BaseException) -> str:
    """An aiohttp error's own words, without its wrapper's (the OSError it wraps, if any)."""
    if isinstance(exc, aiohttp.ClientConnectorError) and exc.__cause__ is not None:
        exc = exc.__cause__  # "Cannot connect to host h:80 ssl:default [...]": the [...]
    elif isinstance(exc, aiohttp.ClientResponseError):
        return exc.message  # the parser's complaint, not the status and URL around it
    return str(exc)


def _network_reason(
    exc: aiohttp.ClientError | OSError, phase: str = "before the response arrived"
) -> str:
    """A network failure in words a person can act on, saying when in the exchange it came."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connection timed out"
    if isinstance(exc, aiohttp.ServerTimeoutError):  # sock_read: no byte for that long
        return "read timed out"
    detail = " ".join(_detail(exc).split())[:160]
    if detail.startswith(REFUSED):
        return detail
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {detail or 'connection failed'}"
    broken = _broken_connection(exc)
    if broken:
        return f"{broken} {phase}"
    if isinstance(exc, _BROKEN_OFF):
        return f"the server broke off the exchange {phase}: {detail or 'protocol error'}"
    if isinstance(exc, aiohttp.ClientConnectionError | OSError):
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
