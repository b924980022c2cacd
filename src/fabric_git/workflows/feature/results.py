"""What ``feature up``, ``down`` and ``list`` report (JSON as the CLI prints it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_git.workflows.results import Change, SyncResult, WorkspaceRef

__all__ = ["FeatureDownResult", "FeatureList", "FeatureUpResult", "FeatureWorkspace"]


@dataclass(frozen=True)
class FeatureUpResult:
    base: WorkspaceRef
    workspace: WorkspaceRef
    branch: str
    created_workspace: bool
    created_branch: bool
    relation: str  # "created", "exists" or "unavailable" (the marker stands for it)
    roles_copied: tuple[str, ...]
    sync: SyncResult

    @property
    def head(self) -> str | None:
        return self.sync.status.workspace_head if self.sync.status else None

    @property
    def noop(self) -> bool:
        return not (
            self.created_workspace
            or self.created_branch
            or self.relation == "created"
            or self.roles_copied
            or self.sync.actions
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "workspace": self.workspace.to_json(),
            "branch": self.branch,
            "head": self.head,
            "noop": self.noop,
            "createdWorkspace": self.created_workspace,
            "createdBranch": self.created_branch,
            "relation": self.relation,
            "rolesCopied": list(self.roles_copied),
            "sync": self.sync.to_json(),
        }


@dataclass(frozen=True)
class FeatureDownResult:
    base: WorkspaceRef
    branch: str
    workspace: WorkspaceRef | None
    disconnected: bool = False
    deleted: bool = False
    relation_deleted: bool = False
    branch_deleted: bool = False
    discarded: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        return not (
            self.disconnected or self.deleted or self.relation_deleted or self.branch_deleted
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "branch": self.branch,
            "workspace": self.workspace.to_json() if self.workspace else None,
            "noop": self.noop,
            "disconnected": self.disconnected,
            "deleted": self.deleted,
            "relationDeleted": self.relation_deleted,
            "branchDeleted": self.branch_deleted,
            "discarded": [c.to_json() for c in self.discarded],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class FeatureWorkspace:
    workspace: WorkspaceRef
    branch: str | None
    state: str
    head: str | None
    remote_commit_hash: str | None
    in_sync: bool | None
    known_by: str  # "relation" or "marker"
    status_error: str | None = None  # why the status could not be read (in_sync is None)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "branch": self.branch,
            "connectionState": self.state,
            "head": self.head,
            "remoteCommitHash": self.remote_commit_hash,
            "inSync": self.in_sync,
            "knownBy": self.known_by,
            "statusError": self.status_error,
        }


@dataclass(frozen=True)
class FeatureList:
    base: WorkspaceRef
    features: tuple[FeatureWorkspace, ...]
    relations_available: bool
    # Related to the base, yet no feature workspace by the rule (``feature.identity``): why.
    passed_over: tuple[tuple[WorkspaceRef, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "relationsAvailable": self.relations_available,
            "features": [f.to_json() for f in self.features],
            "notFeatureWorkspaces": [
                {"workspace": ws.to_json(), "reason": why} for ws, why in self.passed_over
            ],
        }
