"""Initialize Connection, Get Status, Commit To Git and Update From Git.

Each operation has a ``*_request`` step that checks what the request alone decides (run before
the long-running operation starts, so it answers at once) and a ``*_work`` step that runs as the
operation. A commit writes Git objects first, then compare-and-swaps the branch ref, then commits
the SQLite transaction; an intent row written before the ref moves lets :func:`reconcile` finish
or drop a commit a crash cut short. An update changes SQLite only, in one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fabric_git.emulator import crashpoints, errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.connect import (
    ADMIN,
    CONTRIBUTOR,
    require_capacity,
    require_connection,
    require_workspace,
)
from fabric_git.emulator.backend.git.context import (
    GITHUB,
    Sides,
    check_access,
    git_items,
    normalise_directory,
    open_branch,
    resolve_credentials,
    workspace_items,
)
from fabric_git.emulator.backend.git.part_cache import WorkspaceParts, part_cache
from fabric_git.emulator.backend.git.records import GitConnectionRecord, Intent
from fabric_git.emulator.backend.git.rules import (
    ConflictPolicy,
    Dependent,
    InitializationStrategy,
    ItemStatus,
    RequiredAction,
    RuleError,
    Selector,
    check_dependencies,
    compute_status,
    decide_initialization,
    is_provisional,
    match_logical_ids,
    plan_commit,
    plan_update,
)
from fabric_git.emulator.gitrepo.fingerprints import PrintedState, same_version
from fabric_git.emulator.gitrepo.layout import (
    ItemState,
    LayoutError,
    referenced_ids,
    write_items,
)
from fabric_git.emulator.gitrepo.references import RepoReferences, WorkspaceReferences
from fabric_git.emulator.gitrepo.repos import RefMoved, RepositoryLocked
from fabric_git.emulator.ids import is_guid, new_id

log = logging.getLogger("fabric_git.emulator.git")

__all__ = [
    "commit_request",
    "commit_work",
    "initialize_request",
    "initialize_work",
    "reconcile",
    "status_request",
    "status_work",
    "update_request",
    "update_work",
]

DEFAULT_COMMIT_MESSAGE = "Committed from Microsoft Fabric"
INITIAL_UPDATE = "UpdateFromGit"
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_COMMIT_MB = {GITHUB: 50, "AzureDevOps": 125}
_BRANCH_MOVED = "The branch moved while committing. Run Update From Git first, then commit again."


# --- shared steps ----------------------------------------------------------------------------


def _connected(
    conn: Any, principal: Principal, workspace_id: str, role: str, *, initialized: bool = True
) -> tuple[GitConnectionRecord, str | None]:
    """The workspace's connection after the role, capacity, state and credential checks, and
    the PAT the caller's credentials give."""
    workspace = require_workspace(conn, workspace_id, principal, role)
    require_capacity(workspace)
    record = require_connection(conn, workspace_id)
    if initialized and record.state != records.INITIALIZED:
        raise git_errors.connection_not_initialized()
    credentials = records.get_credentials(conn, workspace_id, principal.id)
    return record, resolve_credentials(conn, record, principal, credentials)


def _load_sides(state: Any, record: GitConnectionRecord, pat: str | None, conn: Any) -> Sides:
    """The three sides; workspace parts are read lazily, so use them inside ``conn``'s
    transaction."""
    repo, tip = open_branch(state.repos, record)
    check_access(repo, pat)
    entries = workspace_items(conn, record.workspace_id, part_cache(state.store))
    return Sides(
        base=git_items(repo, record.workspace_head, record.directory_name),
        workspace=entries,
        remote=git_items(repo, tip, record.directory_name),
        tip=tip,
    )


def _rule(error: RuleError | LayoutError) -> errors.EmulatorError:
    return git_errors.from_rule(error)


def _now(state: Any) -> float:
    return float(state.clock.now())


def _head_given(body: dict[str, Any], field: str = "workspaceHead") -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise errors.invalid_input(field, "The value must be a string")
    return value


def _check_head(record: GitConnectionRecord, given: str | None) -> None:
    if given is not None and given != record.workspace_head:
        raise git_errors.workspace_head_mismatch()


