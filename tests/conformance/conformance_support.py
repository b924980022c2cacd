"""Conformance helpers: map a request to its spec operation, check every response on the wire
against the spec, and stage the emulator state a spec example implies."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

import spec
from fabric_git.emulator import Emulator

EMULATED_FOLDERS = ("gitIntegration", "connections", "platform")
ZERO = "00000000-0000-0000-0000-000000000000"


class FakeClock:
    """A wall clock that moves only when told: long-running operations stay Running until then."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    async def sleep(self, seconds: float) -> None:
        self.value += seconds

    def advance(self, seconds: float) -> None:
        self.value += seconds


def emulated_operation_ids() -> set[str]:
    """Spec operations the emulator serves: its routes are named after their operationIds."""
    from fabric_git.emulator.routes import api_routes

    names = {getattr(route, "name", None) for route in api_routes()}
    return {name for name in names if isinstance(name, str)} & set(spec.operations())


RELEASE_QUERY = "?beta=false"


def spec_path(op: spec.Operation) -> str | None:
    """The path a request uses: a release contract keyed ``?beta=false`` without its query;
    None for a beta variant (never emulated)."""
    if op.path.endswith(RELEASE_QUERY):
        return op.path.removesuffix(RELEASE_QUERY)
    return None if "?" in op.path else op.path


def emulated_item_type_operations() -> list[spec.Operation]:
    """Item-type operations the emulator serves: routes named after them, below the
    collection of a type of the table (operationIds repeat across item-type documents)."""
    from fabric_git.emulator.item_types import ITEM_TYPES
    from fabric_git.emulator.routes import api_routes

    names = {getattr(route, "name", None) for route in api_routes()}
    collections = {f"/workspaces/{{workspaceId}}/{t.collection}" for t in ITEM_TYPES}
    found = []
    for op in spec.item_type_operations():
        path = spec_path(op)
        if op.operation_id not in names or path is None:
            continue
        if "/".join(path.split("/")[:4]) in collections:
            found.append(op)
    return found


@dataclass(frozen=True)
class _Template:
    operation: spec.Operation
    pattern: re.Pattern[str]
    literal_segments: int


def _templates() -> list[_Template]:
    found = []
    for op in [*spec.operations().values(), *spec.item_type_operations()]:
        path = spec_path(op)
        if path is None:  # beta variants keyed by a query string; never emulated
            continue
        regex = re.sub(
            r"\{[^}]+\}", "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
        )
        literal = sum(1 for part in path.split("/") if part and not part.startswith("{"))
        found.append(_Template(op, re.compile(f"^/v1{regex}/?$"), literal))
    # The most literal template wins (``/connections/supportedConnectionTypes`` over an id).
    return sorted(found, key=lambda t: -t.literal_segments)


_TEMPLATES: list[_Template] | None = None


def operation_for(method: str, path: str) -> spec.Operation | None:
    global _TEMPLATES
    if _TEMPLATES is None:
        _TEMPLATES = _templates()
    for template in _TEMPLATES:
        if template.operation.method == method.upper() and template.pattern.match(path):
            return template.operation
    return None


def error_schema() -> dict[str, Any]:
    return spec.definition_schema("common/definitions.json", "ErrorResponse")


def json_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    return json.loads(response.content)


def response_problems(response: httpx.Response) -> list[str]:
    """Everything about ``response`` that the spec does not allow (empty when it conforms)."""
    request = response.request
    path = request.url.path
    if not path.startswith("/v1/"):
        return []
    problems: list[str] = []
    status = response.status_code
    if status >= 400:
        try:
            body = json_body(response)
        except ValueError:
            return [f"{status} error body is not JSON: {response.text[:200]!r}"]
        problems += [f"ErrorResponse {p}" for p in spec.validate(body, error_schema())]
        if not isinstance(body, dict) or not body.get("requestId"):
            problems.append("error body has no requestId")
        elif response.headers.get("x-ms-public-api-error-code") != body.get("errorCode"):
            problems.append("x-ms-public-api-error-code differs from the body's errorCode")
        return problems
    op = operation_for(request.method, path)
    if op is None:
        return [f"{status} answered for {request.method} {path}, which is no spec operation"]
    responses = op.spec.get("responses", {})
    if str(status) not in responses:
        return [f"{op.operation_id}: status {status} is not among {sorted(responses)}"]
    if status == 202 and "Location" in responses["202"].get("headers", {}):
        problems += lro_header_problems(response)
    schema = responses[str(status)].get("schema")
    if schema is not None:
        try:
            body = json_body(response)
        except ValueError:
            return [f"{op.operation_id}: body is not JSON"]
        problems += [
            f"{op.operation_id} {status} {p}"
            for p in spec.validate(body, op.response_schema(status) or {})
        ]
    return problems


