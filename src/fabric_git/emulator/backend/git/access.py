"""Access rules every Git operation applies: the caller's role, the workspace's capacity and
connection, the caller's Git credentials, and the hosted repository and branch a connection
names."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import connections, git_errors
from fabric_git.emulator.backend.connections import SecretSealer
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.outbound import check_outbound
from fabric_git.emulator.backend.git.records import Credentials, GitConnectionRecord
from fabric_git.emulator.backend.workspaces import WorkspaceRecord, require_role
from fabric_git.emulator.gitrepo.repos import HostedRepo, InvalidRepoKey, RepoKey, RepositoryHost

__all__ = [
    "ADMIN",
    "RepoAccess",
    "ServicePrincipalAccess",
    "AZURE_DEVOPS",
    "CONTRIBUTOR",
    "GITHUB",
    "accepts",
    "check_access",
    "check_connection_scope",
    "connected",
    "connection_access",
    "default_credentials",
    "directory_problem",
    "has_item_directories",
    "key_segments",
    "normalise_directory",
    "open_branch",
    "repo_key",
    "require_capacity",
    "require_connection",
    "require_workspace",
    "resolve_credentials",
    "url_scope",
]

CONTRIBUTOR = "Contributor"
ADMIN = "Admin"
GITHUB = "GitHub"
AZURE_DEVOPS = "AzureDevOps"
_FORBIDDEN_DIRECTORY_CHARS = frozenset('"/:<>\\*?|')


# --- the workspace and its connection -----------------------------------------------------


def require_workspace(
    conn: sqlite3.Connection, workspace_id: str, principal: Principal, role: str
) -> WorkspaceRecord:
    return require_role(conn, workspace_id, principal, role)


def require_capacity(workspace: WorkspaceRecord) -> None:
    if not workspace.capacity_id:
        raise git_errors.workspace_has_no_capacity()


def require_connection(conn: sqlite3.Connection, workspace_id: str) -> GitConnectionRecord:
    record = records.get_connection(conn, workspace_id)
    if record is None:
        raise git_errors.workspace_not_connected()
    return record


def connected(
    conn: sqlite3.Connection,
    sealer: SecretSealer,
    principal: Principal,
    workspace_id: str,
    role: str,
    *,
    initialized: bool = True,
    head: str | None = None,
) -> tuple[GitConnectionRecord, RepoAccess]:
    """The workspace's connection after the role, capacity, state and credential checks, and
    the PAT the caller's credentials give. ``head``, the ``workspaceHead`` a caller gave, must
    be the workspace's head."""
    workspace = require_workspace(conn, workspace_id, principal, role)
    require_capacity(workspace)
    record = require_connection(conn, workspace_id)
    check_outbound(conn, workspace_id)
    if initialized and record.state != records.INITIALIZED:
        raise git_errors.connection_not_initialized()
    credentials = records.get_credentials(conn, workspace_id, principal.id)
    pat = resolve_credentials(conn, sealer, record, principal, credentials)
    if head is not None and head != record.workspace_head:
        raise git_errors.workspace_head_mismatch()
    return record, pat


# --- directories --------------------------------------------------------------------------


def normalise_directory(directory: str) -> str:
    """The connected directory as a repo-relative path ("" = root); "/a/b/" and "a/b" agree."""
    return directory.strip("/")


def directory_problem(directory: str) -> str | None:
    """Why a directory name breaks Fabric's directory-name rules, or None."""
    path = normalise_directory(directory)
    if not path:
        return None
    for segment in path.split("/"):
        if not segment:
            return "The directory name has an empty path segment."
        if segment in (".", ".."):
            return f"A directory name can't have a '{segment}' path segment."
        if segment[0] in " \t" or segment[-1] in " \t":
            return "A directory name can't begin or end with a space or tab."
        bad = sorted(set(segment) & _FORBIDDEN_DIRECTORY_CHARS)
        if bad:
            return f"A directory name can't contain {' '.join(bad)}."
    return None


def has_item_directories(files: Mapping[str, bytes]) -> bool:
    return any(path.rsplit("/", 1)[-1] in (".platform", "item.metadata.json") for path in files)


# --- the repository -----------------------------------------------------------------------

# The request field that gives each part of a repository key.
_KEY_FIELDS = {
    "owner": "ownerName",
    "organization": "organizationName",
    "project": "projectName",
    "repository name": "repositoryName",
}


def repo_key(record: GitConnectionRecord) -> RepoKey:
    """The hosted repository a connection names; a name no provider could host is a missing
    repository (``GitProviderResourceNotFound`` naming the field), not a server error."""
    try:
        if record.provider_type == GITHUB:
            return RepoKey.github(record.owner_name or "", record.repository_name)
        return RepoKey.azure_devops(
            record.organization_name or "", record.project_name or "", record.repository_name
        )
    except InvalidRepoKey as error:
        field = _KEY_FIELDS.get(error.part, "repositoryName")
        value = {
            "owner": record.owner_name,
            "organization": record.organization_name,
            "project": record.project_name,
        }.get(error.part, record.repository_name)
        raise git_errors.invalid_repository_name(field, value or "", str(error)) from None


def open_branch(host: RepositoryHost, record: GitConnectionRecord) -> tuple[HostedRepo, str]:
    """The hosted repository and the tip of the connected branch."""
    repo = host.get(repo_key(record))
    if repo is None:
        raise git_errors.git_provider_resource_not_found(f"repository '{record.repository_name}'")
    tip = repo.branch_tip(record.branch_name)
    if tip is None:
        raise git_errors.git_provider_resource_not_found(f"branch '{record.branch_name}'")
    return repo, tip


