"""Where a feed fetch may connect: the address policy and the network backend that enforces it.

A feed URL is untrusted input (a config typo, an OPML file from elsewhere, a
redirect chosen by a feed's server), so the check is made on the address the
socket actually connects to, not on the text of the URL:

- ``GuardedBackend`` is an httpcore network backend. For each new connection
  it resolves the host once, refuses the whole name if any answer is
  forbidden, connects to one of the checked addresses (never to the name, so
  a second DNS answer cannot differ: no rebinding window) and checks the
  connected socket's peer before a byte is sent. TLS still verifies the
  certificate against the host name.
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
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[Address]]]

REFUSED = "refused"  # how every refusal message starts
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


async def system_resolver(host: str, port: int) -> list[Address]:
    """Every address the system's resolver gives for ``host`` (an IP literal as itself)."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    found = (parse_ip(str(info[4][0])) for info in infos)
    return list(dict.fromkeys(address for address in found if address is not None))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, connecting only to addresses ``refusal`` allows."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self._inner = httpcore.AnyIOBackend()

    def _check(self, address: Address) -> None:
        reason = refusal(address, allow_private=self.allow_private)
        if reason:
            raise httpcore.ConnectError(reason)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolver(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        for address in addresses:  # one bad answer condemns the name
            self._check(address)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            try:
                self._check_peer(stream, address)
            except BaseException:
                await stream.aclose()
                raise
            return stream
        assert failure is not None
        raise failure

    def _check_peer(self, stream: httpcore.AsyncNetworkStream, expected: Address) -> None:
        sock = stream.get_extra_info("socket")
        peer = parse_ip(str(sock.getpeername()[0])) if sock is not None else None
        if peer is None:
            raise httpcore.ConnectError(f"{REFUSED}: cannot tell which address was connected")
        self._check(peer)
        if peer != expected:
            raise httpcore.ConnectError(f"{REFUSED}: connected to {peer}, not {expected}")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"{REFUSED}: feeds are not fetched over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