# --- Initialize Connection -------------------------------------------------------------------


def initialize_request(
    state: Any, principal: Principal, workspace_id: str, body: dict[str, Any]
) -> InitializationStrategy | None:
    raw = body.get("initializationStrategy")
    if raw is not None and raw not in tuple(InitializationStrategy):
        raise errors.invalid_input(
            "initializationStrategy", "The value must be one of None, PreferRemote, PreferWorkspace"
        )
    with state.store.read() as conn:
        record, _ = _connected(conn, principal, workspace_id, ADMIN, initialized=False)
        if record.state == records.INITIALIZED:
            raise git_errors.connection_already_initialized()
    return InitializationStrategy(raw) if raw is not None else None


def initialize_work(
    state: Any,
    principal: Principal,
    workspace_id: str,
    strategy: InitializationStrategy | None,
) -> dict[str, Any]:
    from fabric_git.emulator.backend import items

    with state.store.write() as conn:
        record, pat = _connected(conn, principal, workspace_id, ADMIN, initialized=False)
        if record.state == records.INITIALIZED:
            raise git_errors.connection_already_initialized()
        repo, tip = open_branch(state.repos, record)
        check_access(repo, pat)
        remote = git_items(repo, tip, record.directory_name)
        entries = workspace_items(conn, workspace_id, part_cache(state.store))
        try:
            action = decide_initialization(bool(entries), bool(remote), strategy)
        except RuleError as error:
            raise _rule(error) from None
        adopted = match_logical_ids(
            (
                (
                    e.object_id,
                    None if is_provisional(key) else key,
                    e.state.type,
                    e.state.display_name,
                )
                for key, e in entries.items()
            ),
            remote.values(),
        )
        for object_id, logical_id in adopted.items():
            items.update_item(conn, object_id, logical_id=logical_id)
        synced = action is not RequiredAction.UPDATE_FROM_GIT
        head = tip if synced else None
        records.set_sync(
            conn,
            workspace_id,
            expected_head=record.workspace_head,
            head=head,
            last_sync_time=_now(state) if synced else None,
            pending_initial=None if synced else INITIAL_UPDATE,
        )
    # A never-synced workspace has no head: the key is kept with null, as Fabric serialises
    # absent values and as its example shows the key (Get Status gives "" instead: there the
    # spec makes workspaceHead a required string).
    return {"requiredAction": str(action), "workspaceHead": head, "remoteCommitHash": tip}


# --- Get Status ------------------------------------------------------------------------------


def status_request(state: Any, principal: Principal, workspace_id: str) -> None:
    with state.store.read() as conn:
        _connected(conn, principal, workspace_id, CONTRIBUTOR)


def _change_body(row: ItemStatus[PrintedState]) -> dict[str, Any]:
    identifier: dict[str, str] = {}
    if row.logical_id is not None:
        identifier["logicalId"] = row.logical_id
    if row.object_id is not None:
        identifier["objectId"] = row.object_id
    change: dict[str, Any] = {
        "itemMetadata": {
            "itemIdentifier": identifier,
            "itemType": row.item_type,
            "displayName": row.display_name,
        }
    }
    if row.remote_change is not None:
        change["remoteChange"] = str(row.remote_change)
    if row.workspace_change is not None:
        change["workspaceChange"] = str(row.workspace_change)
    change["conflictType"] = str(row.conflict)
    return change


def status_work(state: Any, principal: Principal, workspace_id: str) -> dict[str, Any]:
    with state.store.read() as conn:
        record, pat = _connected(conn, principal, workspace_id, CONTRIBUTOR)
        sides = _load_sides(state, record, pat, conn)
        rows = compute_status(sides.base, sides.workspace, sides.remote, same_version)
    return {
        # A workspace never synced (waiting for its first update) has no head: "", since
        # GitStatusResponse requires a string (Initialize answers null for the same state).
        "workspaceHead": record.workspace_head or "",
        "remoteCommitHash": sides.tip,
        "changes": [_change_body(row) for row in rows],
    }