@dataclass(frozen=True)
class ServicePrincipalAccess:
    """Access as a connection's service principal: Azure DevOps takes its Entra token, as
    hosted Azure DevOps repositories do over smart HTTP; GitHub takes no Entra identity."""

    client_id: str


RepoAccess = str | ServicePrincipalAccess | None
"""What reaches a repository: a PAT, a service principal, or nothing."""

# A service-principal credential that does not unseal: no repository lets it in.
_UNUSABLE = ServicePrincipalAccess("")


def accepts(repo: HostedRepo, access: RepoAccess) -> bool:
    """Whether ``repo`` lets ``access`` in, as its provider would."""
    if isinstance(access, ServicePrincipalAccess):
        return repo.key.provider == AZURE_DEVOPS and access != _UNUSABLE
    return repo.accepts_pat(access)


def check_access(repo: HostedRepo, access: RepoAccess) -> None:
    if not accepts(repo, access):
        raise git_errors.git_provider_authentication_failed()


# --- credentials --------------------------------------------------------------------------


def default_credentials(record: GitConnectionRecord, principal: Principal) -> Credentials:
    """Credentials of a principal who never set any: Automatic only where Fabric allows it."""
    if record.provider_type == AZURE_DEVOPS and principal.type == "User":
        return Credentials("Automatic")
    return Credentials("None")


def check_connection_scope(
    conn: sqlite3.Connection,
    sealer: SecretSealer,
    principal: Principal,
    connection_id: str,
    record: GitConnectionRecord,
) -> RepoAccess:
    """The access (a PAT, or a service principal) a connection gives to ``record``'s
    repository; raises when it cannot be used for it.

    The caller must hold a role on the connection (Fabric: "for configured connection Git
    credentials, the caller must have permission for the connection"): checked here, so on
    connect, on each credentials update and on every operation that resolves credentials, and
    a role removed later stops the credentials working (``ConnectionNotFound``)."""
    connection = connections.require_connection(conn, connection_id, principal)
    kind = connection.type.lower().replace(" ", "")
    wanted = "github" if record.provider_type == GITHUB else "azuredevops"
    if wanted not in kind:
        raise git_errors.connection_mismatch(
            f"The connection is of type {connection.type}, which cannot be used for a "
            f"{record.provider_type} repository."
        )
    if connection.url and not _url_names_repository(connection.url, record):
        raise git_errors.connection_mismatch(
            "The connection is scoped to another repository than the one connected."
        )
    access = connection_access(conn, sealer, connection)
    if access == _UNUSABLE:
        raise git_errors.git_provider_authentication_failed()
    return access


def connection_access(
    conn: sqlite3.Connection, sealer: SecretSealer, connection: connections.ConnectionRecord
) -> RepoAccess:
    """What a connection's credential presents to a repository: its PAT (a ``Key``), its
    service principal, or nothing."""
    secret = connections.get_connection_secret(conn, connection.id, sealer)
    if connection.credential_type == connections.SERVICE_PRINCIPAL:
        sp = connections.ServicePrincipalCredential.unsealed(secret or "")
        return _UNUSABLE if sp is None else ServicePrincipalAccess(sp.client_id)
    return secret


def url_scope(url: str, provider: str) -> list[str]:
    """The lower-cased repository-key segments a connection URL names, outermost first:
    ``https://github.com/OWNER/REPO`` gives [owner, repo], an Azure DevOps
    ``https://dev.azure.com/ORG/PROJECT/_git/REPO`` [org, project, repo]. A URL naming only an
    owner or organization names fewer: the connection reaches all of their repositories."""
    segments = [s.lower() for s in urlsplit(url).path.split("/") if s]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][:-4]
    if provider == AZURE_DEVOPS and "_git" in segments:
        segments.remove("_git")
    return segments


def key_segments(key: RepoKey) -> list[str]:
    """A hosted repository's key in :func:`url_scope`'s form."""
    parts = [key.owner, key.name] if key.project is None else [key.owner, key.project, key.name]
    return [p.lower() for p in parts]


def _url_names_repository(url: str, record: GitConnectionRecord) -> bool:
    """Whether a connection URL names the connected repository (see :func:`url_scope`)."""
    if record.provider_type == GITHUB:
        wanted = [record.owner_name or "", record.repository_name]
    else:
        wanted = [record.organization_name or "", record.project_name or ""]
        wanted.append(record.repository_name)
    given = url_scope(url, record.provider_type)
    return given == [w.lower() for w in wanted][: len(given)] and bool(given)


def resolve_credentials(
    conn: sqlite3.Connection,
    sealer: SecretSealer,
    record: GitConnectionRecord,
    principal: Principal,
    credentials: Credentials | None,
) -> RepoAccess:
    """The PAT the caller's credentials give for the repository (None: no PAT)."""
    credentials = credentials or default_credentials(record, principal)
    if credentials.source == "None":
        raise git_errors.git_credentials_not_configured()
    if credentials.source == "Automatic":
        if principal.type != "User" or record.provider_type == GITHUB:
            raise errors.principal_type_not_supported()
        return None
    return check_connection_scope(conn, sealer, principal, credentials.connection_id or "", record)
