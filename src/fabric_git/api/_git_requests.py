"""What Commit To Git and Update From Git send: the items and files a commit selects and the
options of an update, checked against the service's rules before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fabric_git.errors import ConfigurationError
from fabric_git.models.git import (
    CommitMode,
    CommitToGitRequest,
    ConflictResolutionPolicy,
    ItemChange,
    ItemIdentifier,
    ItemIdentifierWithFileSelection,
    ItemOptions,
    UpdateFromGitRequest,
    UpdateOptions,
    WorkspaceConflictResolution,
)

__all__ = [
    "FileSelection",
    "ItemOptionsSelection",
    "ItemRef",
    "commit_request",
    "selected_file_problem",
    "update_request",
]

_COMMENT_MAX = 300

ItemRef = ItemIdentifier | ItemChange | str
"""An item to commit: an identifier, a change from ``get_status``, or an object id."""

FileSelection = (
    Mapping[str, Iterable[str] | None]
    | Iterable[ItemIdentifierWithFileSelection | tuple[ItemRef, Iterable[str] | None]]
)
"""The files of a ``FileLevelSelective`` commit (see ``GitApi.begin_commit_to_git``)."""


def _identifier(item: ItemRef) -> ItemIdentifier:
    if isinstance(item, ItemIdentifier):
        return item
    if isinstance(item, ItemChange):
        return item.item_metadata.item_identifier
    if isinstance(item, str) and item.strip():
        return ItemIdentifier(object_id=item.strip())
    raise ConfigurationError(f"Not an item identifier: {item!r}")


def selected_file_problem(path: str) -> str | None:
    """What the service would refuse in one entry of ``selectedFiles`` (a path relative to the
    item's folder), as the end of a sentence about it; ``None`` when it is fine."""
    if not isinstance(path, str) or not path.strip():
        return "is empty"
    if "\\" in path:
        return "uses a backslash; separate folders with '/'"
    if path.startswith("/"):
        return "starts with '/'; give it relative to the item's folder"
    if path.endswith("/"):
        return "names a folder; name whole files"
    if "*" in path or "?" in path:
        return "has a wildcard; name whole files"
    for part in path.split("/"):
        if not part.strip():
            return "has an empty or blank name between slashes"
        if part[-1] == "." or part[-1].isspace():
            return f"has a name ending in a dot or a space ({part!r})"
    return None


def _selected_file(path: str) -> str:
    """One entry of ``selectedFiles``, checked against the service's rules before sending."""
    problem = selected_file_problem(path)
    if problem:
        raise ConfigurationError(f"The selected file {path!r} {problem}.")
    return path


def _file_selections(files: FileSelection) -> list[ItemIdentifierWithFileSelection]:
    entries: Iterable[Any] = files.items() if isinstance(files, Mapping) else files
    selections: list[ItemIdentifierWithFileSelection] = []
    for entry in entries:
        if isinstance(entry, ItemIdentifierWithFileSelection):
            paths = entry.selected_files
            identifier: ItemIdentifier = entry
        elif isinstance(entry, tuple) and len(entry) == 2:
            identifier = _identifier(entry[0])
            if isinstance(entry[1], str):
                raise ConfigurationError(f"Give the selected files as a list, got {entry[1]!r}.")
            paths = None if entry[1] is None else list(entry[1])
        else:
            raise ConfigurationError(f"Not an item with its selected files: {entry!r}")
        fields: dict[str, Any] = {}
        if identifier.object_id is not None:
            fields["object_id"] = identifier.object_id
        if identifier.logical_id is not None:
            fields["logical_id"] = identifier.logical_id
        if paths is not None:
            fields["selected_files"] = [_selected_file(p) for p in paths]
        selections.append(ItemIdentifierWithFileSelection(**fields))
    return selections


ItemOptionsSelection = Mapping[str, Mapping[str, Any]] | Iterable[ItemOptions]
"""Per-item update options: logical id to options object, or ``ItemOptions``."""


def _item_options(selection: ItemOptionsSelection) -> list[ItemOptions]:
    if isinstance(selection, Mapping):
        entries = [ItemOptions(logical_id=k, options=dict(v)) for k, v in selection.items()]
    else:
        entries = list(selection)
    for entry in entries:
        if not isinstance(entry, ItemOptions):
            raise ConfigurationError(f"Not item options: {entry!r}")
        if not entry.logical_id.strip():
            raise ConfigurationError("Item options need the item's logical id.")
    return entries


def commit_request(
    *,
    mode: CommitMode | str,
    workspace_head: str | None,
    comment: str | None,
    items: Iterable[ItemRef],
    files: FileSelection,
) -> CommitToGitRequest:
    """The body of Commit To Git (see ``GitApi.begin_commit_to_git``)."""
    identifiers = [_identifier(item) for item in items]
    selections = _file_selections(files)
    mode_text = str(mode)
    if mode_text == CommitMode.SELECTIVE and not identifiers:
        raise ConfigurationError("A selective commit needs at least one item.")
    if mode_text == CommitMode.FILE_LEVEL_SELECTIVE and not selections:
        raise ConfigurationError("A file-level commit needs at least one item in files.")
    if identifiers and mode_text != CommitMode.SELECTIVE:
        raise ConfigurationError("Items can be chosen only with mode='Selective'.")
    if selections and mode_text != CommitMode.FILE_LEVEL_SELECTIVE:
        raise ConfigurationError("Files can be chosen only with mode='FileLevelSelective'.")
    if comment is not None and len(comment) > _COMMENT_MAX:
        raise ConfigurationError(
            f"The commit comment has {len(comment)} characters; the limit is {_COMMENT_MAX}."
        )
    fields: dict[str, Any] = {"mode": mode}
    if workspace_head is not None:
        fields["workspace_head"] = workspace_head
    if comment is not None:
        fields["comment"] = comment
    if identifiers:
        fields["items"] = identifiers
    if selections:
        fields["items_with_file_selection"] = selections
    return CommitToGitRequest(**fields)


def update_request(
    *,
    remote_commit_hash: str,
    workspace_head: str | None,
    conflict_resolution: ConflictResolutionPolicy | str | WorkspaceConflictResolution | None,
    allow_override_items: bool | None,
    item_options: ItemOptionsSelection | None,
) -> UpdateFromGitRequest:
    """The body of Update From Git (see ``GitApi.begin_update_from_git``)."""
    if not remote_commit_hash:
        raise ConfigurationError("update_from_git needs remote_commit_hash (from get_status).")
    fields: dict[str, Any] = {"remote_commit_hash": remote_commit_hash}
    if workspace_head is not None:
        fields["workspace_head"] = workspace_head
    if isinstance(conflict_resolution, WorkspaceConflictResolution):
        fields["conflict_resolution"] = conflict_resolution
    elif conflict_resolution is not None:
        fields["conflict_resolution"] = WorkspaceConflictResolution(
            conflict_resolution_policy=conflict_resolution
        )
    options: dict[str, Any] = {}
    if allow_override_items is not None:
        options["allow_override_items"] = allow_override_items
    if item_options is not None:
        options["item_options_by_logical_id"] = _item_options(item_options)
    if options:
        fields["options"] = UpdateOptions(**options)
    return UpdateFromGitRequest(**fields)
