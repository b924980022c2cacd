"""The Fabric Git repository format: workspace items <-> files, as pure functions over file maps.

A file map is ``{repo-relative POSIX path: content}``. Nothing here touches the disk or Git; the
callers read a tree into a map, call these functions, and write the returned changes back.
This module is the emulator's face of the format: the rules shared with ``fabric-git lint``
(item values, system files, directory names, path rules and reading a tree, in
``fabric_git.repoformat``) and the reference rewriting (``references``) are re-exported.
``docs/repository-format.md`` describes the format and every choice made where Fabric's own
documentation is silent. One module because writing is reading's inverse: ``write_items`` places
items by the very scan ``read_items`` reads them with.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from fabric_git.emulator.gitrepo.fingerprints import blob_id
from fabric_git.emulator.gitrepo.references import (
    from_repo_references,
    referenced_ids,
    same_content,
    to_repo_references,
)
from fabric_git.repoformat.model import (
    CHILDREN_DIRECTORY,
    MAX_DIRECTORY_NAME_LENGTH,
    MAX_PATH_LENGTH,
    PLATFORM_FILE,
    PLATFORM_SCHEMA_URL,
    SUPPORTED_TYPES,
    SYSTEM_FILES,
    ZERO_GUID,
    ItemState,
    LayoutError,
    RepoItem,
    canonical_bytes,
    parent_id,
)
from fabric_git.repoformat.model import error_detail as _error
from fabric_git.repoformat.paths import item_path_problem, path_clash, path_too_long
from fabric_git.repoformat.system_files import (
    fallback_directory_name,
    item_directory_name,
    platform_bytes,
    sanitise_display_name,
)
from fabric_git.repoformat.tree import LOCAL_FILES as _LOCAL_FILES
from fabric_git.repoformat.tree import READ_ERRORS, duplicate_names, scan_tree
from fabric_git.repoformat.tree import basename as _basename
from fabric_git.repoformat.tree import join as _join
from fabric_git.repoformat.tree import normalise_root as _normalise_root
from fabric_git.repoformat.tree import parent as _parent
from fabric_git.repoformat.tree import relative as _relative

__all__ = [
    "MAX_DIRECTORY_NAME_LENGTH",
    "MAX_PATH_LENGTH",
    "PLATFORM_FILE",
    "PLATFORM_SCHEMA_URL",
    "SUPPORTED_TYPES",
    "SYSTEM_FILES",
    "ZERO_GUID",
    "ItemState",
    "LayoutError",
    "RepoItem",
    "canonical_bytes",
    "from_repo_references",
    "item_directory_name",
    "platform_bytes",
    "read_items",
    "referenced_ids",
    "same_content",
    "sanitise_display_name",
    "to_repo_references",
    "write_items",
]

# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_items(files: Mapping[str, bytes], root: str) -> dict[str, RepoItem]:
    """The supported items under ``root`` (the connected directory, "" = repo root), keyed by
    logical id. Version 1 system files are read too; unsupported types are ignored.

    Raises LayoutError: ``InvalidPath`` (a path Git or Fabric refuses), ``InvalidSystemFiles``,
    ``DuplicateLogicalId``, or ``PotentialDuplicateDisplayNameAndType``, in that order of
    precedence (``repoformat.tree.READ_ERRORS``), then ``GitFilePathTooLong`` (an item file
    longer than MAX_PATH_LENGTH from the repository root, as a commit counts it).
    """
    scan = scan_tree(files, root)
    scan.raise_for(*READ_ERRORS)
    # An item file over the path limit would become a part no later commit could write back.
    too_long = [
        _error("GitFilePathTooLong", message)
        for entry in scan.dirs.values()
        if entry.supported
        for message in map(path_too_long, entry.own_files)
        if message
    ]
    if too_long:
        raise LayoutError("GitFilePathTooLong", too_long[0]["message"], too_long)
    return scan.items


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class _Occupancy:
    """Which paths of the resulting tree are taken, compared case-insensitively so the
    repository can be checked out on case-insensitive file systems."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._files: set[str] = set()
        self._dirs: set[str] = set()
        self._item_dirs: set[str] = set()
        for path in paths:
            self.add_file(path)

    def add_file(self, path: str) -> None:
        key = path.casefold()
        self._files.add(key)
        parent = _parent(key)
        while parent and parent not in self._dirs:
            self._dirs.add(parent)
            parent = _parent(parent)

    def claim(self, directory: str) -> None:
        key = directory.casefold()
        self._item_dirs.add(key)
        self.add_file(key + "/")  # marks the directory and its ancestors as taken

    def mark_item_dir(self, directory: str) -> None:
        self._item_dirs.add(directory.casefold())

    def is_free(self, directory: str) -> bool:
        key = directory.casefold()
        return key not in self._dirs and key not in self._files

    def blocked_by(self, directory: str, root: str) -> str | None:
        """An ancestor below ``root`` that is a file or an item directory, if any."""
        ancestor = _parent(directory.casefold())
        stop = root.casefold()
        while ancestor and ancestor != stop:
            if ancestor in self._files or ancestor in self._item_dirs:
                return ancestor
            ancestor = _parent(ancestor)
        return None


