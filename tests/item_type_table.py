"""The emulator's item-type table (``emulator/item_types.py``), derived from the vendored spec.

Every item-type folder's ``swagger.json`` is read for the Git-workflow paths of that type: list
and create on ``/workspaces/{workspaceId}/<collection>``, get/update/delete on
``.../<collection>/{<id>}``, and ``getDefinition``/``updateDefinition`` below it. The type's
name is the ``ItemType`` value its list response holds. ``render()`` writes the module;
``tests/conformance/test_item_type_paths.py`` checks the checked-in module equals it, and
``make item-types`` rewrites it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import spec

TABLE_MODULE = spec.REPO_ROOT / "src" / "fabric_git" / "emulator" / "item_types.py"
_SKIP = {"platform", "admin", "common"}
_COLLECTION = re.compile(r"/workspaces/\{workspaceId\}/(\w+)")
_ITEM = re.compile(r"/workspaces/\{workspaceId\}/(\w+)/\{(\w+)\}")
_DEFINITION = re.compile(
    r"/workspaces/\{workspaceId\}/(\w+)/\{(\w+)\}/(getDefinition|updateDefinition)"
)
_KINDS = {
    ("get", _COLLECTION): "list",
    ("post", _COLLECTION): "create",
    ("get", _ITEM): "get",
    ("patch", _ITEM): "update",
    ("delete", _ITEM): "delete",
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def item_type_names() -> list[str]:
    common = _load(spec.spec_root() / "common" / "definitions.json")
    names: list[str] = common["definitions"]["ItemType"]["enum"]
    return names


def _type_of(folder: Path, list_op: dict[str, Any]) -> str:
    ref = list_op["responses"]["200"]["schema"]["$ref"]
    definitions = _load(folder / "definitions.json")["definitions"]
    value = definitions[ref.rsplit("/", 1)[1]]["properties"]["value"]["items"]["$ref"]
    return str(value.rsplit("/", 1)[1])


def _formats(operation: dict[str, Any]) -> list[str]:
    """The formats the getDefinition ``format`` parameter names (an enum or `quoted` names)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("name") != "format":
            continue
        if "enum" in parameter:
            return list(parameter["enum"])
        text = parameter.get("description", "")
        if "format:" in text or "allowed" in text:
            found = re.findall(r"`(\w+)`|\* - (\w+)", text.split("default")[0])
            return list(dict.fromkeys(a or b for a, b in found))
    return []


def derive() -> list[dict[str, Any]]:
    """One entry per item type with a spec folder: its paths' operationIds by kind."""
    names = set(item_type_names())
    table = []
    for swagger_file in sorted(spec.spec_root().glob("*/swagger.json")):
        folder = swagger_file.parent
        if folder.name in _SKIP:
            continue
        paths = _load(swagger_file)["paths"]
        entry: dict[str, Any] = {"operations": {}, "formats": []}
        for path, methods in paths.items():
            for method, operation in methods.items():
                if method == "parameters":
                    continue
                definition = _DEFINITION.fullmatch(path)
                if definition and method == "post":
                    kind, collection, id_param = definition[3], definition[1], definition[2]
                    if kind == "getDefinition":
                        entry["formats"] = _formats(operation)
                    # Some types answer the item itself on a finished update (Lakehouse).
                    done = operation["responses"].get("200", {})
                    if kind == "updateDefinition" and "schema" in done:
                        entry["update_definition_returns_item"] = True
                else:
                    kind = ""
                    for (verb, pattern), name in _KINDS.items():
                        match = pattern.fullmatch(path)
                        if match and verb == method:
                            kind, collection = name, match[1]
                            id_param = match[2] if pattern is _ITEM else entry.get("id_param", "")
                    if not kind:
                        continue
                    if kind == "list":
                        entry["type"] = _type_of(folder, operation)
                entry["collection"] = collection
                if id_param:
                    entry["id_param"] = id_param
                entry["operations"][kind] = operation["operationId"]
        if "type" not in entry:
            continue
        if entry["type"] not in names:
            raise ValueError(f"{folder.name}: {entry['type']} is not an ItemType value")
        entry["folder"] = folder.name
        table.append(entry)
    return sorted(table, key=lambda e: str(e["type"]))


def render() -> str:
    lines = [
        '"""Item-type paths: generated from the Fabric REST spec by ``tests/item_type_table.py``',
        "(``make item-types``); a test keeps it equal to the vendored spec. Do not edit by hand.",
        "",
        "Per item type with a spec folder: its collection segment under",
        "``/workspaces/{workspaceId}/``, its id parameter, the operationIds of the Git-workflow",
        "paths it has (list, create, get, update, delete, getDefinition, updateDefinition) and the",
        "formats its getDefinition names. One module because it is one generated table.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass",
        "",
        "",
        "@dataclass(frozen=True, kw_only=True)",
        "class ItemTypePaths:",
        "    type: str  # the ItemType value",
        "    collection: str  # /workspaces/{workspaceId}/<collection>",
        '    id_param: str  # /workspaces/{workspaceId}/<collection>/{<id_param>} ("": none)',
        "    operations: dict[str, str]  # kind (list, create, ...) -> operationId",
        "    formats: tuple[str, ...]  # the formats the type's getDefinition names",
        "    update_definition_returns_item: bool = False  # its 200 body is the item",
        "",
        "",
        "ITEM_TYPES: tuple[ItemTypePaths, ...] = (",
    ]
    for entry in derive():
        ops = ", ".join(f'"{k}": "{v}"' for k, v in sorted(entry["operations"].items()))
        formats = "".join(f'"{f}", ' for f in entry["formats"])
        lines += [
            "    ItemTypePaths(",
            f'        type="{entry["type"]}",',
            f'        collection="{entry["collection"]}",',
            f'        id_param="{entry.get("id_param", "")}",',
            f"        operations={{{ops}}},",
            f"        formats=({formats}),",
            *(
                ["        update_definition_returns_item=True,"]
                if entry.get("update_definition_returns_item")
                else []
            ),
            "    ),",
        ]
    lines.append(")")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TABLE_MODULE.write_text(render(), encoding="utf-8")
