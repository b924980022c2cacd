"""A bounded, seeded schemathesis run over every operation the emulator serves.

The spec is loaded as one resolved document (see ``resolved_spec``), restricted to the emulated
operations. For each operation a fixed number of requests is generated from the spec, derandomised
(the same requests on every run), and sent to an in-process emulator that holds real workspaces
(one in sync with Git, one connected but not initialized, one never connected), each with a folder,
an item and role assignments, plus a connection and finished operations. Positive data is what a
client following the spec may send; negative data is what it must not (wrong types, missing
required fields, bad formats), to which the service must still answer well (a documented 4xx,
never a 5xx). Path parameters, and id fields of the body, are real ids three times in
four, so most requests reach the handlers rather than a 404.

Every response must:
- not be a server error (5xx);
- have a status the operation documents (``default``, the ``ErrorResponse`` of any failure,
  counts as documented, as in Fabric);
- have the documented content type, headers and body schema (error bodies against
  ``ErrorResponse``);
- pass the checks of ``conformance_support.response_problems`` (error bodies carry a
  ``requestId``; a 202 has ``Location`` on the called host, ``x-ms-operation-id`` and a
  numeric ``Retry-After``).

Long-running operations run once in each LRO mode: ``sync`` (200 with the result) and
``async`` (202, then the operation). Null properties read as absent and ``type: file`` results
are not checked against a schema; see ``schema_with_nulls_as_absent`` and ``resolved_spec``.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, Response
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from conformance.conformance_support import Stage, emulated_operation_ids, response_problems
from conformance.resolved_spec import resolved_document

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}
# A generous bound on one request to the in-process emulator: only a hang or a pathological
# slowdown crosses it, never an ordinary run on a loaded machine.
DEADLINE = datetime.timedelta(seconds=5)


def content_type_of_bodies(ctx: Any, response: Any, case: Any) -> bool | None:
    """The documented content type, for responses that have a body.

    An operation's ``produces`` covers its bodies; a response with no schema and an empty body
    (200 of a delete, 202 of an operation) has no content to type, as in Fabric.
    """
    if not response.content:
        return None
    return content_type_conformance(ctx, response, case)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def schema_with_nulls_as_absent(ctx: Any, response: Response, case: Any) -> bool | None:
    """The documented body schema, reading ``null`` properties as absent.

    Fabric sends ``null`` for optional properties it has no value for (the spec's own example
    of Get Connection on a workspace that is not connected has ``gitProviderDetails: null``),
    which the schemas, lacking ``x-nullable``, do not say. A required property that is null
    still fails, as missing.
    """
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    stripped = _drop_nulls(body)
    if stripped != body:
        response = Response(
            status_code=response.status_code,
            headers=response.headers,
            content=json.dumps(stripped).encode(),
            request=response.request,
            elapsed=response.elapsed,
            verify=response.verify,
            message=response.message,
            http_version=response.http_version,
            encoding=response.encoding,
        )
    return response_schema_conformance(ctx, response, case)


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_of_bodies,
    response_headers_conformance,
    schema_with_nulls_as_absent,
]

# Findings: requests on which the emulator breaks the spec today. Each is reported with a
# reproducer; the test is an expected failure (strict, so it fails once the emulator is fixed
# and the entry must go).
KNOWN_FINDINGS: dict[str, str] = {}


@cache
def api_schema() -> OpenApiSchema:
    return schemathesis.openapi.from_dict(resolved_document(emulated_operation_ids()))


def _is_long_running(operation_id: str) -> bool:
    operation = api_schema().find_operation_by_id(operation_id)
    return "202" in operation.definition.raw.get("responses", {})


def _cases() -> list[Any]:
    params = []
    for operation_id in sorted(emulated_operation_ids()):
        modes = ("sync", "async") if _is_long_running(operation_id) else ("sync",)
        for lro_mode in modes:
            key = f"{operation_id}-{lro_mode}"
            marks = []
            if key in KNOWN_FINDINGS:
                marks.append(pytest.mark.xfail(reason=KNOWN_FINDINGS[key], strict=True))
            params.append(pytest.param(operation_id, lro_mode, id=key, marks=marks))
    return params


# --- the state requests are aimed at ------------------------------------------------------------


@dataclass
class Scene:
    """Ids that exist together (a workspace and what it holds), by the parameter or body field
    they fill. Ids that belong to no workspace (connection, capacity, operations) are in all."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, *values: str) -> None:
        self.ids.setdefault(name, []).extend(values)