def _place(state: ItemState, preferred: str, root: str, occupancy: _Occupancy) -> str:
    """A free directory for ``state`` under its workspace folder: ``preferred`` when free,
    else ``{logicalId}.{Type}``."""
    folder = _join(root, *state.folder)
    for name in (preferred, fallback_directory_name(state)):
        candidate = _join(folder, name)
        blocker = occupancy.blocked_by(candidate, root)
        if blocker is not None:
            raise LayoutError(
                "GitSyncFailed",
                f"Cannot place item '{state.display_name}' under '{folder}': "
                f"'{blocker}' is a file or an item directory",
            )
        if occupancy.is_free(candidate):
            occupancy.claim(candidate)
            return candidate
    raise LayoutError(
        "GitSyncFailed",
        f"No free directory for item '{state.display_name}' ({state.logical_id}) in '{folder}'",
    )


def _place_child(state: ItemState, parent_dir: str, occupancy: _Occupancy) -> str:
    """A free directory for a child item in its parent's ``.children``."""
    children = _join(parent_dir, CHILDREN_DIRECTORY)
    for name in (item_directory_name(state), fallback_directory_name(state)):
        candidate = _join(children, name)
        if occupancy.is_free(candidate):
            occupancy.claim(candidate)
            return candidate
    raise LayoutError(
        "GitSyncFailed",
        f"No free directory for item '{state.display_name}' ({state.logical_id}) in '{children}'",
    )


def _item_files(state: ItemState, only: Collection[str] | None = None) -> dict[str, bytes]:
    """The files of an item (``only``: those alone) in its directory, canonical, system files
    from state."""
    written = {
        path: canonical_bytes(content)
        for path, content in state.parts.items()
        if path not in SYSTEM_FILES and (only is None or path in only)
    }
    if only is None or PLATFORM_FILE in only:
        written[PLATFORM_FILE] = platform_bytes(state)
    return written


def _is_written(relative: str, only: Collection[str] | None) -> bool:
    """Whether writing an item (``only``: those files) replaces its file ``relative``;
    ``.platform`` stands for the version 1 system files too."""
    if relative in _LOCAL_FILES or only is None:
        return relative not in _LOCAL_FILES
    return PLATFORM_FILE in only if relative in SYSTEM_FILES else relative in only


