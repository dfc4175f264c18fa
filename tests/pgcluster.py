"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary directory, start it.

Standard library only, so `.ci/run` can use it before the project is installed:

    python3 tests/pgcluster.py start DIR   # prints the admin URL; the server keeps running
    python3 tests/pgcluster.py stop DIR

The cluster listens on 127.0.0.1 at a free port and on a Unix socket inside DIR. The
superuser ``monitor`` logs in without a password (trust, local and 127.0.0.1 only);
every other role needs its SCRAM password, so the tests can check password sources.
``initdb`` refuses to run as root, so as root the cluster belongs to ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUPERUSER = "monitor"
SEARCH = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14", "13")]


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return next((d for d in SEARCH if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    """Run as ``nobody`` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


def start(directory: Path) -> str:
    """Create and start a cluster in ``directory``; return the superuser's URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl)")
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if os.geteuid() == 0:
        # nobody must reach the directory: every parent has to be searchable by others.
        shutil.chown(directory, "nobody")
        os.chmod(directory, 0o755)
    initdb = subprocess.run(
        _as_owner([
            str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "-N",
        ]),
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if initdb.returncode:
        raise RuntimeError(f"initdb failed: {initdb.stderr.strip()}")
    hba = data / "pg_hba.conf"
    # The superuser may connect over TCP without a password; every other role needs one.
    rules = f"host all {SUPERUSER} 127.0.0.1/32 trust\n"
    hba.write_text(rules + hba.read_text())
    port = _free_port()
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        " -c max_connections=200 -c shared_buffers=32MB"
    )
    subprocess.run(
        _as_owner([
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        ]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    (directory / "url").write_text(url)
    return url


def _pg_ctl(directory: Path, *args: str) -> None:
    bin_dir = binaries()
    assert bin_dir is not None
    subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(directory / "data"), *args]),
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def restart(directory: Path) -> None:
    """Restart the server with the same settings (the tests' database outage)."""
    _pg_ctl(directory, "-w", "-t", "60", "-m", "fast", "restart")


def stop(directory: Path) -> None:
    """Stop the cluster (immediately: its data is thrown away)."""
    if (directory / "data" / "postmaster.pid").exists():
        _pg_ctl(directory, "-w", "-t", "30", "-m", "immediate", "stop")


@contextmanager
def admin_url(directory: Path) -> Iterator[str]:
    """$MONITOR_TEST_POSTGRES if set, else a cluster started in ``directory`` (stopped after)."""
    given = os.environ.get("MONITOR_TEST_POSTGRES")
    if given:
        yield given
        return
    url = start(directory)
    try:
        yield url
    finally:
        stop(directory)


def reap_with(pid: int, directory: Path, remove: Path) -> None:
    """Stop the cluster in ``directory`` and delete ``remove`` once process ``pid`` is gone.

    The test session's own teardown does this; the reaper covers a session that
    was killed (a timeout, SIGKILL), which would otherwise leave a server running.
    """
    subprocess.Popen(
        [sys.executable, __file__, "reap", str(directory), str(pid), str(remove)],
        start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _reap(directory: Path, pid: int, remove: Path) -> None:
    import time

    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(1)
    stop(directory)
    shutil.rmtree(remove, ignore_errors=True)


if __name__ == "__main__":
    action, where = sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else ".")
    if action == "start":
        print(start(where))
    elif action == "stop":
        stop(where)
    elif action == "reap":
        _reap(where, int(sys.argv[3]), Path(sys.argv[4]))
    elif action == "which":  # exit 1 when PostgreSQL is not installed
        found = binaries()
        print(found or "")
        sys.exit(0 if found else 1)
    else:
        sys.exit(f"usage: {sys.argv[0]} start DIR | stop DIR | which")
