"""Optional parts of fabric-git and the packages they need (``pip install 'fabric-git[EXTRA]'``).

The client and the CLI need none of them. A part checks for its packages on import, by name and
without importing them, so a missing one is one clear line rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.util import find_spec

from fabric_git.errors import FabricGitError

__all__ = ["MissingExtraError", "require_extra"]


class MissingExtraError(FabricGitError, ImportError):
    """A part of fabric-git was used whose optional packages are not installed."""

    code = "MissingExtra"

    def __init__(self, part: str, extra: str, missing: list[str]) -> None:
        super().__init__(
            f"the {part} needs packages that are not installed ({', '.join(missing)}); "
            f"install them with: pip install 'fabric-git[{extra}]'"
        )
        self.extra = extra
        self.missing = missing


def require_extra(part: str, extra: str, modules: Mapping[str, str]) -> None:
    """Raise ``MissingExtraError`` unless every module of ``modules`` (import name ->
    distribution name) can be imported."""
    missing = [dist for module, dist in modules.items() if find_spec(module) is None]
    if missing:
        raise MissingExtraError(part, extra, missing)
