"""systemd's notification protocol (READY, STATUS, WATCHDOG, STOPPING), without a dependency.

The protocol is one datagram per message, ``KEY=value`` lines, sent to the Unix
socket named by ``$NOTIFY_SOCKET`` (a leading '@' means the abstract namespace).
Outside systemd the variable is unset and every call does nothing. Sending is
best effort: a daemon must not fail because its supervisor went away.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

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
        log.debug("cannot notify systemd at %r: %s", address, error)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings: half the unit's WatchdogSec, or None if not asked.

    systemd sets ``$WATCHDOG_PID`` to the process it expects pings from; a
    child that merely inherited the environment must stay quiet.
    """
    usec = os.environ.get("WATCHDOG_USEC", "").strip()
    pid = os.environ.get("WATCHDOG_PID", "").strip()
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


class Watchdog:
    """Pings systemd's watchdog from a daemon thread while ``alive()`` holds.

    ``alive`` lets the daemon say it is wedged (its scheduler or worker thread
    died): the pings then stop and systemd restarts the service.
    """

    def __init__(self, interval: float, alive: Callable[[], bool] | None = None) -> None:
        self.interval = interval
        self._alive = alive or (lambda: True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchdog", daemon=True)

    def start(self) -> None:
        """Start pinging (the first ping goes out at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop pinging; the thread ends within one interval."""
        self._stop.set()

    def _run(self) -> None:
        while True:
            if self._alive():
                notify("WATCHDOG=1")
            else:
                log.debug("not pinging the watchdog: the daemon is not healthy")
            if self._stop.wait(self.interval):
                return
