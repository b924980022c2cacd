"""Update From Git: bring the branch's items into the workspace, in one SQLite transaction
(any error rolls all of it back; Git is only read)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator import crashpoints, errors, operations
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import folders, git_errors, items
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import CONTRIBUTOR, connected, open_branch
from fabric_git.emulator.backend.git.commit import MAX_COMMIT_MB
from fabric_git.emulator.backend.git.initialize import INITIAL_UPDATE
from fabric_git.emulator.backend.git.records import GitConnectionRecord
from fabric_git.emulator.backend.git.rules import (
    ConflictPolicy,
    Dependent,
    RuleError,
    UpdatePlan,
    check_dependencies,
    is_provisional,
    plan_update,
)
from fabric_git.emulator.backend.git.sides import Sides, git_items, load_sides
from fabric_git.emulator.gitrepo.fingerprints import PrintedState
from fabric_git.emulator.gitrepo.layout import ItemState, referenced_ids
from fabric_git.emulator.gitrepo.references import WorkspaceReferences
from fabric_git.emulator.ids import new_id
from fabric_git.repoformat.model import MAX_FILE_BYTES

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["REFUSED_BEFORE_START", "ItemOptions", "UpdateRequest", "check_update", "update"]

REFUSED_BEFORE_START = frozenset({"MissingWorkspaceConflictResolution", "OverrideItemsNotAllowed"})
"""Rule refusals answered on the request itself (docs/git-integration-rules.md)."""

Plan = UpdatePlan[PrintedState]


@dataclass(frozen=True)
class ItemOptions:
    """An ``itemOptionsByLogicalId`` entry: options for one item, by its logical id. Which
    options each item type takes is not documented, so they are kept uninterpreted: each
    option's name and its value as canonical JSON text."""

    logical_id: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UpdateRequest:
    remote_commit_hash: str
    workspace_head: str | None
    policy: ConflictPolicy | None
    allow_override: bool
    item_options: tuple[ItemOptions, ...] = ()


def check_update(
    state: EmulatorState, principal: Principal, workspace_id: str, request: UpdateRequest
) -> None:
    """What the request decides before the operation starts: the connection, the commit it
    names, and the two refusals the spec says keep the update from starting (conflicts with no
    resolution, items to override without ``allowOverrideItems``). The operation checks them
    again: a change between the two answers as a failed operation."""
    with state.store.read() as conn:
        record, pat = connected(
            conn, state.sealer, principal, workspace_id, CONTRIBUTOR, head=request.workspace_head
        )
        repo, tip = open_branch(state.repos, record)
        if request.remote_commit_hash != tip:
            raise git_errors.remote_commit_hash_mismatch()
        if request.item_options:
            known = set(git_items(state.commit_items, repo, tip, record.directory_name))
            known.update(i.logical_id for i in items.list_items(conn, workspace_id) if i.logical_id)
            for index, entry in enumerate(request.item_options):
                if entry.logical_id not in known:
                    raise errors.invalid_input(
                        f"options.itemOptionsByLogicalId[{index}].logicalId",
                        f"No item with logical id {entry.logical_id} is in the workspace or the "
                        "branch",
                    )
        sides = load_sides(state, record, pat, conn)
        try:
            plan_update(
                sides.status(),
                workspace=sides.workspace,
                remote=sides.remote,
                policy=request.policy,
                allow_override=request.allow_override,
                initial=record.pending_initial == INITIAL_UPDATE,
            )
        except RuleError as error:
            if error.error_code in REFUSED_BEFORE_START:
                raise git_errors.from_rule(error) from None
            # Any other refusal is the operation's to report.


def update(
    state: EmulatorState, principal: Principal, workspace_id: str, request: UpdateRequest
) -> None:
    with state.store.write() as conn:
        record, pat = connected(
            conn, state.sealer, principal, workspace_id, CONTRIBUTOR, head=request.workspace_head
        )
        sides = load_sides(state, record, pat, conn)
        if sides.tip != request.remote_commit_hash:
            raise git_errors.remote_commit_hash_mismatch()
        rows = sides.status()
        try:
            plan = plan_update(
                rows,
                workspace=sides.workspace,
                remote=sides.remote,
                policy=request.policy,
                allow_override=request.allow_override,
                initial=record.pending_initial == INITIAL_UPDATE,
            )
            _check_sizes(state, record, plan)
            _check_dependencies(conn, workspace_id, sides, plan)
        except RuleError as error:
            raise git_errors.from_rule(error) from None
        _apply_update(conn, workspace_id, sides, plan)
        crashpoints.crash_point(crashpoints.UPDATE_BEFORE_HEAD, state.config.crash_at)
        records.set_sync(
            conn,
            workspace_id,
            expected_head=record.workspace_head,
            head=sides.tip,
            last_sync_time=state.clock.now(),
        )
        operations.mark_applied(conn)


def _check_sizes(state: EmulatorState, record: GitConnectionRecord, plan: Plan) -> None:
    """The limits a commit has (§8: 25 MB a file, 50 or 125 MB in all), applied to what an
    update would read, from the blobs' headers: a file over the limit is never read."""
    repo, _ = open_branch(state.repos, record)
    total = 0
    for upsert in plan.upserts:
        item = upsert.state
        part_ids = item.part_ids if isinstance(item, PrintedState) else None
        for path, blob_id in (part_ids or {}).items():
            size = repo.blob_size(blob_id)
            if size > MAX_FILE_BYTES:
                raise git_errors.file_too_large(f"{item.display_name}.{item.type}/{path}", 25)
            total += size
    limit = MAX_COMMIT_MB.get(record.provider_type, 50)
    if total > limit * 1024 * 1024:
        raise git_errors.commit_too_large(limit)


def _label(state: ItemState) -> str:
    return f"'{state.display_name}' ({state.type})"


def _check_dependencies(
    conn: sqlite3.Connection, workspace_id: str, sides: Sides, plan: Plan
) -> None:
    """The references an update would leave dangling (``rules.check_dependencies``)."""
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


def _apply_update(conn: sqlite3.Connection, workspace_id: str, sides: Sides, plan: Plan) -> None:
    """Apply an update plan inside the caller's transaction: any error rolls all of it back."""
    for object_id in plan.deletes:
        items.delete_item(conn, object_id)
    targets = [(upsert, upsert.object_id or new_id()) for upsert in plan.upserts]
    deleted = set(plan.deletes)
    logical_to_object = {
        key: entry.object_id
        for key, entry in sides.workspace.items()
        if not is_provisional(key) and entry.object_id not in deleted
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
        # Read whole, one item at a time: the parts become the item's stored definition (which
        # the definition API hands out as base64 in JSON); _check_sizes bounded them.
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
        else:
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
