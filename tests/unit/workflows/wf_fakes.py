"""A small scripted stand-in for ``FabricClient`` (unit tests of the workflow layer only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fabric_git.errors import ResolutionError
from fabric_git.models.connections import Connection
from fabric_git.models.git import (
    GitConnection,
    GitStatusResponse,
    InitializeGitConnectionResponse,
)
from fabric_git.models.git import GitCredentialsConfigurationResponse as CredResponse
from fabric_git.models.items import Item
from fabric_git.models.workspaces import Workspace

WS_ID = "11111111-1111-1111-1111-111111111111"
HEAD_A = "a" * 40
HEAD_B = "b" * 40
HEAD_C = "c" * 40


def change(
    name: str,
    item_type: str = "Notebook",
    *,
    ws: str | None = None,
    rm: str | None = None,
    conflict: str = "None",
    object_id: str | None = "auto",
    logical_id: str | None = "auto",
) -> dict[str, Any]:
    identifier: dict[str, str] = {}
    if object_id:
        identifier["objectId"] = f"obj-{name}" if object_id == "auto" else object_id
    if logical_id:
        identifier["logicalId"] = f"log-{name}" if logical_id == "auto" else logical_id
    body: dict[str, Any] = {
        "itemMetadata": {"itemIdentifier": identifier, "itemType": item_type, "displayName": name},
        "conflictType": conflict,
    }
    if ws:
        body["workspaceChange"] = ws
    if rm:
        body["remoteChange"] = rm
    return body


def status(head: str | None, remote: str, *changes: dict[str, Any]) -> GitStatusResponse:
    return GitStatusResponse.model_validate(
        {"workspaceHead": head, "remoteCommitHash": remote, "changes": list(changes)}
    )


def github_connection(
    owner: str = "contoso", repo: str = "fabric", branch: str = "main", directory: str = "/"
) -> GitConnection:
    return GitConnection.model_validate(
        {
            "gitProviderDetails": {
                "gitProviderType": "GitHub",
                "ownerName": owner,
                "repositoryName": repo,
                "branchName": branch,
                "directoryName": directory,
            },
            "gitSyncDetails": {"head": HEAD_A, "lastSyncTime": "2026-01-01T00:00:00Z"},
            "gitConnectionState": "ConnectedAndInitialized",
            "gitConnectionType": "Full",
        }
    )


NOT_CONNECTED = GitConnection.model_validate({"gitConnectionState": "NotConnected"})


class FakeGit:
    def __init__(self, owner: FakeClient) -> None:
        self._owner = owner
        self.connection: GitConnection = NOT_CONNECTED
        self.statuses: list[GitStatusResponse] = []
        self.init_response = InitializeGitConnectionResponse.model_validate(
            {"requiredAction": "None", "workspaceHead": None, "remoteCommitHash": HEAD_A}
        )
        self.credentials = CredResponse.model_validate({"source": "Automatic"})
        self.on_get_connection: Callable[[str], None] | None = None
        self.after_connect: GitConnection | None = None
        # Method name -> the errors its next calls raise, in order (e.g. a wait that ran out).
        self.raises: dict[str, list[Exception]] = {}

    def _maybe_raise(self, name: str) -> None:
        pending = self.raises.get(name)
        if pending:
            raise pending.pop(0)

    def _record(self, name: str, **kwargs: Any) -> None:
        with self._owner.lock:
            self._owner.calls.append((name, kwargs))

    def get_connection(self, ws: str) -> GitConnection:
        self._record("get_connection", ws=ws)
        if self.on_get_connection is not None:
            self.on_get_connection(ws)
        return self.connection

    def connect(self, ws: str, provider: Any, credentials: Any = None) -> None:
        self._record("connect", ws=ws, provider=provider, credentials=credentials)
        self._maybe_raise("connect")
        self.connection = self.after_connect or GitConnection.model_validate(
            {
                "gitProviderDetails": provider.to_wire(),
                "gitConnectionState": "Connected",
            }
        )

    def disconnect(self, ws: str) -> None:
        self._record("disconnect", ws=ws)
        self.connection = NOT_CONNECTED

    def initialize_connection(
        self, ws: str, strategy: Any = None, *, timeout: Any = None, progress: Any = None
    ) -> InitializeGitConnectionResponse:
        self._record("initialize_connection", ws=ws, strategy=strategy)
        self._maybe_raise("initialize_connection")
        return self.init_response

    def get_status(self, ws: str, *, timeout: Any = None, progress: Any = None) -> Any:
        self._record("get_status", ws=ws)
        self._maybe_raise("get_status")
        if progress is not None:
            from fabric_git.models.operations import OperationState

            progress(OperationState.model_validate({"status": "Running", "percentComplete": 50}))
        if len(self.statuses) > 1:
            return self.statuses.pop(0)
        return self.statuses[0]

    def commit_to_git(self, ws: str, **kwargs: Any) -> None:
        self._record("commit_to_git", ws=ws, **kwargs)
        self._maybe_raise("commit_to_git")

    def update_from_git(self, ws: str, **kwargs: Any) -> None:
        self._record("update_from_git", ws=ws, **kwargs)
        self._maybe_raise("update_from_git")

    def get_my_git_credentials(self, ws: str) -> Any:
        self._record("get_my_git_credentials", ws=ws)
        return self.credentials

    def update_my_git_credentials(self, ws: str, source: str, connection_id: Any = None) -> Any:
        self._record("update_my_git_credentials", ws=ws, source=source, connection_id=connection_id)
        from fabric_git.models.git import ConfiguredConnectionGitCredentialsResponse

        if connection_id:
            self.credentials = ConfiguredConnectionGitCredentialsResponse(
                connection_id=connection_id
            )
        else:
            self.credentials = CredResponse.model_validate({"source": source})
        return self.credentials


class FakeConnections:
    def __init__(self, owner: FakeClient) -> None:
        self._owner = owner
        self.items: list[Connection] = []
        # Connection id -> the key last stored by ``update``.
        self.updated_keys: dict[str, str | None] = {}

    def list(self) -> list[Connection]:
        return list(self.items)

    def create_github(self, name: str, token: str, url: str | None = None) -> Connection:
        self._owner.calls.append(("create_github", {"name": name, "url": url}))
        created = Connection.model_validate(
            {
                "id": f"conn-{len(self.items) + 1}",
                "displayName": name,
                "connectivityType": "ShareableCloud",
                "connectionDetails": {"type": "GitHubSourceControl", "path": url},
            }
        )
        self.items.append(created)
        return created

    def update(
        self, connection_id: str, display_name: str | None = None, token: str | None = None
    ) -> Connection:
        # The call log says only whether a key was sent; ``updated_keys`` keeps the key itself.
        self._owner.calls.append(
            ("update_connection", {"id": connection_id, "name": display_name, "key": bool(token)})
        )
        self.updated_keys[connection_id] = token
        for connection in self.items:
            if connection.id == connection_id:
                return connection
        raise AssertionError(f"no connection {connection_id!r} to update")


def github_connection_model(cid: str, name: str, url: str) -> Connection:
    return Connection.model_validate(
        {
            "id": cid,
            "displayName": name,
            "connectivityType": "ShareableCloud",
            "connectionDetails": {"type": "GitHubSourceControl", "path": url},
        }
    )


class FakeItems:
    """The workspace's items (``(display name, type)`` pairs), all in the one workspace."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def list(self, workspace: str) -> list[Item]:
        return [
            Item(id=f"item-{n}", display_name=name, type=kind, workspace_id=workspace)
            for n, (name, kind) in enumerate(self.items)
        ]


class FakeClient:
    def __init__(self, workspaces: dict[str, str] | None = None) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.git = FakeGit(self)
        self.connections = FakeConnections(self)
        self.items = FakeItems()
        self._workspaces = workspaces or {"Sales": WS_ID}

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def resolve_workspace(self, name_or_id: str) -> Workspace:
        for name, wid in self._workspaces.items():
            if name_or_id in (name, wid):
                return Workspace(id=wid, display_name=name)
        raise ResolutionError(
            f"no workspace {name_or_id!r}",
            kind="workspace",
            name=name_or_id,
            candidates=list(self._workspaces),
            code="NotFound",
        )

    def resolve_connection(self, name_or_id: str) -> Connection:
        for connection in self.connections.items:
            if name_or_id in (connection.id, connection.display_name):
                return connection
        raise ResolutionError(
            "no connection", kind="connection", name=name_or_id, candidates=[], code="NotFound"
        )
