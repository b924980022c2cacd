"""A scripted Fabric service for CLI tests of one layer: the real ``FabricClient`` over an
``httpx.MockTransport``, injected through the CLI's ``client_factory``. Each request is recorded;
a route answers from a function of the request; an unscripted request fails with a 599."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from click.testing import CliRunner, Result

from fabric_git import FabricClient, PollPolicy, RetryPolicy, StaticTokenCredential
from fabric_git._httpx import httpx
from fabric_git.cli import cli

BASE_URL = "https://fabric.example.test/v1"
TOKEN = "surface-test-token"
WS = "1f0c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
ITEM = "2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
LOGICAL = "3b2c4d5e-6f70-4b8c-9d0e-1f2a3b4c5d6e"
CONNECTION = "4c3d5e6f-7081-4c9d-8e0f-2a3b4c5d6e7f"
PRINCIPAL = "5d4e6f70-8192-4dae-9f10-3b4c5d6e7f80"
OTHER_WS = "6e5f7081-92a3-4ebf-8021-4c5d6e7f8091"
HEAD = "a" * 40

Answer = Callable[[httpx.Request], Any]


@dataclass
class Reply:
    status: int = 200
    body: Any = None


@dataclass
class SurfaceService:
    routes: dict[tuple[str, str], list[Answer | Reply | Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Answer | Reply | Any) -> None:
        """Answer ``method path`` (under /v1) in turn with each reply (the last one repeats):
        a ``Reply``, a function of the request, or a JSON body (200)."""
        self.routes[(method, "/v1" + path)] = list(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(599, text=f"unscripted {request.method} {request.url.path}")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(reply):
            reply = reply(request)
        if not isinstance(reply, Reply):
            reply = Reply(200, reply)
        if reply.body is None:
            return httpx.Response(reply.status)
        return httpx.Response(reply.status, json=reply.body)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == "/v1" + path]

    def body(self, method: str, path: str) -> Any:
        found = self.sent(method, path)
        assert len(found) == 1, [f"{r.method} {r.url.path}" for r in self.requests]
        return json.loads(found[0].content)

    def client(self, _options: Any) -> FabricClient:
        return FabricClient(
            base_url=BASE_URL,
            credential=StaticTokenCredential(TOKEN),
            transport=httpx.MockTransport(self.handle),
            retry=RetryPolicy(max_attempts=1),
            poll=PollPolicy(),
        )

    def run(
        self,
        *args: str,
        expect: int = 0,
        env: dict[str, str | None] | None = None,
        input: str | None = None,
    ) -> Result:
        environment: dict[str, str | None] = {
            "CI": None,
            "GITHUB_ACTIONS": None,
            "GITHUB_STEP_SUMMARY": None,
            "FABRIC_GIT_OUTPUT": None,
            **(env or {}),
        }
        result = CliRunner().invoke(
            cli,
            ["--no-progress", *args],
            obj={"client_factory": self.client},
            env=environment,
            input=input,
        )
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.run("-o", "json", *args, **kwargs).stdout)

    def workspace(self, name: str = "Sales", workspace_id: str = WS) -> None:
        self.on(
            "GET",
            f"/workspaces/{workspace_id}",
            {"id": workspace_id, "displayName": name, "type": "Workspace"},
        )

    def connection(self, name: str = "ado-ci") -> None:
        self.on(
            "GET",
            f"/connections/{CONNECTION}",
            connection_body(name),
        )


def connection_body(name: str, credential_type: str = "ServicePrincipal") -> dict[str, Any]:
    return {
        "id": CONNECTION,
        "displayName": name,
        "connectivityType": "ShareableCloud",
        "connectionDetails": {
            "type": "AzureDevOpsSourceControl",
            "path": "https://dev.azure.com/contoso/analytics/_git/fabric",
        },
        "privacyLevel": "Organizational",
        "credentialDetails": {
            "credentialType": credential_type,
            "singleSignOnType": "None",
            "connectionEncryption": "NotEncrypted",
            "skipTestConnection": False,
        },
    }


def file_change(path: str, change: str = "Modified") -> dict[str, Any]:
    return {"path": path, "workspaceChange": change, "conflictType": "None"}


def item_change(
    name: str = "Load",
    item_type: str = "Notebook",
    *,
    files: list[dict[str, Any]] | None = None,
    object_id: str = ITEM,
    logical_id: str = LOGICAL,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "itemMetadata": {
            "itemIdentifier": {"objectId": object_id, "logicalId": logical_id},
            "itemType": item_type,
            "displayName": name,
        },
        "workspaceChange": "Modified",
        "conflictType": "None",
    }
    if files is not None:
        change["fileChanges"] = files
    return change


def status_body(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"workspaceHead": HEAD, "remoteCommitHash": HEAD, "changes": list(changes)}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
