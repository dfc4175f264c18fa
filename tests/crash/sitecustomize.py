"""Test-only: SIGKILL this process at a chosen point of `monitor run-once`.

Put this directory on PYTHONPATH and set MONITOR_CRASH_AT to
``module:attribute[.method]:before|after``; the named function is wrapped so
that the process kills itself (SIGKILL: no cleanup, no atexit, no flush)
just before it runs or just after it returns. Nothing of this ships with monitor.
"""

from __future__ import annotations

import functools
import importlib
import os
import signal

_spec = os.environ.get("MONITOR_CRASH_AT")
if _spec:
    _module_name, _attribute, _when = _spec.split(":")
    _owner = importlib.import_module(_module_name)
    *_path, _name = _attribute.split(".")
    for _part in _path:
        _owner = getattr(_owner, _part)
    _original = getattr(_owner, _name)

    @functools.wraps(_original)
    def _crash(*args: object, **kwargs: object) -> object:
        if _when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = _original(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(_owner, _name, _crash)
