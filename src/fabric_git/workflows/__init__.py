"""The Git automation flows as library calls: each waits on its operations and returns a frozen
result saying what was done. Workflows never print; pass ``progress`` to follow them."""

from fabric_git.workflows.commit import commit
from fabric_git.workflows.connection import connect, describe_provider, disconnect, initialize
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
from fabric_git.workflows.sync import DEFAULT_CONCURRENCY, SyncOptions, sync, sync_many
from fabric_git.workflows.update import update

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
    "initialize",
    "read_status",
    "resolve_workspace",
    "set_credentials",
    "show_credentials",
    "sync",
    "sync_many",
    "update",
]
