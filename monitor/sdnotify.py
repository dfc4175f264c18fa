"""systemd's notification protocol (READY, WATCHDOG, STOPPING), without a dependency.

The protocol is one datagram per message to the Unix socket named by
``$NOTIFY_SOCKET`` (a leading '@' means the abstract namespace). Outside
systemd the variable is unset and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

log = logging.getLogger("monitor.sdnotify")


def notify(*lines: str) -> bool:
    """Send ``KEY=value`` lines to systemd; return whether a message went out."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto("\n".join(lines).encode("utf-8"), address)
    except OSError as error:
        log.debug("cannot notify systemd at %s: %s", address, error)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings: half the unit's WatchdogSec, or None if not asked."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


class Watchdog:
    """Pings systemd's watchdog from a daemon thread while ``alive()`` holds.

    ``alive`` lets the daemon say it is wedged (its scheduler stopped running
    jobs): then the pings stop and systemd restarts the service.
    """

    def __init__(self, interval: float, alive: object = None) -> None:
        self.interval = interval
        self._alive = alive if callable(alive) else (lambda: True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._alive():
                notify("WATCHDOG=1")
