"""An emulator sandbox: the setup steps a real tenant gets through its portal and Git host.

Used by ``fabric-git demo``, the pytest plugin (``fabric_git.testing``) and the end-to-end
tests: start the emulator, create workspaces, items with definitions, connections and identities,
host repositories, and drive the real ``git`` client against them. The PAT reaches ``git``
through environment configuration, never through its arguments or a file.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from fabric_git.client import FabricClient
    from fabric_git.emulator import Clock as EmulatorClock
    from fabric_git.emulator import EmulatorServer

__all__ = ["GitWorkTree", "Identity", "Sandbox", "item_parts"]


def item_parts(files: Mapping[str, str]) -> dict[str, Any]:
    """A Fabric item definition (``parts`` of InlineBase64 payloads) from text files."""
    return {
        "parts": [
            {
                "path": path,
                "payload": base64.b64encode(text.encode()).decode(),
                "payloadType": "InlineBase64",
            }
            for path, text in files.items()
        ]
    }


@dataclass(frozen=True)
class Identity:
    """A user or service principal of the emulator, with a token it accepts (never printed)."""

    name: str
    type: str  # "User" or "ServicePrincipal", as the spec's PrincipalType
    id: str
    token: str

    def environment(self) -> dict[str, str]:
        """What a process needs to call the service as this identity."""
        return {"FABRIC_TOKEN": self.token}

    def __repr__(self) -> str:
        return f"Identity(name={self.name!r}, type={self.type!r}, id={self.id!r})"


class Sandbox:
    """A running emulator, a client on it, and the admin calls a demo or test needs."""

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        lro_duration: float = 0.05,
        retry_after: int = 0,
        poll_interval: float = 0.02,
        clock: EmulatorClock | None = None,
        access_log: bool = False,
    ) -> None:
        self._own_dir = data_dir is None
        self._access_log = access_log
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="fabric-git-sandbox-"))
        self._lro_duration = lro_duration
        self._retry_after = retry_after
        self.poll_interval = poll_interval
        self._clock = clock
        self.server: EmulatorServer | None = None
        self._client: FabricClient | None = None
        self._http: httpx.Client | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    @staticmethod
    def emulator_data_dir(data_dir: Path) -> Path:
        """Where a sandbox on ``data_dir`` keeps the emulator's own data directory."""
        return data_dir / "emulator"

    def start(self) -> Sandbox:
        from fabric_git.emulator import EmulatorConfig, EmulatorServer

        config = EmulatorConfig(
            data_dir=self.emulator_data_dir(self.data_dir),
            lro_duration=self._lro_duration,
            retry_after=self._retry_after,
            access_log=self._access_log,
        )
        if self._clock is not None:
            config = replace(config, clock=self._clock)
        self.server = EmulatorServer(config).start()
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- access ---------------------------------------------------------------------------------

    @property
    def running(self) -> EmulatorServer:
        if self.server is None:
            raise RuntimeError("the sandbox is not started")
        return self.server

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def token(self) -> str:
        return self.running.token

    def environment(self) -> dict[str, str]:
        """What the CLI needs to reach this emulator (``FABRIC_API_URL``, ``FABRIC_TOKEN``)."""
        return {
            "FABRIC_API_URL": self.url,
            "FABRIC_TOKEN": self.token,
            "FABRIC_GIT_POLL_INTERVAL": str(self.poll_interval),
        }

    def client(self) -> FabricClient:
        if self._client is None:
            from fabric_git.client import FabricClient
            from fabric_git.lro import PollPolicy

            poll = PollPolicy(default_interval=self.poll_interval, min_interval=self.poll_interval)
            self._client = FabricClient(base_url=self.url, credential=self.token, poll=poll)
        return self._client

    def http(self) -> httpx.Client:
        if self._http is None:
            from fabric_git._httpx import httpx

            self._http = httpx.Client(
                base_url=self.running.base,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=30.0,
            )
        return self._http

    # --- admin ----------------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http().request(method, f"/_emulator{path}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"emulator admin {method} {path}: {response.text}")
        return response.json() if response.content else None

    def create_repo(
        self,
        owner: str,
        repo: str,
        *,
        pat: str | None,
        branch: str = "main",
        directories: Sequence[str] = (),
    ) -> Any:
        """A hosted GitHub repository; ``directories`` exist on ``branch`` from the start (as
        Fabric's API, Connect refuses a directory the branch lacks)."""
        body: dict[str, Any] = {
            "provider": "GitHub",
            "owner": owner,
            "repo": repo,
            "branch": branch,
            "directories": list(directories),
        }
        if pat:
            body["requiredPat"] = pat
        return self.admin("POST", "/repos", body)

    @staticmethod
    def repo_url(owner: str, repo: str) -> str:
        """The GitHub URL Fabric knows a hosted repository by (clone it with ``clone``)."""
        return f"https://github.com/{owner}/{repo}"

    def user(self, name: str) -> Identity:
        """A user (e.g. ``alice@contoso.com``); it has no role anywhere until given one."""
        return self._identity(name, "User", {"user": name})

    def service_principal(self, name: str) -> Identity:
        """A service principal, as a pipeline signs in; no role anywhere until given one."""
        return self._identity(name, "ServicePrincipal", {"servicePrincipal": name})

    def _identity(self, name: str, kind: str, body: dict[str, str]) -> Identity:
        token = str(self.admin("POST", "/tokens", body)["token"])
        claims = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        return Identity(name=name, type=kind, id=str(payload["oid"]), token=token)

    def add_role(self, workspace_id: str, identity: Identity, role: str = "Admin") -> None:
        """Give ``identity`` a role (Admin, Member, Contributor, Viewer) on a workspace."""
        body = {"principal": {"id": identity.id, "type": identity.type}, "role": role}
        self._run(self.http().post(f"/v1/workspaces/{workspace_id}/roleAssignments", json=body))

    def create_github_connection(
        self, name: str, repo_url: str, pat: str, *, owner: Identity | None = None
    ) -> str:
        """A GitHub connection holding ``pat``, scoped to ``repo_url``; its id. A connection is
        visible to its creator: ``owner`` creates it (default: the admin)."""
        if owner is None:
            return self.client().connections.create_github(name, pat, repo_url).id
        from fabric_git.client import FabricClient

        with FabricClient(base_url=self.url, credential=owner.token) as client:
            return client.connections.create_github(name, pat, repo_url).id

    def create_capacity(self, name: str) -> str:
        """Another capacity (the emulator starts with one); its id."""
        return str(self.admin("POST", "/capacities", {"displayName": name})["id"])

    def add_fault(self, **rule: Any) -> Any:
        return self.admin("POST", "/faults", rule)

    def clear_faults(self) -> None:
        self.admin("DELETE", "/faults")

    def settings(self, **values: Any) -> Any:
        return self.admin("PUT", "/settings", values)

    # --- workspaces and items -------------------------------------------------------------------

    def create_workspace(self, name: str) -> str:
        created = self.client().workspaces.create(name, capacity_id=self.running.capacity_id)
        return created.id

    def _run(self, response: httpx.Response) -> Any:
        """Wait for a 202 operation and return its result, or the immediate body."""
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
        if response.status_code == 202:
            operation_id = response.headers["x-ms-operation-id"]
            self.client().wait_for_operation(operation_id)
            from fabric_git.errors import ApiError

            try:
                return self.client().operations.get_result(operation_id)
            except ApiError:  # operations without a result body (OperationHasNoResult)
                return None
        return response.json() if response.content else None

    def create_item(
        self, workspace_id: str, name: str, item_type: str, files: Mapping[str, str]
    ) -> str:
        body = {"displayName": name, "type": item_type, "definition": item_parts(files)}
        created = self._run(self.http().post(f"/v1/workspaces/{workspace_id}/items", json=body))
        return str(created["id"])

    def create_items(
        self, workspace_id: str, items: Mapping[str, Mapping[str, str]]
    ) -> dict[str, str]:
        """Items keyed ``"Name.Type"`` (as Fabric names their directories in Git), each with
        its definition's files; the new items' ids by that key."""
        created: dict[str, str] = {}
        for key, files in items.items():
            name, _, item_type = key.rpartition(".")
            if not name or not item_type:
                raise ValueError(f"name items 'Name.Type', e.g. 'Load.Notebook', not {key!r}")
            created[key] = self.create_item(workspace_id, name, item_type, files)
        return created

    def update_item(self, workspace_id: str, item_id: str, files: Mapping[str, str]) -> None:
        body = {"definition": item_parts(files)}
        self._run(
            self.http().post(
                f"/v1/workspaces/{workspace_id}/items/{item_id}/updateDefinition", json=body
            )
        )

    def delete_item(self, workspace_id: str, item_id: str) -> None:
        response = self.http().delete(f"/v1/workspaces/{workspace_id}/items/{item_id}")
        if response.status_code >= 400:
            raise RuntimeError(response.text)

    def clone(self, owner: str, repo: str, *, pat: str | None, into: Path) -> GitWorkTree:
        url = f"{self.running.git_url}/github/{owner}/{repo}.git"
        tree = GitWorkTree(into, pat=pat)
        tree.git("clone", "--quiet", url, str(into), cwd=into.parent)
        tree.git("config", "user.name", "Demo Developer")
        tree.git("config", "user.email", "developer@example.com")
        return tree


class GitWorkTree:
    """A clone driven with the real ``git`` client."""

    def __init__(self, path: Path, *, pat: str | None) -> None:
        self.path = path
        self._pat = pat

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["GIT_TERMINAL_PROMPT"] = "0"
        if self._pat:
            basic = base64.b64encode(f"x-access-token:{self._pat}".encode()).decode()
            env["GIT_CONFIG_COUNT"] = "1"
            env["GIT_CONFIG_KEY_0"] = "http.extraHeader"
            env["GIT_CONFIG_VALUE_0"] = f"Authorization: Basic {basic}"
        return env

    def git(self, *args: str, cwd: Path | None = None) -> str:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd or self.path,
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"git {args[0]} failed: {completed.stderr.strip()}")
        return completed.stdout

    def write(self, relative: str, text: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def commit_and_push(self, message: str) -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)
        self.git("push", "--quiet", "origin", "HEAD")
        return self.git("rev-parse", "HEAD").strip()

    def pull(self) -> None:
        self.git("pull", "--quiet", "--ff-only")
