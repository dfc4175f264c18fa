"""Every error a user can cause or act on, in one hierarchy.

    MonitorError                 base: message for humans, exit code
    ├── ConfigError              bad or missing config value (exit 2)
    ├── UsageError               bad command-line use (exit 2)
    ├── SourceError              an unreadable corpus file or source (exit 1)
    │   └── FeedError            one feed failed: fetch, limits, parse (exit 1)
    ├── StoreError               the state database is unusable (exit 1)
    ├── DeliveryError            a digest could not be delivered (exit 1)
    │   ├── TemporaryDeliveryError   retry later (refused, timeout, 4xx)
    │   └── PermanentDeliveryError   will not succeed as is (5xx, bad address)
    └── LockedError              another monitor process holds the lock (exit 1)

The CLI prints ``str(error)`` on one line and exits with ``error.exit_code``;
a traceback appears only with ``--debug``.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2


class MonitorError(Exception):
    """Base class: an error with a message meant for the person running monitor."""

    exit_code = EXIT_RUNTIME


class ConfigError(MonitorError):
    """The configuration file is missing, unreadable or holds a wrong value."""

    exit_code = EXIT_USAGE


class UsageError(MonitorError):
    """The command line asks for something that cannot be done."""

    exit_code = EXIT_USAGE


class SourceError(MonitorError):
    """A source (corpus file or directory) could not be read."""


class FeedError(SourceError):
    """One feed could not be fetched or parsed; other feeds go on."""


class StoreError(MonitorError):
    """The state database cannot be opened or is from a newer version."""


class DeliveryError(MonitorError):
    """A digest could not be delivered."""


class TemporaryDeliveryError(DeliveryError):
    """Delivery failed in a way that may pass (connection refused, timeout, 4xx)."""


class PermanentDeliveryError(DeliveryError):
    """Delivery failed in a way that retrying will not fix (5xx, rejected address)."""


class LockedError(MonitorError):
    """Another monitor process is already processing with the same state."""
