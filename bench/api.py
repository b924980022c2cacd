"""The Fabric REST calls the benchmarks make, as plain httpx requests.

The benchmarks talk HTTP directly (not through the library) so that what is timed is the
service and nothing else, and so that they keep working while the library changes.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

TERMINAL = ("Succeeded", "Failed", "Completed", "Cancelled")


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text[:300]
        super().__init__(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {body}"
        )


class FabricApi:
    """A thin Fabric API caller: raises :class:`ApiError` on an error, follows LROs."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 600.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FabricApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        response = self.http.request(method, path, json=body)
        if response.status_code >= 400:
            raise ApiError(response)
        return response

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the emulator's admin API (``/_emulator``)."""
        url = self.base_url.removesuffix("/v1") + "/_emulator" + path
        response = self.http.request(method, url, json=body)
        if response.status_code >= 400:
            raise ApiError(response)
        return response.json() if response.content else None

    def lro(self, method: str, path: str, body: Any = None) -> Any:
        """Send a request that may start a long-running operation; its result (or None)."""
        response = self.call(method, path, body)
        if response.status_code != 202:
            return response.json() if response.content else None
        operation = response.headers["Location"]
        while True:
            time.sleep(float(response.headers.get("Retry-After", "1") or 1))
            response = self.call("GET", operation)
            state = response.json()
            if state.get("status") in TERMINAL:
                break
        if state["status"] != "Succeeded":
            raise RuntimeError(
                f"operation {operation} ended {state['status']}: {state.get('error')}"
            )
        result = self.http.get(f"{operation}/result")
        return result.json() if result.status_code == 200 and result.content else None

    # --- workspaces, folders, items ------------------------------------------------------

    def create_workspace(self, name: str, capacity_id: str | None) -> str:
        body: dict[str, Any] = {"displayName": name}
        if capacity_id:
            body["capacityId"] = capacity_id
        return str(self.call("POST", "/workspaces", body).json()["id"])

    def create_folder(self, workspace: str, name: str, parent: str | None = None) -> str:
        body: dict[str, Any] = {"displayName": name}
        if parent:
            body["parentFolderId"] = parent
        return str(self.call("POST", f"/workspaces/{workspace}/folders", body).json()["id"])

    def create_item(
        self,
        workspace: str,
        item_type: str,
        name: str,
        *,
        definition: dict[str, Any] | None = None,
        folder: str | None = None,
        description: str = "",
    ) -> str:
        body: dict[str, Any] = {"displayName": name, "type": item_type}
        if description:
            body["description"] = description
        if folder:
            body["folderId"] = folder
        if definition is not None:
            body["definition"] = definition
        created = self.lro("POST", f"/workspaces/{workspace}/items", body)
        if created is None:
            # A 202 without a result body: look the item up by name and type.
            items = self.call("GET", f"/workspaces/{workspace}/items?type={item_type}").json()
            created = next(i for i in items["value"] if i["displayName"] == name)
        return str(created["id"])

    def list_items(self, workspace: str) -> list[dict[str, Any]]:
        """Every item of the workspace, across all pages."""
        found: list[dict[str, Any]] = []
        url: str | None = f"/workspaces/{workspace}/items"
        while url:
            page = self.call("GET", url).json()
            found += page["value"]
            url = page.get("continuationUri")
        return found

    def update_definition(self, workspace: str, item: str, definition: dict[str, Any]) -> None:
        path = f"/workspaces/{workspace}/items/{item}/updateDefinition"
        self.lro("POST", path, {"definition": definition})

    # --- connections and Git --------------------------------------------------------------

    def create_github_connection(self, name: str, repository_url: str, pat: str) -> str:
        body = {
            "connectivityType": "ShareableCloud",
            "displayName": name,
            "connectionDetails": {
                "type": "GitHubSourceControl",
                "creationMethod": "GitHubSourceControl.Contents",
                "parameters": [{"dataType": "Text", "name": "url", "value": repository_url}],
            },
            "credentialDetails": {"credentials": {"credentialType": "Key", "key": pat}},
        }
        return str(self.call("POST", "/connections", body).json()["id"])

    def connect_github(
        self,
        workspace: str,
        owner: str,
        repo: str,
        connection: str,
        *,
        branch: str = "main",
        directory: str = "",
    ) -> None:
        body = {
            "gitProviderDetails": {
                "gitProviderType": "GitHub",
                "ownerName": owner,
                "repositoryName": repo,
                "branchName": branch,
                "directoryName": directory,
            },
            "myGitCredentials": {"source": "ConfiguredConnection", "connectionId": connection},
        }
        self.call("POST", f"/workspaces/{workspace}/git/connect", body)

    def disconnect(self, workspace: str) -> None:
        self.call("POST", f"/workspaces/{workspace}/git/disconnect")

    def initialize(self, workspace: str, strategy: str = "PreferWorkspace") -> dict[str, Any]:
        path = f"/workspaces/{workspace}/git/initializeConnection"
        return dict(self.lro("POST", path, {"initializationStrategy": strategy}))

    def status(self, workspace: str) -> dict[str, Any]:
        return dict(self.lro("GET", f"/workspaces/{workspace}/git/status"))

    def commit_all(self, workspace: str, head: str | None, comment: str = "Commit all") -> None:
        body: dict[str, Any] = {"mode": "All", "comment": comment}
        if head:
            body["workspaceHead"] = head
        self.lro("POST", f"/workspaces/{workspace}/git/commitToGit", body)

    def update(
        self, workspace: str, remote: str, head: str | None, policy: str = "PreferRemote"
    ) -> None:
        body: dict[str, Any] = {
            "remoteCommitHash": remote,
            "conflictResolution": {
                "conflictResolutionType": "Workspace",
                "conflictResolutionPolicy": policy,
            },
            "options": {"allowOverrideItems": True},
        }
        if head:
            body["workspaceHead"] = head
        self.lro("POST", f"/workspaces/{workspace}/git/updateFromGit", body)