def write_items(
    files: Mapping[str, bytes],
    root: str,
    *,
    upserts: Sequence[ItemState],
    deletes: Sequence[str],
    blob_ids: Callable[[str], str] | None = None,
    only_files: Mapping[str, Collection[str]] | None = None,
) -> dict[str, bytes | None]:
    """The file changes (path -> new content, or None to delete) that turn ``files`` into the
    tree holding ``upserts`` and none of ``deletes`` (logical ids) under ``root``.

    New items get ``<root>/<folder...>/<sanitised name>.<Type>`` or, when that is taken,
    ``{logicalId}.{Type}``. An existing item keeps its directory name; when its folder changes
    the directory (with any nested child items) moves to the new folder. A ``.platform`` v2 is
    written and version 1 files removed for every upserted item, files of an upserted item that
    are not among its parts are removed, deleted items lose their whole directory, and files
    outside item directories are left alone. Text parts are written with LF line endings;
    system files among the parts are ignored (``.platform`` is made from the state).

    ``only_files`` (logical id -> paths in the item): of an item in the tree, those alone are
    written (or removed); its other files keep their bytes, as a file-level commit needs.

    Raises LayoutError: ``InvalidSystemFiles`` or ``DuplicateLogicalId`` for the existing tree,
    ``DuplicateLogicalId`` among upserts, ``DuplicateDisplayNameAndType`` for the result,
    ``GitFilePathTooLong`` when a written path exceeds MAX_PATH_LENGTH, ``GitSyncFailed`` when
    no directory can be placed.

    Contents of ``files`` are read only where they are needed: the system files of item
    directories, and the files of an item directory that moves. With ``blob_ids`` (a path's
    Git blob id, as ``TreeFiles.blob_id`` gives it without reading the blob) a rewritten file is
    compared with what it replaces by id; files that stay are never read, so a lazily read tree
    (``TreeFiles``) costs what the commit changes, whatever else the tree holds.
    """
    root = _normalise_root(root)
    scan = scan_tree(files, root)
    scan.raise_for("InvalidPath", "InvalidSystemFiles", "DuplicateLogicalId")

    upserted: dict[str, ItemState] = {}
    for state in upserts:
        if state.logical_id.lower() in upserted:
            raise LayoutError(
                "DuplicateLogicalId",
                f"logicalId {state.logical_id} is given to more than one item",
                [_error("DuplicateLogicalId", f"logicalId {state.logical_id} is duplicated")],
            )
        upserted[state.logical_id.lower()] = state
    deleted = {logical_id.lower() for logical_id in deletes}
    both = deleted & upserted.keys()
    if both:
        raise ValueError(f"logical ids both upserted and deleted: {sorted(both)}")

    # Subtrees that disappear: deleted items with everything nested in them.
    removed_dirs: set[str] = set()
    for logical_id in deleted:
        found = scan.items.get(logical_id)
        if found is not None:
            removed_dirs.update(d.path for d in scan.subtree(found.directory))

    # Existing upserted items, and the top-level ones whose folder changed (they move).
    existing: dict[str, str] = {}  # logical id -> current directory
    moving: list[ItemState] = []
    for logical_id, state in upserted.items():
        found = scan.items.get(logical_id)
        if found is None or found.directory in removed_dirs:
            continue
        existing[logical_id] = found.directory
        if scan.dirs[found.directory].parent is None and found.state.folder != state.folder:
            moving.append(state)
    moving_dirs = {existing[s.logical_id.lower()] for s in moving}
    moved_subtree_dirs = {d.path for m in moving_dirs for d in scan.subtree(m)}

    # The final item set must not hold two items with one (displayName, type).
    final_names: dict[str, ItemState] = {
        lid: item.state
        for lid, item in scan.items.items()
        if lid not in deleted and item.directory not in removed_dirs
    }
    final_names.update(upserted)
    duplicates = duplicate_names(
        ((lid, s) for lid, s in final_names.items()), "DuplicateDisplayNameAndType", quoted=False
    )
    if duplicates:
        details = [_error(d.code, d.message) for d in duplicates]
        raise LayoutError("DuplicateDisplayNameAndType", duplicates[0].message, details)

    # What stays where it is: everything but removed and moving subtrees and the own files of
    # upserted items (rewritten below).
    rewritten_dirs = set(existing.values())
    only = {lid.lower(): files for lid, files in (only_files or {}).items()}
    only_in_dir = {existing[lid]: files for lid, files in only.items() if lid in existing}
    owner_of_file: dict[str, str] = {}
    for entry in scan.dirs.values():
        for path in entry.own_files:
            owner_of_file[path] = entry.path

    def is_replaced(path: str, owner: str) -> bool:
        return owner in rewritten_dirs and _is_written(
            _relative(path, owner), only_in_dir.get(owner)
        )

    kept: set[str] = set()  # files that stay as they are (their content is not read)
    relocating: dict[str, str] = {}  # path -> owning item directory, for moving subtrees
    for path in files:
        owner = owner_of_file.get(path)
        if owner is None:
            kept.add(path)
        elif owner in removed_dirs:
            continue
        elif owner in moved_subtree_dirs:
            if not is_replaced(path, owner):
                relocating[path] = owner
        elif not is_replaced(path, owner):
            kept.add(path)

    occupancy = _Occupancy(kept)
    for entry in scan.dirs.values():
        if entry.path not in removed_dirs and entry.path not in moved_subtree_dirs:
            occupancy.mark_item_dir(entry.path)
    for directory in rewritten_dirs - moved_subtree_dirs:
        occupancy.claim(directory)

    # Moves keep the leaf name; new items get their sanitised name; both fall back to the
    # logical id when the name is taken.
    relocation: dict[str, str] = {}
    for state in moving:
        old = existing[state.logical_id.lower()]
        relocation[old] = _place(state, _basename(old), root, occupancy)
    # Every item directory of a moving subtree, mapped to the top directory that moves.
    moving_top = {d.path: top for top in moving_dirs for d in scan.subtree(top)}

    def relocate(path: str, owner: str) -> str:
        top = moving_top.get(owner)
        if top is None:
            return path
        return relocation[top] + path[len(top) :]

    target_dirs: dict[str, str] = {}
    new_children: list[tuple[str, ItemState, str]] = []
    for logical_id, state in upserted.items():
        if logical_id in existing:
            target_dirs[logical_id] = relocate(existing[logical_id], existing[logical_id])
            continue
        parent_lid = parent_id(state.type, state.parts)
        if parent_lid is not None and parent_lid != logical_id:
            new_children.append((logical_id, state, parent_lid))
        else:
            target_dirs[logical_id] = _place(state, item_directory_name(state), root, occupancy)
    # A new child item goes under its parent's .children directory, as Fabric writes it; a
    # parent neither committed nor in the tree leaves it where a top-level item would go.
    for logical_id, state, parent_lid in new_children:
        parent_dir = target_dirs.get(parent_lid)
        if parent_dir is None and parent_lid not in deleted:
            found = scan.items.get(parent_lid)
            if found is not None and found.directory not in removed_dirs:
                parent_dir = found.directory
        if parent_dir is None:
            target_dirs[logical_id] = _place(state, item_directory_name(state), root, occupancy)
        else:
            target_dirs[logical_id] = _place_child(state, parent_dir, occupancy)

    result: dict[str, bytes] = {}
    written: list[str] = []
    for path, owner in relocating.items():
        new_path = relocate(path, owner)
        result[new_path] = files[path]
        written.append(new_path)
    for logical_id, state in upserted.items():
        directory = target_dirs[logical_id]
        narrowed = only.get(logical_id) if logical_id in existing else None
        for relative, content in _item_files(state, narrowed).items():
            path = _join(directory, relative)
            result[path] = content
            written.append(path)
    # No tree entry Git or Fabric would refuse is ever written, whatever the parts are named.
    refused = [_error("InvalidPath", m) for m in map(item_path_problem, written) if m]
    if refused:
        raise LayoutError("InvalidPath", refused[0]["message"], refused)
    too_long = [_error("GitFilePathTooLong", m) for m in map(path_too_long, written) if m]
    if too_long:
        raise LayoutError("GitFilePathTooLong", too_long[0]["message"], too_long)
    # A file and a directory of the same name (parts stored before this rule, or a part
    # against a file kept in the tree) cannot both be tree entries.
    clash = path_clash([*written, *(p for p in files if p in kept and p not in result)])
    if clash is not None:
        raise LayoutError("InvalidPath", clash, [_error("InvalidPath", clash)])

    changes: dict[str, bytes | None] = {
        path: None for path in files if path not in kept and path not in result
    }
    for path, content in result.items():
        if path not in files:
            changes[path] = content
        elif blob_ids is not None:
            if blob_ids(path) != blob_id(content):
                changes[path] = content
        elif files[path] != content:
            changes[path] = content
    return changes
