"""One step that sets up a connected workspace's Git credentials for a principal: the connection
(a GitHub PAT connection, or an Azure DevOps connection holding a service principal's
credentials) created or reused, shared with the principal that will run the pipeline, and, when
run as that principal, its Git credentials pointed at it.

A connection that exists is reused as it is: its secret changes only when asked (``rotate_pat``
for a GitHub PAT), never silently; an Azure DevOps connection's credentials are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.api.connections import AZURE_DEVOPS_CONNECTION_TYPE
from fabric_git.errors import ApiError, ConfigurationError, ResolutionError
from fabric_git.models.git import AzureDevOpsDetails, GitConnectionState
from fabric_git.workflows.connection import connection_state
from fabric_git.workflows.credentials import (
    ensure_github_connection,
    github_url_of,
    reuse_differences,
    set_credentials,
)
from fabric_git.workflows.errors import (
    ConnectionNotSharedError,
    ConnectionScopeError,
    NotConnectedError,
)
from fabric_git.workflows.results import ConnectionResult, CredentialsResult, WorkspaceRef
from fabric_git.workflows.status import resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient

__all__ = ["AzureServicePrincipal", "PrincipalSetupResult", "setup_principal"]


@dataclass(frozen=True)
class AzureServicePrincipal:
    """What an Azure DevOps connection holds for a service principal (the secret never shown)."""

    tenant_id: str
    client_id: str
    client_secret: str | None = None

    def __repr__(self) -> str:
        return f"AzureServicePrincipal(tenant_id={self.tenant_id!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class PrincipalSetupResult:
    workspace: WorkspaceRef
    connection: ConnectionResult
    principal_id: str | None
    # "owner" (the signed-in principal made or owns it), "added" (shared now), or "present"
    # (the principal could use it already).
    shared: str
    credentials: CredentialsResult | None
    notes: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        return (
            not self.connection.created
            and not self.connection.key_updated
            and self.shared != "added"
            and not (self.credentials is not None and self.credentials.changed)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "connection": self.connection.to_json(),
            "principalId": self.principal_id,
            "shared": self.shared,
            "credentials": self.credentials.to_json() if self.credentials else None,
            "noop": self.noop,
            "notes": list(self.notes),
        }


def _azure_devops_url(details: AzureDevOpsDetails) -> str:
    return (
        f"https://dev.azure.com/{details.organization_name}/{details.project_name}/_git/"
        f"{details.repository_name}"
    )


def setup_principal(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    *,
    connection_name: str,
    principal_id: str | None = None,
    principal_type: str = "ServicePrincipal",
    github_pat: str | None = None,
    rotate_pat: bool = False,
    azure: AzureServicePrincipal | None = None,
) -> PrincipalSetupResult:
    """Set up the workspace's Git credentials for ``principal_id`` (default: the signed-in
    principal). The workspace must be connected (its repository says which connection kind)."""
    from fabric_git.workflows.signed_in import signed_in

    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    current = client.git.get_connection(ws.id)
    details = current.git_provider_details
    if connection_state(current) == GitConnectionState.NOT_CONNECTED or details is None:
        raise NotConnectedError(
            f"workspace {ws.name} ({ws.id}) is not connected to Git: connect it first, then set "
            "up its credentials",
            workspace_id=ws.id,
        )
    me = signed_in(client)
    try:
        if isinstance(details, AzureDevOpsDetails):
            connection = _ensure_azure_devops(
                client, connection_name, _azure_devops_url(details), azure
            )
        else:
            connection = ensure_github_connection(
                client,
                display_name=connection_name,
                repository_url=github_url_of(details),
                token=github_pat,
                rotate_key=rotate_pat,
            )
    except ApiError as error:
        # Not listed to us, yet the name is taken: a connection nobody shared with us.
        if error.error_code != "DuplicateConnectionName":
            raise
        raise ConnectionNotSharedError(
            f"a connection named {connection_name!r} exists, but it is not shared with you: "
            f"its owner shares it (`fabric-git credentials setup -w {ws.name!r} "
            f"--connection-name {connection_name!r} {me.options}`), then "
            "run this again",
            workspace_id=ws.id,
        ) from None
    assert connection.id is not None
    target = principal_id or me.id
    notes: list[str] = []
    if target is not None and target != me.id:
        shared = _share(client, connection.id, target, principal_type)
    else:
        shared = "owner" if connection.created else _own_standing(client, connection.id, me.id)
    credentials: CredentialsResult | None = None
    if target is not None and target == me.id:
        credentials = set_credentials(
            client, ws, source="ConfiguredConnection", connection=connection.id
        )
    else:
        notes.append(
            "the principal's own Git credentials are set when it runs this (or `fabric-git "
            f"credentials set --source configured-connection --connection {connection.id}`)"
        )
    return PrincipalSetupResult(ws, connection, target, shared, credentials, tuple(notes))


def _ensure_azure_devops(
    client: FabricClient, name: str, url: str, azure: AzureServicePrincipal | None
) -> ConnectionResult:
    """The Azure DevOps connection of that name, reused unchanged, or created."""
    try:
        existing = client.resolve_connection(name)
    except ResolutionError as error:
        if error.code != "NotFound":
            raise
        existing = None
    if existing is not None:
        kind = existing.connection_details.type
        if kind.casefold() != AZURE_DEVOPS_CONNECTION_TYPE.casefold():
            raise ConnectionScopeError(
                f"connection {name!r} ({existing.id}) is a {kind} connection, not an Azure DevOps "
                "one, so it cannot serve an Azure DevOps repository; give the Azure DevOps "
                "connection another name; nothing was changed"
            )
        path = existing.connection_details.path
        differs = reuse_differences(existing, connection_type=kind, path=url)
        if differs and path and "/_git/" in path:  # another repository: it can never serve this
            raise ConnectionScopeError(
                f"connection {name!r} ({existing.id}) is scoped to {path}, not to the "
                f"workspace's repository {url}; give this repository's connection another name; "
                "nothing was changed"
            )
        return ConnectionResult(
            id=existing.id,
            display_name=existing.display_name,
            connection_type=kind,
            path=path,
            created=False,
            found_by="name",
            # A broader scope (the organization, say) is reused as it is, and said.
            differs=differs,
        )
    if azure is None or not azure.client_secret:
        raise ConfigurationError(
            f"no connection named {name!r} exists (or is shared with you), and no service "
            "principal (tenant id, client id and secret) was given to create it"
        )
    created = client.connections.create_azure_devops(
        name,
        url,
        tenant_id=azure.tenant_id,
        client_id=azure.client_id,
        client_secret=azure.client_secret,
    )
    return ConnectionResult(
        id=created.id,
        display_name=created.display_name,
        connection_type=created.connection_details.type,
        path=created.connection_details.path,
        created=True,
    )


def _own_standing(client: FabricClient, connection_id: str, me: str | None) -> str:
    """``owner`` when the signed-in principal owns the connection, else ``present`` (it may
    use it: it was shared with it, directly or through a group)."""
    for assignment in client.connections.list_role_assignments(connection_id):
        if me is not None and me.casefold() == assignment.principal.id.casefold():
            return "owner" if str(assignment.role) == "Owner" else "present"
    return "present"


def _share(client: FabricClient, connection_id: str, principal_id: str, kind: str) -> str:
    """Let the principal use the connection; a role it has already is left as it is."""
    wanted = principal_id.casefold()
    for assignment in client.connections.list_role_assignments(connection_id):
        if wanted in (assignment.id.casefold(), assignment.principal.id.casefold()):
            return "present"
    client.connections.add_role_assignment(connection_id, principal_id, kind, "User")
    return "added"
