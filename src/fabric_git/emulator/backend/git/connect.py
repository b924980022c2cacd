"""Connect, disconnect, get connection, and each principal's Git credentials."""

from __future__ import annotations

from typing import Any

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.context import (
    AZURE_DEVOPS,
    GITHUB,
    check_access,
    check_connection_scope,
    default_credentials,
    directory_problem,
    has_item_directories,
    normalise_directory,
    open_branch,
    resolve_credentials,
)
from fabric_git.emulator.backend.git.records import Credentials, GitConnectionRecord
from fabric_git.emulator.ids import is_guid, iso_utc

__all__ = [
    "connect",
    "connection_body",
    "disconnect",
    "get_connection",
    "get_my_credentials",
    "require_connection",
    "require_workspace",
    "update_my_credentials",
]

CONTRIBUTOR = "Contributor"
ADMIN = "Admin"


def require_workspace(conn: Any, workspace_id: str, principal: Principal, role: str) -> Any:
    from fabric_git.emulator.backend.workspaces import require_role

    return require_role(conn, workspace_id, principal, role)


def require_capacity(workspace: Any) -> None:
    if not getattr(workspace, "capacity_id", None):
        raise git_errors.workspace_has_no_capacity()


def require_connection(conn: Any, workspace_id: str) -> GitConnectionRecord:
    record = records.get_connection(conn, workspace_id)
    if record is None:
        raise git_errors.workspace_not_connected()
    return record


# --- Get Connection ------------------------------------------------------------------------


def provider_details(record: GitConnectionRecord) -> dict[str, Any]:
    """``GitProviderDetails`` in the key order of the spec examples."""
    details: dict[str, Any] = {}
    if record.provider_type == AZURE_DEVOPS:
        details["organizationName"] = record.organization_name
        details["projectName"] = record.project_name
    else:
        details["ownerName"] = record.owner_name
    details["gitProviderType"] = record.provider_type
    details["repositoryName"] = record.repository_name
    details["branchName"] = record.branch_name
    details["directoryName"] = record.directory_name
    if record.custom_domain_name:
        details["customDomainName"] = record.custom_domain_name
    return details


def connection_body(record: GitConnectionRecord | None) -> dict[str, Any]:
    if record is None:
        return {
            "gitProviderDetails": None,
            "gitSyncDetails": None,
            "gitConnectionState": "NotConnected",
        }
    sync = None
    if record.workspace_head is not None and record.last_sync_time is not None:
        sync = {"head": record.workspace_head, "lastSyncTime": iso_utc(record.last_sync_time)}
    return {
        "gitProviderDetails": provider_details(record),
        "gitSyncDetails": sync,
        "gitConnectionState": record.state,
        "gitConnectionType": record.connection_type,
    }


def get_connection(state: Any, principal: Principal, workspace_id: str) -> dict[str, Any]:
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        return connection_body(records.get_connection(conn, workspace_id))


# --- Connect -------------------------------------------------------------------------------


def _text(
    data: dict[str, Any], field: str, max_length: int, *, required: bool = True
) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise errors.invalid_input(f"gitProviderDetails.{field}", "The field is required")
        return None
    if not isinstance(value, str):
        raise errors.invalid_input(f"gitProviderDetails.{field}", "The value must be a string")
    if len(value) > max_length:
        raise errors.invalid_input(
            f"gitProviderDetails.{field}", f"The value must be at most {max_length} characters"
        )
    if required and field != "directoryName" and not value.strip():
        raise errors.invalid_input(f"gitProviderDetails.{field}", "The value must not be empty")
    return value


