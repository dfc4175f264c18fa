"""Where a fetch may connect: 169.254.169.254 in every spelling, DNS rebinding, private networks.

A real HTTP server on 127.0.0.1; the forbidden addresses are never listened
on, so the proof that nothing reached them is the socket layer itself: an
audit hook records every address a socket of this process connects to.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_feeds import FAST, FeedServer, feed_server, good_feed_ok, make_settings, poll, store

from monitor.cli import main
from monitor.config import load
from monitor.errors import ConfigError
from monitor.sources.fetch import Fetcher
from monitor.sources.netguard import Address, refusal
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name

CONNECTED: list[str] = []


def _record_connects(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect" and isinstance(args[1], tuple):
        CONNECTED.append(str(args[1][0]))


sys.addaudithook(_record_connects)

# 169.254.169.254 (cloud metadata) as URL hosts, each spelled another way.
METADATA_HOSTS = [
    "169.254.169.254",
    "169.254.169.254.",  # trailing dot
    "2852039166",  # one decimal number
    "0xa9fea9fe",  # hexadecimal
    "0251.0376.0251.0376",  # octal (aiohttp refuses the URL)
    "[::ffff:169.254.169.254]",  # IPv4-mapped
    "[::ffff:a9fe:a9fe]",  # IPv4-mapped, hex
    "[::169.254.169.254]",  # IPv4-compatible
    "[::ffff:0:a9fe:a9fe]",  # SIIT
    "[2002:a9fe:a9fe::1]",  # 6to4
    "[64:ff9b::a9fe:a9fe]",  # NAT64
    "[2001:0:4136:e378:8000:63bf:5601:5601]",  # Teredo, client 169.254.169.254
    "[fe80::a9fe:a9fe]",  # IPv6 link-local
]
OTHER_FORBIDDEN = ["0.0.0.0", "[::]", "224.0.0.251", "[ff02::1]", "240.0.0.1", "255.255.255.255"]


def _never_reached() -> None:
    forbidden = [a for a in CONNECTED if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    assert forbidden == [], f"connected to {forbidden}"


def test_the_address_policy() -> None:
    def verdict(text: str, allow_private: bool = True) -> str | None:
        return refusal(ipaddress.ip_address(text), allow_private=allow_private)

    for host in METADATA_HOSTS[5:] + OTHER_FORBIDDEN:
        assert verdict(host.strip("[]")), host
    assert "link-local" in (verdict("::ffff:169.254.169.254") or "")
    for allowed in ("8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"):
        assert verdict(allowed) is None and verdict(allowed, False) is None, allowed
    for internal in ("127.0.0.1", "::1", "10.1.2.3", "192.168.1.1", "100.64.0.1", "fd00::1",
                     "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1"):  # fmt: skip
        assert verdict(internal) is None, internal
        assert "allow_private" in (verdict(internal, False) or ""), internal


@pytest.mark.parametrize("host", METADATA_HOSTS + OTHER_FORBIDDEN)
def test_a_configured_url_to_a_forbidden_address_is_refused(
    host: str, tmp_path: Path, feed_server: FeedServer, store: Store
) -> None:
    url = f"http://{host}/latest/meta-data/"
    CONNECTED.clear()
    run = poll(make_settings(tmp_path, [url, feed_server.url("/good.xml")]), store)
    (problem,) = [p for p in run.problems if p.startswith(url)]
    assert "refused to fetch" in problem or "invalid URL" in problem, problem
    assert good_feed_ok(run, feed_server)
    _never_reached()


@pytest.mark.parametrize("host", METADATA_HOSTS)
def test_a_redirect_to_a_forbidden_address_is_refused(
    host: str, tmp_path: Path, feed_server: FeedServer, store: Store
) -> None:
    url = feed_server.redirect("/moved", 302, f"http://{host}/latest/meta-data/")
    CONNECTED.clear()
    run = poll(make_settings(tmp_path, [url, feed_server.url("/good.xml")]), store)
    (problem,) = [p for p in run.problems if p.startswith(url)]
    assert "refused to fetch http://" in problem or "invalid url" in problem.lower(), problem
    assert good_feed_ok(run, feed_server)
    _never_reached()


def test_opml_imported_urls_to_forbidden_addresses_are_refused(
    tmp_path: Path, feed_server: FeedServer, store: Store
) -> None:
    hosts = [host for host in METADATA_HOSTS if not host.endswith(".")]  # one feed, twice
    outlines = "".join(
        f'<outline text="m{n}" xmlUrl="http://{host}/latest/"/>' for n, host in enumerate(hosts)
    )
    (tmp_path / "feeds.opml").write_text(
        f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>',
        encoding="utf-8",
    )
    CONNECTED.clear()
    run = poll(make_settings(tmp_path, [feed_server.url("/good.xml")], opml="feeds.opml"), store)
    refused = [p for p in run.problems if "refused to fetch" in p or "invalid URL" in p]
    assert len(refused) == len(hosts), run.problems
    assert good_feed_ok(run, feed_server)
    _never_reached()


def test_feeds_add_refuses_a_forbidden_address(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('state = "state/monitor.db"\ncorpus = []\n', encoding="utf-8")
    url = "http://[::ffff:169.254.169.254]/latest/meta-data/"
    result = CliRunner().invoke(main, ["--config", str(config), "feeds", "add", url])
    assert result.exit_code == 1, result.output
    assert "refused to fetch" in result.output and "link-local" in result.output
    assert "meta-data" not in config.read_text(encoding="utf-8")


class FlippingResolver:
    """A DNS that answers 127.0.0.1 first, then ``later`` (the rebinding attack)."""

    def __init__(self, later: list[str]) -> None:
        self.later = [ipaddress.ip_address(a) for a in later]
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[Address]:
        self.asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")] if len(self.asked) == 1 else self.later


def _fetch(url: str, resolver: FlippingResolver, **fetch: object):
    async def go():
        async with Fetcher(dataclasses.replace(FAST, **fetch), resolver=resolver) as fetcher:
            first = await fetcher.fetch(url)
            # A new connection (HTTP/1.0 server: none is kept alive) asks the DNS again.
            second = await fetcher.fetch(url)
            return first, second

    return asyncio.run(go())


@pytest.mark.parametrize(
    "later", [["169.254.169.254"], ["::ffff:169.254.169.254"], ["127.0.0.1", "169.254.169.254"]]
)
def test_a_name_that_rebinds_to_a_forbidden_address_never_reaches_it(
    later: list[str], feed_server: FeedServer
) -> None:
    resolver = FlippingResolver(later)
    url = f"http://rebind.test:{feed_server.port}/good.xml"
    CONNECTED.clear()
    first, second = _fetch(url, resolver)
    assert first.outcome == "ok" and first.peer == "127.0.0.1"
    assert second.outcome == "error" and "link-local" in (second.error or ""), second
    assert resolver.asked == ["rebind.test", "rebind.test"]  # once per connection, no more
    _never_reached()


def test_a_redirect_hop_that_rebinds_never_reaches_the_forbidden_address(
    feed_server: FeedServer,
) -> None:
    feed_server.redirect("/hop", 302, f"http://rebind.test:{feed_server.port}/good.xml")
    resolver = FlippingResolver(["169.254.169.254"])
    CONNECTED.clear()
    first, _ = _fetch(f"http://rebind.test:{feed_server.port}/hop", resolver)
    assert first.outcome == "error" and "refused to fetch http://rebind.test" in (first.error or "")
    _never_reached()


def test_allow_private_false_refuses_loopback_and_private(
    tmp_path: Path, feed_server: FeedServer, store: Store
) -> None:
    settings = make_settings(tmp_path, [feed_server.url("/good.xml")])
    assert settings.fetch.allow_private  # intranet feeds are allowed by default
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "config.toml").write_text(text + "\n[fetch]\nallow_private = false\n", "utf-8")
    strict = load(tmp_path / "config.toml")
    assert strict.fetch.allow_private is False
    run = poll(dataclasses.replace(strict, fetch=dataclasses.replace(FAST, allow_private=False)),
               store)  # fmt: skip
    assert not good_feed_ok(run, feed_server)
    assert any("private or loopback" in p for p in run.problems), run.problems

    (tmp_path / "config.toml").write_text(text + '\n[fetch]\nallow_private = "no"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"fetch\.allow_private: expected true or false"):
        load(tmp_path / "config.toml")


def test_a_page_on_a_public_host_cannot_point_into_the_intranet(feed_server: FeedServer) -> None:
    async def go():
        async with Fetcher(FAST) as fetcher:
            return await fetcher.fetch(feed_server.url("/good.xml"), public_only=True)

    result = asyncio.run(go())
    assert result.outcome == "error" and "private or loopback" in (result.error or "")
