"""The Fabric REST spec as test data: locate it, read operations and examples, validate bodies.

The spec is vendored, unmodified, in ``specs/fabric-api/`` (its README names the upstream
snapshot).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[1]


def spec_root() -> Path:
    return REPO_ROOT / "specs" / "fabric-api"


@cache
def swagger() -> dict[str, Any]:
    return json.loads((spec_root() / "platform" / "swagger.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    spec: dict[str, Any]
    source: Path | None = None  # the swagger.json it is in (None: platform's)

    @property
    def swagger_file(self) -> Path:
        return self.source or spec_root() / "platform" / "swagger.json"

    def response_schema(self, status: int) -> dict[str, Any] | None:
        responses = self.spec.get("responses", {})
        entry = responses.get(str(status)) or responses.get("default")
        schema = (entry or {}).get("schema")
        return None if schema is None else _absolutise(schema, self.swagger_file.as_uri())

    def example_files(self) -> dict[str, Path]:
        base = self.swagger_file.parent
        found: dict[str, Path] = {}
        for title, ref in self.spec.get("x-ms-examples", {}).items():
            path = (base / ref["$ref"]).resolve()
            if path.is_file():
                found[title] = path
        return found


@cache
def operations() -> dict[str, Operation]:
    result: dict[str, Operation] = {}
    for path, entry in swagger()["paths"].items():
        for method, spec in entry.items():
            if isinstance(spec, dict) and "operationId" in spec:
                result[spec["operationId"]] = Operation(
                    spec["operationId"], method.upper(), path, spec
                )
    return result


def operation(operation_id: str) -> Operation:
    return operations()[operation_id]


ITEM_TYPE_SKIP = frozenset({"platform", "admin", "common"})


@cache
def item_type_operations() -> tuple[Operation, ...]:
    """Every operation of every item-type folder's ``swagger.json`` (operationIds repeat across
    folders, so these are not keyed by id)."""
    found = []
    for file in sorted(spec_root().glob("*/swagger.json")):
        if file.parent.name in ITEM_TYPE_SKIP:
            continue
        document = json.loads(file.read_text(encoding="utf-8"))
        for path, entry in document["paths"].items():
            for method, op in entry.items():
                if isinstance(op, dict) and "operationId" in op:
                    found.append(Operation(op["operationId"], method.upper(), path, op, file))
    return tuple(found)


def _absolutise(schema: dict[str, Any], base_uri: str) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return {"$ref": urljoin(base_uri, ref)}
    return {**schema, "id": base_uri}


@cache
def _retrieve(uri: str) -> Resource[Any]:
    # Cached: each validator starts from the same registry and would read every file again.
    url, _ = urldefrag(uri)
    path = Path(url.removeprefix("file://"))
    if not path.is_file():
        # Upstream quirk: one file spells "Common" with a capital C.
        folder = path.parent.name.lower()
        candidates = [p for p in path.parent.parent.iterdir() if p.name.lower() == folder]
        path = candidates[0] / path.name if candidates else path
    return DRAFT4.create_resource(_open_enums(json.loads(path.read_text(encoding="utf-8"))))


def _open_enums(node: Any) -> Any:
    """Drop ``enum`` where the spec says the enum is open (``x-ms-enum.modelAsString``)."""
    if isinstance(node, dict):
        opened = {k: _open_enums(v) for k, v in node.items()}
        if opened.get("x-ms-enum", {}).get("modelAsString") and "enum" in opened:
            del opened["enum"]
        return opened
    if isinstance(node, list):
        return [_open_enums(v) for v in node]
    return node


def _drop_nulls(value: Any) -> Any:
    """Fabric sends ``null`` for absent optional properties; validate them as absent."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


@cache
def _registry() -> Registry[Any]:
    return Registry(retrieve=_retrieve)  # type: ignore[call-arg]


def definition_schema(file: str, name: str) -> dict[str, Any]:
    """Schema of ``definitions/<name>`` in a spec file ("common/definitions.json", say)."""
    return {"$ref": (spec_root() / file).as_uri() + f"#/definitions/{name}"}


def validate(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every schema violation of ``instance``, as readable strings (empty when valid)."""
    if schema.get("type") == "file":
        return []
    validator = jsonschema.Draft4Validator(schema, registry=_registry())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(_drop_nulls(instance))
    ]


def examples(folder: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, example document) for every example in ``platform/examples/<folder>``."""
    for path in sorted((spec_root() / "platform" / "examples" / folder).glob("*.json")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))
