"""The Fabric Git repository format: workspace items <-> files, as pure functions over file maps.

A file map is ``{repo-relative POSIX path: content}``. Nothing here touches the disk or Git; the
callers read a tree into a map, call these functions, and write the returned changes back.
This module is the public face of the format: the item values (``_model``), system files and
directory names (``_system_files``) and reference rewriting (``references``) are re-exported.
``docs/repository-format.md`` describes the format and every choice made where Fabric's own
documentation is silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fabric_git.emulator.gitrepo._model import (
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
)
from fabric_git.emulator.gitrepo._model import error_detail as _error
from fabric_git.emulator.gitrepo._system_files import (
    SystemInfo,
    fallback_directory_name,
    item_directory_name,
    platform_bytes,
    read_system_files,
    sanitise_display_name,
)
from fabric_git.emulator.gitrepo.references import (
    from_repo_references,
    referenced_ids,
    same_content,
    to_repo_references,
)

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

# Per-user files of Power BI projects (git-ignored by Power BI Desktop): never item parts, never
# removed as stale.
_LOCAL_FILES = frozenset({".pbi/localSettings.json", ".pbi/cache.abf"})


def _normalise_root(root: str) -> str:
    return root.strip("/")


def _join(*segments: str) -> str:
    return "/".join(s for s in segments if s)


def _parent(path: str) -> str:
    cut = path.rfind("/")
    return path[:cut] if cut >= 0 else ""


def _basename(path: str) -> str:
    return path[path.rfind("/") + 1 :]


def _under(path: str, directory: str) -> bool:
    """True when ``path`` is inside ``directory`` ("" = everything)."""
    return not directory or path.startswith(directory + "/")


def _relative(path: str, directory: str) -> str:
    return path[len(directory) + 1 :] if directory else path


# ---------------------------------------------------------------------------------------------
# Scanning a tree
# ---------------------------------------------------------------------------------------------


@dataclass
class _ItemDir:
    path: str
    info: SystemInfo
    own_files: list[str] = field(default_factory=list)  # files owned by this dir, not by children
    children: list[str] = field(default_factory=list)  # nested item directories
    parent: str | None = None  # nearest enclosing item directory
    item: RepoItem | None = None


@dataclass
class _Scan:
    dirs: dict[str, _ItemDir]
    items: dict[str, RepoItem]
    problems: dict[str, list[dict[str, Any]]]
    invalid_dirs: list[str] = field(default_factory=list)

    def raise_for(self, *codes: str) -> None:
        for code in codes:
            details = self.problems.get(code)
            if not details:
                continue
            if code == "InvalidSystemFiles":
                # Every bad directory is named, so one fix-up in Git can repair them all.
                listed = ", ".join(f"'{d}'" for d in self.invalid_dirs)
                count = len(self.invalid_dirs)
                noun = "directory has" if count == 1 else "directories have"
                message = f"{count} item {noun} invalid system files: {listed}"
            else:
                message = details[0]["message"]
                if len(details) > 1:
                    message += f" (and {len(details) - 1} more)"
            raise LayoutError(code, message, details)

    def subtree(self, directory: str) -> Iterable[_ItemDir]:
        """The item directory and every item directory nested in it."""
        pending = [directory]
        while pending:
            current = self.dirs[pending.pop()]
            yield current
            pending.extend(current.children)


class _Parts(Mapping[str, bytes]):
    """An item's parts as a view of the tree's file map: a content is looked up only when
    asked for, so a lazily read tree costs the blobs of the items actually compared."""

    def __init__(self, files: Mapping[str, bytes], directory: str, names: list[str]) -> None:
        self._files = files
        self._directory = directory
        self._names = dict.fromkeys(names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        return self._files[f"{self._directory}/{name}"]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __repr__(self) -> str:
        return repr(dict(self))


def _scan(files: Mapping[str, bytes], root: str) -> _Scan:
    paths = [p for p in files if _under(p, root)]
    item_dirs = {_parent(p) for p in paths if _basename(p) in SYSTEM_FILES and _parent(p) != root}
    owner_cache: dict[str, str | None] = {}

    def owner_of(directory: str) -> str | None:
        """The nearest item directory at or above ``directory`` (below root)."""
        trail: list[str] = []
        found: str | None = None
        current = directory
        while current != root and _under(current, root):
            if current in owner_cache:
                found = owner_cache[current]
                break
            trail.append(current)
            if current in item_dirs:
                found = current
                break
            current = _parent(current)
        for visited in trail:
            owner_cache[visited] = found
        return found

    dirs = {d: _ItemDir(d, read_system_files(d, files)) for d in item_dirs}
    for d in sorted(item_dirs):
        parent = owner_of(_parent(d))
        dirs[d].parent = parent
        if parent is not None:
            dirs[parent].children.append(d)
    for p in paths:
        owner = owner_of(_parent(p))
        if owner is not None:
            dirs[owner].own_files.append(p)

    problems: dict[str, list[dict[str, Any]]] = {}
    invalid_dirs: list[str] = []
    items: dict[str, RepoItem] = {}
    by_logical_id: dict[str, list[str]] = {}
    for d in sorted(dirs):
        entry = dirs[d]
        info = entry.info
        if info.problem is not None:
            problems.setdefault("InvalidSystemFiles", []).append(
                _error("InvalidSystemFiles", info.problem)
            )
            invalid_dirs.append(d)
            continue
        if info.type is None or info.type not in SUPPORTED_TYPES:
            continue
        outermost = entry
        while outermost.parent is not None:
            outermost = dirs[outermost.parent]
        folder_path = _relative(_parent(outermost.path), root) if _parent(outermost.path) else ""
        parts = _Parts(
            files,
            d,
            [
                _relative(f, d)
                for f in entry.own_files
                if _parent(f) != d or _basename(f) not in SYSTEM_FILES
                if _relative(f, d) not in _LOCAL_FILES
            ],
        )
        state = ItemState(
            logical_id=info.logical_id,
            type=info.type,
            display_name=info.display_name,
            description=info.description,
            folder=tuple(folder_path.split("/")) if folder_path else (),
            parts=parts,
            extra_metadata=info.extra_metadata,
        )
        entry.item = RepoItem(state=state, directory=d)
        by_logical_id.setdefault(info.logical_id, []).append(d)
        items.setdefault(info.logical_id, entry.item)

    for logical_id, directories in by_logical_id.items():
        if len(directories) > 1:
            listed = ", ".join(f"'{d}'" for d in directories)
            problems.setdefault("DuplicateLogicalId", []).append(
                _error("DuplicateLogicalId", f"logicalId {logical_id} is used by {listed}")
            )
    return _Scan(dirs=dirs, items=items, problems=problems, invalid_dirs=invalid_dirs)


def _duplicate_names(items: Iterable[tuple[str, ItemState]], code: str) -> list[dict[str, Any]]:
    """One detail per (displayName, type) held by more than one item; ``items`` are
    (where, state) pairs, ``where`` naming the item in messages."""
    seen: dict[tuple[str, str], list[str]] = {}
    for where, state in items:
        seen.setdefault((state.display_name, state.type), []).append(where)
    return [
        _error(
            code,
            f"{len(holders)} items are named '{name}' of type {kind}: "
            + ", ".join(sorted(holders)),
        )
        for (name, kind), holders in seen.items()
        if len(holders) > 1
    ]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_items(files: Mapping[str, bytes], root: str) -> dict[str, RepoItem]:
    """The supported items under ``root`` (the connected directory, "" = repo root), keyed by
    logical id. Version 1 system files are read too; unsupported types are ignored.

    Raises LayoutError: ``InvalidSystemFiles``, ``DuplicateLogicalId``, or
    ``PotentialDuplicateDisplayNameAndType``, in that order of precedence.
    """
    scan = _scan(files, _normalise_root(root))
    scan.raise_for("InvalidSystemFiles", "DuplicateLogicalId")
    duplicates = _duplicate_names(
        ((f"'{i.directory}'", i.state) for i in scan.items.values()),
        "PotentialDuplicateDisplayNameAndType",
    )
    if duplicates:
        raise LayoutError(
            "PotentialDuplicateDisplayNameAndType", duplicates[0]["message"], duplicates
        )
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


def _item_files(state: ItemState) -> dict[str, bytes]:
    """The files of an item relative to its directory, canonical, system files from state."""
    written = {
        path: canonical_bytes(content)
        for path, content in state.parts.items()
        if path not in SYSTEM_FILES
    }
    written[PLATFORM_FILE] = platform_bytes(state)
    return written


def write_items(
    files: Mapping[str, bytes],
    root: str,
    *,
    upserts: Sequence[ItemState],
    deletes: Sequence[str],
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

    Raises LayoutError: ``InvalidSystemFiles`` or ``DuplicateLogicalId`` for the existing tree,
    ``DuplicateLogicalId`` among upserts, ``DuplicateDisplayNameAndType`` for the result,
    ``GitFilePathTooLong`` when a written path exceeds MAX_PATH_LENGTH, ``GitSyncFailed`` when
    no directory can be placed.
    """
    root = _normalise_root(root)
    scan = _scan(files, root)
    scan.raise_for("InvalidSystemFiles", "DuplicateLogicalId")

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
    duplicates = _duplicate_names(
        ((lid, s) for lid, s in final_names.items()), "DuplicateDisplayNameAndType"
    )
    if duplicates:
        raise LayoutError("DuplicateDisplayNameAndType", duplicates[0]["message"], duplicates)

    # What stays where it is: everything but removed and moving subtrees and the own files of
    # upserted items (rewritten below).
    rewritten_dirs = set(existing.values())
    owner_of_file: dict[str, str] = {}
    for entry in scan.dirs.values():
        for path in entry.own_files:
            owner_of_file[path] = entry.path

    def is_replaced(path: str, owner: str) -> bool:
        return owner in rewritten_dirs and _relative(path, owner) not in _LOCAL_FILES

    result: dict[str, bytes] = {}
    relocating: dict[str, str] = {}  # path -> owning item directory, for moving subtrees
    for path, content in files.items():
        owner = owner_of_file.get(path)
        if owner is None:
            result[path] = content
        elif owner in removed_dirs:
            continue
        elif owner in moved_subtree_dirs:
            if not is_replaced(path, owner):
                relocating[path] = owner
        elif not is_replaced(path, owner):
            result[path] = content

    occupancy = _Occupancy(result)
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
    for logical_id, state in upserted.items():
        if logical_id in existing:
            target_dirs[logical_id] = relocate(existing[logical_id], existing[logical_id])
        else:
            target_dirs[logical_id] = _place(state, item_directory_name(state), root, occupancy)

    written: list[str] = []
    for path, owner in relocating.items():
        new_path = relocate(path, owner)
        result[new_path] = files[path]
        written.append(new_path)
    for logical_id, state in upserted.items():
        directory = target_dirs[logical_id]
        for relative, content in _item_files(state).items():
            path = _join(directory, relative)
            result[path] = content
            written.append(path)
    too_long = [
        _error(
            "GitFilePathTooLong",
            f"'{path}' is {len(path)} characters long; the limit is {MAX_PATH_LENGTH}",
        )
        for path in written
        if len(path) > MAX_PATH_LENGTH
    ]
    if too_long:
        raise LayoutError("GitFilePathTooLong", too_long[0]["message"], too_long)

    changes: dict[str, bytes | None] = {path: None for path in files if path not in result}
    for path, content in result.items():
        if files.get(path) != content:
            changes[path] = content
    return changes
