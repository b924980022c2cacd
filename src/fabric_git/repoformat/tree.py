"""Reading a repository tree as Fabric does: item directories, their items and every problem.

A file map is ``{repo-relative POSIX path: content}``. :func:`scan_tree` finds the item
directories under the connected directory, reads their system files and records each problem
that makes Fabric refuse the tree, with the paths it concerns. The emulator raises the first
kind of problem as a ``LayoutError``; ``fabric-git lint`` reports them all. Both read the same
:class:`TreeScan`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from fabric_git.repoformat.model import (
    SUPPORTED_TYPES,
    SYSTEM_FILES,
    ItemState,
    LayoutError,
    RepoItem,
    error_detail,
)
from fabric_git.repoformat.paths import (
    ITEM_DIRECTORY_FORBIDDEN_CHARACTERS,
    git_path_problem,
    item_directory_name_problem,
    item_path_problem,
    may_have_problems,
)
from fabric_git.repoformat.system_files import SystemInfo, read_system_files

__all__ = [
    "LOCAL_FILES",
    "READ_ERRORS",
    "ItemDir",
    "Problem",
    "TreeScan",
    "basename",
    "duplicate_names",
    "join",
    "parent",
    "relative",
    "scan_tree",
    "under",
]

# Per-user files of Power BI projects (git-ignored by Power BI Desktop): never item parts, never
# removed as stale.
LOCAL_FILES = frozenset({".pbi/localSettings.json", ".pbi/cache.abf"})

# The problems that make a tree unreadable, in the order they are raised.
READ_ERRORS = (
    "InvalidPath",
    "InvalidSystemFiles",
    "DuplicateLogicalId",
    "PotentialDuplicateDisplayNameAndType",
)


def normalise_root(root: str) -> str:
    return root.strip("/")


def join(*segments: str) -> str:
    return "/".join(s for s in segments if s)


def parent(path: str) -> str:
    cut = path.rfind("/")
    return path[:cut] if cut >= 0 else ""


def basename(path: str) -> str:
    return path[path.rfind("/") + 1 :]


def under(path: str, directory: str) -> bool:
    """True when ``path`` is inside ``directory`` ("" = everything)."""
    return not directory or path.startswith(directory + "/")


def relative(path: str, directory: str) -> str:
    return path[len(directory) + 1 :] if directory else path


@dataclass(frozen=True)
class Problem:
    """One reason Fabric refuses the tree: a Fabric error code, a message naming what is wrong,
    and the repository paths (files or item directories) it is about."""

    code: str
    message: str
    paths: tuple[str, ...]


@dataclass
class ItemDir:
    path: str
    info: SystemInfo
    own_files: list[str] = field(default_factory=list)  # files owned by this dir, not by children
    children: list[str] = field(default_factory=list)  # nested item directories
    parent: str | None = None  # nearest enclosing item directory
    item: RepoItem | None = None

    @property
    def supported(self) -> bool:
        return self.info.problem is not None or self.info.type in SUPPORTED_TYPES


@dataclass
class TreeScan:
    root: str
    dirs: dict[str, ItemDir]
    items: dict[str, RepoItem]
    problems: list[Problem]

    def of(self, code: str) -> list[Problem]:
        return [p for p in self.problems if p.code == code]

    def raise_for(self, *codes: str) -> None:
        """Raise the first of ``codes`` (in that order) that has problems, as Fabric would."""
        for code in codes:
            found = self.of(code)
            if not found:
                continue
            details = [error_detail(code, p.message) for p in found]
            if code == "InvalidSystemFiles":
                # Every bad directory is named, so one fix-up in Git can repair them all.
                bad = [p.paths[0] for p in found]
                listed = ", ".join(f"'{d}'" for d in bad)
                noun = "directory has" if len(bad) == 1 else "directories have"
                message = f"{len(bad)} item {noun} invalid system files: {listed}"
            else:
                message = found[0].message
                if len(found) > 1 and code != "PotentialDuplicateDisplayNameAndType":
                    message += f" (and {len(found) - 1} more)"
            raise LayoutError(code, message, details)

    def subtree(self, directory: str) -> Iterable[ItemDir]:
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


def duplicate_names(
    items: Iterable[tuple[str, ItemState]], code: str, *, quoted: bool = True
) -> list[Problem]:
    """One problem per (displayName, type) held by more than one item; ``items`` are
    (where, state) pairs, ``where`` naming the item in messages (quoted, or as is) and in
    ``paths``."""
    seen: dict[tuple[str, str], list[str]] = {}
    for where, state in items:
        seen.setdefault((state.display_name, state.type), []).append(where)
    return [
        Problem(
            code,
            f"{len(holders)} items are named '{name}' of type {kind}: "
            + ", ".join(f"'{h}'" if quoted else h for h in sorted(holders)),
            tuple(sorted(holders)),
        )
        for (name, kind), holders in seen.items()
        if len(holders) > 1
    ]


def scan_tree(files: Mapping[str, bytes], root: str) -> TreeScan:
    """Every item directory strictly under ``root`` (the connected directory, "" = the
    repository root) with its system files read, the supported items by logical id, and every
    problem of :data:`READ_ERRORS`. Contents other than system files are not read."""
    root = normalise_root(root)
    paths = [p for p in files if under(p, root)]
    item_dirs = {parent(p) for p in paths if basename(p) in SYSTEM_FILES and parent(p) != root}
    owner_cache: dict[str, str | None] = {}

    def owner_of(directory: str) -> str | None:
        """The nearest item directory at or above ``directory`` (below root)."""
        trail: list[str] = []
        found: str | None = None
        current = directory
        while current != root and under(current, root):
            if current in owner_cache:
                found = owner_cache[current]
                break
            trail.append(current)
            if current in item_dirs:
                found = current
                break
            current = parent(current)
        for visited in trail:
            owner_cache[visited] = found
        return found

    dirs = {d: ItemDir(d, read_system_files(d, files)) for d in item_dirs}
    for d in sorted(item_dirs):
        enclosing = owner_of(parent(d))
        dirs[d].parent = enclosing
        if enclosing is not None:
            dirs[enclosing].children.append(d)
    for p in paths:
        owner = owner_of(parent(p))
        if owner is not None:
            dirs[owner].own_files.append(p)

    problems = _path_problems(paths, dirs)
    items: dict[str, RepoItem] = {}
    by_logical_id: dict[str, list[str]] = {}
    for d in sorted(dirs):
        entry = dirs[d]
        info = entry.info
        if info.problem is not None:
            problems.append(Problem("InvalidSystemFiles", info.problem, (d,)))
            continue
        if info.type is None or info.type not in SUPPORTED_TYPES:
            continue
        outermost = entry
        while outermost.parent is not None:
            outermost = dirs[outermost.parent]
        folder_path = relative(parent(outermost.path), root) if parent(outermost.path) else ""
        parts = _Parts(
            files,
            d,
            [
                relative(f, d)
                for f in entry.own_files
                if parent(f) != d or basename(f) not in SYSTEM_FILES
                if relative(f, d) not in LOCAL_FILES
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
            problems.append(
                Problem(
                    "DuplicateLogicalId",
                    f"logicalId {logical_id} is used by {listed}",
                    tuple(directories),
                )
            )
    problems.extend(
        duplicate_names(
            ((i.directory, i.state) for i in items.values()),
            "PotentialDuplicateDisplayNameAndType",
        )
    )
    return TreeScan(root=root, dirs=dirs, items=items, problems=problems)


def _path_problems(paths: list[str], dirs: Mapping[str, ItemDir]) -> list[Problem]:
    """``InvalidPath``: any path Git would refuse, and in the items Fabric reads, a file path
    or an item directory name Fabric refuses. Trees with nothing suspect cost a few scans."""
    problems: list[Problem] = []
    if may_have_problems(paths):
        item_files = {f for d in dirs.values() if d.supported for f in d.own_files}
        for path in paths:
            problem = item_path_problem(path) if path in item_files else git_path_problem(path)
            if problem is not None:
                problems.append(Problem("InvalidPath", problem, (path,)))
    item_dirs = sorted(d for d, entry in dirs.items() if entry.supported)
    if not ITEM_DIRECTORY_FORBIDDEN_CHARACTERS.isdisjoint("".join(item_dirs)):
        for directory in item_dirs:
            problem = item_directory_name_problem(basename(directory))
            if problem is not None:
                problems.append(Problem("InvalidPath", problem, (directory,)))
    return problems
