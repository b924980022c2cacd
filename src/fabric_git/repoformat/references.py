"""Finding cross-item references in definitions.

Definitions refer to other items by id. In a repository, a reference to an item of the same
workspace is that item's logical id next to the all-zero workspace id (``"notebookId": X,
"workspaceId": "00000000-..."`` in a pipeline, ``"default_lakehouse": X,
"default_lakehouse_workspace_id": "00000000-..."`` in a notebook's ``# META`` block).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from fabric_git.repoformat.model import ZERO_GUID, as_text

__all__ = ["GUID_RE", "referenced_ids", "workspace_references"]

GUID_RE = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    r"(?![0-9A-Za-z])"
)
_FULL_GUID_RE = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
# Notebook source files hold their metadata as JSON in comment lines: "# META {", "-- META }".
_META_LINE_RE = re.compile(r"^[ \t]*(?:#|--|//)[ \t]*META(?: (.*))?\r?$", re.MULTILINE)
_MAX_JSON_DEPTH = 64


def referenced_ids(parts: Mapping[str, bytes]) -> frozenset[str]:
    """Every GUID a definition names in its text parts, in lower case: the ids it may refer to
    other items by (logical ids in a repository, object ids in a workspace)."""
    found: set[str] = set()
    for content in parts.values():
        text = as_text(content)
        if text is not None:
            found.update(match.group(0).lower() for match in GUID_RE.finditer(text))
    return frozenset(found)


def workspace_references(text: str) -> Iterator[tuple[str, int]]:
    """(id in lower case, 1-based line) of each reference to an item of the same workspace in
    one text part: a GUID-valued key of a JSON object (the whole file, or a notebook's META
    block) whose workspace-named key holds the all-zero GUID."""
    if ZERO_GUID not in text:
        return
    lowered = text.lower()
    for document in _json_documents(text):
        for guid in _same_workspace_ids(document, 0):
            at = lowered.find(guid)
            yield guid, text.count("\n", 0, at) + 1 if at >= 0 else 1


def _json_documents(text: str) -> Iterator[Any]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            yield json.loads(stripped)
        except (ValueError, RecursionError):
            pass
        return
    block: list[str] = []
    end = -1
    for match in _META_LINE_RE.finditer(text):
        if block and match.start() != end + 1:  # a line between: the block ended
            yield from _loads(block)
            block = []
        block.append(match.group(1) or "")
        end = match.end()
    if block:
        yield from _loads(block)


def _loads(lines: list[str]) -> Iterator[Any]:
    try:
        yield json.loads("\n".join(lines))
    except (ValueError, RecursionError):
        return


def _same_workspace_ids(value: Any, depth: int) -> Iterator[str]:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(value, list):
        for element in value:
            yield from _same_workspace_ids(element, depth + 1)
        return
    if not isinstance(value, dict):
        return
    in_this_workspace = any(
        "workspace" in key.lower() and isinstance(v, str) and v == ZERO_GUID
        for key, v in value.items()
    )
    for key, v in value.items():
        if isinstance(v, str):
            if in_this_workspace and "workspace" not in key.lower() and _FULL_GUID_RE.fullmatch(v):
                if v != ZERO_GUID:
                    yield v.lower()
        else:
            yield from _same_workspace_ids(v, depth + 1)
