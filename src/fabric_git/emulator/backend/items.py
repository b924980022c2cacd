"""Items and their definitions (parts stored as bytes, ``.platform`` synthesised on read)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fabric_git.emulator import errors
from fabric_git.emulator.backend import folders as folder_backend
from fabric_git.emulator.ids import ZERO_GUID, new_id
from fabric_git.repoformat.model import MAX_DISPLAY_NAME_LENGTH
from fabric_git.repoformat.paths import item_path_problem, path_clash

PLATFORM_FILE = ".platform"
MAX_ITEMS_PER_WORKSPACE = 1000
MAX_NAME_LENGTH = MAX_DISPLAY_NAME_LENGTH

# The spec's ItemType enum (common/definitions.json); the enum is open, so clients must cope
# with new values, but the emulator accepts exactly these.
ITEM_TYPES: Final = frozenset(
    {
        "Dashboard", "Report", "SemanticModel", "PaginatedReport", "Datamart", "Lakehouse",
        "Eventhouse", "Environment", "KQLDatabase", "KQLQueryset", "KQLDashboard",
        "DataPipeline", "Notebook", "SparkJobDefinition", "MLExperiment", "MLModel",
        "Warehouse", "Eventstream", "SQLEndpoint", "MirroredWarehouse", "MirroredDatabase",
        "Reflex", "GraphQLApi", "MountedDataFactory", "SQLDatabase", "CopyJob",
        "VariableLibrary", "Dataflow", "ApacheAirflowJob", "WarehouseSnapshot",
        "DigitalTwinBuilder", "DigitalTwinBuilderFlow", "MirroredAzureDatabricksCatalog", "Map",
        "AnomalyDetector", "UserDataFunction", "GraphModel", "GraphQuerySet",
        "SnowflakeDatabase", "OperationsAgent", "CosmosDBDatabase", "Ontology",
        "EventSchemaSet", "DataAgent", "MirroredCatalog", "AppBackend", "OrgApp",
        "OrgAppAudience", "DataBuildToolJob", "AzureDatabricksStorage", "Plan",
    }
)  # fmt: skip


class _Unset:
    """Marks an argument that was not given (None is a meaningful value: the root folder)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True)
class ItemRecord:
    id: str
    workspace_id: str
    type: str
    display_name: str
    description: str
    folder_id: str | None
    logical_id: str | None


def _record(row: sqlite3.Row) -> ItemRecord:
    return ItemRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        type=row["type"],
        display_name=row["display_name"],
        description=row["description"],
        folder_id=row["folder_id"],
        logical_id=row["logical_id"],
    )


def list_items(conn: sqlite3.Connection, ws: str, type: str | None = None) -> list[ItemRecord]:
    if type is None:
        rows = conn.execute(
            "SELECT * FROM items WHERE workspace_id = ? ORDER BY created_at, rowid", (ws,)
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT * FROM items WHERE workspace_id = ? AND type = ? ORDER BY created_at, rowid",
            (ws, type),
        ).fetchall()
    return [_record(row) for row in rows]


def find_item(conn: sqlite3.Connection, ws: str, item_id: str) -> ItemRecord | None:
    row = conn.execute(
        "SELECT * FROM items WHERE id = ? AND workspace_id = ?", (item_id, ws)
    ).fetchone()
    return None if row is None else _record(row)


def get_item(
    conn: sqlite3.Connection, ws: str, item_id: str, item_type: str | None = None
) -> ItemRecord:
    """The item; with ``item_type``, only an item of that type (an item-type path's view)."""
    record = find_item(conn, ws, item_id)
    if record is None or (item_type is not None and record.type != item_type):
        raise errors.item_not_found(item_id)
    return record


def _item_by_id(conn: sqlite3.Connection, item_id: str) -> ItemRecord:
    row = conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise errors.item_not_found(item_id)
    return _record(row)


