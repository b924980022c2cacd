"""Get Connection, Connect and Disconnect."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import (
    ADMIN,
    CONTRIBUTOR,
    check_access,
    directory_problem,
    has_item_directories,
    normalise_directory,
    open_branch,
    require_capacity,
    require_connection,
    require_workspace,
    resolve_credentials,
)
from fabric_git.emulator.backend.git.records import Credentials, GitConnectionRecord

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = [
    "ConnectRequest",
    "ProviderDetails",
    "check_connect",
    "connect",
    "disconnect",
    "get_connection",
]


@dataclass(frozen=True, kw_only=True)
class ProviderDetails:
    """Where the workspace connects: a GitHub ``owner/repository`` (maybe on a custom domain)
    or an Azure DevOps ``organization/project/repository``, a branch and a directory."""

    provider_type: str  # "GitHub" | "AzureDevOps"
    owner_name: str | None = None
    organization_name: str | None = None
    project_name: str | None = None
    custom_domain_name: str | None = None
    repository_name: str
    branch_name: str
    directory_name: str


@dataclass(frozen=True)
class ConnectRequest:
    details: ProviderDetails
    # The spec's default is Automatic, which Fabric refuses for GitHub and for service
    # principals (PrincipalTypeNotSupported).
    credentials: Credentials = Credentials("Automatic")


def get_connection(
    state: EmulatorState, principal: Principal, workspace_id: str
) -> GitConnectionRecord | None:
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        return records.get_connection(conn, workspace_id)


def _may_connect(conn: sqlite3.Connection, principal: Principal, workspace_id: str) -> None:
    workspace = require_workspace(conn, workspace_id, principal, ADMIN)
    require_capacity(workspace)
    if records.get_connection(conn, workspace_id) is not None:
        raise git_errors.workspace_already_connected()


def check_connect(state: EmulatorState, principal: Principal, workspace_id: str) -> None:
    """Whether the caller may connect the workspace at all: checked before the request's
    details are (a caller without the role learns nothing from the body)."""
    with state.store.read() as conn:
        _may_connect(conn, principal, workspace_id)


def connect(
    state: EmulatorState, principal: Principal, workspace_id: str, request: ConnectRequest
) -> None:
    details = request.details
    with state.store.write() as conn:
        _may_connect(conn, principal, workspace_id)
        problem = directory_problem(details.directory_name)
        if problem is not None:
            raise git_errors.invalid_directory(problem)
        record = GitConnectionRecord(
            workspace_id=workspace_id,
            provider_type=details.provider_type,
            owner_name=details.owner_name,
            organization_name=details.organization_name,
            project_name=details.project_name,
            custom_domain_name=details.custom_domain_name,
            repository_name=details.repository_name,
            branch_name=details.branch_name,
            directory_name=details.directory_name,
            state=records.CONNECTED,
        )
        pat = resolve_credentials(conn, state.sealer, record, principal, request.credentials)
        repo, tip = open_branch(state.repos, record)
        check_access(repo, pat)
        root = normalise_directory(record.directory_name)
        files = repo.tree_files(tip, root)  # only the paths are looked at
        nested = any("/" in path[len(root) :].lstrip("/") for path in files)
        if nested and not has_item_directories(files):
            raise git_errors.directory_without_items()
        records.insert_connection(conn, record)
        records.put_credentials(conn, workspace_id, principal.id, request.credentials)


def disconnect(state: EmulatorState, principal: Principal, workspace_id: str) -> None:
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, ADMIN)
        require_connection(conn, workspace_id)
        # Items keep their logical ids: a reconnect matches them again.
        records.delete_connection(conn, workspace_id)
