"""Package names that import their module on first use (PEP 562), for the four packages whose
start-up cost it is measured to cut (docs/benchmarks.md, "What lazy loading saves").

``fabric-git --help`` imports the ``fabric_git`` package, and ``status`` imports ``models``,
``api`` and ``workflows``: re-exporting each public name eagerly would load httpx, pydantic and
every model class and flow for them. Each package keeps its table of name -> module (and, for
type checkers, the same names imported under ``if TYPE_CHECKING:``); this is the one lookup.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, exports: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``exports`` (name -> the
    module defining it; a module named like the name is the module itself) imports its module
    when first asked for, then stays in the package's namespace."""
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        value = module if module_name == f"{package}.{name}" else getattr(module, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(public)

    return __getattr__, __dir__
