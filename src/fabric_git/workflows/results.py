"""Frozen result objects: what a workflow did, with ids, hashes and per-item changes.

Each has ``to_json()`` giving the stable document the CLI prints with ``--output json``
(camelCase keys, like the Fabric API; documented in docs/cli.md). One module because the
results nest in one another (a sync holds a commit, an update and a status) and share those
JSON conventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BatchEntry",
    "BatchSyncResult",
    "Change",
    "CommitResult",
    "ConnectResult",
    "ConnectionResult",
    "CredentialsResult",
    "DisconnectResult",
    "FileChange",
    "InitializeResult",
    "StatusReport",
    "SyncResult",
    "UpdateResult",
    "WorkspaceRef",
]


@dataclass(frozen=True)
class WorkspaceRef:
    id: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class FileChange:
    """One file of a changed item that differs (a status read with per-file details)."""

    path: str
    workspace_change: str | None
    remote_change: str | None
    conflict_type: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "workspaceChange": self.workspace_change,
            "remoteChange": self.remote_change,
            "conflictType": self.conflict_type,
        }


@dataclass(frozen=True)
class Change:
    """One item that differs between the workspace and Git (from Get Status). ``files`` holds
    its changed files when they were asked for (else None); in a file-level commit, the files
    chosen."""

    display_name: str
    item_type: str
    object_id: str | None
    logical_id: str | None
    workspace_change: str | None
    remote_change: str | None
    conflict_type: str
    files: tuple[FileChange, ...] | None = None

    @property
    def name(self) -> str:
        """``Name.Type``, the way the repository names item directories."""
        return f"{self.display_name}.{self.item_type}"

    @property
    def is_conflict(self) -> bool:
        return self.conflict_type == "Conflict"

    @property
    def is_incoming(self) -> bool:
        return self.remote_change is not None

    @property
    def is_outgoing(self) -> bool:
        return self.workspace_change is not None

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "displayName": self.display_name,
            "itemType": self.item_type,
            "objectId": self.object_id,
            "logicalId": self.logical_id,
            "workspaceChange": self.workspace_change,
            "remoteChange": self.remote_change,
            "conflictType": self.conflict_type,
        }
        if self.files is not None:
            found["files"] = [f.to_json() for f in self.files]
        return found


def _changes(changes: tuple[Change, ...]) -> list[dict[str, Any]]:
    return [change.to_json() for change in changes]


@dataclass(frozen=True)
class StatusReport:
    workspace: WorkspaceRef
    workspace_head: str | None
    remote_commit_hash: str | None
    changes: tuple[Change, ...]

    @property
    def incoming(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.is_incoming)

    @property
    def outgoing(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.is_outgoing)

    @property
    def conflicts(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.is_conflict)

    @property
    def remote_moved(self) -> bool:
        """The branch has commits the workspace has not been updated to."""
        return self.remote_commit_hash is not None and self.remote_commit_hash != (
            self.workspace_head
        )

    @property
    def in_sync(self) -> bool:
        """No item differs. A branch that moved only outside the workspace's directory (other
        workspaces sharing it) leaves nothing to apply: in sync, as sync and update see it."""
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "workspaceHead": self.workspace_head,
            "remoteCommitHash": self.remote_commit_hash,
            "inSync": self.in_sync,
            "summary": {
                "incoming": len(self.incoming),
                "outgoing": len(self.outgoing),
                "conflicts": len(self.conflicts),
            },
            "changes": _changes(self.changes),
        }


@dataclass(frozen=True)
class ConnectResult:
    workspace: WorkspaceRef
    provider: str
    connected: bool
    reconnected: bool = False
    connection_id: str | None = None

    @property
    def noop(self) -> bool:
        return not self.connected and not self.reconnected

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "provider": self.provider,
            "connected": self.connected,
            "reconnected": self.reconnected,
            "noop": self.noop,
            "connectionId": self.connection_id,
        }


@dataclass(frozen=True)
class DisconnectResult:
    workspace: WorkspaceRef
    provider: str | None
    disconnected: bool

    @property
    def noop(self) -> bool:
        return not self.disconnected

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "provider": self.provider,
            "disconnected": self.disconnected,
            "noop": self.noop,
        }


@dataclass(frozen=True)
class InitializeResult:
    workspace: WorkspaceRef
    strategy: str | None
    required_action: str
    workspace_head: str | None
    remote_commit_hash: str | None
    # The connection was initialized already: nothing was done.
    noop: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "strategy": self.strategy,
            "noop": self.noop,
            "requiredAction": self.required_action,
            "workspaceHead": self.workspace_head,
            "remoteCommitHash": self.remote_commit_hash,
        }


@dataclass(frozen=True)
class SyncResult:
    """``actions`` lists what ran (or would run, on a dry run), in order."""

    workspace: WorkspaceRef
    dry_run: bool
    actions: tuple[str, ...]
    required_action: str | None = None
    changes: tuple[Change, ...] = ()
    status: StatusReport | None = None
    notes: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        return not self.actions

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "dryRun": self.dry_run,
            "noop": self.noop,
            "actions": list(self.actions),
            "requiredAction": self.required_action,
            "changes": _changes(self.changes),
            "notes": list(self.notes),
            "status": self.status.to_json() if self.status else None,
        }


@dataclass(frozen=True)
class UpdateResult:
    workspace: WorkspaceRef
    dry_run: bool
    noop: bool
    from_head: str | None
    to_head: str | None
    conflict_policy: str | None
    allow_override_items: bool
    changes: tuple[Change, ...]
    conflicts: tuple[Change, ...]
    status: StatusReport
    blocked_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "dryRun": self.dry_run,
            "noop": self.noop,
            "action": "None" if self.noop else "UpdateFromGit",
            "blockedBy": self.blocked_by,
            "fromHead": self.from_head,
            "toHead": self.to_head,
            "conflictPolicy": self.conflict_policy,
            "allowOverrideItems": self.allow_override_items,
            "changes": _changes(self.changes),
            "conflicts": _changes(self.conflicts),
            "status": self.status.to_json(),
        }


@dataclass(frozen=True)
class CommitResult:
    workspace: WorkspaceRef
    dry_run: bool
    mode: str
    comment: str | None
    items: tuple[Change, ...]
    previous_head: str | None
    new_head: str | None
    status: StatusReport
    # Selectors that named workspace items without changes: nothing to commit for them.
    unchanged: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        return not self.items

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "dryRun": self.dry_run,
            "noop": self.noop,
            "action": "None" if self.noop else "CommitToGit",
            "mode": self.mode,
            "comment": self.comment,
            "items": _changes(self.items),
            "previousHead": self.previous_head,
            "newHead": self.new_head,
            "unchanged": list(self.unchanged),
            "status": self.status.to_json(),
        }


_AZURE_DEVOPS = "azuredevopssourcecontrol"  # api.connections' type, casefolded (not imported)


@dataclass(frozen=True)
class ConnectionResult:
    """A Fabric connection that was created or reused (never carries its secret). ``id`` is
    None only on a dry run, for a connection that would be created."""

    id: str | None
    display_name: str | None
    connection_type: str
    path: str | None
    created: bool
    # A reused connection whose stored key was replaced by the token given this time.
    key_updated: bool = False
    # How a reused connection was found: "name", or "url" (its scope is the repository).
    found_by: str | None = None
    # A token was given, but the reused connection kept its own key (no rotation asked for).
    token_unused: bool = False
    # What of a reused connection is not what was asked: (field, existing, asked) triples.
    differs: tuple[tuple[str, str | None, str | None], ...] = ()

    def describe(self, *, dry_run: bool = False) -> str:
        """One line: which connection, and what became of its key (a GitHub connection's
        token; an Azure DevOps one's service principal client secret)."""
        name = f"{self.display_name} ({self.id})" if self.id else str(self.display_name)
        verb = "Would create" if dry_run else "Created"
        if self.connection_type.casefold() == _AZURE_DEVOPS:
            if self.created:
                return f"{verb} connection {name} with the service principal's client secret."
            return f"Using connection {name}; its client secret is unchanged."
        if self.created:
            return f"{verb} connection {name} with the given token as its key."
        how = " (found by repository URL)" if self.found_by == "url" else ""
        if self.key_updated:
            key = "would store" if dry_run else "stored"
            return f"Using connection {name}{how}; {key} the given token as its key."
        text = f"Using connection {name}{how}; its key is unchanged"
        if self.token_unused:
            text += " (the given token was not stored: --rotate-pat replaces the key)"
        return text + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "type": self.connection_type,
            "path": self.path,
            "created": self.created,
            "keyUpdated": self.key_updated,
            "differs": differs_json(self.differs),
        }


def differs_json(differs: tuple[tuple[str, str | None, str | None], ...]) -> dict[str, Any]:
    """``{"path": {"existing": ..., "asked": ...}}``: what of a reused connection differs."""
    return {name: {"existing": existing, "asked": asked} for name, existing, asked in differs}


@dataclass(frozen=True)
class CredentialsResult:
    workspace: WorkspaceRef
    source: str
    connection_id: str | None
    changed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "source": self.source,
            "connectionId": self.connection_id,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class BatchEntry:
    """One workspace of a multi-workspace sync: its result, or the error that stopped it."""

    workspace: str
    result: SyncResult | None = None
    error: BaseException | None = field(default=None, compare=False)
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BatchSyncResult:
    entries: tuple[BatchEntry, ...]

    @property
    def failed(self) -> tuple[BatchEntry, ...]:
        return tuple(e for e in self.entries if not e.ok)

    @property
    def succeeded(self) -> tuple[BatchEntry, ...]:
        return tuple(e for e in self.entries if e.ok)
