"""Connections: ``/connections``, including the GitHub personal-access-token connection."""

from __future__ import annotations

import builtins
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from fabric_git.api._base import (
    ApiGroup,
    identifier,
    principal,
    required,
    segment,
)
from fabric_git.errors import ConfigurationError
from fabric_git.lro import OperationPoller, ProgressCallback
from fabric_git.models.common import PrincipalType
from fabric_git.models.connections import (
    AddConnectionRoleAssignmentRequest,
    Connection,
    ConnectionCreationMetadata,
    ConnectionDetailsParameter,
    ConnectionRole,
    ConnectionRoleAssignment,
    ConnectionStatusResponse,
    ConnectivityType,
    CreateCloudConnectionRequest,
    CreateConnectionDetails,
    CreateCredentialDetails,
    DataType,
    KeyCredentials,
    ServicePrincipalCredentials,
    UpdateConnectionRoleAssignmentRequest,
    UpdateCredentialDetails,
    UpdateShareableCloudConnectionRequest,
)

__all__ = [
    "AZURE_DEVOPS_CONNECTION_TYPE",
    "AZURE_DEVOPS_CREATION_METHOD",
    "GITHUB_CONNECTION_TYPE",
    "GITHUB_CREATION_METHOD",
    "ConnectionsApi",
    "azure_devops_connection_request",
    "github_connection_request",
    "key_connection_update_request",
]

GITHUB_CONNECTION_TYPE = "GitHubSourceControl"
GITHUB_CREATION_METHOD = "GitHubSourceControl.Contents"
AZURE_DEVOPS_CONNECTION_TYPE = "AzureDevOpsSourceControl"
AZURE_DEVOPS_CREATION_METHOD = "AzureDevOpsSourceControl.Contents"


def _secret(value: str | SecretStr, what: str) -> SecretStr:
    secret = value if isinstance(value, SecretStr) else SecretStr(value)
    if not secret.get_secret_value().strip():
        raise ConfigurationError(f"The {what} is empty.")
    return secret


def azure_devops_connection_request(
    display_name: str,
    repository_url: str,
    *,
    tenant_id: str,
    client_id: str,
    client_secret: str | SecretStr,
) -> CreateCloudConnectionRequest:
    """The Create Connection body for an Azure DevOps source-control connection that holds a
    service principal's credentials, for ``repository_url``
    (``https://dev.azure.com/ORG/PROJECT/_git/REPO``). The secret stays a ``SecretStr``: it is
    revealed only when the body is serialised for the wire."""
    if not display_name or not display_name.strip():
        raise ConfigurationError("A connection needs a display name.")
    parts = urlsplit(repository_url or "")
    if parts.scheme != "https" or not parts.netloc or "/_git/" not in parts.path:
        raise ConfigurationError(
            "The repository URL must look like https://dev.azure.com/ORG/PROJECT/_git/REPO, "
            f"got {repository_url!r}."
        )
    credentials = ServicePrincipalCredentials(
        tenant_id=identifier(tenant_id, "tenant"),
        service_principal_client_id=identifier(client_id, "service principal client"),
        service_principal_secret=_secret(client_secret, "service principal secret"),
    )
    return CreateCloudConnectionRequest(
        connectivity_type=ConnectivityType.SHAREABLE_CLOUD,
        display_name=display_name.strip(),
        connection_details=CreateConnectionDetails(
            type=AZURE_DEVOPS_CONNECTION_TYPE,
            creation_method=AZURE_DEVOPS_CREATION_METHOD,
            parameters=[
                ConnectionDetailsParameter(
                    data_type=DataType.TEXT, name="url", value=repository_url
                )
            ],
        ),
        credential_details=CreateCredentialDetails(credentials=credentials),
    )


