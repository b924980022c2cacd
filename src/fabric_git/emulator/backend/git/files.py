"""Per-file changes of an item and file-level commit selections, on the rows of the item-level
comparison (``rules.compute_status``): the same three versions (BASE, workspace, remote),
looked at one file at a time.

An item's files are its definition parts and its ``.platform`` file; ``.platform`` stands for
what the item's metadata says (type, name, description, extra metadata) and where it sits
(its folder), since a rename or a move rewrites it or its directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fabric_git.emulator.backend.git.rules import (
    ChangeType,
    ConflictType,
    ItemStatus,
    RuleError,
)
from fabric_git.emulator.gitrepo.fingerprints import PrintedState, over_file_limit, part_ids_of
from fabric_git.repoformat.model import PLATFORM_FILE, ItemState, canonical_bytes

__all__ = ["FileChange", "file_changes", "select_files"]


@dataclass(frozen=True)
class FileChange:
    path: str
    workspace_change: ChangeType | None
    remote_change: ChangeType | None
    conflict: ConflictType


def _metadata(state: ItemState) -> tuple[object, ...]:
    return (
        state.type,
        state.display_name,
        state.description,
        state.folder,
        sorted(state.extra_metadata.items()),
    )


def _file(state: ItemState | None, path: str) -> object | None:
    """What ``state`` holds at ``path``, as a value equal for equal files (None: no file)."""
    if state is None:
        return None
    if path == PLATFORM_FILE:
        return _metadata(state)
    if path not in state.parts:
        return None
    ids = part_ids_of(state)
    if ids is not None and path in ids:
        return ("id", ids[path])
    return ("bytes", canonical_bytes(state.parts[path]))


def _same(a: ItemState, b: ItemState, path: str) -> bool:
    x, y = _file(a, path), _file(b, path)
    if x == y:
        return True
    if x is None or y is None or path == PLATFORM_FILE:
        return False
    if over_file_limit(a, path) or over_file_limit(b, path):
        return False  # never read whole; an update refuses it
    # One side known by blob id and the other by content: compare the contents.
    return canonical_bytes(a.parts[path]) == canonical_bytes(b.parts[path])


def _change(before: ItemState | None, after: ItemState | None, path: str) -> ChangeType | None:
    had = before is not None and _file(before, path) is not None
    has = after is not None and _file(after, path) is not None
    if not had:
        return ChangeType.ADDED if has else None
    if not has:
        return ChangeType.DELETED
    assert before is not None and after is not None
    return None if _same(before, after, path) else ChangeType.MODIFIED


def item_files(row: ItemStatus[PrintedState]) -> set[str]:
    """Every file path of the item on any of the three sides."""
    files: set[str] = set()
    for state in (row.base, row.workspace.state if row.workspace else None, row.remote):
        if state is not None:
            files.add(PLATFORM_FILE)
            files.update(state.parts)
    return files


def file_changes(row: ItemStatus[PrintedState]) -> list[FileChange]:
    """The files of one changed item that differ, with the item-level table applied to each
    file (the same conflict rules: both sides changed alike is ``SameChanges``)."""
    workspace = row.workspace.state if row.workspace else None
    changes = []
    for path in sorted(item_files(row)):
        ws_change = _change(row.base, workspace, path)
        rm_change = _change(row.base, row.remote, path)
        if ws_change is None and rm_change is None:
            continue
        conflict = ConflictType.NONE
        if ws_change is not None and rm_change is not None:
            ws_file, rm_file = _file(workspace, path), _file(row.remote, path)
            alike = (ws_file is None and rm_file is None) or (
                workspace is not None
                and row.remote is not None
                and ws_file is not None
                and rm_file is not None
                and _same(workspace, row.remote, path)
            )
            conflict = ConflictType.SAME_CHANGES if alike else ConflictType.CONFLICT
        changes.append(FileChange(path, ws_change, rm_change, conflict))
    return changes


def _label(row: ItemStatus[PrintedState]) -> str:
    return f"'{row.display_name}' ({row.item_type})"


def select_files(
    row: ItemStatus[PrintedState],
    committed: Mapping[str, bytes] | None,
    logical_id: str,
    selected: Sequence[str],
) -> ItemState | None:
    """The version of one item a file-level commit writes to Git (only its ``selected`` files
    are written: ``write_items(only_files=...)`` keeps the others' bytes): Git's version with the
    ``selected`` files taken from the workspace (``committed``: the workspace parts in the
    form a commit writes, None when the item was deleted in the workspace). None: the commit
    deletes the item.

    Each selected file must be a file of the item that has a workspace change; a directory of
    the item is not a file. ``.platform`` carries the name, description and folder; an item
    new to Git always gets one (Git cannot hold an item without it).
    """
    changed = {change.path for change in file_changes(row) if change.workspace_change}
    files = item_files(row)
    for path in selected:
        if path in changed:
            continue
        if path not in files and any(f.startswith(path + "/") for f in files):
            reason = "is a directory; select the files in it"
        elif path not in files:
            reason = "is not a file of the item"
        else:
            reason = "has no uncommitted change"
        raise RuleError(
            "InvalidFileSelection",
            f"The file '{path}' of {_label(row)} {reason}.",
        )
    chosen = set(selected)
    git = row.remote if row.remote is not None else row.base
    workspace = row.workspace.state if row.workspace else None
    if workspace is None:
        assert git is not None  # a deleted workspace item was in Git
        if PLATFORM_FILE in chosen or chosen >= files:
            return None
        parts = {path: git.parts[path] for path in git.parts if path not in chosen}
        return replace_state(git, logical_id, parts, git)
    assert committed is not None
    if git is None:
        parts = {path: committed[path] for path in committed if path in chosen}
        return replace_state(workspace, logical_id, parts, workspace)
    parts = {path: git.parts[path] for path in git.parts if path not in chosen}
    parts.update({path: committed[path] for path in committed if path in chosen})
    return replace_state(git, logical_id, parts, workspace if PLATFORM_FILE in chosen else git)


def replace_state(
    base: ItemState, logical_id: str, parts: Mapping[str, bytes], metadata: ItemState
) -> ItemState:
    """An item of ``base``'s type with ``parts``, and the metadata and folder of ``metadata``."""
    return ItemState(
        logical_id=logical_id,
        type=base.type,
        display_name=metadata.display_name,
        description=metadata.description,
        folder=metadata.folder,
        parts=dict(sorted(parts.items())),
        extra_metadata=metadata.extra_metadata,
    )
