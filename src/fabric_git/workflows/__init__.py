"""The Git automation flows as library calls: each waits on its operations and returns a frozen
result saying what was done. Workflows never print; pass ``progress`` to follow them.

Names load their module on first use, so reading a status does not import the sync machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git._lazy import lazy_attributes

if TYPE_CHECKING:
    from fabric_git.workflows.committing import commit
    from fabric_git.workflows.connection import (
        connect,
        describe_provider,
        disconnect,
        initialize,
    )
    from fabric_git.workflows.credentials import (
        connect_with_github_pat,
        ensure_github_connection,
        set_credentials,
        show_credentials,
    )
    from fabric_git.workflows.errors import (
        ConflictsNeedPolicyError,
        ConnectionMismatchError,
        NotConnectedError,
        UnknownItemsError,
        VerificationError,
        WorkflowError,
    )
    from fabric_git.workflows.events import ProgressCallback, WorkflowEvent
    from fabric_git.workflows.feature import (
        FeatureDownResult,
        FeatureError,
        FeatureList,
        FeatureUpResult,
        FeatureWorkspace,
        feature_down,
        feature_up,
        list_features,
    )
    from fabric_git.workflows.results import (
        BatchEntry,
        BatchSyncResult,
        Change,
        CommitResult,
        ConnectionResult,
        ConnectResult,
        CredentialsResult,
        DisconnectResult,
        InitializeResult,
        StatusReport,
        SyncResult,
        UpdateResult,
        WorkspaceRef,
    )
    from fabric_git.workflows.status import read_status, resolve_workspace
    from fabric_git.workflows.syncing import DEFAULT_CONCURRENCY, SyncOptions, sync, sync_many
    from fabric_git.workflows.updating import update

# Submodule -> the public names it defines.
_SUBMODULE_NAMES: dict[str, tuple[str, ...]] = {
    "committing": ("commit",),
    "connection": ("connect", "describe_provider", "disconnect", "initialize"),
    "credentials": (
        "connect_with_github_pat",
        "ensure_github_connection",
        "set_credentials",
        "show_credentials",
    ),
    "errors": (
        "ConflictsNeedPolicyError",
        "ConnectionMismatchError",
        "NotConnectedError",
        "UnknownItemsError",
        "VerificationError",
        "WorkflowError",
    ),
    "events": ("ProgressCallback", "WorkflowEvent"),
    "feature": (
        "FeatureDownResult",
        "FeatureError",
        "FeatureList",
        "FeatureUpResult",
        "FeatureWorkspace",
        "feature_down",
        "feature_up",
        "list_features",
    ),
    "results": (
        "BatchEntry",
        "BatchSyncResult",
        "Change",
        "CommitResult",
        "ConnectResult",
        "ConnectionResult",
        "CredentialsResult",
        "DisconnectResult",
        "InitializeResult",
        "StatusReport",
        "SyncResult",
        "UpdateResult",
        "WorkspaceRef",
    ),
    "status": ("read_status", "resolve_workspace"),
    "syncing": ("DEFAULT_CONCURRENCY", "SyncOptions", "sync", "sync_many"),
    "updating": ("update",),
}
_EXPORTS: dict[str, str] = {
    name: f"{__name__}.{module}" for module, names in _SUBMODULE_NAMES.items() for name in names
}


__all__ = [
    "DEFAULT_CONCURRENCY",
    "BatchEntry",
    "BatchSyncResult",
    "Change",
    "CommitResult",
    "ConflictsNeedPolicyError",
    "ConnectResult",
    "ConnectionMismatchError",
    "ConnectionResult",
    "CredentialsResult",
    "DisconnectResult",
    "FeatureDownResult",
    "FeatureError",
    "FeatureList",
    "FeatureUpResult",
    "FeatureWorkspace",
    "InitializeResult",
    "NotConnectedError",
    "ProgressCallback",
    "StatusReport",
    "SyncOptions",
    "SyncResult",
    "UnknownItemsError",
    "UpdateResult",
    "VerificationError",
    "WorkflowError",
    "WorkflowEvent",
    "WorkspaceRef",
    "commit",
    "connect",
    "connect_with_github_pat",
    "describe_provider",
    "disconnect",
    "ensure_github_connection",
    "feature_down",
    "feature_up",
    "initialize",
    "list_features",
    "read_status",
    "resolve_workspace",
    "set_credentials",
    "show_credentials",
    "sync",
    "sync_many",
    "update",
]

__getattr__, __dir__ = lazy_attributes(__name__, _EXPORTS, __all__)