def github_connection_request(
    display_name: str, token: str | SecretStr, repository_url: str | None = None
) -> CreateCloudConnectionRequest:
    """The Create Connection body for a GitHub source-control connection holding a personal
    access token, optionally scoped to one repository URL."""
    if not display_name or not display_name.strip():
        raise ConfigurationError("A connection needs a display name.")
    secret = token if isinstance(token, SecretStr) else SecretStr(token)
    if not secret.get_secret_value().strip():
        raise ConfigurationError("The GitHub personal access token is empty.")
    # The spec requires ``parameters``; an empty list means "every repository the token reaches".
    details: dict[str, Any] = {
        "type": GITHUB_CONNECTION_TYPE,
        "creation_method": GITHUB_CREATION_METHOD,
        "parameters": [],
    }
    if repository_url:
        if not repository_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                f"The repository URL must look like https://github.com/OWNER/REPO, "
                f"got {repository_url!r}."
            )
        details["parameters"] = [
            ConnectionDetailsParameter(data_type=DataType.TEXT, name="url", value=repository_url)
        ]
    return CreateCloudConnectionRequest(
        connectivity_type=ConnectivityType.SHAREABLE_CLOUD,
        display_name=display_name.strip(),
        connection_details=CreateConnectionDetails(**details),
        credential_details=CreateCredentialDetails(credentials=KeyCredentials(key=secret)),
    )


def key_connection_update_request(
    display_name: str | None = None, token: str | SecretStr | None = None
) -> UpdateShareableCloudConnectionRequest:
    """The Update Connection body for a shareable cloud connection: a new display name, a new
    key (a GitHub personal access token), or both."""
    if display_name is None and token is None:
        raise ConfigurationError("Nothing to update: give a display name, a token, or both.")
    if display_name is not None and not display_name.strip():
        raise ConfigurationError("A connection needs a display name.")
    # Only the fields given go on the wire: the service leaves the others as they are.
    changes: dict[str, Any] = {}
    if display_name is not None:
        changes["display_name"] = display_name.strip()
    if token is not None:
        secret = token if isinstance(token, SecretStr) else SecretStr(token)
        if not secret.get_secret_value().strip():
            raise ConfigurationError("The GitHub personal access token is empty.")
        changes["credential_details"] = UpdateCredentialDetails(
            credentials=KeyCredentials(key=secret)
        )
    return UpdateShareableCloudConnectionRequest(**changes)


