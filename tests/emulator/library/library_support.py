"""The library against the emulator: one ``FabricClient`` per test, in process or over a real
socket, with helpers that seed the workspace side and change the Git side.

Everything the rules under test see goes through ``FabricClient``. Setup uses what a tester of
the real service would have: workspace items are written through the emulator's own store (the
workspace editor's stand-in), repositories are made with the admin side, and a change "in Git"
is a commit in the hosted repository in process, or a real ``git push`` over the socket.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric_git import (
    AzureDevOpsDetails,
    FabricClient,
    FabricGitError,
    GitCredentials,
    GitStatusResponse,
)
from fabric_git.emulator.gitrepo.layout import ItemState, platform_bytes
from fabric_git.emulator.gitrepo.repos import RepoKey

ORG, PROJECT, REPO = "contoso", "analytics", "fabric"
BRANCH = "main"

# (logical id or object id, workspaceChange, remoteChange, conflictType)
Row = tuple[str, str | None, str | None, str]


def service_error_code(error: BaseException) -> str:
    """The service's ``errorCode`` on a library error: an ``ApiError`` (sync answer) or an
    ``OperationFailedError`` (the operation failed after a 202)."""
    assert isinstance(error, FabricGitError), repr(error)
    code = getattr(error, "error_code", None)
    assert isinstance(code, str), repr(error)
    return code


def platform(logical_id: str, name: str, type: str = "Notebook") -> bytes:
    return platform_bytes(ItemState(logical_id=logical_id, type=type, display_name=name))


def item_files(directory: str, logical_id: str, name: str, content: bytes) -> dict[str, bytes]:
    return {
        f"{directory}/.platform": platform(logical_id, name),
        f"{directory}/notebook-content.py": content,
    }


class GitRemote:
    """Changes the hosted repository as a developer would."""

    def __init__(self, state: Any, key: RepoKey) -> None:
        self._state = state
        self.key = key

    def push(self, files: Mapping[str, bytes | None], message: str = "change in Git") -> str:
        repo = self._state.repos.get(self.key)
        tip = repo.branch_tip(BRANCH)
        commit = repo.commit(
            BRANCH,
            expected_tip=tip,
            changes=dict(files),
            message=message,
            author=("Dev", "dev@example.com"),
        )
        return str(commit)

    def tip(self) -> str:
        return str(self._state.repos.get(self.key).branch_tip(BRANCH))

    def files(self, root: str = "") -> dict[str, bytes]:
        repo = self._state.repos.get(self.key)
        return dict(repo.read_files(repo.branch_tip(BRANCH), root))


class PushingRemote(GitRemote):
    """Changes the hosted repository with ``git`` over the emulator's smart-HTTP endpoint."""

    def __init__(self, state: Any, key: RepoKey, git_url: str, workdir: Path) -> None:
        super().__init__(state, key)
        self._clone = workdir / "clone"
        self._home = workdir
        self._git("clone", "--quiet", f"{git_url}/{key.url_path}", str(self._clone), cwd=workdir)

    def _git(self, *args: str, cwd: Path) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "GIT_TERMINAL_PROMPT": "0",
                "PATH": "/usr/bin:/bin:/usr/local/bin",
                "HOME": str(self._home),
            },
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def push(self, files: Mapping[str, bytes | None], message: str = "change in Git") -> str:
        self._git("fetch", "--quiet", "origin", BRANCH, cwd=self._clone)
        self._git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=self._clone)
        for name, content in files.items():
            path = self._clone / name
            if content is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        self._git("add", "--all", cwd=self._clone)
        self._git("commit", "--quiet", "-m", message, cwd=self._clone)
        self._git("push", "--quiet", "origin", f"HEAD:{BRANCH}", cwd=self._clone)
        pushed = self._git("rev-parse", "HEAD", cwd=self._clone).strip()
        assert pushed == self.tip()
        return pushed


