"""Every row of the three-way status table (semantics §4), read with ``FabricClient.git``, and
what Commit and Update do in each row."""

from __future__ import annotations

import pytest

from emulator.library.library_support import Target, item_files, service_error_code
from fabric_git import ConflictResolutionPolicy, FabricGitError

V0, V1, V2 = b"# v0\n", b"# v1\n", b"# v2\n"
LID = "5f0e3c1a-7b2d-4c8e-9a6f-1d2e3f4a5b6c"
A, D, M = "Added", "Deleted", "Modified"
NB = "nb.Notebook"

# row, BASE, WS, RM, expected (workspaceChange, remoteChange, conflictType) or None when synced
ROWS = [
    (1, V0, V0, V0, None),
    (2, V0, V1, V0, (M, None, "None")),
    (3, None, V1, None, (A, None, "None")),
    (4, V0, None, V0, (D, None, "None")),
    (5, V0, V0, V1, (None, M, "None")),
    (6, None, None, V1, (None, A, "None")),
    (7, V0, V0, None, (None, D, "None")),
    (8, V0, V1, V2, (M, M, "Conflict")),
    (9, V0, V1, V1, (M, M, "SameChanges")),
    (10, None, V1, V2, (A, A, "Conflict")),
    (11, None, V1, V1, (A, A, "SameChanges")),
    (12, V0, None, V1, (D, M, "Conflict")),
    (13, V0, V1, None, (M, D, "Conflict")),
    (14, V0, None, None, (D, D, "SameChanges")),
]

Expected = tuple[str | None, str | None, str] | None


def arrange(
    target: Target, base: bytes | None, ws: bytes | None, rm: bytes | None
) -> tuple[str, str | None, str]:
    """A workspace in the given row; returns it, the workspace item (if any) and the key status
    names the item by."""
    target.repo()
    workspace = target.workspace()
    item: str | None = None
    if base is not None:
        item = target.item(workspace, "nb", base)
        target.connected(workspace)
        target.client.git.commit_to_git(workspace, comment="base")
        lid = target.logical_id(item)
    else:
        target.connected(workspace)
        lid = LID
    assert target.rows(workspace) == set()
    if rm != base:
        if rm is None:
            target.remote.push({f"{NB}/.platform": None, f"{NB}/notebook-content.py": None})
        else:
            target.remote.push(item_files(NB, lid, "nb", rm))
    if ws != base:
        if ws is None:
            assert item is not None
            target.delete(item)
        elif item is not None:
            target.edit(item, ws)
        else:
            item = target.item(workspace, "nb", ws, logical_id=lid)
    # Status names an item by logical id only when Git knows it.
    key = lid if base is not None or rm is not None else str(item)
    return workspace, item, key


@pytest.mark.parametrize(("row", "base", "ws", "rm", "expected"), ROWS)
def test_status_row(
    target: Target,
    row: int,
    base: bytes | None,
    ws: bytes | None,
    rm: bytes | None,
    expected: Expected,
) -> None:
    workspace, _, key = arrange(target, base, ws, rm)
    status = target.status(workspace)
    rows = target.rows(workspace)
    assert rows == (set() if expected is None else {(key, *expected)}), f"row {row}"
    if rm == base:
        assert status.workspace_head == status.remote_commit_hash
    else:
        assert status.remote_commit_hash == target.remote.tip() != status.workspace_head


@pytest.mark.parametrize(("row", "base", "ws", "rm", "expected"), ROWS)
def test_commit_and_update_in_each_row(
    target: Target,
    row: int,
    base: bytes | None,
    ws: bytes | None,
    rm: bytes | None,
    expected: Expected,
) -> None:
    workspace, item, _ = arrange(target, base, ws, rm)
    git = target.client.git
    status = target.status(workspace)
    remote_changed = rm != base
    workspace_changed = ws != base
    if not remote_changed and not workspace_changed:  # row 1
        with pytest.raises(FabricGitError) as refused:
            git.commit_to_git(workspace)
        assert service_error_code(refused.value) == "NoChangesToCommit"
        return
    if not remote_changed:  # rows 2-4: commit, then synced
        git.commit_to_git(workspace, workspace_head=status.workspace_head)
        after = target.status(workspace)
        assert after.changes == []
        assert after.workspace_head == after.remote_commit_hash == target.remote.tip()
        return
    # Rows 5-14: Git moved, so Commit must wait for an update.
    with pytest.raises(FabricGitError) as refused:
        git.commit_to_git(workspace, workspace_head=status.workspace_head)
    assert service_error_code(refused.value) == "WorkspaceUpdateRequired", f"row {row}"
    conflict = expected is not None and expected[2] == "Conflict"
    if conflict:
        with pytest.raises(FabricGitError) as blocked:
            git.update_from_git(
                workspace,
                remote_commit_hash=status.remote_commit_hash,
                workspace_head=status.workspace_head,
            )
        assert service_error_code(blocked.value) == "MissingWorkspaceConflictResolution"
    git.update_from_git(
        workspace,
        remote_commit_hash=status.remote_commit_hash,
        workspace_head=status.workspace_head,
        conflict_resolution=ConflictResolutionPolicy.PREFER_REMOTE if conflict else None,
    )
    after = target.status(workspace)
    assert after.workspace_head == after.remote_commit_hash == target.remote.tip()
    names = {i.display_name: i.id for i in target.client.items.list(workspace)}
    if conflict or not workspace_changed or ws == rm:
        # Git's side is applied: the item exists exactly when Git has it, with Git's content.
        assert after.changes == []
        if rm is None:
            assert "nb" not in names
        else:
            assert target.content(names["nb"]) == rm
    if item is not None and rm is not None and ws is not None:
        assert names["nb"] == item  # the same workspace item was updated in place