def get_parts(conn: sqlite3.Connection, item_id: str) -> dict[str, bytes]:
    """The item's definition parts by path, without ``.platform``."""
    rows = conn.execute(
        "SELECT path, payload FROM item_parts WHERE item_id = ? ORDER BY path", (item_id,)
    ).fetchall()
    return {str(row[0]): bytes(row[1]) for row in rows}


def part_sizes(conn: sqlite3.Connection, item_id: str) -> dict[str, int]:
    """The sizes of the item's definition parts by path, without reading them."""
    rows = conn.execute(
        "SELECT path, length(payload) FROM item_parts WHERE item_id = ?", (item_id,)
    ).fetchall()
    return {str(row[0]): int(row[1]) for row in rows}


def check_part_paths(parts: Mapping[str, bytes]) -> None:
    """400 ``InvalidDefinition`` naming the first part path Git's checks or Fabric refuse
    (``.git`` in any spelling, ``..``, control characters: ``repoformat.paths``), or two
    paths that cannot both be files (``a`` and ``a/b``)."""
    for path in parts:
        problem = item_path_problem(path)
        if problem is not None:
            raise errors.invalid_definition(f"Invalid part path: {problem}")
    clash = path_clash(parts)
    if clash is not None:
        raise errors.invalid_definition(f"Invalid part paths: {clash}")


def set_parts(conn: sqlite3.Connection, item_id: str, parts: Mapping[str, bytes]) -> None:
    """Replace the item's definition; a ``.platform`` part is not stored (it is derived).
    A part path Git or Fabric would refuse is never stored."""
    check_part_paths(parts)
    conn.execute("DELETE FROM item_parts WHERE item_id = ?", (item_id,))
    conn.executemany(
        "INSERT INTO item_parts (item_id, path, payload) VALUES (?, ?, ?)",
        [(item_id, path, bytes(data)) for path, data in parts.items() if path != PLATFORM_FILE],
    )


def validate_display_name(name: str) -> None:
    if not name.strip():
        raise errors.invalid_input("displayName", "The value must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise errors.invalid_input(
            "displayName", f"The value must be at most {MAX_NAME_LENGTH} characters"
        )


def _check_name_free(
    conn: sqlite3.Connection, ws: str, item_type: str, name: str, exclude_id: str | None = None
) -> None:
    row = conn.execute(
        "SELECT 1 FROM items WHERE workspace_id = ? AND type = ? AND display_name = ?"
        " AND id IS NOT ?",
        (ws, item_type, name, exclude_id),
    ).fetchone()
    if row is not None:
        raise errors.item_display_name_already_in_use(name, item_type)


def _check_logical_id_free(
    conn: sqlite3.Connection, ws: str, logical_id: str, exclude_id: str | None = None
) -> None:
    row = conn.execute(
        "SELECT 1 FROM items WHERE workspace_id = ? AND logical_id = ? AND id IS NOT ?",
        (ws, logical_id, exclude_id),
    ).fetchone()
    if row is not None:
        raise errors.duplicate_logical_id(logical_id)


def _check_folder(conn: sqlite3.Connection, ws: str, folder_id: str | None) -> None:
    if folder_id is not None:
        folder_backend.get_folder(conn, ws, folder_id)


def check_can_create(
    conn: sqlite3.Connection, ws: str, *, type: str, display_name: str, folder_id: str | None
) -> None:
    """The checks of :func:`create_item` that can run before any write."""
    if type not in ITEM_TYPES:
        raise errors.invalid_input("type", f"Unknown item type {type!r}")
    validate_display_name(display_name)
    _check_name_free(conn, ws, type, display_name)
    _check_folder(conn, ws, folder_id)
    (count,) = conn.execute("SELECT COUNT(*) FROM items WHERE workspace_id = ?", (ws,)).fetchone()
    if count >= MAX_ITEMS_PER_WORKSPACE:
        raise errors.workspace_items_limit_exceeded(MAX_ITEMS_PER_WORKSPACE)


