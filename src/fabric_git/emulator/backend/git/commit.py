"""Commit To Git, and its durable protocol.

A commit writes Git objects first, then compare-and-swaps the branch ref, then records the new
head in one SQLite transaction. An intent row written before the ref moves lets
``recovery.reconcile`` finish or drop a commit a crash cut short between those steps; the
configured crash points (``crashpoints``) land a test's crash in either window.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator import crashpoints, errors, operations
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors, items
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import (
    CONTRIBUTOR,
    GITHUB,
    connected,
    normalise_directory,
    open_branch,
)
from fabric_git.emulator.backend.git.files import select_files
from fabric_git.emulator.backend.git.part_cache import WorkspaceParts
from fabric_git.emulator.backend.git.records import GitConnectionRecord, Intent
from fabric_git.emulator.backend.git.rules import (
    ItemStatus,
    RuleError,
    Selector,
    is_provisional,
    plan_commit,
)
from fabric_git.emulator.backend.git.sides import git_items, load_sides
from fabric_git.emulator.gitrepo.fingerprints import PrintedState
from fabric_git.emulator.gitrepo.layout import ItemState, LayoutError, write_items
from fabric_git.emulator.gitrepo.references import RepoReferences
from fabric_git.emulator.gitrepo.repos import RefMoved, RepositoryLocked
from fabric_git.emulator.gitrepo.trees import InvalidTreePath
from fabric_git.emulator.ids import new_id
from fabric_git.repoformat.model import MAX_FILE_BYTES

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = [
    "CommitRequest",
    "FileSelection",
    "assign_logical_ids",
    "check_commit",
    "commit",
    "content_digest",
]

DEFAULT_COMMIT_MESSAGE = "Committed from Microsoft Fabric"
MAX_COMMIT_MB = {GITHUB: 50, "AzureDevOps": 125}
_BRANCH_MOVED = "The branch moved while committing. Run Update From Git first, then commit again."


@dataclass(frozen=True)
class FileSelection:
    """An ``ItemIdentifierWithFileSelection``: an item and the files of it to commit (empty:
    every file of the item)."""

    item: Selector
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommitRequest:
    mode: str  # "All" | "Selective" | "FileLevelSelective"
    workspace_head: str | None
    comment: str | None
    selected: tuple[Selector, ...] = ()
    file_selection: tuple[FileSelection, ...] = ()

    @property
    def selectors(self) -> tuple[Selector, ...]:
        if self.mode == "FileLevelSelective":
            return tuple(entry.item for entry in self.file_selection)
        return self.selected

    def files_of(self, row: ItemStatus[PrintedState]) -> tuple[str, ...]:
        """The files selected of ``row`` (empty: the whole item)."""
        for entry in self.file_selection:
            if entry.item.matches(row):
                return entry.files
        return ()


def check_commit(
    state: EmulatorState, principal: Principal, workspace_id: str, request: CommitRequest
) -> None:
    """What the request alone decides, before the operation starts: the connection, a
    Selective or FileLevelSelective commit that names no item (``NoItemsSelected``), and a file
    selection that lists one item twice with different files (``InvalidInput``). What needs the
    comparison (``WorkspaceUpdateRequired``, ``NoChangesToCommit``) the operation decides."""
    with state.store.read() as conn:
        connected(
            conn, state.sealer, principal, workspace_id, CONTRIBUTOR, head=request.workspace_head
        )
        if request.mode == "FileLevelSelective":
            _check_each_item_once(conn, workspace_id, request.file_selection)
    if request.mode == "Selective" and not request.selected:
        raise git_errors.from_rule(
            RuleError("NoItemsSelected", "Selective commit requires at least one item.")
        )
    if request.mode == "FileLevelSelective" and not request.file_selection:
        raise git_errors.from_rule(
            RuleError(
                "NoItemsSelected",
                "FileLevelSelective commit requires at least one item in itemsWithFileSelection.",
            )
        )


def _check_each_item_once(
    conn: sqlite3.Connection, workspace_id: str, selection: Sequence[FileSelection]
) -> None:
    """One item named twice (by the same id, or once by object id and once by logical id) with
    different files is refused: which selection would count is not the caller's to guess. The
    same files twice are taken once (DEVIATIONS.md)."""
    by_logical_id = {
        item.logical_id: item.id
        for item in items.list_items(conn, workspace_id)
        if item.logical_id is not None
    }
    seen: dict[str, tuple[int, frozenset[str]]] = {}
    for index, entry in enumerate(selection):
        # An item deleted from the workspace has only its logical id.
        logical_id = entry.item.logical_id or ""
        key = entry.item.object_id or by_logical_id.get(logical_id) or logical_id
        files = frozenset(entry.files)
        first = seen.setdefault(key, (index, files))
        if first[1] != files:
            raise errors.invalid_input(
                f"itemsWithFileSelection[{index}]",
                f"The item is already selected by itemsWithFileSelection[{first[0]}] with other "
                "selectedFiles; list each item once, with all its files to commit",
            )


def _branch_moved() -> errors.EmulatorError:
    return git_errors.from_rule(RuleError("WorkspaceUpdateRequired", _BRANCH_MOVED))


def _author(principal: Principal) -> tuple[str, str]:
    email = principal.name if "@" in principal.name else f"{principal.id}@users.fabric.local"
    return principal.name, email


def content_digest(changes: Mapping[str, bytes | None]) -> dict[str, str | None]:
    """SHA-256 of each changed file (None: deleted), as an intent records what it writes."""
    return {
        path: hashlib.sha256(content).hexdigest() if content is not None else None
        for path, content in changes.items()
    }


def commit(
    state: EmulatorState, principal: Principal, workspace_id: str, request: CommitRequest
) -> None:
    with state.store.read() as conn:
        record, pat = connected(
            conn, state.sealer, principal, workspace_id, CONTRIBUTOR, head=request.workspace_head
        )
        sides = load_sides(state, record, pat, conn)
        rows = sides.status()
        try:
            mode = "All" if request.mode == "All" else "Selective"
            plan = plan_commit(rows, mode=mode, selected=request.selectors)
        except RuleError as error:
            raise git_errors.from_rule(error) from None
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
            conn, workspace_id, RepoReferences(object_to_logical, workspace_id), state.part_cache
        )
        upserts: list[ItemState] = []
        # A file-level commit writes the selected files of an item in Git and nothing else of
        # it: Git's other files keep their bytes, however they are formatted.
        only_files: dict[str, tuple[str, ...]] = {}
        deletes = [row.key for row in plan.deletes if not request.files_of(row)]
        written = [
            (row, request.files_of(row))
            for row in (*plan.upserts, *plan.deletes)
            if row.workspace is not None or request.files_of(row)
        ]
        _check_stored_sizes(conn, record, written)
        for row, files in written:
            # Read whole: the parts are written as blobs, and Git needs each blob's content
            # (its id is a hash of all of it); the limits were checked from stored sizes.
            parts = committed.read(row.object_id) if row.object_id is not None else None
            logical_id = object_to_logical[row.object_id] if row.object_id else row.key
            if files:
                try:
                    chosen = select_files(row, parts, logical_id, files)
                except (RuleError, LayoutError) as error:  # LayoutError: a Git file too large
                    raise git_errors.from_rule(error) from None
                if chosen is None:
                    deletes.append(row.key)
                else:
                    upserts.append(chosen)
                    only_files[chosen.logical_id] = files
                continue
            assert row.workspace is not None and parts is not None
            current = row.workspace.state
            upserts.append(
                ItemState(
                    logical_id=logical_id,
                    type=current.type,
                    display_name=current.display_name,
                    description=current.description,
                    folder=current.folder,
                    parts=parts,
                    extra_metadata=current.extra_metadata,
                )
            )
    _check_sizes(record, upserts, only_files)
    repo, tip = open_branch(state.repos, record)
    if tip != sides.tip:
        raise _branch_moved()
    root = normalise_directory(record.directory_name)
    # The tree is read lazily: only its system files and the files of moving item directories
    # are read; the files the commit rewrites are compared by blob id.
    tree = repo.tree_files(tip, root)
    try:
        changes = write_items(
            tree,
            root,
            upserts=upserts,
            deletes=deletes,
            blob_ids=tree.blob_id,
            only_files=only_files,
        )
    except LayoutError as error:
        raise git_errors.from_rule(error) from None
    intent = Intent(
        # The operation's id, so that start-up reconciliation finishing the commit also
        # reports the operation Succeeded.
        id=operations.current_operation() or new_id(),
        workspace_id=workspace_id,
        expected_tip=tip,
        expected_head=record.workspace_head,
        digest=content_digest(changes),
        logical_ids={oid: lid for oid, lid in new_ids.items() if oid},
        created_at=state.clock.now(),
    )
    with state.store.write() as conn:
        records.put_intent(conn, intent)
    crashpoints.crash_point(crashpoints.COMMIT_BEFORE_REF_UPDATE, state.config.crash_at)
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
            raise _branch_moved() from None
        if isinstance(error, RepositoryLocked):
            raise git_errors.branch_locked(record.branch_name) from None
        if isinstance(error, InvalidTreePath):
            raise git_errors.git_error("InvalidPath", str(error)) from None
        raise
    crashpoints.crash_point(crashpoints.COMMIT_AFTER_REF_UPDATE, state.config.crash_at)
    with state.store.write() as conn:
        _finish_commit(conn, intent, sha, state.clock.now())
    # The next status compares with this commit: index its items now (a commit never changes),
    # so that status reads no tree. A tree it cannot read fails that status, not this commit.
    with contextlib.suppress(errors.EmulatorError):
        git_items(state.commit_items, repo, sha, record.directory_name)


def _finish_commit(conn: sqlite3.Connection, intent: Intent, sha: str, now: float) -> None:
    """The SQLite half of a commit: new logical ids, the new head, the intent dropped."""
    assign_logical_ids(conn, intent)
    moved = records.set_sync(
        conn,
        intent.workspace_id,
        expected_head=intent.expected_head,
        head=sha,
        last_sync_time=now,
    )
    records.delete_intent(conn, intent.id)
    operations.mark_applied(conn)
    if not moved:
        raise git_errors.workspace_head_mismatch()


def assign_logical_ids(conn: sqlite3.Connection, intent: Intent) -> None:
    """Give the items an intent committed the logical ids it chose, unless they have one."""
    for object_id, logical_id in intent.logical_ids.items():
        item = items.find_item(conn, intent.workspace_id, object_id)
        if item is not None and item.logical_id is None:  # None: deleted since
            items.update_item(conn, object_id, logical_id=logical_id)


def _check_stored_sizes(
    conn: sqlite3.Connection,
    record: GitConnectionRecord,
    written: Sequence[tuple[ItemStatus[PrintedState], tuple[str, ...]]],
) -> None:
    """The limits, from the stored sizes of the workspace parts a commit would write (the
    selected files only, for a file-level selection), before any part is read. A stored part
    is at least as large as the file written from it: LF endings only shrink text, and
    references are rewritten GUID for GUID."""
    sizes: list[tuple[str, int]] = []
    for row, files in written:
        if row.object_id is not None:
            stored = items.part_sizes(conn, row.object_id)
            prefix = f"{row.display_name}.{row.item_type}/"
            sizes += [(prefix + p, n) for p, n in stored.items() if not files or p in files]
    _check_limits(record, sizes)


def _check_sizes(
    record: GitConnectionRecord,
    upserts: Sequence[ItemState],
    only_files: Mapping[str, Sequence[str]],
) -> None:
    """The limits, exactly, on the files the commit writes (of an item in ``only_files``,
    the files selected)."""
    _check_limits(
        record,
        [
            (f"{state.display_name}.{state.type}/{path}", len(content))
            for state in upserts
            for path, content in state.parts.items()
            if state.logical_id not in only_files or path in only_files[state.logical_id]
        ],
    )


def _check_limits(record: GitConnectionRecord, sizes: Sequence[tuple[str, int]]) -> None:
    """§8: 25 MB a file, 50 MB a GitHub commit or 125 MB an Azure DevOps one."""
    for path, size in sizes:
        if size > MAX_FILE_BYTES:
            raise git_errors.file_too_large(path, 25)
    limit = MAX_COMMIT_MB.get(record.provider_type, 50)
    if sum(size for _, size in sizes) > limit * 1024 * 1024:
        raise git_errors.commit_too_large(limit)