class ConnectionsApi(ApiGroup):
    """``client.connections``."""

    def list(self) -> list[Connection]:
        """Every connection the caller can see, across all pages."""
        return [Connection.model_validate(raw) for raw in self._transport.paginate("/connections")]

    def get(self, connection_id: str) -> Connection:
        """One connection by id."""
        body = self._transport.request_json(
            "GET", f"/connections/{segment(connection_id, 'connection')}"
        )
        return Connection.model_validate(body)

    def update(
        self,
        connection_id: str,
        display_name: str | None = None,
        token: str | SecretStr | None = None,
    ) -> Connection:
        """Rename a shareable cloud connection and/or replace its key, for example to rotate the
        GitHub personal access token of a ``GitHubSourceControl`` connection. Workspaces
        connected through it keep working with the new token."""
        request = key_connection_update_request(display_name, token)
        body = self._transport.request_json(
            "PATCH",
            f"/connections/{segment(connection_id, 'connection')}",
            json=request.to_wire(),
        )
        return Connection.model_validate(body)

    def delete(self, connection_id: str) -> None:
        """Delete a connection."""
        self._transport.request("DELETE", f"/connections/{segment(connection_id, 'connection')}")

    def create_github(
        self,
        display_name: str,
        token: str | SecretStr,
        repository_url: str | None = None,
    ) -> Connection:
        """Create a shareable cloud connection of type ``GitHubSourceControl`` that holds a
        GitHub personal access token, scoped to ``repository_url`` when given. Use its id with
        ``git.connect`` (``ConfiguredConnectionGitCredentials``) or
        ``git.update_my_git_credentials``."""
        request = github_connection_request(display_name, token, repository_url)
        body = self._transport.request_json("POST", "/connections", json=request.to_wire())
        return Connection.model_validate(body)

    def create_azure_devops(
        self,
        display_name: str,
        repository_url: str,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | SecretStr,
    ) -> Connection:
        """Create a shareable cloud connection of type ``AzureDevOpsSourceControl`` that holds a
        service principal's credentials (``credentialType: ServicePrincipal``), for the Azure
        DevOps repository at ``repository_url``. This is how a service principal connects a
        workspace to Azure DevOps: ``Automatic`` credentials are refused for service principals.
        Pass the secret as a ``SecretStr`` read from the environment or a vault, never from the
        command line; it is not kept, logged or shown in any repr. The principal that connects
        must be able to use the connection (see ``add_role_assignment``)."""
        request = azure_devops_connection_request(
            display_name,
            repository_url,
            tenant_id=tenant_id,
            client_id=client_id,
            client_secret=client_secret,
        )
        body = self._transport.request_json("POST", "/connections", json=request.to_wire())
        return Connection.model_validate(body)

    # --- test and supported types ---------------------------------------------------------------

    def begin_test(self, connection_id: str) -> OperationPoller[ConnectionStatusResponse]:
        """Start Test Connection; the poller's outcome says ``Online`` or ``Offline`` (with the
        errors)."""
        response = self._transport.request(
            "POST", f"/connections/{segment(connection_id, 'connection')}/testConnection"
        )
        return self._operation(
            response, "TestConnection", "test connection", ConnectionStatusResponse.model_validate
        )

    def test(
        self,
        connection_id: str,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ConnectionStatusResponse:
        """Test a connection and wait for the answer (see ``begin_test``). An offline
        connection is an answer, not an error: check ``status``."""
        return self.begin_test(connection_id).wait(timeout, progress)

    def list_supported_types(
        self, *, gateway_id: str | None = None, show_all_creation_methods: bool = False
    ) -> builtins.list[ConnectionCreationMetadata]:
        """The connection types the service supports (for cloud connections, or for the
        gateway ``gateway_id``), their creation methods and credential types, across all
        pages."""
        params: dict[str, str] = {}
        if gateway_id is not None:
            params["gatewayId"] = identifier(gateway_id, "gateway")
        if show_all_creation_methods:
            params["showAllCreationMethods"] = "true"
        return [
            ConnectionCreationMetadata.model_validate(raw)
            for raw in self._transport.paginate(
                "/connections/supportedConnectionTypes", params=params or None
            )
        ]

    # --- role assignments -----------------------------------------------------------------------

    def list_role_assignments(self, connection_id: str) -> builtins.list[ConnectionRoleAssignment]:
        """Who may use, reshare or own the connection, across all pages."""
        return [
            ConnectionRoleAssignment.model_validate(raw)
            for raw in self._transport.paginate(_assignments(connection_id))
        ]

    def add_role_assignment(
        self,
        connection_id: str,
        principal_id: str,
        principal_type: PrincipalType | str,
        role: ConnectionRole | str = ConnectionRole.USER,
    ) -> ConnectionRoleAssignment:
        """Share the connection with a user, group or service principal (``principal_type``):
        ``User`` may use it, ``UserWithReshare`` may also share it, ``Owner`` may change it.
        A service principal that connects a workspace through the connection needs one."""
        request = AddConnectionRoleAssignmentRequest(
            principal=principal(principal_id, principal_type),
            role=required(role, "Give a role: User, UserWithReshare or Owner."),
        )
        body = self._transport.request_json(
            "POST", _assignments(connection_id), json=request.to_wire()
        )
        return ConnectionRoleAssignment.model_validate(body)

    def get_role_assignment(
        self, connection_id: str, assignment_id: str
    ) -> ConnectionRoleAssignment:
        """One role assignment of the connection by id."""
        body = self._transport.request_json("GET", _assignments(connection_id, assignment_id))
        return ConnectionRoleAssignment.model_validate(body)

    def update_role_assignment(
        self, connection_id: str, assignment_id: str, role: ConnectionRole | str
    ) -> ConnectionRoleAssignment:
        """Change the role of one role assignment of the connection."""
        request = UpdateConnectionRoleAssignmentRequest(
            role=required(role, "Give a role: User, UserWithReshare or Owner.")
        )
        body = self._transport.request_json(
            "PATCH", _assignments(connection_id, assignment_id), json=request.to_wire()
        )
        return ConnectionRoleAssignment.model_validate(body)

    def delete_role_assignment(self, connection_id: str, assignment_id: str) -> None:
        """Stop sharing the connection with a principal."""
        self._transport.request("DELETE", _assignments(connection_id, assignment_id))


def _assignments(connection_id: str, assignment_id: str | None = None) -> str:
    path = f"/connections/{segment(connection_id, 'connection')}/roleAssignments"
    if assignment_id is not None:
        path += f"/{segment(assignment_id, 'role assignment')}"
    return path
