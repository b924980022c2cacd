"""One self-contained Swagger document for the emulated operations, built from the spec files.

The spec spreads its types over ``platform/definitions/*.json`` and ``../common/*.json`` and
writes them the AutoRest way. A property-based tester needs them in one document and in plain
JSON Schema, so the builder (run at test time; nothing is written into the repository):

- keeps only the paths and methods of the operations asked for;
- copies every definition those operations reach into ``definitions``, named
  ``<file>.<Name>`` (``common.ErrorResponse``), with every ``$ref`` rewritten to match;
- adds ``type: object`` to schemas that list ``properties`` but no type (AutoRest means an
  object; JSON Schema would otherwise accept any non-object value as valid);
- turns a reference to a base type with a ``discriminator`` into ``oneOf`` its subtypes, each
  with the discriminator pinned to its ``x-ms-discriminator-value`` (a subtype's own ``allOf``
  still names the plain base);
- drops response schemas of ``type: file`` (the operation result, whose shape depends on the
  operation that produced it: JSON, but nothing the document can say more about).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import spec

JsonObject = dict[str, Any]


class _Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[Path, JsonObject] = {}
        self.definitions: JsonObject = {}
        self.pending: list[tuple[Path, str]] = []

    def load(self, path: Path) -> JsonObject:
        path = self._existing(path)
        if path not in self.files:
            self.files[path] = json.loads(path.read_text(encoding="utf-8"))
        return self.files[path]

    def _existing(self, path: Path) -> Path:
        path = path.resolve()
        if path.is_file():
            return path
        # Upstream quirk: one reference spells the "common" folder with a capital C.
        folder = path.parent.name.lower()
        for candidate in path.parent.parent.iterdir():
            if candidate.name.lower() == folder and (candidate / path.name).is_file():
                return (candidate / path.name).resolve()
        raise FileNotFoundError(path)

    def key(self, path: Path, name: str) -> str:
        relative = self._existing(path).relative_to(self.root.resolve())
        return f"{relative.with_suffix('').as_posix().replace('/', '.')}.{name}"

    def target(self, base: Path, ref: str) -> tuple[Path, str]:
        file_part, _, pointer = ref.partition("#")
        path = (base.parent / file_part) if file_part else base
        if not pointer.startswith("/definitions/"):
            raise ValueError(f"unsupported $ref {ref!r} in {base}")
        return self._existing(path), pointer.removeprefix("/definitions/")

    def reference(self, base: Path, ref: str, *, polymorphic: bool) -> JsonObject:
        path, name = self.target(base, ref)
        key = self.key(path, name)
        if key not in self.definitions:
            self.definitions[key] = None  # reserved: definitions may refer to themselves
            self.pending.append((path, name))
        if polymorphic:
            subtypes = self.subtypes(path, name)
            if subtypes:
                return {"oneOf": subtypes}
        return {"$ref": f"#/definitions/{key}"}

    def subtypes(self, path: Path, name: str) -> list[JsonObject]:
        base = self.load(path)["definitions"][name]
        discriminator = base.get("discriminator")
        if not discriminator:
            return []
        found = []
        for sub_name, sub in self.load(path)["definitions"].items():
            value = sub.get("x-ms-discriminator-value")
            parents = [p.get("$ref", "") for p in sub.get("allOf", [])]
            if value is None or f"#/definitions/{name}" not in parents:
                continue
            ref = self.reference(path, f"#/definitions/{sub_name}", polymorphic=False)
            pin = {"properties": {discriminator: {"enum": [value]}}}
            found.append({"allOf": [ref, pin]})
        return found

    def rewrite(self, node: Any, base: Path, *, in_all_of: bool = False) -> Any:
        if isinstance(node, list):
            return [self.rewrite(v, base, in_all_of=in_all_of) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.reference(base, ref, polymorphic=not in_all_of)
        result: JsonObject = {}
        for key, value in node.items():
            if key in ("x-ms-examples", "description", "summary"):
                continue
            result[key] = self.rewrite(value, base, in_all_of=key == "allOf")
        if "properties" in result and "type" not in result:
            result["type"] = "object"
        return result

    def drain(self) -> None:
        while self.pending:
            path, name = self.pending.pop()
            schema = self.load(path)["definitions"][name]
            self.definitions[self.key(path, name)] = self.rewrite(copy.deepcopy(schema), path)


def resolved_document(operation_ids: set[str]) -> JsonObject:
    """The Swagger 2.0 document of ``operation_ids``, with no external reference left."""
    root = spec.spec_root()
    swagger_path = root / "platform" / "swagger.json"
    builder = _Builder(root)
    source = builder.load(swagger_path)
    paths: JsonObject = {}
    for path, entry in source["paths"].items():
        for method, operation in entry.items():
            if isinstance(operation, dict) and operation.get("operationId") in operation_ids:
                rewritten = builder.rewrite(copy.deepcopy(operation), swagger_path)
                for response in rewritten.get("responses", {}).values():
                    if response.get("schema") == {"type": "file"}:
                        del response["schema"]
                paths.setdefault(path, {})[method] = rewritten
    builder.drain()
    document = {key: value for key, value in source.items() if key != "paths"}
    document["paths"] = paths
    document["definitions"] = builder.definitions
    return document


def write_resolved_document(operation_ids: set[str], directory: Path) -> Path:
    path = directory / "fabric-emulated.json"
    path.write_text(json.dumps(resolved_document(operation_ids), indent=1), encoding="utf-8")
    return path