@dataclass
class Arranged:
    connected: Scene  # connected to Git and in sync, with a folder and an item in it
    fresh: Scene  # connected to Git, not initialized yet, with an item
    plain: Scene  # never connected, with a folder and an item

    @property
    def scenes(self) -> list[Scene]:
        return [self.connected, self.fresh, self.plain]


def _scene(stage: Stage, name: str, shared: dict[str, list[str]]) -> Scene:
    scene = Scene({key: list(values) for key, values in shared.items()})
    workspace = stage.workspace(name)
    folder = stage.ok("POST", f"/workspaces/{workspace}/folders", {"displayName": "Reports"})["id"]
    item = stage.item(workspace, f"{name} notebook", folder=folder)
    scene.add("workspaceId", workspace)
    for key in ("folderId", "targetFolderId", "parentFolderId"):
        scene.add(key, folder)
    scene.add("itemId", item)
    scene.add("objectId", item)
    return scene


def _arrange(stage: Stage) -> Arranged:
    stage.repo()
    connection = stage.connection()
    shared = {"connectionId": [connection], "capacityId": [stage.emu.capacity_id]}
    arranged = Arranged(
        _scene(stage, "Connected", shared),
        _scene(stage, "Fresh", shared),
        _scene(stage, "Plain", shared),
    )
    connected = arranged.connected.ids["workspaceId"][0]
    stage.synced(connected, connection)
    stage.connect(arranged.fresh.ids["workspaceId"][0], connection)

    member = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
    for scene in arranged.scenes:
        workspace = scene.ids["workspaceId"][0]
        stage.ok(
            "POST",
            f"/workspaces/{workspace}/roleAssignments",
            {"principal": {"id": member, "type": "User"}, "role": "Member"},
        )
        assignments = stage.ok("GET", f"/workspaces/{workspace}/roleAssignments")["value"]
        scene.add("workspaceRoleAssignmentId", *(a["id"] for a in assignments))
    stage.ok(
        "POST",
        f"/connections/{connection}/roleAssignments",
        {"principal": {"id": member, "type": "User"}, "role": "User"},
    )
    for scene in arranged.scenes:
        scene.add("connectionRoleAssignmentId", member)

    # Workspace relations: the plain and fresh workspaces are branches of the connected one.
    for scene in (arranged.plain, arranged.fresh):
        branch = scene.ids["workspaceId"][0]
        relation = stage.ok(
            "POST",
            f"/workspaces/{branch}/git/workspaceRelations",
            {"relatedWorkspaceId": connected, "relationType": "Base"},
            status=201,
        )["id"]
        scene.add("workspaceRelationId", relation)
        arranged.connected.add("workspaceRelationId", relation)

    # Finished operations: one with a result (get definition), one without (commit).
    stage.lro_mode("async", 0.0)
    plain, item = arranged.plain.ids["workspaceId"][0], arranged.plain.ids["itemId"][0]
    started = stage.client.post(f"/workspaces/{plain}/items/{item}/getDefinition")
    assert started.status_code == 202, started.text
    stage.set_content(connected, arranged.connected.ids["itemId"][0], "# changed\nprint(1)\n")
    head = stage.status(connected)["workspaceHead"]
    committed = stage.client.post(
        f"/workspaces/{connected}/git/commitToGit", json={"mode": "All", "workspaceHead": head}
    )
    assert committed.status_code == 202, committed.text
    stage.emu.wait_for_operations()
    stage.clock.advance(3600)
    remote = stage.ok("GET", f"/workspaces/{connected}/git/connection")["gitSyncDetails"]["head"]
    for scene in arranged.scenes:
        scene.add("operationId", *(r.headers["x-ms-operation-id"] for r in (started, committed)))
        scene.add("remoteCommitHash", remote)
        scene.add("workspaceHead", remote)
    return arranged


