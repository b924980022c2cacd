"""Connections (Azure DevOps service principal, sharing, testing), connection settings,
workspace relations, logical ids, capacities and workspace roles at the CLI layer: the exact
requests the real client sends, idempotent re-runs, secrets kept out of argv and output."""

from __future__ import annotations

import pytest

from unit.cli.surface_service import (
    CONNECTION,
    ITEM,
    OTHER_WS,
    PRINCIPAL,
    WS,
    Reply,
    SurfaceService,
    connection_body,
)

SECRET = "sp-secret-value-9f8e7d"
TENANT = "7e6f8091-a2b3-4cd4-8e5f-6a7b8c9d0e1f"
CLIENT_ID = "8f7091a2-b3c4-4de5-9f60-7b8c9d0e1f2a"
ADO_URL = "https://dev.azure.com/contoso/analytics/_git/fabric"
ASSIGNMENTS = f"/connections/{CONNECTION}/roleAssignments"


@pytest.fixture
def service() -> SurfaceService:
    found = SurfaceService()
    found.workspace()
    return found


def _create_args(*extra: str) -> list[str]:
    return [
        "connections",
        "create-azure-devops",
        "--name",
        "ado-ci",
        "--repo-url",
        ADO_URL,
        "--tenant-id",
        TENANT,
        "--client-id",
        CLIENT_ID,
        *extra,
    ]


@pytest.mark.parametrize("from_stdin", [False, True], ids=["env", "stdin"])
def test_create_azure_devops_sends_the_service_principal_credentials_once(
    service: SurfaceService, from_stdin: bool
) -> None:
    service.on("GET", "/connections", {"value": []})
    service.on("POST", "/connections", Reply(201, connection_body("ado-ci")))
    args = _create_args("--secret-stdin") if from_stdin else _create_args()
    env = {} if from_stdin else {"AZURE_CLIENT_SECRET": SECRET}

    result = service.run("-o", "json", *args, env=env, input=f"{SECRET}\n")

    body = service.body("POST", "/connections")
    assert body["connectionDetails"] == {
        "type": "AzureDevOpsSourceControl",
        "creationMethod": "AzureDevOpsSourceControl.Contents",
        "parameters": [{"dataType": "Text", "name": "url", "value": ADO_URL}],
    }
    assert body["credentialDetails"]["credentials"] == {
        "credentialType": "ServicePrincipal",
        "tenantId": TENANT,
        "servicePrincipalClientId": CLIENT_ID,
        "servicePrincipalSecret": SECRET,
    }
    assert SECRET not in result.stdout + result.stderr
    assert '"created": true' in result.stdout


def test_create_azure_devops_reuses_the_connection_of_that_name(service: SurfaceService) -> None:
    service.on("GET", "/connections", {"value": [connection_body("ado-ci")]})

    document = service.json(*_create_args(), env={"AZURE_CLIENT_SECRET": SECRET})

    assert document["created"] is False and document["id"] == CONNECTION
    assert service.sent("POST", "/connections") == []


def test_create_azure_devops_without_a_secret_is_a_usage_error_before_any_request(
    service: SurfaceService,
) -> None:
    result = service.run(
        *_create_args("--secret-env", "MY_SP_SECRET"), env={"MY_SP_SECRET": None}, expect=2
    )

    assert "MY_SP_SECRET" in result.stderr
    assert service.requests == []


def test_create_azure_devops_refuses_a_tenant_that_is_not_a_guid(service: SurfaceService) -> None:
    args = _create_args()
    args[args.index(TENANT)] = "contoso"
    result = service.run(*args, env={"AZURE_CLIENT_SECRET": SECRET}, expect=2)

    assert "'contoso' is not a GUID" in result.stderr
    assert service.requests == []


def _assignment(role: str = "User") -> dict[str, object]:
    return {
        "id": PRINCIPAL,
        "principal": {"id": PRINCIPAL, "type": "ServicePrincipal"},
        "role": role,
    }


@pytest.mark.parametrize("command", [["share"], ["roles", "add"]])
def test_share_adds_a_role_assignment_then_is_a_no_op(
    service: SurfaceService, command: list[str]
) -> None:
    service.connection()
    service.on("GET", ASSIGNMENTS, {"value": []}, {"value": [_assignment()]})
    service.on("POST", ASSIGNMENTS, Reply(201, _assignment()))
    args = [
        "connections",
        *command,
        CONNECTION,
        "--principal",
        PRINCIPAL,
        "--principal-type",
        "service-principal",
    ]

    first = service.json(*args)
    again = service.json(*args)

    assert service.body("POST", ASSIGNMENTS) == {
        "principal": {"id": PRINCIPAL, "type": "ServicePrincipal"},
        "role": "User",
    }
    assert first["changed"] is True and again["changed"] is False
    assert first["roleAssignment"] == {
        "id": PRINCIPAL,
        "principal": {"id": PRINCIPAL, "type": "ServicePrincipal", "displayName": None},
        "role": "User",
    }


def test_share_with_another_role_updates_the_assignment(service: SurfaceService) -> None:
    service.connection()
    service.on("GET", ASSIGNMENTS, {"value": [_assignment()]})
    service.on("PATCH", f"{ASSIGNMENTS}/{PRINCIPAL}", _assignment("Owner"))

    document = service.json(
        "connections", "share", CONNECTION, "--principal", PRINCIPAL, "--role", "owner"
    )

    assert service.body("PATCH", f"{ASSIGNMENTS}/{PRINCIPAL}") == {"role": "Owner"}
    assert document["roleAssignment"]["role"] == "Owner"


