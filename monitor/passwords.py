"""Passwords from where the config says they are: never from the config file itself.

One rule for every secret monitor needs (SMTP, PostgreSQL): an environment
variable, a file, or a systemd credential (``LoadCredential=`` sets
``$CREDENTIALS_DIRECTORY``). At most one source is configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from monitor.errors import ConfigError


def resolve(
    where: str,
    env: str | None,
    file: Path | None,
    credential: str | None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The secret from its configured source, or None when no source is configured.

    ``where`` prefixes messages, e.g. ``/etc/monitor/config.toml: smtp``;
    ``environ`` is where variables are looked up (default: ``os.environ``).
    """
    environ = os.environ if environ is None else environ
    if env:
        value = environ.get(env)
        if not value:
            raise ConfigError(f"{where}.password_env: the environment variable {env} is not set")
        return value
    if credential:
        directory = environ.get("CREDENTIALS_DIRECTORY")
        if not directory:
            raise ConfigError(
                f"{where}.password_credential: $CREDENTIALS_DIRECTORY is not set "
                "(systemd sets it for a unit with LoadCredential=)"
            )
        return _read(f"{where}.password_credential", os.path.join(directory, credential))
    if file:
        return _read(f"{where}.password_file", str(file))
    return None


def describe(
    env: str | None,
    file: Path | None,
    credential: str | None,
    unset: str = "no password configured",
) -> str:
    """Where the password comes from, for check-config (never the password); ``unset`` without."""
    if env:
        return f"password from ${env}"
    if file:
        return f"password from {file}"
    if credential:
        return f"password from credential {credential}"
    return unset


def _read(where: str, path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip("\r\n")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ConfigError(f"{where}: {path} is empty")
    return value
