"""Helpers of the Git integration behaviour tests: an emulator with hosted repositories and
workspaces seeded through the emulator's own backends."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from fabric_git.emulator import Emulator
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.gitrepo.layout import ItemState, platform_bytes
from fabric_git.emulator.gitrepo.repos import RepoKey

ORG, PROJECT, REPO = "contoso", "analytics", "fabric"


@dataclass
class Env:
    """One emulator, its admin client and helpers for seeding state the Git API reads."""

    emu: Emulator
    client: httpx.Client
    repo_key: RepoKey = field(default_factory=lambda: RepoKey.azure_devops(ORG, PROJECT, REPO))

    @property
    def state(self) -> Any:
        return self.emu.state

    def workspace(self, name: str = "ws", *, capacity: bool = True) -> str:
        body: dict[str, Any] = {"displayName": name}
        if capacity:
            body["capacityId"] = self.emu.capacity_id
        response = self.client.post("/workspaces", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def repo(
        self,
        *,
        branch: str = "main",
        required_pat: str | None = None,
        directories: Sequence[str] = (),
    ) -> Any:
        """The hosted repository; ``directories`` exist on ``branch`` (each holds a README), as
        Connect needs its directory to exist."""
        repo = self.state.repos.create(self.repo_key, branch=branch, required_pat=required_pat)
        if directories:
            repo.commit(
                branch,
                expected_tip=repo.branch_tip(branch),
                changes={f"{d}/README.md": b"items\n" for d in directories},
                message="Create directories",
                author=("Dev", "dev@example.com"),
            )
        return repo

    def item(
        self,
        ws: str,
        name: str,
        parts: Mapping[str, bytes] | None = None,
        *,
        type: str = "Notebook",
        folder: tuple[str, ...] = (),
    ) -> str:
        from fabric_git.emulator.backend import folders, items

        with self.state.store.write() as conn:
            folder_id = folders.ensure_folder_path(conn, ws, folder)
            record = items.create_item(
                conn,
                ws,
                type=type,
                display_name=name,
                folder_id=folder_id,
                parts=dict(parts or {"notebook-content.py": f"# {name}\n".encode()}),
            )
        return str(record.id)

    def items(self, ws: str) -> dict[str, Any]:
        from fabric_git.emulator.backend import items

        with self.state.store.read() as conn:
            return {r.display_name: r for r in items.list_items(conn, ws)}

    def parts(self, item_id: str) -> dict[str, bytes]:
        from fabric_git.emulator.backend import items

        with self.state.store.read() as conn:
            return items.get_parts(conn, item_id)

    def set_parts(self, item_id: str, parts: Mapping[str, bytes]) -> None:
        from fabric_git.emulator.backend import items

        with self.state.store.write() as conn:
            items.set_parts(conn, item_id, parts)

    def connect(self, ws: str, *, directory: str = "", branch: str = "main", **extra: Any):
        details = {
            "gitProviderType": "AzureDevOps",
            "organizationName": ORG,
            "projectName": PROJECT,
            "repositoryName": REPO,
            "branchName": branch,
            "directoryName": directory,
        }
        return self.client.post(
            f"/workspaces/{ws}/git/connect", json={"gitProviderDetails": details, **extra}
        )

    def initialize(self, ws: str, strategy: str | None = None) -> httpx.Response:
        body = {} if strategy is None else {"initializationStrategy": strategy}
        return self.client.post(f"/workspaces/{ws}/git/initializeConnection", json=body)

    def connected(self, ws: str, *, directory: str = "") -> dict[str, Any]:
        assert self.connect(ws, directory=directory).status_code == 200
        response = self.initialize(ws)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, ws: str) -> dict[str, Any]:
        response = self.client.get(f"/workspaces/{ws}/git/status")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def commit(self, ws: str, **body: Any) -> httpx.Response:
        body.setdefault("mode", "All")
        return self.client.post(f"/workspaces/{ws}/git/commitToGit", json=body)

    def update(self, ws: str, **body: Any) -> httpx.Response:
        if "remoteCommitHash" not in body:
            body["remoteCommitHash"] = self.status(ws)["remoteCommitHash"]
        return self.client.post(f"/workspaces/{ws}/git/updateFromGit", json=body)

    def push(self, files: Mapping[str, bytes | None], message: str = "change in Git") -> str:
        """A commit made straight in the hosted repository, as a push would."""
        repo = self.state.repos.get(self.repo_key)
        tip = repo.branch_tip("main")
        return str(
            repo.commit(
                "main",
                expected_tip=tip,
                changes=dict(files),
                message=message,
                author=("Dev", "dev@example.com"),
            )
        )

    def tip(self) -> str:
        return str(self.state.repos.get(self.repo_key).branch_tip("main"))

    def files(self, root: str = "") -> dict[str, bytes]:
        repo = self.state.repos.get(self.repo_key)
        return dict(repo.read_files(repo.branch_tip("main"), root))

    def client_for(self, principal: Principal, *, role: str | None, ws: str) -> httpx.Client:
        if role is not None:
            response = self.client.post(
                f"/workspaces/{ws}/roleAssignments",
                json={"principal": {"id": principal.id, "type": principal.type}, "role": role},
            )
            assert response.status_code == 201, response.text
        if principal.type == "User":
            token = self.emu.token_for(user=principal.name)
        else:
            token = self.emu.token_for(service_principal=principal.name)
        return self.emu.client(token)


def platform(logical_id: str, name: str, type: str = "Notebook") -> bytes:
    return platform_bytes(ItemState(logical_id=logical_id, type=type, display_name=name))


def item_files(
    directory: str, logical_id: str, name: str, content: bytes, type: str = "Notebook"
) -> dict[str, bytes | None]:
    return {
        f"{directory}/.platform": platform(logical_id, name, type),
        f"{directory}/notebook-content.py": content,
    }


def error_code(response: httpx.Response) -> str:
    body = json.loads(response.content)
    assert "requestId" in body
    return str(body["errorCode"])
