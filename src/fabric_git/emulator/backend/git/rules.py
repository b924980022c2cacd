"""Pure decision logic of Git integration: no I/O, no SQLite, no Git.

Every function here works on item snapshots keyed by identity and raises :class:`RuleError`
(an error code plus a message) when a rule refuses the request. The HTTP status that goes with
each code lives in ``git_errors`` so the rules stay testable without the service.

Identity keys: a Git-known item is keyed by its logical id. A workspace item that has no logical
id yet is keyed by ``provisional_key(object_id)``, which can never equal a GUID.

One module because it is one table: status, initialization, commit and update plans all build
on the same change classification and identity keys, and read in the order of
docs/git-integration-rules.md; split, each part would import most of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

__all__ = [
    "ChangeType",
    "CommitPlan",
    "Dependent",
    "ConflictPolicy",
    "ConflictType",
    "InitializationStrategy",
    "ItemStatus",
    "RequiredAction",
    "RuleError",
    "Selector",
    "Snapshot",
    "UpdatePlan",
    "WorkspaceEntry",
    "check_dependencies",
    "compute_status",
    "decide_initialization",
    "is_provisional",
    "match_logical_ids",
    "plan_commit",
    "plan_update",
    "provisional_key",
    "update_required",
]

_PROVISIONAL_PREFIX = "~"


class ChangeType(StrEnum):
    ADDED = "Added"
    DELETED = "Deleted"
    MODIFIED = "Modified"


class ConflictType(StrEnum):
    NONE = "None"
    CONFLICT = "Conflict"
    SAME_CHANGES = "SameChanges"


class InitializationStrategy(StrEnum):
    NONE = "None"
    PREFER_REMOTE = "PreferRemote"
    PREFER_WORKSPACE = "PreferWorkspace"


class RequiredAction(StrEnum):
    NONE = "None"
    UPDATE_FROM_GIT = "UpdateFromGit"
    COMMIT_TO_GIT = "CommitToGit"


class ConflictPolicy(StrEnum):
    PREFER_REMOTE = "PreferRemote"
    PREFER_WORKSPACE = "PreferWorkspace"


class RuleError(Exception):
    """A Git integration rule refused the request."""

    def __init__(self, error_code: str, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.details = tuple(details)


class Snapshot(Protocol):
    """What the rules need to know of one item version (``layout.ItemState`` fits)."""

    @property
    def logical_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def display_name(self) -> str: ...


S = TypeVar("S", bound=Snapshot)
Same = Callable[[S, S], bool]


def provisional_key(object_id: str) -> str:
    """Identity key of a workspace item that has no logical id yet."""
    return _PROVISIONAL_PREFIX + object_id


def is_provisional(key: str) -> bool:
    return key.startswith(_PROVISIONAL_PREFIX)


@dataclass(frozen=True)
class WorkspaceEntry(Generic[S]):
    """A workspace item: its object id and its state as Git integration compares it."""

    object_id: str
    state: S


@dataclass(frozen=True)
class ItemStatus(Generic[S]):
    """One row of Get Status: the three versions of one identity and how they differ."""

    key: str
    base: S | None
    workspace: WorkspaceEntry[S] | None
    remote: S | None
    workspace_change: ChangeType | None
    remote_change: ChangeType | None
    conflict: ConflictType

    @property
    def object_id(self) -> str | None:
        return self.workspace.object_id if self.workspace else None

    @property
    def logical_id(self) -> str | None:
        """Shown only for items Git knows (in BASE or in the remote), as the spec examples do."""
        if self.base is None and self.remote is None:
            return None
        return self.key

    @property
    def item_type(self) -> str:
        return self._preferred().type

    @property
    def display_name(self) -> str:
        """The workspace item's name if it exists, else the remote's (then BASE's)."""
        return self._preferred().display_name

    def _preferred(self) -> S:
        if self.workspace is not None:
            return self.workspace.state
        preferred = self.remote if self.remote is not None else self.base
        assert preferred is not None  # a row always has at least one version
        return preferred


def _change(before: S | None, after: S | None, same: Same[S]) -> ChangeType | None:
    if before is None:
        return None if after is None else ChangeType.ADDED
    if after is None:
        return ChangeType.DELETED
    return None if same(before, after) else ChangeType.MODIFIED


def classify(
    base: S | None, workspace: S | None, remote: S | None, same: Same[S]
) -> tuple[ChangeType | None, ChangeType | None, ConflictType] | None:
    """The three-way table (rows 1-14): ``None`` when the item is in sync (row 1)."""
    ws_change = _change(base, workspace, same)
    rm_change = _change(base, remote, same)
    if ws_change is None and rm_change is None:
        return None
    if ws_change is None or rm_change is None:
        return ws_change, rm_change, ConflictType.NONE
    if workspace is None and remote is None:  # deleted on both sides (row 14)
        return ws_change, rm_change, ConflictType.SAME_CHANGES
    if workspace is not None and remote is not None and same(workspace, remote):
        return ws_change, rm_change, ConflictType.SAME_CHANGES  # rows 9 and 11
    return ws_change, rm_change, ConflictType.CONFLICT  # rows 8, 10, 12, 13


def compute_status(
    base: Mapping[str, S],
    workspace: Mapping[str, WorkspaceEntry[S]],
    remote: Mapping[str, S],
    same: Same[S],
) -> list[ItemStatus[S]]:
    """Every identity whose three versions are not all equal, in a stable order."""
    rows: list[ItemStatus[S]] = []
    for key in sorted(set(base) | set(workspace) | set(remote)):
        ws_entry = workspace.get(key)
        ws_state = ws_entry.state if ws_entry else None
        verdict = classify(base.get(key), ws_state, remote.get(key), same)
        if verdict is None:
            continue
        ws_change, rm_change, conflict = verdict
        rows.append(
            ItemStatus(
                key=key,
                base=base.get(key),
                workspace=ws_entry,
                remote=remote.get(key),
                workspace_change=ws_change,
                remote_change=rm_change,
                conflict=conflict,
            )
        )
    return rows


# --- Initialize Connection -----------------------------------------------------------------


def decide_initialization(
    workspace_has_items: bool, git_has_items: bool, strategy: InitializationStrategy | None
) -> RequiredAction:
    """The initialization decision table of the semantics document (§3.2)."""
    if not workspace_has_items:
        return RequiredAction.UPDATE_FROM_GIT if git_has_items else RequiredAction.NONE
    if not git_has_items:
        return RequiredAction.COMMIT_TO_GIT
    if strategy is InitializationStrategy.PREFER_REMOTE:
        return RequiredAction.UPDATE_FROM_GIT
    if strategy is InitializationStrategy.PREFER_WORKSPACE:
        return RequiredAction.COMMIT_TO_GIT
    raise RuleError(
        "MissingInitializationPolicy",
        "Both the workspace and the Git directory have content: an initialization strategy "
        "(PreferRemote or PreferWorkspace) is required.",
    )


@dataclass(frozen=True)
class _Named:
    object_id: str
    logical_id: str | None
    type: str
    display_name: str


def match_logical_ids(
    workspace: Iterable[tuple[str, str | None, str, str]], git: Iterable[Snapshot]
) -> dict[str, str]:
    """Logical ids the workspace takes from Git, by (displayName, type).

    ``workspace`` holds (object_id, logical_id or None, type, display_name). A workspace item
    whose logical id is not in Git takes the logical id of the Git item with the same name and
    type, unless another workspace item already holds that logical id. Returns
    ``{object_id: new logical id}``.
    """
    items = [_Named(*row) for row in workspace]
    git_by_name = {(g.type, g.display_name): g.logical_id for g in git}
    git_ids = set(git_by_name.values())
    held = {item.logical_id for item in items if item.logical_id}
    adopted: dict[str, str] = {}
    for item in items:
        if item.logical_id in git_ids:
            continue
        candidate = git_by_name.get((item.type, item.display_name))
        if candidate is None or candidate in held:
            continue
        adopted[item.object_id] = candidate
        held.add(candidate)
    return adopted


# --- Commit To Git --------------------------------------------------------------------------


@dataclass(frozen=True)
class Selector:
    """An ``ItemIdentifier`` of a Selective commit."""

    object_id: str | None = None
    logical_id: str | None = None

    def matches(self, row: ItemStatus[S]) -> bool:
        if self.object_id is not None and self.object_id != row.object_id:
            return False
        if self.logical_id is not None and self.logical_id != row.logical_id:
            return False
        return self.object_id is not None or self.logical_id is not None


def _item_label(row: ItemStatus[S]) -> str:
    return f"'{row.display_name}' ({row.item_type})"


def update_required(incoming: Sequence[ItemStatus[S]]) -> RuleError:
    """Commit refused while Git has changes not applied: names each item to update, with one
    detail per item saying what changed in Git."""
    count = len(incoming)
    noun = "item has a change" if count == 1 else "items have changes"
    listed = ", ".join(_item_label(row) for row in incoming)
    details = []
    for row in incoming:
        detail = f"{_item_label(row)} was {str(row.remote_change).lower()} in Git"
        if row.conflict is ConflictType.CONFLICT:
            detail += " and conflicts with the workspace's change"
        details.append(detail + ".")
    return RuleError(
        "WorkspaceUpdateRequired",
        f"Run Update From Git first, then commit: {count} {noun} in Git not yet applied to "
        f"the workspace: {listed}.",
        details,
    )


@dataclass(frozen=True)
class CommitPlan(Generic[S]):
    """What a commit writes: item keys to write from the workspace and keys to delete."""

    upserts: tuple[ItemStatus[S], ...]
    deletes: tuple[ItemStatus[S], ...]


def plan_commit(
    rows: Sequence[ItemStatus[S]], *, mode: str, selected: Sequence[Selector] = ()
) -> CommitPlan[S]:
    """Choose the workspace changes a commit writes, or refuse it.

    A commit is refused while any item has a change in Git not yet applied to the workspace
    (the UI disables Commit then). ``All`` takes every workspace change; ``Selective`` takes the
    rows the identifiers name, each of which must be a pending workspace change.
    """
    incoming = [row for row in rows if row.remote_change is not None]
    if incoming:
        raise update_required(incoming)
    pending = [row for row in rows if row.workspace_change is not None]
    if mode == "All":
        chosen = pending
        if not chosen:
            raise RuleError("NoChangesToCommit", "There are no changes to commit.")
    else:
        if not selected:
            raise RuleError("NoItemsSelected", "Selective commit requires at least one item.")
        chosen = []
        for selector in selected:
            match = next((row for row in pending if selector.matches(row)), None)
            if match is None:
                name = selector.object_id or selector.logical_id or ""
                raise RuleError(
                    "ItemNotFound", f"The item {name} has no uncommitted change to commit."
                )
            if match not in chosen:
                chosen.append(match)
    return CommitPlan(
        upserts=tuple(row for row in chosen if row.workspace is not None),
        deletes=tuple(row for row in chosen if row.workspace is None),
    )


# --- Update From Git ------------------------------------------------------------------------


@dataclass(frozen=True)
class Upsert(Generic[S]):
    """Write the remote version ``state`` into the workspace item ``object_id`` (None: create)."""

    state: S
    object_id: str | None


@dataclass(frozen=True)
class UpdatePlan(Generic[S]):
    upserts: tuple[Upsert[S], ...] = ()
    deletes: tuple[str, ...] = ()  # workspace object ids
    adopted: Mapping[str, str] = field(default_factory=dict)  # object id -> logical id taken


def plan_update(
    rows: Sequence[ItemStatus[S]],
    *,
    workspace: Mapping[str, WorkspaceEntry[S]],
    remote: Mapping[str, S],
    policy: ConflictPolicy | None,
    allow_override: bool,
    initial: bool,
) -> UpdatePlan[S]:
    """Decide what an update applies, or refuse it before anything changes.

    ``initial`` is the full update that follows an initialization that chose UpdateFromGit: the
    workspace becomes the Git content (conflicts need no policy; workspace items absent from Git
    are deleted).
    """
    doomed: set[str] = set()
    if initial:
        chosen_remote = set(remote)
    else:
        conflicts = [row for row in rows if row.conflict is ConflictType.CONFLICT]
        if conflicts and policy is None:
            raise RuleError(
                "MissingWorkspaceConflictResolution",
                "Items are in conflict and no conflict resolution was given.",
                [row.display_name for row in conflicts],
            )
        chosen_remote = set()
        for row in rows:
            if row.remote_change is None:
                continue
            take_remote = row.conflict is ConflictType.NONE or (
                row.conflict is ConflictType.CONFLICT and policy is ConflictPolicy.PREFER_REMOTE
            )
            if row.conflict is ConflictType.SAME_CHANGES or not take_remote:
                continue
            if row.remote is not None:
                chosen_remote.add(row.key)
            elif row.workspace is not None:
                doomed.add(row.key)

    upserts: list[Upsert[S]] = []
    adopted: dict[str, str] = {}
    survivors = {key: entry for key, entry in workspace.items() if key not in doomed}
    by_name = {(e.state.type, e.state.display_name): key for key, e in survivors.items()}
    overridden: list[str] = []
    for key in sorted(chosen_remote):
        state = remote[key]
        target = survivors.get(key)
        if target is None:
            clash = by_name.get((state.type, state.display_name))
            if clash is not None and clash not in chosen_remote:
                overridden.append(state.display_name)
                target = survivors[clash]
                adopted[target.object_id] = key
                del survivors[clash]
                survivors[key] = target
        upserts.append(Upsert(state=state, object_id=target.object_id if target else None))
    if overridden and not (allow_override or initial):
        raise RuleError(
            "OverrideItemsNotAllowed",
            "Incoming items would override workspace items with the same name and type; "
            "set options.allowOverrideItems to allow it.",
            overridden,
        )
    deleted = [workspace[key].object_id for key in doomed]
    if initial:  # the workspace becomes the Git content: what Git lacks goes
        for key in [key for key in survivors if key not in remote]:
            deleted.append(survivors.pop(key).object_id)
    _check_final_names(survivors, upserts)
    deletes = tuple(sorted(deleted))
    return UpdatePlan(upserts=tuple(upserts), deletes=deletes, adopted=adopted)


def _check_final_names(
    survivors: Mapping[str, WorkspaceEntry[S]], upserts: Sequence[Upsert[S]]
) -> None:
    """The workspace after the update must not hold two items with one (displayName, type)."""
    final: dict[str, tuple[str, str]] = {
        e.object_id: (e.state.type, e.state.display_name) for e in survivors.values()
    }
    for index, upsert in enumerate(upserts):
        owner = upsert.object_id or f"new:{index}"
        final[owner] = (upsert.state.type, upsert.state.display_name)
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for name in final.values():
        if name in seen:
            duplicates.append(f"{name[1]}.{name[0]}")
        seen.add(name)
    if duplicates:
        raise RuleError(
            "PotentialDuplicateDisplayNameAndType",
            "Update operation will create a duplicate display name and type.",
            sorted(duplicates),
        )


# --- Dependencies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependent:
    """An item whose definition names other items: ``label`` names it in messages,
    ``references`` holds the ids its definition mentions (lower case)."""

    label: str
    references: frozenset[str]


def check_dependencies(
    *,
    incoming: Sequence[Dependent],
    known: Mapping[str, str],
    final: Collection[str],
    staying: Sequence[Dependent],
    deleted: Mapping[str, str],
) -> None:
    """Refuse an update that would leave a reference dangling (semantics §3.5).

    ``incoming`` are the items the update writes from Git, with the logical ids their
    definitions name; ``known`` labels every logical id Git or the workspace knows; ``final``
    holds the logical ids the workspace has after the update. A reference to a known item that
    is not in ``final`` is ``MissingDependency``; GUIDs no item holds (connections, items of
    other workspaces) are not references to check. ``staying`` are the workspace items whose
    definitions the update keeps, with the object ids they name; a reference to an item in
    ``deleted`` (object id -> label) is ``DependencyDeletionFailed``.
    """
    missing = [
        f"{item.label} references {known[ref]}, which will not exist after the update."
        for item in incoming
        for ref in sorted(item.references)
        if ref in known and ref not in final
    ]
    if missing:
        raise RuleError(
            "MissingDependency",
            "A dependency is missing in the update operation: " + " ".join(missing),
            missing,
        )
    broken = [
        f"{deleted[ref]} would be deleted, but {item.label} references it."
        for item in staying
        for ref in sorted(item.references)
        if ref in deleted
    ]
    if broken:
        raise RuleError(
            "DependencyDeletionFailed",
            "Update operation will delete hard dependency: " + " ".join(broken),
            broken,
        )
