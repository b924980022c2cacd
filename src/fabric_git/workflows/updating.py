"""Update a workspace from Git: read status, settle conflicts by policy, update, verify."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.models.git import ConflictResolutionPolicy, WorkspaceConflictResolution
from fabric_git.workflows.errors import (
    ConflictsNeedPolicyError,
    VerificationError,
)
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.results import StatusReport, UpdateResult, WorkspaceRef
from fabric_git.workflows.status import read_status, resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient

__all__ = [
    "CONFLICT_POLICIES",
    "OVERRIDE_BLOCK",
    "normalize_policy",
    "overridden",
    "update",
    "update_from_status",
]

CONFLICT_POLICIES = {
    "prefer-remote": ConflictResolutionPolicy.PREFER_REMOTE,
    "preferremote": ConflictResolutionPolicy.PREFER_REMOTE,
    "remote": ConflictResolutionPolicy.PREFER_REMOTE,
    "prefer-workspace": ConflictResolutionPolicy.PREFER_WORKSPACE,
    "preferworkspace": ConflictResolutionPolicy.PREFER_WORKSPACE,
    "workspace": ConflictResolutionPolicy.PREFER_WORKSPACE,
}


def normalize_policy(policy: str | None) -> ConflictResolutionPolicy | None:
    """``prefer-remote``/``PreferRemote``/``remote`` (and the workspace twins) to the enum."""
    if policy is None:
        return None
    try:
        return CONFLICT_POLICIES[policy.strip().casefold()]
    except KeyError:
        from fabric_git.errors import ConfigurationError

        raise ConfigurationError(
            f"unknown conflict policy {policy!r}; use prefer-remote or prefer-workspace"
        ) from None


OVERRIDE_BLOCK = "OverrideItemsNotAllowed"


def overridden(status: StatusReport) -> tuple[str, ...]:
    """Incoming items (added in Git) that would replace a workspace item of the same name and
    type that Git does not know: the update needs ``allowOverrideItems`` for them."""
    local = {
        (c.display_name, c.item_type.casefold())
        for c in status.changes
        if c.workspace_change == "Added" and c.remote_change is None
    }
    return tuple(
        c.name
        for c in status.changes
        if c.remote_change == "Added"
        and c.workspace_change is None
        and (c.display_name, c.item_type.casefold()) in local
    )


def update(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    *,
    conflict_policy: str | None = None,
    allow_override_items: bool = False,
    dry_run: bool = False,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> UpdateResult:
    """Bring the workspace to the branch tip.

    No item changed in Git: a reported no-op (even if the branch moved outside the workspace's
    directory). Conflicts without ``conflict_policy``:
    ``ConflictsNeedPolicyError`` (a dry run reports them in ``blocked_by`` instead).
    ``allowOverrideItems`` is sent only when ``allow_override_items`` is true.
    """
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    reporter.step("status", "Reading the Git status")
    before = read_status(client, ws, timeout=timeout, reporter=reporter, step_of="update")
    return update_from_status(
        client,
        before,
        conflict_policy=conflict_policy,
        allow_override_items=allow_override_items,
        dry_run=dry_run,
        timeout=timeout,
        reporter=reporter,
    )


def update_from_status(
    client: FabricClient,
    before: StatusReport,
    *,
    conflict_policy: str | None,
    allow_override_items: bool,
    dry_run: bool,
    timeout: float | None,
    reporter: Reporter,
) -> UpdateResult:
    """The update step once the status is known (shared with ``sync``)."""
    ws = before.workspace
    policy = normalize_policy(conflict_policy)
    incoming = before.incoming
    conflicts = before.conflicts

    def result(*, noop: bool, status: StatusReport, blocked_by: str | None = None) -> UpdateResult:
        return UpdateResult(
            workspace=ws,
            dry_run=dry_run,
            noop=noop,
            from_head=before.workspace_head,
            to_head=before.workspace_head if noop else before.remote_commit_hash,
            conflict_policy=str(policy) if policy else None,
            allow_override_items=allow_override_items,
            changes=incoming,
            conflicts=conflicts,
            status=status,
            blocked_by=blocked_by,
        )

    if not incoming:
        # Also when the branch moved only outside the workspace's directory: nothing to apply.
        reporter.step("update", "Nothing to update: no item changed in Git")
        return result(noop=True, status=before)
    if conflicts and policy is None:
        if dry_run:
            return result(noop=False, status=before, blocked_by=ConflictsNeedPolicyError.code)
        raise ConflictsNeedPolicyError(
            workspace_id=ws.id, conflicts=[c.name for c in conflicts], what="the update"
        )
    if dry_run:
        # What the service would refuse: incoming items taking over workspace items.
        blocked = None if allow_override_items or not overridden(before) else OVERRIDE_BLOCK
        return result(noop=False, status=before, blocked_by=blocked)
    target = before.remote_commit_hash
    assert target is not None  # incoming changes imply a remote commit
    reporter.step("update", f"Updating from Git to {target[:12]} ({len(incoming)} item(s))")
    client.git.update_from_git(
        ws.id,
        remote_commit_hash=target,
        workspace_head=before.workspace_head,
        conflict_resolution=(
            WorkspaceConflictResolution(conflict_resolution_policy=policy) if policy else None
        ),
        allow_override_items=True if allow_override_items else None,
        timeout=timeout,
        progress=reporter.operation("update"),
    )
    reporter.step("status", "Verifying the workspace head")
    after = read_status(
        client, ws, timeout=timeout, reporter=reporter, step_of="update", done="the update"
    )
    if after.workspace_head != target:
        raise VerificationError(
            f"after the update the workspace head is {after.workspace_head}, expected {target}",
            workspace_id=ws.id,
        )
    return result(noop=False, status=after)
