"""Test Connection: a source-control connection's credential tried against the hosted
repositories it is scoped to, as a Git operation through it would try it; the answer is
``Online``, or ``Offline`` with the reason. Only a principal the connection is shared with may
test it."""

from __future__ import annotations

from typing import Any

import httpx

from emulator.core.core_support import FakeClock
from emulator.git.git_support import ORG, PROJECT, REPO, Env, error_code
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.gitrepo.repos import RepoKey

PAT = "ghp_the_right_pat_1234"
WRONG = "ghp_a_wrong_pat_5678"


def _connection(
    env: Env,
    url: str | None,
    credentials: dict[str, Any],
    *,
    kind: str = "GitHubSourceControl",
    client: httpx.Client | None = None,
) -> str:
    details: dict[str, Any] = {"type": kind, "creationMethod": f"{kind}.Contents"}
    if url is not None:
        details["parameters"] = [{"dataType": "Text", "name": "url", "value": url}]
    body = {
        "connectivityType": "ShareableCloud",
        "displayName": f"conn-{len(env.client.get('/connections').json()['value'])}",
        "connectionDetails": details,
        "credentialDetails": {"credentials": credentials},
    }
    response = (client or env.client).post("/connections", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _key(pat: str) -> dict[str, str]:
    return {"credentialType": "Key", "key": pat}


def _service_principal() -> dict[str, str]:
    return {
        "credentialType": "ServicePrincipal",
        "tenantId": "11111111-2222-3333-4444-555555555555",
        "servicePrincipalClientId": "66666666-7777-8888-9999-000000000000",
        "servicePrincipalSecret": "sp-secret-never-shown",
    }


def _test(client: httpx.Client, connection_id: str) -> httpx.Response:
    return client.post(f"/connections/{connection_id}/testConnection")


def _github_repo(env: Env, owner: str = "contoso", name: str = "sales") -> None:
    env.state.repos.create(RepoKey.github(owner, name), branch="main", required_pat=PAT)


def test_a_connection_whose_pat_the_repository_accepts_is_online(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/sales", _key(PAT))

    response = _test(env.client, connection)

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "Online", "errors": []}


def test_a_wrong_pat_is_offline_with_incorrect_credentials(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/sales", _key(WRONG))

    response = _test(env.client, connection)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "Offline"
    assert [e["errorCode"] for e in body["errors"]] == ["IncorrectCredentials"]
    assert "https://github.com/contoso/sales" in body["errors"][0]["message"]
    assert WRONG not in response.text and PAT not in response.text


def test_a_pat_that_works_after_an_update_makes_the_connection_online(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/sales", _key(WRONG))
    assert _test(env.client, connection).json()["status"] == "Offline"
    updated = env.client.patch(
        f"/connections/{connection}",
        json={
            "connectivityType": "ShareableCloud",
            "credentialDetails": {"credentials": _key(PAT)},
        },
    )
    assert updated.status_code == 200, updated.text

    assert _test(env.client, connection).json()["status"] == "Online"


def test_an_owner_wide_connection_is_online_when_one_of_its_repositories_takes_the_pat(
    env: Env,
) -> None:
    _github_repo(env, name="sales")
    env.state.repos.create(RepoKey.github("contoso", "other"), required_pat="ghp_other")
    env.state.repos.create(RepoKey.github("fabrikam", "sales"), required_pat=WRONG)
    owner_wide = _connection(env, "https://github.com/contoso", _key(PAT))
    elsewhere = _connection(env, "https://github.com/contoso", _key(WRONG))

    assert _test(env.client, owner_wide).json()["status"] == "Online"
    # fabrikam's repository would take it, but the connection is scoped to contoso.
    assert _test(env.client, elsewhere).json()["status"] == "Offline"


def test_a_connection_to_a_repository_that_is_not_hosted_is_offline(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/missing", _key(PAT))

    body = _test(env.client, connection).json()

    assert body["status"] == "Offline"
    assert [e["errorCode"] for e in body["errors"]] == ["GitProviderResourceNotFound"]


def test_an_azure_devops_service_principal_connection_reaches_its_repository(env: Env) -> None:
    env.repo(required_pat="the-only-pat")
    url = f"https://dev.azure.com/{ORG}/{PROJECT}/_git/{REPO}"
    connection = _connection(env, url, _service_principal(), kind="AzureDevOpsSourceControl")

    response = _test(env.client, connection)

    assert response.json() == {"status": "Online", "errors": []}
    assert "sp-secret-never-shown" not in response.text


def test_github_takes_no_service_principal(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/sales", _service_principal())

    body = _test(env.client, connection).json()

    assert body["status"] == "Offline"
    assert [e["errorCode"] for e in body["errors"]] == ["IncorrectCredentials"]


def test_an_unknown_connection_is_not_found(env: Env) -> None:
    response = _test(env.client, "0b0b0b0b-1111-2222-3333-444444444444")

    assert response.status_code == 404 and error_code(response) == "ConnectionNotFound"


def test_only_a_principal_the_connection_is_shared_with_may_test_it(env: Env) -> None:
    _github_repo(env)
    connection = _connection(env, "https://github.com/contoso/sales", _key(PAT))
    robot = Principal.named("pipeline", "ServicePrincipal")
    with env.emu.client(env.emu.token_for(service_principal=robot.name)) as as_robot:
        refused = _test(as_robot, connection)
        share = env.client.post(
            f"/connections/{connection}/roleAssignments",
            json={"principal": {"id": robot.id, "type": "ServicePrincipal"}, "role": "User"},
        )
        allowed = _test(as_robot, connection)

    assert refused.status_code == 404 and error_code(refused) == "ConnectionNotFound"
    assert share.status_code == 201, share.text
    assert allowed.status_code == 200 and allowed.json()["status"] == "Online"


def test_in_async_mode_the_answer_is_the_operation_result() -> None:
    clock = FakeClock()
    config = EmulatorConfig(clock=clock, lro_mode="async", lro_duration=2.0)
    with Emulator(config) as emu, emu.client() as client:
        emu.state.repos.create(RepoKey.github("contoso", "sales"), required_pat=PAT)
        connection = _connection(Env(emu, client), "https://github.com/contoso/sales", _key(WRONG))

        started = _test(client, connection)
        assert started.status_code == 202, started.text
        operation = started.headers["x-ms-operation-id"]
        assert emu.wait_for_operations()
        not_yet = client.get(f"/operations/{operation}/result")
        clock.advance(2.0)
        done = client.get(f"/operations/{operation}").json()
        result = client.get(f"/operations/{operation}/result").json()

    assert error_code(not_yet) == "OperationNotSucceeded"
    assert done["status"] == "Succeeded"
    assert result["status"] == "Offline"
    assert result["errors"][0]["errorCode"] == "IncorrectCredentials"