def lro_header_problems(response: httpx.Response) -> list[str]:
    """The 202 headers of a long-running operation, as the spec examples show them."""
    problems = []
    headers = response.headers
    op_id = headers.get("x-ms-operation-id", "")
    expected = f"{response.request.url.scheme}://{response.request.url.netloc.decode()}"
    expected += f"/v1/operations/{op_id}"
    if not op_id:
        problems.append("202 without x-ms-operation-id")
    if headers.get("Location") != expected:
        problems.append(f"202 Location {headers.get('Location')!r}, expected {expected!r}")
    retry_after = headers.get("Retry-After", "")
    if not retry_after.isdigit():
        problems.append(f"202 Retry-After {retry_after!r} is not a number of seconds")
    return problems


@dataclass
class WireLog:
    """Every API exchange seen by a :class:`CheckingTransport`, with its problems."""

    exchanges: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    operations_seen: set[str] = field(default_factory=set)


class CheckingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, log: WireLog) -> None:
        self._inner = inner
        self._log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        path = request.url.path
        self._log.exchanges.append((request.method, path, response.status_code))
        op = operation_for(request.method, path)
        if op is not None:
            self._log.operations_seen.add(op.operation_id)
        for problem in response_problems(response):
            self._log.problems.append(
                f"{request.method} {path} -> {response.status_code}: {problem}"
            )
        return response


# --- staging state ----------------------------------------------------------------------------