def create_item(
    conn: sqlite3.Connection,
    ws: str,
    *,
    type: str,
    display_name: str,
    description: str = "",
    folder_id: str | None = None,
    parts: Mapping[str, bytes] | None = None,
    logical_id: str | None = None,
    item_id: str | None = None,
    now: float | None = None,
) -> ItemRecord:
    check_can_create(conn, ws, type=type, display_name=display_name, folder_id=folder_id)
    if logical_id is not None:
        _check_logical_id_free(conn, ws, logical_id)
    new_item_id = item_id or new_id()
    if now is None:
        # Creation order is what listing sorts by; without a clock, follow insertion order.
        (latest,) = conn.execute("SELECT COALESCE(MAX(created_at), 0) FROM items").fetchone()
        now = float(latest) + 1e-6
    conn.execute(
        "INSERT INTO items (id, workspace_id, type, display_name, description, folder_id,"
        " logical_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new_item_id, ws, type, display_name, description, folder_id, logical_id, now),
    )
    if parts:
        set_parts(conn, new_item_id, parts)
    return get_item(conn, ws, new_item_id)


def update_item(
    conn: sqlite3.Connection,
    item_id: str,
    *,
    display_name: str | None = None,
    description: str | None = None,
    folder_id: str | None | _Unset = UNSET,
    logical_id: str | None | _Unset = UNSET,
) -> ItemRecord:
    item = _item_by_id(conn, item_id)
    if display_name is not None and display_name != item.display_name:
        validate_display_name(display_name)
        _check_name_free(conn, item.workspace_id, item.type, display_name, exclude_id=item_id)
        conn.execute("UPDATE items SET display_name = ? WHERE id = ?", (display_name, item_id))
    if description is not None:
        conn.execute("UPDATE items SET description = ? WHERE id = ?", (description, item_id))
    if not isinstance(folder_id, _Unset):
        _check_folder(conn, item.workspace_id, folder_id)
        conn.execute("UPDATE items SET folder_id = ? WHERE id = ?", (folder_id, item_id))
    if not isinstance(logical_id, _Unset):
        if logical_id is not None:
            _check_logical_id_free(conn, item.workspace_id, logical_id, exclude_id=item_id)
        conn.execute("UPDATE items SET logical_id = ? WHERE id = ?", (logical_id, item_id))
    return _item_by_id(conn, item_id)


def delete_item(conn: sqlite3.Connection, item_id: str) -> None:
    conn.execute("DELETE FROM items WHERE id = ?", (item_id,))


# --- .platform -------------------------------------------------------------------------------


def platform_file(conn: sqlite3.Connection, item: ItemRecord) -> bytes:
    """The v2 ``.platform`` of an item, as Git integration writes it.

    An item that has never been synced has no logical id yet; the definition then carries the
    all-zero GUID, the placeholder Fabric's export emits.
    """
    from fabric_git.emulator.gitrepo.layout import ItemState, platform_bytes

    state = ItemState(
        logical_id=item.logical_id or ZERO_GUID,
        type=item.type,
        display_name=item.display_name,
        description=item.description,
        folder=folder_backend.folder_path(conn, item.folder_id),
        parts={},
    )
    return platform_bytes(state)


@dataclass(frozen=True)
class PlatformMetadata:
    display_name: str | None
    description: str | None
    type: str | None


def read_platform(payload: bytes) -> PlatformMetadata:
    """The metadata of a ``.platform`` part (v2 shape); 400 ``InvalidDefinition`` if unusable."""
    try:
        document: Any = json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deep
        raise errors.invalid_definition("The .platform part is not valid JSON") from None
    metadata = document.get("metadata") if isinstance(document, dict) else None
    if not isinstance(metadata, dict):
        raise errors.invalid_definition("The .platform part has no metadata object")
    values: dict[str, str | None] = {}
    for key in ("displayName", "description", "type"):
        value = metadata.get(key)
        if value is not None and not isinstance(value, str):
            raise errors.invalid_definition(f"The .platform metadata.{key} must be a string")
        values[key] = value
    return PlatformMetadata(values["displayName"], values["description"], values["type"])
