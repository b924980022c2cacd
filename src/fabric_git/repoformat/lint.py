"""``fabric-git lint``'s rules: every finding Fabric would refuse a tree for, and what it would
silently ignore.

Errors are the problems the emulator refuses the same tree for: the read problems of
:func:`repoformat.tree.scan_tree` (update), and what a commit or an update refuses later
(paths over the length limit, files over the size limit, workspace folder names, display names
over the length limit). Warnings are
what Fabric reads without an error but not as the author meant: unsupported item types,
directories that look like items but have no system file, child items outside ``.children``
and references to items the tree does not hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from fabric_git.repoformat.model import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_FILE_BYTES,
    PLATFORM_FILE,
    SUPPORTED_TYPES,
    SYSTEM_FILES,
    V1_CONFIG_FILE,
    V1_METADATA_FILE,
    ZERO_GUID,
    as_text,
)
from fabric_git.repoformat.paths import (
    MAX_FOLDER_DEPTH,
    folder_name_problem,
    is_gitmodules_like,
    path_too_long,
)
from fabric_git.repoformat.references import workspace_references
from fabric_git.repoformat.tree import (
    ItemDir,
    TreeScan,
    basename,
    join,
    normalise_root,
    parent,
    relative,
    scan_tree,
    under,
)

__all__ = ["FIXES", "Finding", "Severity", "lint_files"]

Severity = Literal["error", "warning"]

# One hint per code: what to do about it.
FIXES: dict[str, str] = {
    "InvalidPath": "rename or remove it: Git refuses '.git' in any spelling, '.', '..' and "
    'empty segments, and Fabric control characters, backslashes and " : < > * ? | in item '
    "directory names",
    "InvalidSystemFiles": "give the item directory one valid .platform (metadata.type, "
    "metadata.displayName, config.logicalId as a GUID), as docs/repository-format.md shows",
    "DuplicateLogicalId": "give all but one of these items a new config.logicalId (a fresh "
    "GUID): a copied item directory keeps the id of its source",
    "PotentialDuplicateDisplayNameAndType": "rename all but one of these items "
    "(metadata.displayName in .platform) or remove the extra directories",
    "GitFilePathTooLong": "shorten the folder or item directory names: Fabric refuses paths "
    "over 250 characters",
    "FileTooLarge": "keep each file under 25 MB, the largest Fabric commits",
    "InvalidFolderDisplayName": "rename the folder: workspace folder names have at most 255 "
    'characters, no leading or trailing space and none of ~ " # . & * : < > ? / \\ { | }',
    "DisplayNameTooLong": f"shorten metadata.displayName to at most {MAX_DISPLAY_NAME_LENGTH} "
    "characters",
    "FolderDepthLimitExceeded": f"move the item up: workspace folders nest at most "
    f"{MAX_FOLDER_DEPTH} levels",
    "UnsupportedItemType": "Fabric ignores this item: correct metadata.type (types are "
    "case-sensitive) or remove the directory",
    "MissingSystemFile": "restore the item's .platform (from Git history) or move the files "
    "out: without it Fabric reads no item here, and an update deletes the item it was",
    "ChildOutsideChildren": "move the child item into its parent's .children directory",
    "UnknownReference": "point the reference at the logicalId of an item of this tree, or add "
    "the missing item",
}

_ERRORS = frozenset(
    {
        "InvalidPath",
        "InvalidSystemFiles",
        "DuplicateLogicalId",
        "PotentialDuplicateDisplayNameAndType",
        "GitFilePathTooLong",
        "FileTooLarge",
        "InvalidFolderDisplayName",
        "FolderDepthLimitExceeded",
        "DisplayNameTooLong",
    }
)
_CHILDREN = ".children"
_ZERO_GUID_BYTES = ZERO_GUID.encode()
_TYPE_SUFFIX_RE = re.compile(r"\.([A-Za-z]+)$")
_PROBLEM_KEYS = (
    ("logicalId", "logicalId"),
    ("displayName", "displayName"),
    ("description", "description"),
    ("item type", "type"),
    ("'metadata' or 'config'", "metadata"),
)


@dataclass(frozen=True, order=True)
class Finding:
    """One finding: ``path`` (repository-relative) and 1-based ``line`` it is about."""

    path: str
    line: int
    code: str
    severity: Severity
    message: str

    @property
    def fix(self) -> str:
        return FIXES.get(self.code, "")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def lint_files(
    files: Mapping[str, bytes],
    directory: str = "",
    *,
    symlinks: Collection[str] = (),
    max_file_bytes: int = MAX_FILE_BYTES,
) -> list[Finding]:
    """Every finding of the tree ``files`` (repository-relative path -> content) whose
    connected directory is ``directory`` ("" = the repository root), sorted by path and line.
    ``symlinks`` names the paths that are symbolic links (their content is the target)."""
    root = normalise_root(directory)
    scan = scan_tree(files, root)
    findings = [*_read_problems(scan, files), *_symlinks(symlinks, root)]
    findings += _item_files(scan, files, max_file_bytes)
    findings += _folders(scan)
    findings += _item_dirs(scan, files)
    findings += _references(scan, files)
    return sorted(set(findings))


def _finding(path: str, line: int, code: str, message: str) -> Finding:
    severity: Severity = "error" if code in _ERRORS else "warning"
    return Finding(path, line, code, severity, message)


def _line_of(content: bytes | None, needle: str) -> int:
    """The 1-based line where ``"needle"`` (a JSON key) first appears, else 1."""
    text = as_text(content or b"")
    if text is None:
        return 1
    at = text.find(f'"{needle}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _system_file(entry: ItemDir, files: Mapping[str, bytes]) -> str:
    """The system file a finding about an item directory points at."""
    for name in (PLATFORM_FILE, V1_CONFIG_FILE, V1_METADATA_FILE):
        path = join(entry.path, name)
        if path in files:
            return path
    return join(entry.path, PLATFORM_FILE)


def _json_error_line(content: bytes | None) -> int | None:
    try:
        json.loads((content or b"").decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        return error.lineno
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 1
    return None


def _read_problems(scan: TreeScan, files: Mapping[str, bytes]) -> Iterator[Finding]:
    """The problems the emulator refuses an update for, one finding per path concerned."""
    for problem in scan.problems:
        for where in problem.paths:
            entry = scan.dirs.get(where)
            if entry is None:  # a file
                yield _finding(where, 1, problem.code, problem.message)
                continue
            system_file = _system_file(entry, files)
            content = files.get(system_file)
            line = 1
            if problem.code == "InvalidSystemFiles":
                line = _json_error_line(content) or next(
                    (
                        _line_of(content, key)
                        for hint, key in _PROBLEM_KEYS
                        if hint in problem.message
                    ),
                    1,
                )
            elif problem.code == "DuplicateLogicalId":
                line = _line_of(content, "logicalId")
            elif problem.code == "PotentialDuplicateDisplayNameAndType":
                line = _line_of(content, "displayName")
            yield _finding(system_file, line, problem.code, problem.message)


def _symlinks(symlinks: Collection[str], root: str) -> Iterator[Finding]:
    """Git refuses ``.gitmodules`` and its kin as symbolic links (fsck's gitmodulesSymlink)."""
    for path in symlinks:
        if under(path, root) and is_gitmodules_like(basename(path)):
            message = f"'{path}' is a symbolic link Git refuses (a .gitmodules-like name)"
            yield _finding(path, 1, "InvalidPath", message)


def _item_files(
    scan: TreeScan, files: Mapping[str, bytes], max_file_bytes: int
) -> Iterator[Finding]:
    """Path length and file size: what a commit of these items refuses."""
    for entry in scan.dirs.values():
        if not entry.supported:
            continue
        for path in entry.own_files:
            too_long = path_too_long(path)
            if too_long is not None:
                yield _finding(path, 1, "GitFilePathTooLong", too_long)
            size = len(files[path])
            if size > max_file_bytes:
                limit = f"{max_file_bytes / 1024 / 1024:g} MB"
                message = f"'{path}' is {size:,} bytes; the limit is {limit}"
                yield _finding(path, 1, "FileTooLarge", message)


def _folders(scan: TreeScan) -> Iterator[Finding]:
    """Workspace folder names and depth: what an update refuses when it creates the folders."""
    checked: set[tuple[str, ...]] = set()
    for entry in sorted(scan.dirs.values(), key=lambda e: e.path):
        if entry.item is None or entry.parent is not None:
            continue
        folder = entry.item.state.folder
        where = join(entry.path, PLATFORM_FILE)
        for depth in range(1, len(folder) + 1):
            if folder[:depth] in checked:
                continue
            checked.add(folder[:depth])
            path = join(scan.root, *folder[:depth])
            problem = folder_name_problem(folder[depth - 1])
            if problem is not None:
                message = f"workspace folder '{relative(path, scan.root)}': {problem}"
                yield _finding(where, 1, "InvalidFolderDisplayName", message)
            if depth > MAX_FOLDER_DEPTH:
                message = (
                    f"workspace folder '{relative(path, scan.root)}' is {depth} "
                    f"levels deep; the limit is {MAX_FOLDER_DEPTH}"
                )
                yield _finding(where, 1, "FolderDepthLimitExceeded", message)
                break


def _item_dirs(scan: TreeScan, files: Mapping[str, bytes]) -> Iterator[Finding]:
    """Item directories Fabric ignores or reads otherwise than meant."""
    for entry in scan.dirs.values():
        kind = entry.info.type
        system_file = _system_file(entry, files)
        name = entry.info.display_name
        if entry.item is not None and len(name) > MAX_DISPLAY_NAME_LENGTH:
            message = (
                f"displayName is {len(name)} characters long; the limit is "
                f"{MAX_DISPLAY_NAME_LENGTH}"
            )
            line = _line_of(files.get(system_file), "displayName")
            yield _finding(system_file, line, "DisplayNameTooLong", message)
        if entry.info.problem is None and kind is not None and kind not in SUPPORTED_TYPES:
            known = {t.lower(): t for t in SUPPORTED_TYPES}.get(kind.lower())
            hint = f" (did you mean '{known}'? types are case-sensitive)" if known else ""
            message = f"item type '{kind}' does not take part in Git integration{hint}"
            line = _line_of(files.get(system_file), "type")
            yield _finding(system_file, line, "UnsupportedItemType", message)
        if entry.parent is not None and parent(entry.path) != join(entry.parent, _CHILDREN):
            message = (
                f"'{entry.path}' is nested in the item '{entry.parent}' "
                f"but not in its {_CHILDREN} directory"
            )
            yield _finding(system_file, 1, "ChildOutsideChildren", message)
    yield from _missing_system_files(scan, files)


def _missing_system_files(scan: TreeScan, files: Mapping[str, bytes]) -> Iterator[Finding]:
    """Directories named like an item (``Name.Type``) holding files but no system file, outside
    any item or in a ``.children`` directory: Fabric reads no item there."""
    first_file: dict[str, str] = {}  # every directory under root -> its first file
    for path in sorted(p for p in files if under(p, scan.root)):
        directory = parent(path)
        while directory != scan.root and directory not in first_file:
            first_file[directory] = path
            directory = parent(directory)
    enclosing: dict[str, bool] = {}  # directory -> whether an item directory is at or above it

    def in_item(directory: str) -> bool:
        if directory == scan.root or not directory:
            return False
        if directory not in enclosing:
            enclosing[directory] = directory in scan.dirs or in_item(parent(directory))
        return enclosing[directory]

    reported: list[str] = []
    for directory in sorted(first_file):
        match = _TYPE_SUFFIX_RE.search(basename(directory))
        if match is None or match.group(1) not in SUPPORTED_TYPES or directory in scan.dirs:
            continue
        container = parent(directory)
        if in_item(container) and basename(container) != _CHILDREN:
            continue  # a folder of an item's parts, named like an item
        if any(under(directory, done) for done in reported):
            continue
        reported.append(directory)
        message = f"'{directory}' is named like a {match.group(1)} item but has no {PLATFORM_FILE}"
        yield _finding(first_file[directory], 1, "MissingSystemFile", message)


def _references(scan: TreeScan, files: Mapping[str, bytes]) -> Iterator[Finding]:
    """References to items of the same workspace that name no item of the tree."""
    known = set(scan.items)
    for entry in scan.dirs.values():
        if entry.item is None:
            continue
        for path in entry.own_files:
            content = files[path]
            if (
                _ZERO_GUID_BYTES not in content
                or parent(path) == entry.path
                and (basename(path) in SYSTEM_FILES)
            ):
                continue  # a reference in a repository always comes with the all-zero id
            text = as_text(content)
            if text is None:
                continue
            for guid, line in workspace_references(text):
                if guid not in known:
                    message = f"'{entry.path}' refers to the item {guid}, which is not in this tree"
                    yield _finding(path, line, "UnknownReference", message)