def test_connection_roles_list_and_remove(service: SurfaceService) -> None:
    service.connection()
    service.on(
        "GET", ASSIGNMENTS, {"value": [_assignment()]}, {"value": [_assignment()]}, {"value": []}
    )
    service.on("DELETE", f"{ASSIGNMENTS}/{PRINCIPAL}", None)

    listed = service.json("connections", "roles", "list", CONNECTION)
    removed = service.json("connections", "roles", "remove", CONNECTION, "--principal", PRINCIPAL)
    again = service.json("connections", "roles", "remove", CONNECTION, "--principal", PRINCIPAL)

    assert listed["connection"] == {"id": CONNECTION, "displayName": "ado-ci"}
    assert [a["principal"]["id"] for a in listed["roleAssignments"]] == [PRINCIPAL]
    assert removed["removed"]["id"] == PRINCIPAL and again["removed"] is None
    assert len(service.sent("DELETE", f"{ASSIGNMENTS}/{PRINCIPAL}")) == 1


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"status": "Online"}, 0),
        ({"status": "Offline", "errors": [{"errorCode": "Unreachable", "message": "no"}]}, 1),
    ],
)
def test_connections_test_exits_by_the_connection_state(
    service: SurfaceService, answer: dict[str, object], code: int
) -> None:
    service.connection()
    service.on("POST", f"/connections/{CONNECTION}/testConnection", answer)

    result = service.run("connections", "test", CONNECTION, expect=code)

    assert f"ado-ci ({CONNECTION}): {answer['status']}" in result.stdout
    if code:
        assert "Unreachable: no" in result.stdout


def test_connection_settings_show_then_set_once(service: SurfaceService) -> None:
    path = f"/workspaces/{WS}/git/connectionSettings"
    service.on(
        "GET",
        path,
        {"additionalRolesAuthorizedToChangeBranch": "None"},
        {"additionalRolesAuthorizedToChangeBranch": "None"},
        {"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"},
    )
    service.on("PATCH", path, {"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"})

    shown = service.json("connection-settings", "-w", WS)
    changed = service.json(
        "connection-settings", "-w", WS, "--branch-changers", "member-and-contributor"
    )
    again = service.json(
        "connection-settings", "-w", WS, "--branch-changers", "MemberAndContributor"
    )

    assert shown == {
        "workspace": {"id": WS, "name": "Sales"},
        "additionalRolesAuthorizedToChangeBranch": "None",
        "changed": False,
    }
    assert service.body("PATCH", path) == {
        "additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"
    }
    assert changed["changed"] is True and again["changed"] is False


def _relation(relation_type: str = "Branch") -> dict[str, str]:
    return {
        "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "workspaceId": WS,
        "relatedWorkspaceId": OTHER_WS,
        "relationType": relation_type,
    }


def test_relations_add_list_and_remove(service: SurfaceService) -> None:
    path = f"/workspaces/{WS}/git/workspaceRelations"
    service.workspace("Sales-feature", OTHER_WS)
    service.on(
        "GET",
        "/workspaces",
        {
            "value": [
                {"id": WS, "displayName": "Sales"},
                {"id": OTHER_WS, "displayName": "Sales-feature"},
            ]
        },
    )
    service.on("GET", path, {"value": []}, {"value": [_relation()]})
    service.on("POST", path, Reply(201, _relation()))
    service.on("DELETE", f"{path}/{_relation()['id']}", None)

    added = service.json("relations", "add", "-w", WS, OTHER_WS, "--type", "branch")
    listed = service.json("relations", "list", "-w", WS)
    text = service.run("relations", "list", "-w", WS).stdout
    removed = service.json("relations", "remove", "-w", WS, "Sales-feature")

    assert service.body("POST", path) == {"relatedWorkspaceId": OTHER_WS, "relationType": "Branch"}
    assert added["created"] is True
    assert listed["relations"] == [
        {
            "id": _relation()["id"],
            "relationType": "Branch",
            "relatedWorkspace": {"id": OTHER_WS, "name": "Sales-feature"},
        }
    ]
    assert "Branch  Sales-feature" in text
    assert removed["removed"]["relatedWorkspace"]["id"] == OTHER_WS


def test_items_set_logical_id_by_name_type(service: SurfaceService) -> None:
    new = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    service.on(
        "GET",
        f"/workspaces/{WS}/items",
        {
            "value": [
                {"id": ITEM, "displayName": "Load", "type": "Notebook"},
                {"id": OTHER_WS, "displayName": "Load", "type": "DataPipeline"},
            ]
        },
    )
    service.on("PATCH", f"/workspaces/{WS}/items/{ITEM}/logicalId", {"logicalId": new})

    document = service.json("items", "set-logical-id", "-w", WS, "Load.Notebook", new)

    assert service.body("PATCH", f"/workspaces/{WS}/items/{ITEM}/logicalId") == {"logicalId": new}
    assert document["logicalId"] == new and document["item"]["id"] == ITEM


def test_items_set_logical_id_refuses_an_ambiguous_name(service: SurfaceService) -> None:
    new = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    service.on(
        "GET",
        f"/workspaces/{WS}/items",
        {
            "value": [
                {"id": ITEM, "displayName": "Load", "type": "Notebook"},
                {"id": OTHER_WS, "displayName": "Load", "type": "DataPipeline"},
            ]
        },
    )

    result = service.run("items", "set-logical-id", "-w", WS, "Load", new, expect=1)

    assert "2 items are named 'Load'" in result.stderr
    assert service.sent("PATCH", f"/workspaces/{WS}/items/{ITEM}/logicalId") == []


@pytest.mark.parametrize("value", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_items_set_logical_id_refuses_what_is_no_logical_id(
    service: SurfaceService, value: str
) -> None:
    result = service.run("items", "set-logical-id", "-w", WS, "Load", value, expect=2)

    assert "is not a logical id" in result.stderr
    assert service.requests == []