def parse_provider_details(workspace_id: str, data: Any) -> GitConnectionRecord:
    if not isinstance(data, dict):
        raise errors.invalid_input("gitProviderDetails", "The field is required")
    provider = data.get("gitProviderType")
    if provider not in (GITHUB, AZURE_DEVOPS):
        raise errors.invalid_input(
            "gitProviderDetails.gitProviderType", "The value must be one of AzureDevOps, GitHub"
        )
    github = provider == GITHUB
    directory = _text(data, "directoryName", 256) or ""
    problem = directory_problem(directory)
    if problem is not None:
        raise git_errors.invalid_directory(problem)
    return GitConnectionRecord(
        workspace_id=workspace_id,
        provider_type=provider,
        owner_name=_text(data, "ownerName", 100) if github else None,
        organization_name=None if github else _text(data, "organizationName", 100),
        project_name=None if github else _text(data, "projectName", 100),
        custom_domain_name=_text(data, "customDomainName", 100, required=False) if github else None,
        repository_name=_text(data, "repositoryName", 128) or "",
        branch_name=_text(data, "branchName", 250) or "",
        directory_name=directory,
        state=records.CONNECTED,
    )


def parse_credentials(data: Any, *, field: str, allow_none: bool) -> Credentials:
    """``field`` is the body path of the credentials object ("" for the whole body)."""
    if not isinstance(data, dict):
        raise errors.invalid_input(field or "body", "The value must be an object")
    prefix = f"{field}." if field else ""
    source = data.get("source")
    allowed = (
        ("Automatic", "ConfiguredConnection", "None")
        if allow_none
        else (
            "Automatic",
            "ConfiguredConnection",
        )
    )
    if source not in allowed:
        raise errors.invalid_input(
            f"{prefix}source", f"The value must be one of {', '.join(allowed)}"
        )
    if source != "ConfiguredConnection":
        return Credentials(str(source))
    connection_id = data.get("connectionId")
    if not is_guid(connection_id):
        raise errors.invalid_input(f"{prefix}connectionId", "The value must be a GUID")
    return Credentials("ConfiguredConnection", str(connection_id).lower())


def connect(state: Any, principal: Principal, workspace_id: str, body: dict[str, Any]) -> None:
    with state.store.write() as conn:
        workspace = require_workspace(conn, workspace_id, principal, ADMIN)
        require_capacity(workspace)
        if records.get_connection(conn, workspace_id) is not None:
            raise git_errors.workspace_already_connected()
        record = parse_provider_details(workspace_id, body.get("gitProviderDetails"))
        raw_credentials = body.get("myGitCredentials")
        if raw_credentials is None:
            # The spec's default is Automatic, which Fabric blocks for GitHub and for
            # service principals (PrincipalTypeNotSupported below).
            credentials = Credentials("Automatic")
        else:
            credentials = parse_credentials(
                raw_credentials, field="myGitCredentials", allow_none=False
            )
        pat = resolve_credentials(conn, record, principal, credentials)
        repo, tip = open_branch(state.repos, record)
        check_access(repo, pat)
        root = normalise_directory(record.directory_name)
        files = repo.tree_files(tip, root)  # only the paths are looked at
        nested = any("/" in path[len(root) :].lstrip("/") for path in files)
        if nested and not has_item_directories(files):
            raise git_errors.directory_without_items()
        records.insert_connection(conn, record)
        records.put_credentials(conn, workspace_id, principal.id, credentials)


def disconnect(state: Any, principal: Principal, workspace_id: str) -> None:
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, ADMIN)
        require_connection(conn, workspace_id)
        # Items keep their logical ids: a reconnect matches them again.
        records.delete_connection(conn, workspace_id)


# --- My Git credentials --------------------------------------------------------------------


def get_my_credentials(state: Any, principal: Principal, workspace_id: str) -> dict[str, Any]:
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        record = require_connection(conn, workspace_id)
        stored = records.get_credentials(conn, workspace_id, principal.id)
        return (stored or default_credentials(record, principal)).to_body()


def update_my_credentials(
    state: Any, principal: Principal, workspace_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        record = require_connection(conn, workspace_id)
        credentials = parse_credentials(body, field="", allow_none=True)
        if credentials.source == "Automatic":
            resolve_credentials(conn, record, principal, credentials)
        elif credentials.source == "ConfiguredConnection":
            check_connection_scope(conn, credentials.connection_id or "", record)
        records.put_credentials(conn, workspace_id, principal.id, credentials)
        return credentials.to_body()