# --- generation ---------------------------------------------------------------------------------


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _with_real_ids(
    draw: Callable[[Any], Any], value: Any, scene: Scene, *, keep_invalid: bool = False
) -> Any:
    """``value`` with fields named like a known id replaced by a real one, 3 times in 4.

    With ``keep_invalid`` (negative data), a value that is not a GUID is left alone: it may be
    the very thing the case was generated to get wrong.
    """
    if isinstance(value, list):
        return [_with_real_ids(draw, v, scene, keep_invalid=keep_invalid) for v in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, inner in value.items():
        pool = scene.ids.get(key)
        replaceable = isinstance(inner, str) and (not keep_invalid or _is_guid(inner))
        if pool and replaceable and draw(st.integers(0, 3)):
            result[key] = draw(st.sampled_from(pool))
        else:
            result[key] = _with_real_ids(draw, inner, scene, keep_invalid=keep_invalid)
    return result


def _strategy(
    operation_id: str, arranged: Arranged, mode: GenerationMode
) -> st.SearchStrategy[Any]:
    operation = api_schema().find_operation_by_id(operation_id)

    @st.composite
    def cases(draw: Callable[[Any], Any]) -> Any:
        case = draw(operation.as_strategy(mode))
        scene = draw(st.sampled_from(arranged.scenes))
        negative = mode is GenerationMode.NEGATIVE
        if case.path_parameters:
            path = dict(case.path_parameters)
            case.path_parameters = _with_real_ids(draw, path, scene, keep_invalid=negative)
        if isinstance(case.body, dict):
            case.body = _with_real_ids(draw, case.body, scene, keep_invalid=negative)
        return case

    return cases()


def _explicit(operation_id: str, arranged: Arranged) -> list[Any]:
    """Well-formed requests that random data seldom hits (a valid connection, say)."""
    operation = api_schema().find_operation_by_id(operation_id)
    plain = {"workspaceId": arranged.plain.ids["workspaceId"][0]}
    fresh = {"workspaceId": arranged.fresh.ids["workspaceId"][0]}
    item = {**plain, "itemId": arranged.plain.ids["itemId"][0]}
    credentials = {
        "source": "ConfiguredConnection",
        "connectionId": arranged.plain.ids["connectionId"][0],
    }
    requests: dict[str, list[tuple[dict[str, str], Any]]] = {
        "Connections_CreateConnection": [({}, _github_connection())],
        "Git_Connect": [(plain, {"gitProviderDetails": _GITHUB, "myGitCredentials": credentials})],
        "Git_InitializeConnection": [(fresh, {"initializationStrategy": "PreferWorkspace"})],
        "Items_UpdateItemDefinition": [(item, {"definition": {"parts": [_PART]}})],
        "Folders_UpdateFolder": [
            ({**plain, "folderId": arranged.plain.ids["folderId"][0]}, {"displayName": "Old"})
        ],
        "Workspaces_UpdateWorkspaceRoleAssignment": [
            (
                {**plain, "workspaceRoleAssignmentId": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"},
                {"role": "Contributor"},
            )
        ],
    }
    cases = []
    for path_parameters, body in requests.get(operation_id, []):
        cases.append(
            operation.Case(
                path_parameters=path_parameters, body=body, media_type="application/json"
            )
        )
    return cases


_GITHUB = {
    "gitProviderType": "GitHub",
    "ownerName": "contoso",
    "repositoryName": "fabric",
    "branchName": "main",
    "directoryName": "/",
}
_PART = {
    "path": "notebook-content.py",
    "payload": "IyBGYWJyaWMgbm90ZWJvb2sgc291cmNlCg==",
    "payloadType": "InlineBase64",
}


def _github_connection() -> dict[str, Any]:
    return {
        "connectivityType": "ShareableCloud",
        "displayName": "GitHub contoso/fabric (explicit)",
        "connectionDetails": {
            "type": "GitHubSourceControl",
            "creationMethod": "GitHubSourceControl.Contents",
            "parameters": [
                {"dataType": "Text", "name": "url", "value": "https://github.com/contoso/fabric"}
            ],
        },
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": "explicit-pat"}},
    }


def _send(client: httpx.Client, case: Any, token: str) -> httpx.Response:
    sent = case.as_transport_kwargs(
        base_url=str(client.base_url), headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    response = client.request(
        sent["method"],
        sent["url"],
        headers=sent["headers"],
        params=sent.get("params") or None,
        content=sent.get("data"),
        json=sent.get("json"),
    )
    # The in-process transport answers with a body already read, so httpx never times it.
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
    return response


@pytest.fixture
def arranged(stage: Stage) -> Iterator[tuple[Stage, Arranged]]:
    arranged = _arrange(stage)
    yield stage, arranged
    stage.emu.wait_for_operations()


def _run(stage: Stage, arranged: Arranged, operation_id: str, mode: GenerationMode) -> list[int]:
    """Send the generated requests (and, for positive data, the explicit ones); their statuses."""
    # A plain client: the stage's client records problems of its own, checked here instead.
    client = httpx.Client(base_url=stage.emu.url, transport=stage.emu.transport())
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION[mode],
        deadline=DEADLINE,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=_strategy(operation_id, arranged, mode))
    def run(case: Any) -> None:
        response = _send(client, case, stage.emu.token)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)
        problems = response_problems(response)
        assert not problems, f"{case.method} {case.formatted_path}: {problems}"
        # Let an operation started here finish, so the next request meets a settled workspace.
        if response.status_code == 202:
            stage.emu.wait_for_operations()

    if mode is GenerationMode.POSITIVE:
        for case in _explicit(operation_id, arranged):
            run = example(case=case)(run)
    with client:
        run()
    return statuses


@pytest.mark.parametrize(("operation_id", "lro_mode"), _cases())
def test_generated_requests_conform(
    arranged: tuple[Stage, Arranged], operation_id: str, lro_mode: str
) -> None:
    stage, state = arranged
    stage.lro_mode(lro_mode, 0.0)
    # Negative data first: it seldom changes state, while positive data may delete what the
    # requests are aimed at.
    modes = [GenerationMode.POSITIVE]
    if lro_mode == "sync":
        modes.insert(0, GenerationMode.NEGATIVE)
    seen: list[int] = []
    for mode in modes:
        statuses = _run(stage, state, operation_id, mode)
        # Hypothesis may stop early when the space is small; it must still have sent requests.
        assert len(statuses) >= EXAMPLES_PER_OPERATION[mode] // 2, statuses
        seen += statuses
    # The real ids bring requests past the lookups to the handlers.
    assert any(status != 404 for status in seen), seen


# --- the checks themselves ----------------------------------------------------------------------


def _validate(operation_id: str, path: dict[str, str], status: int, body: Any) -> None:
    operation = api_schema().find_operation_by_id(operation_id)
    case = operation.Case(path_parameters=path)
    request = httpx.Request(case.method, f"http://localhost/v1{case.formatted_path}")
    response = httpx.Response(status, json=body, request=request)
    response.elapsed = datetime.timedelta(0)
    case.validate_response(response, checks=CHECKS)


_WS = {"workspaceId": "5b1f6d52-64a3-4b0e-9d2c-0d6a1f1b7c01"}


def test_checks_pass_a_conforming_answer_with_null_optional_properties() -> None:
    body = {
        "gitProviderDetails": None,
        "gitSyncDetails": None,
        "gitConnectionState": "NotConnected",
    }
    _validate("Git_GetConnection", _WS, 200, body)


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        pytest.param(500, {"errorCode": "InternalError"}, "Server error", id="server-error"),
        pytest.param(200, {"id": _WS["workspaceId"]}, "violates schema", id="missing-required"),
        pytest.param(200, {**_WS, "id": None, "type": "Workspace"}, "violates", id="null-required"),
        pytest.param(404, {"message": 7}, "violates schema", id="malformed-error-body"),
    ],
)
def test_checks_catch_what_breaks_the_spec(status: int, body: Any, failure: str) -> None:
    from schemathesis.core.failures import FailureGroup

    if status == 200:
        body = {"displayName": "Sales", **body}
    with pytest.raises(FailureGroup, match=failure):
        _validate("Workspaces_GetWorkspace", _WS, status, body)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_resolved_document_is_self_contained_and_plain_json_schema() -> None:
    document = resolved_document(emulated_operation_ids())
    operation_ids = {
        op["operationId"] for entry in document["paths"].values() for op in entry.values()
    }
    assert operation_ids == emulated_operation_ids()
    for ref in _refs(document):
        assert ref.startswith("#/definitions/"), ref
        assert ref.removeprefix("#/definitions/") in document["definitions"], ref
    definitions = document["definitions"]
    # AutoRest's typeless schemas with properties are objects.
    assert definitions["platform.definitions.platform.CreateWorkspaceRequest"]["type"] == "object"
    # A discriminated base in a request is one of its subtypes, discriminator pinned.
    connect = definitions["platform.definitions.gitIntegration.GitConnectRequest"]
    variants = connect["properties"]["gitProviderDetails"]["oneOf"]
    pinned = {v["allOf"][1]["properties"]["gitProviderType"]["enum"][0] for v in variants}
    assert pinned == {"AzureDevOps", "GitHub"}
    result = document["paths"]["/operations/{operationId}/result"]["get"]["responses"]["200"]
    assert "schema" not in result
