"""The emulator's layers, checked from its source (docs/architecture.md, "Emulator"):

- only ``routes/``, ``app.py`` and ``inprocess.py`` know HTTP (import Starlette);
- ``backend/`` takes typed values and returns typed results: no function of it takes a JSON
  body or returns a JSON document, no field of its values holds raw JSON, and no dict it
  builds has a wire (camelCase) key, except the ``errorCode``/``message`` details of an error;
- nothing is optional or process-wide: no import guarded by ``ModuleNotFoundError``, no change
  to anyio's default thread limiter, and crash points read the configuration, not the
  environment;

(That a module of more than 400 lines says at its top why it is one module is checked for the
whole package, by ``tests/unit/lib/test_lib_module_size.py``.)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from spec import REPO_ROOT

EMULATOR = REPO_ROOT / "src" / "fabric_git" / "emulator"
BACKEND = EMULATOR / "backend"
HTTP_MODULES = ("routes/", "app.py", "inprocess.py")
WIRE_KEY = re.compile(r"[a-z]+[A-Z]\w*")
ERROR_DETAIL_KEYS = frozenset({"errorCode", "message"})
JSON_TYPES = ("dict[str, Any]", "Any")


# Modules another change owns (the repository format moves to a shared rules module).
def _modules(root: Path) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        yield path.relative_to(EMULATOR).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_only_the_http_layer_imports_starlette() -> None:
    offenders = [
        name
        for name, tree in _modules(EMULATOR)
        if not name.startswith(HTTP_MODULES)
        and any(module.split(".")[0] == "starlette" for module in _imported(tree))
    ]
    assert offenders == []


def test_the_backend_takes_no_bodies_and_returns_no_documents() -> None:
    offenders = []
    for name, tree in _modules(BACKEND):
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for arg in node.args.args + node.args.kwonlyargs:
                if arg.annotation is not None and ast.unparse(arg.annotation) in JSON_TYPES:
                    offenders.append(
                        f"{name}: {node.name}({arg.arg}: {ast.unparse(arg.annotation)})"
                    )
            if node.returns is not None and ast.unparse(node.returns) in JSON_TYPES:
                offenders.append(f"{name}: {node.name} -> {ast.unparse(node.returns)}")
    assert offenders == []


UNTYPED = re.compile(r"\b(?:Any|object)\b")


def test_the_backend_values_hold_no_raw_json() -> None:
    """No field of a value the backend defines (a request, a record, a result) is a raw JSON
    value (``Any``, ``Mapping[str, object]``, ``dict[str, Any]``): a body's sub-object is
    parsed into a typed value in the route before it reaches the backend."""
    offenders = []
    for name, tree in _modules(BACKEND):
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for field in node.body:
                if isinstance(field, ast.AnnAssign) and UNTYPED.search(
                    ast.unparse(field.annotation)
                ):
                    target = ast.unparse(field.target)
                    annotation = ast.unparse(field.annotation)
                    offenders.append(f"{name}: {node.name}.{target}: {annotation}")
    assert offenders == []


def test_the_backend_builds_no_wire_documents() -> None:
    offenders = []
    for name, tree in _modules(BACKEND):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            wire = {k for k in keys if isinstance(k, str) and WIRE_KEY.fullmatch(k)}
            if wire - ERROR_DETAIL_KEYS:
                offenders.append(f"{name}:{node.lineno} {sorted(wire)}")
    assert offenders == []


def test_nothing_is_optional_or_process_wide() -> None:
    offenders = []
    for name, tree in _modules(EMULATOR):
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                if "ModuleNotFoundError" in ast.unparse(node.type):
                    offenders.append(f"{name}:{node.lineno} optional import")
            if isinstance(node, ast.Attribute) and node.attr == "current_default_thread_limiter":
                offenders.append(f"{name}:{node.lineno} changes anyio's default limiter")
    crashpoints = (EMULATOR / "crashpoints.py").read_text(encoding="utf-8")
    if "environ" in crashpoints.replace("the environment", ""):
        offenders.append("crashpoints.py reads the environment")
    assert offenders == []