@dataclass
class Stage:
    """An emulator and a client whose every response is checked against the spec."""

    emu: Emulator
    client: httpx.Client
    log: WireLog
    clock: FakeClock

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, f"http://localhost/_emulator{path}", json=body)
        assert response.status_code < 300, response.text
        return json_body(response)

    def lro_mode(self, mode: str, duration: float = 0.0) -> None:
        self.admin("PUT", "/settings", {"lroMode": mode, "lroDuration": duration, "retryAfter": 5})

    def ok(self, method: str, path: str, body: Any = None, status: int | None = None) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        if status is not None:
            assert response.status_code == status, response.text
        return json_body(response)

    def workspace(self, name: str = "Conformance", *, capacity: bool = True) -> str:
        body: dict[str, Any] = {"displayName": name}
        if capacity:
            body["capacityId"] = self.emu.capacity_id
        return str(self.ok("POST", "/workspaces", body)["id"])

    def item(
        self,
        ws: str,
        name: str,
        item_type: str = "Notebook",
        parts: Mapping[str, bytes] | None = None,
        folder: str | None = None,
    ) -> str:
        import base64

        files = parts or {"notebook-content.py": f"# Fabric notebook source\n# {name}\n".encode()}
        body: dict[str, Any] = {
            "displayName": name,
            "type": item_type,
            "definition": {
                "parts": [
                    {
                        "path": p,
                        "payload": base64.b64encode(d).decode(),
                        "payloadType": "InlineBase64",
                    }
                    for p, d in files.items()
                ]
            },
        }
        if folder:
            body["folderId"] = folder
        response = self.client.post(f"/workspaces/{ws}/items", json=body)
        assert response.status_code in (201, 202), response.text
        self.emu.state.operations.wait_idle()
        items = self.ok("GET", f"/workspaces/{ws}/items")["value"]
        return str(next(i["id"] for i in items if i["displayName"] == name))

    def set_content(self, ws: str, item: str, text: str) -> None:
        import base64

        part = {
            "path": "notebook-content.py",
            "payload": base64.b64encode(text.encode()).decode(),
            "payloadType": "InlineBase64",
        }
        response = self.client.post(
            f"/workspaces/{ws}/items/{item}/updateDefinition",
            json={"definition": {"parts": [part]}},
        )
        assert response.status_code in (200, 202), response.text
        self.emu.state.operations.wait_idle()

    def repo(self, owner: str = "contoso", name: str = "fabric", branch: str = "main") -> None:
        self.admin(
            "POST", "/repos", {"provider": "GitHub", "owner": owner, "repo": name, "branch": branch}
        )

    def ado_repo(self, org: str, project: str, name: str, branch: str = "main") -> None:
        self.admin(
            "POST",
            "/repos",
            {
                "provider": "AzureDevOps",
                "organization": org,
                "project": project,
                "repo": name,
                "branch": branch,
            },
        )

    def connection(self, owner: str = "contoso", name: str = "fabric", display: str = "") -> str:
        body = {
            "connectivityType": "ShareableCloud",
            "displayName": display or f"GitHub {owner}/{name}",
            "connectionDetails": {
                "type": "GitHubSourceControl",
                "creationMethod": "GitHubSourceControl.Contents",
                "parameters": [
                    {
                        "dataType": "Text",
                        "name": "url",
                        "value": f"https://github.com/{owner}/{name}",
                    }
                ],
            },
            "credentialDetails": {
                "credentials": {"credentialType": "Key", "key": "conformance-pat"}
            },
        }
        return str(self.ok("POST", "/connections", body, status=201)["id"])

    def connect(
        self, ws: str, connection: str, owner: str = "contoso", name: str = "fabric"
    ) -> None:
        details = {
            "gitProviderType": "GitHub",
            "ownerName": owner,
            "repositoryName": name,
            "branchName": "main",
            "directoryName": "",
        }
        credentials = {"source": "ConfiguredConnection", "connectionId": connection}
        self.ok(
            "POST",
            f"/workspaces/{ws}/git/connect",
            {"gitProviderDetails": details, "myGitCredentials": credentials},
        )

    def run_lro(self, method: str, path: str, body: Any = None) -> Any:
        """Run an operation whatever the LRO mode; its result body (or None)."""
        response = self.client.request(method, path, json=body)
        assert response.status_code in (200, 202), f"{path}: {response.status_code} {response.text}"
        if response.status_code == 200:
            return json_body(response)
        self.emu.state.operations.wait_idle()
        self.clock.advance(3600)
        location = response.headers["Location"]
        state = self.ok("GET", location)
        assert state["status"] == "Succeeded", state
        result = self.client.get(f"{location}/result")
        return json_body(result) if result.status_code == 200 else None

    def synced(self, ws: str, connection: str) -> dict[str, Any]:
        """Connect, initialize and commit all: the workspace and branch agree."""
        self.connect(ws, connection)
        init = self.run_lro("POST", f"/workspaces/{ws}/git/initializeConnection", {})
        if init["requiredAction"] == "CommitToGit":
            body = {"mode": "All", "workspaceHead": init.get("workspaceHead")}
            self.run_lro(
                "POST", f"/workspaces/{ws}/git/commitToGit", {k: v for k, v in body.items() if v}
            )
        elif init["requiredAction"] == "UpdateFromGit":
            body = {
                "remoteCommitHash": init["remoteCommitHash"],
                "workspaceHead": init.get("workspaceHead"),
            }
            self.run_lro(
                "POST", f"/workspaces/{ws}/git/updateFromGit", {k: v for k, v in body.items() if v}
            )
        return self.status(ws)

    def status(self, ws: str) -> dict[str, Any]:
        return dict(self.run_lro("GET", f"/workspaces/{ws}/git/status"))

    def push(
        self, files: Mapping[str, bytes | None], owner: str = "contoso", name: str = "fabric"
    ) -> str:
        """A commit made straight in the hosted repository, as a ``git push`` would."""
        from fabric_git.emulator.gitrepo.repos import RepoKey

        repo = self.emu.state.repos.get(RepoKey.github(owner, name))
        tip = repo.branch_tip("main")
        return str(
            repo.commit(
                "main",
                expected_tip=tip,
                changes=dict(files),
                message="change in Git",
                author=("Dev", "dev@example.com"),
            )
        )

    def files(self, owner: str = "contoso", name: str = "fabric") -> dict[str, bytes]:
        from fabric_git.emulator.gitrepo.repos import RepoKey

        repo = self.emu.state.repos.get(RepoKey.github(owner, name))
        return dict(repo.read_files(repo.branch_tip("main")))


def platform_file(logical_id: str, name: str, item_type: str = "Notebook") -> bytes:
    document = {
        "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
        "metadata": {"type": item_type, "displayName": name},
        "config": {"version": "2.0", "logicalId": logical_id},
    }
    return json.dumps(document, indent=2).encode()


def missing_keys(example: Any, actual: Any, where: str = "") -> list[str]:
    """Keys present in the example body but absent from the response, recursively.

    A list in the example is matched element by element against any element of the response
    list with the same set of keys, so the response must show every shape the example shows.
    """
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return [f"{where or '<root>'}: expected an object"]
        found = []
        for key, value in example.items():
            if key not in actual:
                found.append(f"{where}/{key}")
            elif value is not None:
                found += missing_keys(value, actual[key], f"{where}/{key}")
        return found
    if isinstance(example, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list"]
        found = []
        for index, element in enumerate(example):
            if not any(
                not missing_keys(element, candidate) and _same_keys(element, candidate)
                for candidate in actual
            ):
                found.append(
                    f"{where}[{index}]: no response element has the keys {sorted(_keys(element))}"
                )
        return found
    return []


def _keys(value: Any) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


def _same_keys(example: Any, actual: Any) -> bool:
    if not isinstance(example, dict):
        return True
    keys = _keys(actual)
    return _keys(example) <= keys and all(
        _same_keys(v, actual[k]) for k, v in example.items() if isinstance(v, dict)
    )
