"""A local Microsoft Fabric Git integration service: the Fabric REST API over SQLite and real Git.

Public API::

    from fabric_git.emulator import Emulator, EmulatorConfig, EmulatorServer, create_app

    with Emulator() as emu:                 # in-process, no socket
        client = emu.client()               # httpx.Client on emu.url with the admin token
    with EmulatorServer(EmulatorConfig(port=0)) as server:   # uvicorn on a thread
        print(server.url, server.git_url)

Heavy modules (Starlette, uvicorn, pygit2) load on first use of these names.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from fabric_git._extras import MissingExtraError, require_extra

# The emulator's packages come with the ``emulator`` extra: without them, say so in one line.
try:
    require_extra(
        "emulator",
        "emulator",
        {
            "anyio": "anyio",
            "jwt": "pyjwt",
            "pygit2": "pygit2",
            "starlette": "starlette",
            "uvicorn": "uvicorn",
        },
    )
except MissingExtraError as missing:
    # ``python -m fabric_git.emulator`` imports this package before its ``__main__`` can report
    # anything: as a command, print the CLI's one line instead of a traceback.
    if sys.argv[:1] == ["-m"] and __name__ in sys.orig_argv:
        raise SystemExit(f"error: {missing.code}: {missing}") from None
    raise

from fabric_git.emulator.config import Clock, EmulatorConfig, SystemClock

if TYPE_CHECKING:
    from fabric_git.emulator.app import create_app
    from fabric_git.emulator.faults import FaultRule
    from fabric_git.emulator.inprocess import Emulator
    from fabric_git.emulator.server import EmulatorServer

__all__ = [
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultRule",
    "SystemClock",
    "create_app",
]

_LAZY = {
    "Emulator": "fabric_git.emulator.inprocess",
    "EmulatorServer": "fabric_git.emulator.server",
    "FaultRule": "fabric_git.emulator.faults",
    "create_app": "fabric_git.emulator.app",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