@dataclass
class Target:
    """The library pointed at one emulator, and what the tests need around it."""

    name: str
    client: FabricClient
    state: Any
    capacity_id: str
    url: str
    git_url: str
    workdir: Path
    admin_transport: Any = None  # the in-process transport; None over the socket
    key: RepoKey = field(default_factory=lambda: RepoKey.azure_devops(ORG, PROJECT, REPO))
    _remote: GitRemote | None = None

    # --- setup -----------------------------------------------------------------------------------

    def repo(self, *, required_pat: str | None = None, key: RepoKey | None = None) -> GitRemote:
        """A hosted repository; the default one, the remote the tests push to."""
        self.state.repos.create(key or self.key, required_pat=required_pat)
        if key is not None and key != self.key:
            return GitRemote(self.state, key)
        self._remote = (
            PushingRemote(self.state, self.key, self.git_url, self.workdir)
            if self.name == "socket"
            else GitRemote(self.state, self.key)
        )
        return self._remote

    @property
    def remote(self) -> GitRemote:
        assert self._remote is not None, "call repo() first"
        return self._remote

    def workspace(self, name: str = "ws", *, capacity: bool = True) -> str:
        created = self.client.workspaces.create(
            name, capacity_id=self.capacity_id if capacity else None
        )
        return created.id

    def item(self, ws: str, name: str, content: bytes | None = None, **extra: Any) -> str:
        from fabric_git.emulator.backend import items

        parts = {"notebook-content.py": content if content is not None else f"# {name}\n".encode()}
        with self.state.store.write() as conn:
            record = items.create_item(
                conn, ws, type="Notebook", display_name=name, parts=parts, **extra
            )
        return str(record.id)

    def edit(self, item: str, content: bytes) -> None:
        from fabric_git.emulator.backend import items

        with self.state.store.write() as conn:
            items.set_parts(conn, item, {"notebook-content.py": content})

    def delete(self, item: str) -> None:
        from fabric_git.emulator.backend import items

        with self.state.store.write() as conn:
            items.delete_item(conn, item)

    def content(self, item: str) -> bytes:
        from fabric_git.emulator.backend import items

        with self.state.store.read() as conn:
            return items.get_parts(conn, item)["notebook-content.py"]

    def logical_id(self, item: str) -> str:
        with self.state.store.read() as conn:
            row = conn.execute("SELECT logical_id FROM items WHERE id = ?", (item,)).fetchone()
        assert row is not None and row[0]
        return str(row[0])

    def settings(self, **values: Any) -> None:
        """``PUT /_emulator/settings`` (LRO mode and duration, Retry-After)."""
        from fabric_git._httpx import httpx

        admin_url = self.url.removesuffix("/v1") + "/_emulator/settings"
        with httpx.Client(
            transport=self.admin_transport,
            headers={"Authorization": f"Bearer {self.state.admin_token}"},
        ) as http:
            response = http.put(admin_url, json=values)
        assert response.status_code == 200, response.text

    # --- the library -----------------------------------------------------------------------------

    def details(self, *, directory: str = "", branch: str = BRANCH) -> AzureDevOpsDetails:
        return AzureDevOpsDetails(
            organization_name=self.key.owner,
            project_name=self.key.project or "",
            repository_name=self.key.name,
            branch_name=branch,
            directory_name=directory,
        )

    def connect(
        self, ws: str, *, directory: str = "", credentials: GitCredentials | None = None
    ) -> None:
        self.client.git.connect(ws, self.details(directory=directory), credentials)

    def connected(self, ws: str, strategy: str | None = None) -> Any:
        self.connect(ws)
        return self.client.git.initialize_connection(ws, strategy)

    def rows(self, ws: str) -> set[Row]:
        return {summary(change) for change in self.status(ws).changes}

    def status(self, ws: str) -> GitStatusResponse:
        return self.client.git.get_status(ws)


def summary(change: Any) -> Row:
    identifier = change.item_metadata.item_identifier
    return (
        identifier.logical_id or identifier.object_id,
        str(change.workspace_change) if change.workspace_change else None,
        str(change.remote_change) if change.remote_change else None,
        str(change.conflict_type),
    )


def dumped(model: Any) -> dict[str, Any]:
    return dict(json.loads(json.dumps(model.to_wire())))