# --- Commit To Git ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitRequest:
    mode: str
    workspace_head: str | None
    comment: str | None
    selected: tuple[Selector, ...]


def _selectors(raw: Any) -> tuple[Selector, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise errors.invalid_input("items", "The value must be an array")
    selectors = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise errors.invalid_input(f"items[{index}]", "The value must be an object")
        object_id, logical_id = entry.get("objectId"), entry.get("logicalId")
        for name, value in (("objectId", object_id), ("logicalId", logical_id)):
            if value is not None and not is_guid(value):
                raise errors.invalid_input(f"items[{index}].{name}", "The value must be a GUID")
        if object_id is None and logical_id is None:
            raise errors.invalid_input(f"items[{index}]", "objectId or logicalId is required")
        selectors.append(
            Selector(
                object_id=str(object_id).lower() if object_id else None,
                logical_id=str(logical_id).lower() if logical_id else None,
            )
        )
    return tuple(selectors)


def commit_request(
    state: Any, principal: Principal, workspace_id: str, body: dict[str, Any]
) -> CommitRequest:
    mode = body.get("mode")
    if mode not in ("All", "Selective"):
        raise errors.invalid_input("mode", "The value must be one of All, Selective")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise errors.invalid_input("comment", "The value must be a string")
    if comment is not None and len(comment) > 300:
        raise errors.invalid_input("comment", "The value must be at most 300 characters")
    request = CommitRequest(
        mode=str(mode),
        workspace_head=_head_given(body),
        comment=comment or None,
        selected=_selectors(body.get("items")) if mode == "Selective" else (),
    )
    with state.store.read() as conn:
        record, _ = _connected(conn, principal, workspace_id, CONTRIBUTOR)
        _check_head(record, request.workspace_head)
    return request


def _author(principal: Principal) -> tuple[str, str]:
    email = principal.name if "@" in principal.name else f"{principal.id}@users.fabric.local"
    return principal.name, email


def _digest(changes: Mapping[str, bytes | None]) -> dict[str, str | None]:
    return {
        path: hashlib.sha256(content).hexdigest() if content is not None else None
        for path, content in changes.items()
    }


def commit_work(
    state: Any, principal: Principal, workspace_id: str, request: CommitRequest
) -> None:
    with state.store.read() as conn:
        record, pat = _connected(conn, principal, workspace_id, CONTRIBUTOR)
        _check_head(record, request.workspace_head)
        sides = _load_sides(state, record, pat, conn)
        rows = compute_status(sides.base, sides.workspace, sides.remote, same_version)
        try:
            plan = plan_commit(rows, mode=request.mode, selected=request.selected)
        except RuleError as error:
            raise _rule(error) from None
        new_ids = {row.object_id: new_id() for row in plan.upserts if is_provisional(row.key)}
        object_to_logical = {
            entry.object_id: key
            for key, entry in sides.workspace.items()
            if not is_provisional(key)
        }
        object_to_logical.update({oid: lid for oid, lid in new_ids.items() if oid})
        # Parts in the form the commit writes, their fingerprints kept under the mapping the
        # workspace has once the commit is done: the next status need not read them again.
        committed = WorkspaceParts(
            conn,
            workspace_id,
            RepoReferences(object_to_logical, workspace_id),
            part_cache(state.store),
        )
        upserts: list[ItemState] = []
        for row in plan.upserts:
            assert row.workspace is not None and row.object_id is not None
            parts = committed.read(row.object_id)
            current = row.workspace.state
            upserts.append(
                ItemState(
                    logical_id=object_to_logical[row.object_id],
                    type=current.type,
                    display_name=current.display_name,
                    description=current.description,
                    folder=current.folder,
                    parts=parts,
                    extra_metadata=current.extra_metadata,
                )
            )
    _check_sizes(record, upserts)
    repo, tip = open_branch(state.repos, record)
    if tip != sides.tip:
        raise _rule(RuleError("WorkspaceUpdateRequired", _BRANCH_MOVED))
    root = normalise_directory(record.directory_name)
    try:
        changes = write_items(
            repo.read_files(tip, root),
            root,
            upserts=upserts,
            deletes=[row.key for row in plan.deletes],
        )
    except LayoutError as error:
        raise _rule(error) from None
    logical_ids = {oid: lid for oid, lid in new_ids.items() if oid}
    intent = Intent(
        id=new_id(),
        workspace_id=workspace_id,
        expected_tip=tip,
        expected_head=record.workspace_head,
        digest=_digest(changes),
        logical_ids=logical_ids,
        created_at=_now(state),
    )
    with state.store.write() as conn:
        records.put_intent(conn, intent)
    crashpoints.crash_point(crashpoints.COMMIT_BEFORE_REF_UPDATE)
    try:
        sha = repo.commit(
            record.branch_name,
            expected_tip=tip,
            changes=changes,
            message=request.comment or DEFAULT_COMMIT_MESSAGE,
            author=_author(principal),
        )
    except BaseException as error:
        # The ref did not move: drop the intent so nothing of this commit remains but
        # unreferenced Git objects.
        with state.store.write() as conn:
            records.delete_intent(conn, intent.id)
        if isinstance(error, RefMoved):
            raise _rule(RuleError("WorkspaceUpdateRequired", _BRANCH_MOVED)) from None
        if isinstance(error, RepositoryLocked):
            raise git_errors.branch_locked(record.branch_name) from None
        raise
    crashpoints.crash_point(crashpoints.COMMIT_AFTER_REF_UPDATE)
    with state.store.write() as conn:
        _finish_commit(conn, intent, sha, _now(state))
    # The next status compares with this commit: index its items now (a commit never changes),
    # so that status reads no tree. A tree it cannot read fails that status, not this commit.
    with contextlib.suppress(errors.EmulatorError):
        git_items(repo, sha, record.directory_name)


def _finish_commit(conn: Any, intent: Intent, sha: str, now: float) -> None:
    """The SQLite half of a commit: new logical ids, the new head, the intent dropped."""
    _assign_logical_ids(conn, intent)
    moved = records.set_sync(
        conn,
        intent.workspace_id,
        expected_head=intent.expected_head,
        head=sha,
        last_sync_time=now,
    )
    records.delete_intent(conn, intent.id)
    if not moved:
        raise git_errors.workspace_head_mismatch()


def _assign_logical_ids(conn: Any, intent: Intent) -> None:
    from fabric_git.emulator.backend import items

    for object_id, logical_id in intent.logical_ids.items():
        try:
            record = items.get_item(conn, intent.workspace_id, object_id)
        except errors.EmulatorError:
            continue  # deleted since
        if record.logical_id is None:
            items.update_item(conn, object_id, logical_id=logical_id)


def _check_sizes(record: GitConnectionRecord, upserts: list[ItemState]) -> None:
    total = 0
    for state in upserts:
        for path, content in state.parts.items():
            if len(content) > MAX_FILE_BYTES:
                raise git_errors.file_too_large(f"{state.display_name}.{state.type}/{path}", 25)
            total += len(content)
    limit = MAX_COMMIT_MB.get(record.provider_type, 50)
    if total > limit * 1024 * 1024:
        raise git_errors.commit_too_large(limit)


# --- Update From Git -------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateRequest:
    remote_commit_hash: str
    workspace_head: str | None
    policy: ConflictPolicy | None
    allow_override: bool


def _policy(raw: Any) -> ConflictPolicy | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise errors.invalid_input("conflictResolution", "The value must be an object")
    if raw.get("conflictResolutionType") != "Workspace":
        raise errors.invalid_input(
            "conflictResolution.conflictResolutionType", "The value must be Workspace"
        )
    policy = raw.get("conflictResolutionPolicy")
    if policy not in tuple(ConflictPolicy):
        raise errors.invalid_input(
            "conflictResolution.conflictResolutionPolicy",
            "The value must be one of PreferRemote, PreferWorkspace",
        )
    return ConflictPolicy(policy)


def update_request(
    state: Any, principal: Principal, workspace_id: str, body: dict[str, Any]
) -> UpdateRequest:
    remote = body.get("remoteCommitHash")
    if not isinstance(remote, str) or not remote:
        raise errors.invalid_input("remoteCommitHash", "The field is required")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise errors.invalid_input("options", "The value must be an object")
    allow = options.get("allowOverrideItems", False)
    if not isinstance(allow, bool):
        raise errors.invalid_input("options.allowOverrideItems", "The value must be a boolean")
    request = UpdateRequest(
        remote_commit_hash=remote,
        workspace_head=_head_given(body),
        policy=_policy(body.get("conflictResolution")),
        allow_override=allow,
    )
    with state.store.read() as conn:
        record, _ = _connected(conn, principal, workspace_id, CONTRIBUTOR)
        _check_head(record, request.workspace_head)
    _, tip = open_branch(state.repos, record)
    if request.remote_commit_hash != tip:
        raise git_errors.remote_commit_hash_mismatch()
    return request


def update_work(
    state: Any, principal: Principal, workspace_id: str, request: UpdateRequest
) -> None:
    with state.store.write() as conn:
        record, pat = _connected(conn, principal, workspace_id, CONTRIBUTOR)
        _check_head(record, request.workspace_head)
        sides = _load_sides(state, record, pat, conn)
        if sides.tip != request.remote_commit_hash:
            raise git_errors.remote_commit_hash_mismatch()
        rows = compute_status(sides.base, sides.workspace, sides.remote, same_version)
        try:
            plan = plan_update(
                rows,
                workspace=sides.workspace,
                remote=sides.remote,
                policy=request.policy,
                allow_override=request.allow_override,
                initial=record.pending_initial == INITIAL_UPDATE,
            )
            _check_dependencies(conn, workspace_id, sides, plan)
        except RuleError as error:
            raise _rule(error) from None
        _apply_update(conn, workspace_id, sides, plan)
        crashpoints.crash_point(crashpoints.UPDATE_BEFORE_HEAD)
        records.set_sync(
            conn,
            workspace_id,
            expected_head=record.workspace_head,
            head=sides.tip,
            last_sync_time=_now(state),
        )


def _label(state: ItemState) -> str:
    return f"'{state.display_name}' ({state.type})"


def _check_dependencies(conn: Any, workspace_id: str, sides: Sides, plan: Any) -> None:
    """The references an update would leave dangling (``rules.check_dependencies``)."""
    from fabric_git.emulator.backend import items

    known: dict[str, str] = {}
    for versions in (sides.base, sides.remote):
        known.update({key: _label(state) for key, state in versions.items()})
    known.update({key: _label(e.state) for key, e in sides.workspace.items()})
    deleted_ids = set(plan.deletes)
    final = {
        key
        for key, entry in sides.workspace.items()
        if not is_provisional(key)
        and entry.object_id not in deleted_ids
        and entry.object_id not in plan.adopted
    }
    final.update(upsert.state.logical_id for upsert in plan.upserts)
    incoming = [
        Dependent(
            _label(upsert.state),
            referenced_ids(upsert.state.parts) - {upsert.state.logical_id},
        )
        for upsert in plan.upserts
    ]
    deleted = {
        entry.object_id: _label(entry.state)
        for entry in sides.workspace.values()
        if entry.object_id in deleted_ids
    }
    rewritten = {upsert.object_id for upsert in plan.upserts if upsert.object_id is not None}
    staying = [
        Dependent(
            f"'{record.display_name}' ({record.type})",
            referenced_ids(items.get_parts(conn, record.id)),
        )
        for record in items.list_items(conn, workspace_id)
        if deleted and record.id not in deleted_ids and record.id not in rewritten
    ]
    check_dependencies(
        incoming=incoming, known=known, final=final, staying=staying, deleted=deleted
    )


def _apply_update(conn: Any, workspace_id: str, sides: Sides, plan: Any) -> None:
    """Apply an update plan inside the caller's transaction: any error rolls all of it back."""
    from fabric_git.emulator.backend import folders, items

    for object_id in plan.deletes:
        items.delete_item(conn, object_id)
    targets = [(upsert, upsert.object_id or new_id()) for upsert in plan.upserts]
    deleted = set(plan.deletes)
    logical_to_object = {
        key: entry.object_id
        for key, entry in sides.workspace.items()
        if not key.startswith("~") and entry.object_id not in deleted
    }
    logical_to_object.update({u.state.logical_id: oid for u, oid in targets})
    for object_id, logical_id in plan.adopted.items():
        items.update_item(conn, object_id, logical_id=logical_id)
    # The plan checked the final names; the store checks (type, name) at every step. Renamed
    # items first step aside to a name no one holds, so names swapped or passed on in Git
    # (A->B and B->A, or A->C and a new A) apply in any order.
    current_names = {
        entry.object_id: entry.state.display_name for entry in sides.workspace.values()
    }
    for upsert, object_id in targets:
        if (
            upsert.object_id is not None
            and current_names.get(object_id) != upsert.state.display_name
        ):
            items.update_item(conn, object_id, display_name=_transient_name(object_id))
    references = WorkspaceReferences(logical_to_object, workspace_id)
    for upsert, object_id in targets:
        remote_state: ItemState = upsert.state
        parts = references.rewrite(remote_state.parts)
        folder_id = folders.ensure_folder_path(conn, workspace_id, tuple(remote_state.folder))
        if upsert.object_id is None:
            items.create_item(
                conn,
                workspace_id,
                type=remote_state.type,
                display_name=remote_state.display_name,
                description=remote_state.description,
                folder_id=folder_id,
                parts=parts,
                logical_id=remote_state.logical_id,
                item_id=object_id,
            )
            records.put_extra_metadata(conn, object_id, remote_state.extra_metadata)
            continue
        items.update_item(
            conn,
            object_id,
            display_name=remote_state.display_name,
            description=remote_state.description,
            folder_id=folder_id,
            logical_id=remote_state.logical_id,
        )
        items.set_parts(conn, object_id, parts)
        records.put_extra_metadata(conn, object_id, remote_state.extra_metadata)


def _transient_name(object_id: str) -> str:
    """A display name only this item can hold, for the moment of a rename inside an update."""
    return f"~renaming {object_id}"


# --- start-up --------------------------------------------------------------------------------


def reconcile(state: Any) -> int:
    """Start-up repair after a crash; returns how many commit intents were handled.

    First the hosted repositories drop what a killed writer left (stale ref locks, which would
    refuse every later commit of the branch, and half-created repositories). Then each commit
    a crash cut short is finished or dropped: a commit whose branch tip holds exactly the
    intended files is finished (new head, new logical ids). Otherwise the ref never moved (or
    moved for another reason): the intent is dropped, and the new items keep the logical ids
    the commit would have given them, which is harmless whether or not Git has them.
    """
    if state.repos is not None:
        for key, locks in state.repos.recover().items():
            log.warning("repository %s: removed stale locks %s", key, ", ".join(locks))
    with state.store.read() as conn:
        intents = records.list_intents(conn)
    for intent in intents:
        with state.store.write() as conn:
            record = records.get_connection(conn, intent.workspace_id)
            finished_at = _finished_commit(state, record, intent) if record else None
            _assign_logical_ids(conn, intent)
            if finished_at is not None and record is not None:
                if record.workspace_head == intent.expected_head:
                    records.set_sync(
                        conn,
                        intent.workspace_id,
                        expected_head=intent.expected_head,
                        head=finished_at,
                        last_sync_time=_now(state),
                    )
            records.delete_intent(conn, intent.id)
        log.info("git intent %s: %s", intent.id, "finished" if finished_at else "dropped")
    return len(intents)


def _finished_commit(state: Any, record: GitConnectionRecord, intent: Intent) -> str | None:
    try:
        repo, tip = open_branch(state.repos, record)
    except errors.EmulatorError:
        return None
    if tip == intent.expected_tip:
        return None
    if intent.expected_tip is not None and not repo.is_ancestor(intent.expected_tip, tip):
        return None
    files = repo.read_files(tip, normalise_directory(record.directory_name))
    for path, digest in intent.digest.items():
        content = files.get(path)
        actual = hashlib.sha256(content).hexdigest() if content is not None else None
        if actual != digest:
            return None
    return tip
