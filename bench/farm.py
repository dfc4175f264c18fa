"""The feed farm the benches poll: ``../shared/tools/feedfarm.py`` serving generated feeds.

``serving`` starts it on a free 127.0.0.1 port and returns once its feeds
(``DIR/*.xml``, ``DIR/feeds.opml``) are written and its socket listens; it
appends every request to ``DIR/requests.log``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the clone (CI), or further up (a worktree inside the checkout's folder).
FARM = next(
    (p / "shared" / "tools" / "feedfarm.py" for p in REPO.parents
     if (p / "shared" / "tools" / "feedfarm.py").exists()),
    REPO.parent / "shared" / "tools" / "feedfarm.py",
)  # fmt: skip


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(farm: Path, feeds: int, items: int, directory: Path) -> Iterator[None]:
    """Serve ``feeds`` feeds of ``items`` items from ``directory`` until the block ends."""
    if not farm.exists():
        sys.exit(f"{farm}: no feed farm (pass --farm)")
    server = subprocess.Popen(
        [sys.executable, str(farm), "serve", "--feeds", str(feeds), "--items", str(items),
         "--port", str(free_port()), "--dir", str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        # It prints this one line, once the feeds are written and its socket listens.
        if server.stdout is None or not server.stdout.readline().startswith("serving"):
            sys.exit(f"{farm}: the feed farm did not start")
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)
