"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the delivery and daemon tests.

Import what a test module needs (``from conftest_smtp import smtp_server, ...``):
pytest finds fixtures in the module's namespace.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server accepted it."""

    sender: str
    recipients: list[str]
    data: bytes

    def parsed(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Recorder:
    """An aiosmtpd handler that records what it accepts into ``server``."""

    server: SmtpServer

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        reply = self.server.reply
        if reply.startswith("250"):
            self.server.record(
                Received(
                    envelope.mail_from,  # type: ignore[attr-defined]
                    list(envelope.rcpt_tos),  # type: ignore[attr-defined]
                    bytes(envelope.original_content or envelope.content),  # type: ignore[attr-defined]
                )
            )
        return reply


@dataclass
class SmtpServer:
    """An aiosmtpd server that records what it accepts; ``reply`` sets its answer to DATA."""

    port: int
    reply: str = "250 Message accepted"
    messages: list[Received] = field(default_factory=list)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, message: Received) -> None:
        with self._lock:
            self.messages.append(message)

    def start(self) -> None:
        self._controller = Controller(Recorder(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Wait until ``count`` messages have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def add_smtp(config: Path, port: int, extra: str = "") -> None:
    """Turn SMTP delivery on in a project's config, towards a local server without TLS."""
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text
        + "\n[smtp]\n"
        + 'host = "127.0.0.1"\n'
        + f"port = {port}\n"
        + 'security = "none"\n'
        + 'from = "Japan AI monitor <digest@monitor.example>"\n'
        + 'to = ["reader@example.com"]\n'
        + "timeout = 5\n"
        + extra,
        encoding="utf-8",
    )
