"""Start-up recovery: repair what a crash left between a commit's ref update and SQLite."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from fabric_git.emulator import errors, operations
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import normalise_directory, open_branch
from fabric_git.emulator.backend.git.commit import assign_logical_ids
from fabric_git.emulator.backend.git.records import GitConnectionRecord, Intent
from fabric_git.repoformat.model import LayoutError

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["reconcile"]

log = logging.getLogger("fabric_git.emulator.git")


def reconcile(state: EmulatorState) -> int:
    """Start-up repair after a crash; returns how many commit intents were handled.

    First the hosted repositories drop what a killed writer left (stale ref locks, which would
    refuse every later commit of the branch, the temporary files of unfinished packs, and
    half-created repositories). Then each commit
    a crash cut short is finished or dropped: a commit whose branch tip holds exactly the
    intended files is finished (new head, new logical ids). Otherwise the ref never moved (or
    moved for another reason): the intent is dropped, and the new items keep the logical ids
    the commit would have given them, which is harmless whether or not Git has them.
    """
    for key, leftovers in state.repos.recover().items():
        log.warning("repository %s: removed crash leftovers %s", key, ", ".join(leftovers))
    with state.store.read() as conn:
        intents = records.list_intents(conn)
    for intent in intents:
        with state.store.write() as conn:
            record = records.get_connection(conn, intent.workspace_id)
            finished_at = _finished_commit(state, record, intent) if record else None
            assign_logical_ids(conn, intent)
            if finished_at is not None and record is not None:
                if record.workspace_head == intent.expected_head:
                    records.set_sync(
                        conn,
                        intent.workspace_id,
                        expected_head=intent.expected_head,
                        head=finished_at,
                        last_sync_time=state.clock.now(),
                    )
                # The commit's work is applied: its operation reports Succeeded.
                operations.mark_applied(conn, intent.id)
            records.delete_intent(conn, intent.id)
        log.info("git intent %s: %s", intent.id, "finished" if finished_at else "dropped")
    return len(intents)


def _finished_commit(
    state: EmulatorState, record: GitConnectionRecord, intent: Intent
) -> str | None:
    """The branch tip when it holds exactly the files the intent wrote, else None."""
    try:
        repo, tip = open_branch(state.repos, record)
    except errors.EmulatorError:
        return None
    if tip == intent.expected_tip:
        return None
    if intent.expected_tip is not None and not repo.is_ancestor(intent.expected_tip, tip):
        return None
    # Only the files the intent wrote are read, not the rest of the tree. A tree that cannot
    # be read, or a file larger than any a commit writes, is not the intent's.
    try:
        files = repo.tree_files(tip, normalise_directory(record.directory_name))
        for path, digest in intent.digest.items():
            content = files.get(path)
            actual = hashlib.sha256(content).hexdigest() if content is not None else None
            if actual != digest:
                return None
    except LayoutError:
        return None
    return tip
