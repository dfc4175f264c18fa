"""Reading one TOML table of ``config.toml``: types, ranges, choices, time zones, cron.

A :class:`TableReader` checks each value it is asked for, records every
problem as one line naming the file and the key, and finally reports the keys
nobody asked for, with a did-you-mean. ``monitor.config_sections`` reads each
section with it; ``monitor.config`` puts the sections together. The password
source that ``[smtp]`` and ``[postgresql]`` share is read here, by one function.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

T = TypeVar("T")


def _field_defaults(shape: type | None) -> dict[str, Any]:
    if shape is None:
        return {}
    fields = dataclasses.fields(shape)
    return {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}


class TableReader:
    """Reads one TOML table, remembering which keys were used and every error.

    ``shape`` is the settings dataclass the table becomes: a key read without
    an explicit default takes the default of the field of the same name, so
    each default is written once, in ``monitor/settings.py``.
    """

    def __init__(
        self,
        file: Path,
        table: Mapping[str, Any],
        prefix: str,
        errors: list[str],
        shape: type | None = None,
    ):
        self.file, self.table, self.prefix, self.errors = file, table, prefix, errors
        self.used: set[str] = set()
        self.defaults = _field_defaults(shape)

    def default(self, key: str) -> Any:
        """The default of ``key``: that of the shape's field of the same name."""
        return self.defaults[key]

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str, message: str) -> None:
        """Record a problem with ``key``: ``<file>: <section.key>: <message>``."""
        self.errors.append(f"{self.file}: {self._key(key)}: {message}")

    def get(self, key: str, kind: type[T] | tuple[type, ...], default: T, what: str) -> T:
        """The value of ``key``, or ``default`` if it is absent or not a ``kind``.

        A value of the wrong kind is an error saying ``what`` was expected.
        """
        self.used.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML integers are acceptable where a float is expected; bools are not numbers.
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            self.error(key, f"expected {what}, got {value!r}")
            return default
        if not isinstance(value, kinds):
            self.error(key, f"expected {what}, got {value!r}")
            return default
        return value  # type: ignore[return-value]

    def number(self, key: str, default: float | None = None, *, low: float, high: float) -> float:
        """A number from ``low`` to ``high`` (by default, the shape's)."""
        default = self.default(key) if default is None else default
        value = self.get(key, float, default, f"a number from {low:g} to {high:g}")
        if not low <= value <= high:
            self.error(key, f"expected a number from {low:g} to {high:g}, got {value:g}")
            return default
        return value

    def integer(self, key: str, default: int | None = None, *, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high`` (by default, the shape's)."""
        default = self.default(key) if default is None else default
        value = self.get(key, int, default, f"a whole number from {low} to {high}")
        if not low <= value <= high:
            self.error(key, f"expected a whole number from {low} to {high}, got {value}")
            return default
        return value

    def string(self, key: str, default: str | None = None, what: str = "a string") -> str:
        """A string (by default, the shape's); ``what`` describes it when it is something else."""
        return self.get(key, str, self.default(key) if default is None else default, what)

    def boolean(self, key: str) -> bool:
        """True or false (by default, the shape's)."""
        return self.get(key, bool, self.default(key), "true or false")

    def optional_string(self, key: str) -> str | None:
        """A string, or None when the key is absent."""
        return self.get(key, (str, type(None)), None, "a string")  # type: ignore[arg-type]

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        """One of ``choices``."""
        value = self.string(key, default, "one of " + ", ".join(choices))
        if value not in choices:
            self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def path(self, key: str, default: str | None) -> Path | None:
        """A path, ``~`` expanded, relative to the config file's directory."""
        value = self.optional_string(key) if default is None else self.string(key, default)
        if value is None:
            return None
        return (self.file.parent / os.path.expanduser(value)).resolve()

    def table_of(self, key: str) -> Mapping[str, Any]:
        """A sub-table (empty when absent)."""
        return self.get(key, dict, {}, "a table")

    def finish(self) -> None:
        """Report every key of the table that was never read, with a did-you-mean."""
        for key in self.table:
            if key not in self.used:
                close = difflib.get_close_matches(key, sorted(self.used), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key, f"unknown key{hint}")


def section(reader: TableReader, key: str, shape: type | None = None) -> TableReader:
    """A reader for the sub-table ``key`` (becoming a ``shape``), its keys named ``key.<name>``."""
    prefix = f"{reader.prefix}{key}."
    return TableReader(reader.file, reader.table_of(key), prefix, reader.errors, shape)


PASSWORD_KEYS = ("password_env", "password_file", "password_credential")


class PasswordSource(NamedTuple):
    """Where a section's password comes from (all None: no password)."""

    env: str | None
    file: Path | None
    credential: str | None
    given: tuple[str, ...]  # the keys of PASSWORD_KEYS the section has


def read_password_source(reader: TableReader) -> PasswordSource:
    """A section's password source: at most one of ``PASSWORD_KEYS``, never the password.

    The same rule for ``[smtp]`` and ``[postgresql]``; a ``password`` key is an
    error that never repeats the value.
    """
    if "password" in reader.table:
        reader.used.add("password")
        reader.error(
            "password", "never put a password in the config: use password_env or password_file"
        )
    given = tuple(key for key in PASSWORD_KEYS if key in reader.table)
    if len(given) > 1:
        reader.error(given[1], f"give only one of {', '.join(given)}")
    return PasswordSource(
        env=reader.optional_string("password_env"),
        file=reader.path("password_file", None),
        credential=reader.optional_string("password_credential"),
        given=given,
    )


def valid_timezone(reader: TableReader, key: str) -> str:
    """An IANA time zone name that this system knows (by default, the shape's)."""
    default = reader.default(key)
    name = reader.string(key, default, "an IANA time zone such as Asia/Tokyo")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(key, f"expected an IANA time zone such as Asia/Tokyo, got {name!r}")
        return default
    return name


CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
SECOND_RANGE = (0, 59)


def _cron_field_ok(field_text: str, low: int, high: int) -> bool:
    for part in field_text.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if base == "*":
            continue
        start, _, end = base.partition("-")
        numbers = [start, end] if end else [start]
        if not all(n.isdigit() and low <= int(n) <= high for n in numbers):
            return False
    return True


def valid_cron(reader: TableReader, key: str) -> str:
    """Five cron fields (minute hour day month weekday), or six with seconds first."""
    default = reader.default(key)
    value = reader.string(key, default, "a cron expression such as '0 7 * * *'")
    fields = value.split()
    ranges = CRON_RANGES if len(fields) == 5 else (SECOND_RANGE, *CRON_RANGES)
    if len(fields) not in (5, 6) or not all(
        _cron_field_ok(f, low, high) for f, (low, high) in zip(fields, ranges, strict=True)
    ):
        reader.error(
            key,
            "expected a cron expression: minute hour day month weekday, "
            f"such as '0 7 * * *' (numbers, *, ranges, lists, steps), got {value!r}",
        )
        return default
    return value
