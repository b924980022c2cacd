"""Connections: ``/connections``, including the GitHub personal-access-token connection."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from fabric_git.api._base import ApiGroup, segment
from fabric_git.errors import ConfigurationError
from fabric_git.models.connections import (
    Connection,
    ConnectionDetailsParameter,
    ConnectivityType,
    CreateCloudConnectionRequest,
    CreateConnectionDetails,
    CreateCredentialDetails,
    DataType,
    KeyCredentials,
    UpdateCredentialDetails,
    UpdateShareableCloudConnectionRequest,
)

__all__ = [
    "GITHUB_CONNECTION_TYPE",
    "GITHUB_CREATION_METHOD",
    "ConnectionsApi",
    "github_connection_request",
    "key_connection_update_request",
]

GITHUB_CONNECTION_TYPE = "GitHubSourceControl"
GITHUB_CREATION_METHOD = "GitHubSourceControl.Contents"


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
