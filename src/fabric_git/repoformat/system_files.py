"""System files (``.platform`` v2, the version 1 pair) and item directory names."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fabric_git.repoformat.model import (
    KNOWN_METADATA_KEYS,
    MAX_DIRECTORY_NAME_LENGTH,
    PLATFORM_FILE,
    PLATFORM_SCHEMA_URL,
    SUPPORTED_TYPES,
    V1_CONFIG_FILE,
    V1_METADATA_FILE,
    ZERO_GUID,
    ItemState,
)

# Characters Fabric forbids in item folder names, plus "/" (a path separator) and every
# control code the path rules refuse in an item's files (C0, DEL and C1: ``repoformat.paths``),
# so that the directory of any display name the API takes is a path a commit can write.
_FORBIDDEN_NAME_CHARS = frozenset('"/:<>\\*?|') | frozenset(
    chr(c) for c in (*range(32), *range(127, 160))
)

_FULL_GUID_RE = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")


def platform_bytes(state: ItemState) -> bytes:
    """The v2 ``.platform`` exactly as Fabric writes it: fixed key order, two-space indent, LF,
    no trailing newline, ``description`` only when non-empty, then any other metadata keys the
    item carries, in their order."""
    metadata: dict[str, Any] = {"type": state.type, "displayName": state.display_name}
    if state.description:
        metadata["description"] = state.description
    for key, value in state.extra_metadata.items():
        if key not in KNOWN_METADATA_KEYS:
            metadata[key] = value
    document = {
        "$schema": PLATFORM_SCHEMA_URL,
        "metadata": metadata,
        "config": {"version": "2.0", "logicalId": state.logical_id},
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def _load_json_object(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
        # A "\ud800" escape parses to a lone surrogate, which is no text a name can hold.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):  # RecursionError: nested past the depth
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class SystemInfo:
    """What an item directory's system files say, or why they are invalid."""

    type: str | None = None
    display_name: str = ""
    description: str = ""
    logical_id: str = ""
    extra_metadata: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


def read_system_files(directory: str, files: Mapping[str, bytes]) -> SystemInfo:
    platform = files.get(_join(directory, PLATFORM_FILE))
    v1_metadata = files.get(_join(directory, V1_METADATA_FILE))
    v1_config = files.get(_join(directory, V1_CONFIG_FILE))
    if platform is not None:
        document = _load_json_object(platform)
        if document is None:
            return SystemInfo(problem=f"'{directory}/.platform' is not a JSON object")
        metadata, config = document.get("metadata"), document.get("config")
    else:
        metadata = _load_json_object(v1_metadata)
        config = _load_json_object(v1_config)
        if v1_metadata is not None and metadata is None:
            return SystemInfo(problem=f"'{directory}/{V1_METADATA_FILE}' is not a JSON object")
        if v1_config is not None and config is None:
            return SystemInfo(problem=f"'{directory}/{V1_CONFIG_FILE}' is not a JSON object")

    item_type = metadata.get("type") if isinstance(metadata, dict) else None
    if isinstance(item_type, str) and item_type not in SUPPORTED_TYPES:
        # Unsupported items are ignored, whatever else their system files hold.
        return SystemInfo(type=item_type)

    if platform is not None and (v1_metadata is not None or v1_config is not None):
        return SystemInfo(problem=f"'{directory}' has both .platform and version 1 system files")
    if platform is None and (v1_metadata is None or v1_config is None):
        missing = V1_CONFIG_FILE if v1_config is None else V1_METADATA_FILE
        return SystemInfo(problem=f"'{directory}' has no {missing}")
    if not isinstance(metadata, dict) or not isinstance(config, dict):
        return SystemInfo(problem=f"'{directory}' system files lack 'metadata' or 'config'")
    display_name = metadata.get("displayName")
    description = metadata.get("description")
    logical_id = config.get("logicalId")
    if not isinstance(item_type, str) or not item_type:
        return SystemInfo(problem=f"'{directory}' system files have no item type")
    if not isinstance(display_name, str) or not display_name.strip():
        return SystemInfo(problem=f"'{directory}' system files have no displayName")
    if description is not None and not isinstance(description, str):
        return SystemInfo(problem=f"'{directory}' system files have a non-string description")
    if not isinstance(logical_id, str) or not _FULL_GUID_RE.fullmatch(logical_id):
        return SystemInfo(problem=f"'{directory}' system files have no valid logicalId")
    if logical_id == ZERO_GUID:
        return SystemInfo(problem=f"'{directory}' has the all-zero placeholder logicalId")
    return SystemInfo(
        type=item_type,
        display_name=display_name,
        description=description or "",
        logical_id=logical_id.lower(),
        extra_metadata={k: v for k, v in metadata.items() if k not in KNOWN_METADATA_KEYS},
    )


def _reference(char: str) -> str:
    return f"&#{ord(char)};"


def sanitise_display_name(display_name: str) -> str:
    """The display name as a directory name: each forbidden character, a leading space and a
    trailing space or dot becomes a decimal HTML numeric character reference (``:`` -> ``&#58;``).
    """
    chars = [_reference(c) if c in _FORBIDDEN_NAME_CHARS else c for c in display_name]
    if chars and chars[0] == " ":
        chars[0] = _reference(" ")
    if chars and chars[-1] in (" ", "."):
        chars[-1] = _reference(chars[-1])
    return "".join(chars)


def item_directory_name(state: ItemState) -> str:
    """The preferred directory name of a new item; ``{logicalId}.{Type}`` when the sanitised
    display name is empty or longer than MAX_DIRECTORY_NAME_LENGTH."""
    name = sanitise_display_name(state.display_name)
    if not name or len(name) > MAX_DIRECTORY_NAME_LENGTH:
        return fallback_directory_name(state)
    return f"{name}.{state.type}"


def fallback_directory_name(state: ItemState) -> str:
    return f"{state.logical_id}.{state.type}"
