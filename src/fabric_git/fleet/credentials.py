"""The Git credentials a fleet entry names: what they are (``CredentialSpec``), and each distinct
one checked or ensured once per run (``CredentialResolver``), however many workspaces use it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.errors import FabricGitError, NotFoundError, ResolutionError
from fabric_git.models.git import GitHubDetails

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitCredentials, GitProviderDetails

__all__ = ["CredentialResolver", "CredentialSpec", "github_url"]


@dataclass(frozen=True)
class CredentialSpec:
    """How a workspace that has to connect reaches Git: a named connection, or a GitHub PAT
    connection (reused, or created from the PAT in ``pat_env``)."""

    connection: str | None
    connection_name: str | None
    pat_env: str
    repository_url: str | None


class CredentialResolver:
    """Credentials for the workspaces that have to connect, each distinct one looked up (or its
    connection created) once per run, whichever thread asks first."""

    def __init__(self, client: FabricClient, pat: Callable[[str], str | None]) -> None:
        self._client = client
        self._pat = pat
        self._lock = threading.Lock()
        self._ensured: dict[CredentialSpec, GitCredentials | BaseException] = {}
        self._problems: dict[CredentialSpec, str | None] = {}

    def problem(self, spec: CredentialSpec) -> str | None:
        """Why ``spec`` cannot work, found without changing anything; None when it can."""
        with self._lock:
            if spec not in self._problems:
                self._problems[spec] = self._find_problem(spec)
            return self._problems[spec]

    def _find_problem(self, spec: CredentialSpec) -> str | None:
        from fabric_git.workflows.credentials import find_github_connection

        if spec.connection:
            try:
                self._client.resolve_connection(spec.connection)
            except (ResolutionError, NotFoundError):
                return f"no connection {spec.connection!r}; `fabric-git connections list`"
            return None
        if spec.connection_name is None:
            return None  # no credentials to give: the service's automatic ones
        found = find_github_connection(
            self._client, display_name=spec.connection_name, repository_url=spec.repository_url
        )
        if found is None and not self._pat(spec.pat_env):
            return (
                f"no connection named {spec.connection_name!r} or for {spec.repository_url}, "
                f"and no personal access token in ${spec.pat_env} to create one"
            )
        return None

    def ensure(self, spec: CredentialSpec) -> GitCredentials | None:
        """The credentials to connect with: the named connection, or the GitHub PAT connection
        reused (its key set to the given PAT, as ``sync`` does) or created."""
        from fabric_git.models.git import ConfiguredConnectionGitCredentials
        from fabric_git.workflows.credentials import ensure_github_connection

        if not spec.connection and spec.connection_name is None:
            return None
        with self._lock:
            known = self._ensured.get(spec)
            if known is None:
                try:
                    if spec.connection:
                        connection_id = self._client.resolve_connection(spec.connection).id
                    else:
                        assert spec.connection_name is not None
                        ensured = ensure_github_connection(
                            self._client,
                            display_name=spec.connection_name,
                            repository_url=spec.repository_url,
                            token=self._pat(spec.pat_env),
                        )
                        assert ensured.id is not None  # not a dry run: it exists now
                        connection_id = ensured.id
                    known = ConfiguredConnectionGitCredentials(connection_id=connection_id)
                except FabricGitError as error:
                    known = error
                self._ensured[spec] = known
        if isinstance(known, BaseException):
            raise known
        return known


def github_url(provider: GitProviderDetails) -> str | None:
    """The repository URL of a GitHub provider (what a PAT connection is for)."""
    if not isinstance(provider, GitHubDetails):
        return None
    from fabric_git.workflows.credentials import github_repository_url

    return github_repository_url(
        provider.owner_name, provider.repository_name, domain=provider.custom_domain_name
    )
