"""Where a feed fetch may connect: the address policy and the aiohttp pieces that enforce it.

A feed URL is untrusted input (a config typo, an OPML file from elsewhere, a
redirect chosen by a feed's server), so the check is made on the address the
socket actually connects to, not on the text of the URL:

- ``Guard.connector`` is an aiohttp ``TCPConnector`` without a DNS cache. For
  each new connection its ``GuardedResolver`` resolves the host once and
  refuses the whole name if any answer is forbidden; the connector then
  connects to one of the checked numeric addresses (never to the name, so a
  second DNS answer cannot differ: no rebinding window). Every socket is made
  by ``Guard.socket_factory``, which checks the address it is about to be
  connected to (this also covers IP-literal hosts, which aiohttp never hands
  to a resolver), and ``Guard.request_class`` checks the connected peer of
  the connection, new or reused, before a byte of the request is sent. TLS
  still verifies the certificate against the host name.
- ``refusal`` is the policy. Never: link-local (169.254.169.254 is cloud
  metadata), multicast, unspecified (0.0.0.0/8, ``::``) and reserved
  addresses, in any spelling: IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
  ``::a.b.c.d``, SIIT ``::ffff:0:a.b.c.d`` and NAT64 ``64:ff9b::/96`` are
  judged as the IPv4 address they carry; 6to4 ``2002::/16`` and Teredo
  ``2001::/32`` also by the IPv4 addresses inside. Loopback and private
  networks (intranet feeds) are allowed unless ``[fetch] allow_private`` is
  false.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[Address]]]

REFUSED = "refused"  # how every refusal message starts
AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]  # one getaddrinfo() answer
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def parse_ip(text: str) -> Address | None:
    """An IP literal (brackets and an IPv6 zone allowed), or None for a host name."""
    try:  # "169.254.169.254." is that address to some resolvers
        return ipaddress.ip_address(text.strip("[]").split("%")[0].removesuffix("."))
    except ValueError:
        return None


def _judged(address: Address) -> list[Address]:
    """The addresses that decide about ``address``: itself and any IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    packed = address.packed
    tail = ipaddress.IPv4Address(packed[12:])
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if packed[:12] == bytes(12) and int(address) > 1:  # IPv4-compatible ::a.b.c.d
        return [tail]
    if packed[:12] == bytes(8) + b"\xff\xff\x00\x00":  # SIIT ::ffff:0:a.b.c.d
        return [tail]
    if address in _NAT64:  # the gateway connects to the IPv4 address inside
        return [tail]
    judged: list[Address] = [address]
    if address.sixtofour is not None:
        judged.append(address.sixtofour)
    if address.teredo is not None:
        judged.extend(address.teredo)
    return judged


def refusal(address: Address, *, allow_private: bool) -> str | None:
    """Why a fetch must not connect to ``address``, or None when it may."""
    internal = address in _NAT64_LOCAL
    for each in _judged(address):
        if each.is_loopback:
            internal = True
            continue
        if each.is_link_local:
            return f"{REFUSED}: {address} is a link-local address (cloud metadata lives there)"
        if each.is_multicast:
            return f"{REFUSED}: {address} is a multicast address"
        if each.is_unspecified or each in _THIS_NETWORK:
            return f"{REFUSED}: {address} is an unspecified address"
        if each.is_reserved and not (each is address and internal):
            return f"{REFUSED}: {address} is a reserved address"
        internal = internal or not each.is_global
    if internal and not allow_private:
        return f"{REFUSED}: {address} is a private or loopback address ([fetch] allow_private)"
    return None


def is_internal(address: Address) -> bool:
    """Whether an allowed address is loopback or in a private network (not the open internet)."""
    return refusal(address, allow_private=False) is not None


class Refused(OSError):
    """A connection the policy forbids; the message (``refusal``'s) says why.

    An OSError, so that aiohttp and aiohappyeyeballs treat it as a failed
    connection (closing what they opened); ``refused_in`` finds it again
    inside the aiohttp error that wraps it.
    """


def refused_in(exc: BaseException) -> Refused | None:
    """The ``Refused`` behind an aiohttp error (its cause, or the cause's cause), if any."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, Refused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


async def system_resolver(host: str, port: int) -> list[Address]:
    """Every address the system's resolver gives for ``host`` (an IP literal as itself)."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    found = (parse_ip(str(info[4][0])) for info in infos)
    return list(dict.fromkeys(address for address in found if address is not None))


class Guard:
    """The address policy of one aiohttp session, and the pieces that enforce it."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        # Every address a socket was allowed to connect to: the peer must be one of them.
        self._checked: set[Address] = set()
        self._peers: set[str] = set()  # peers that passed ``check_peer`` (the policy is fixed)

    def check(self, address: Address) -> None:
        """Refused unless the policy allows ``address``."""
        reason = refusal(address, allow_private=self.allow_private)
        if reason:
            raise Refused(reason)

    def connector(self, **options: Any) -> aiohttp.TCPConnector:
        """A connector that resolves through the guard and connects only to checked addresses."""
        return aiohttp.TCPConnector(
            resolver=GuardedResolver(self),
            use_dns_cache=False,  # one resolution per connection, checked each time
            socket_factory=self.socket_factory,
            **options,
        )

    def socket_factory(self, addr_info: AddrInfo) -> socket.socket:
        """A socket for one address aiohttp is about to connect to, once it is checked."""
        family, kind, proto, _, sockaddr = addr_info
        address = parse_ip(str(sockaddr[0]))
        if address is None:
            raise Refused(f"{REFUSED}: {sockaddr[0]} is not a numeric address")
        self.check(address)
        self._checked.add(address)
        return socket.socket(family=family, type=kind, proto=proto)

    def check_peer(self, transport: asyncio.BaseTransport | None) -> str:
        """The connected peer's address, refused unless it is allowed and was checked."""
        peername = transport.get_extra_info("peername") if transport is not None else None
        text = str(peername[0]) if peername else ""
        if text in self._peers:
            return text
        peer = parse_ip(text)
        if peer is None:
            raise Refused(f"{REFUSED}: cannot tell which address was connected")
        self.check(peer)
        if peer not in self._checked:
            raise Refused(f"{REFUSED}: connected to {peer}, not to a checked address")
        self._peers.add(text)
        return text

    def request_class(self) -> type[aiohttp.ClientRequest]:
        """aiohttp's request, checking the connection's peer before anything is sent."""
        guard = self

        class GuardedRequest(aiohttp.ClientRequest):
            async def send(self, conn: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
                peer = guard.check_peer(conn.transport)
                response = await super().send(conn)
                if isinstance(response, PeerResponse):
                    response.peer = peer
                return response

        return GuardedRequest


class PeerResponse(aiohttp.ClientResponse):
    """aiohttp's response, with the address its connection went to (set by the request)."""

    peer: str | None = None


class GuardedResolver(AbstractResolver):
    """Resolves a host name once through the guard's resolver; any forbidden answer refuses it."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self.guard.resolver(host, port)
        if not addresses:
            raise OSError(f"cannot resolve {host}: no address")
        for address in addresses:  # one bad answer condemns the name
            self.guard.check(address)
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        pass
