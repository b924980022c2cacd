"""``httpx``, imported without its command-line client. Import it from here:
``from fabric_git._httpx import httpx``.

``httpx/__init__`` imports ``httpx._main`` (the ``httpx`` command, built on click, rich and
pygments) whenever those packages are installed. fabric-git depends on click and rich, so a plain
``import httpx`` would load some 40 ms of modules the library never uses, on every CLI call.
httpx has no switch for this, but it guards that import with ``except ImportError`` and then
defines a stub ``main``. Marking ``httpx._main`` unimportable for the duration of the first
``import httpx`` takes that fallback; the mark is removed at once, so ``import httpx._main`` still
works later. What changes: in this process ``httpx.main`` is httpx's stub (the ``httpx`` command
itself runs in its own process, untouched). When httpx is already imported, nothing is done.

This small wrapper was preferred to paying that cost in every command, or to replacing httpx. If
httpx ever imports its CLI lazily, delete this module and import httpx directly again.
"""

from __future__ import annotations

import sys

__all__ = ["httpx"]

_CLI_MODULE = "httpx._main"


def _import_httpx_without_cli() -> None:
    if "httpx" in sys.modules or _CLI_MODULE in sys.modules:
        return
    sys.modules[_CLI_MODULE] = None  # type: ignore[assignment]  # None: "cannot be imported"
    try:
        import httpx  # noqa: F401
    finally:
        if _CLI_MODULE in sys.modules and sys.modules[_CLI_MODULE] is None:
            del sys.modules[_CLI_MODULE]


_import_httpx_without_cli()

import httpx  # noqa: E402
