"""Request fields of the newer Git integration surface: the file selections of a file-level
commit and the per-item options of an update (docs/git-integration-rules.md)."""

from __future__ import annotations

from fabric_git.emulator import errors
from fabric_git.emulator.backend.git.commit import FileSelection
from fabric_git.emulator.backend.git.rules import Selector
from fabric_git.emulator.backend.git.update import ItemOptions
from fabric_git.emulator.routes._body import Body

__all__ = ["file_path_problem", "parse_file_selection", "parse_item_options"]

_WILDCARDS = frozenset("*?[]")


def file_path_problem(path: str) -> str | None:
    """Why ``path`` is not a whole file path relative to an item's folder, or None."""
    if not path.strip():
        return "The path must not be empty"
    if "\\" in path:
        return "Use forward slashes in a file path"
    if path.startswith("/"):
        return "A file path is relative to the item's folder: no leading slash"
    if path.endswith("/"):
        return "A directory is not a file: name the files in it"
    if _WILDCARDS & set(path):
        return "Wildcards are not allowed: name each file"
    for segment in path.split("/"):
        if not segment.strip():
            return "A path segment must not be empty or only whitespace"
        if segment[-1] == "." or segment[-1].isspace():
            return "A path segment must not end in a dot or whitespace"
    return None


def _selected_files(entry: Body) -> tuple[str, ...]:
    value = entry.raw("selectedFiles")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise entry.invalid("selectedFiles", "The value must be an array of file paths")
    files: list[str] = []
    for index, path in enumerate(value):
        where = f"selectedFiles[{index}]"
        if not isinstance(path, str):
            raise entry.invalid(where, "The value must be a string")
        problem = file_path_problem(path)
        if problem is not None:
            raise entry.invalid(where, f"{problem} ('{path}')")
        if path not in files:
            files.append(path)
    return tuple(files)


def parse_file_selection(body: Body) -> tuple[FileSelection, ...]:
    """``itemsWithFileSelection``: each entry names an item and, optionally, its files."""
    selections = []
    for entry in body.objects("itemsWithFileSelection") or ():
        object_id, logical_id = entry.guid("objectId"), entry.guid("logicalId")
        if object_id is None and logical_id is None:
            raise errors.invalid_input(entry.path, "objectId or logicalId is required")
        selector = Selector(object_id=object_id, logical_id=logical_id)
        selections.append(FileSelection(selector, _selected_files(entry)))
    return tuple(selections)


def parse_item_options(options: Body) -> tuple[ItemOptions, ...]:
    """``options.itemOptionsByLogicalId``: each entry a logical id and an options object."""
    parsed: list[ItemOptions] = []
    for entry in options.objects("itemOptionsByLogicalId") or ():
        logical_id = entry.guid("logicalId", required=True)
        assert logical_id is not None
        values = entry.object("options", required=True)
        assert values is not None
        if any(known.logical_id == logical_id for known in parsed):
            raise entry.invalid("logicalId", f"The logical id {logical_id} is given twice")
        parsed.append(ItemOptions(logical_id, values.as_dict()))
    return tuple(parsed)
