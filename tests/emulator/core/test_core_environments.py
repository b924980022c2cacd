"""Environment publish as fabric-cicd drives it: update the definition, publish with
``beta=false``, read ``properties.publishDetails`` from the list (called with a trailing slash);
the rest of an item type's spec answers a clean ``OperationNotSupportedForItem``."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig

SPARK_COMPUTE = b"enable_native_execution_engine: false\ndriver_cores: 4\n"


def _part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[Emulator]:
    config = EmulatorConfig(clock=clock, lro_mode="async", lro_duration=2.0, retry_after=1)
    with Emulator(config) as emulator:
        yield emulator


def _create_environment(client: httpx.Client, ws: str) -> str:
    client.put("http://localhost/_emulator/settings", json={"lroMode": "sync"})
    created = client.post(
        f"/workspaces/{ws}/environments",
        json={
            "displayName": "Env",
            "definition": {"parts": [_part("Setting/Sparkcompute.yml", SPARK_COMPUTE)]},
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["properties"] == {"publishDetails": {"state": "Success"}}
    return str(created.json()["id"])


def test_publish_records_publish_details_and_keeps_the_definition(emu, clock):
    with emu.client() as client:
        ws = create_workspace(client)
        env = _create_environment(client, ws)
        client.put("http://localhost/_emulator/settings", json={"lroMode": "async"})
        accepted = client.post(
            f"/workspaces/{ws}/environments/{env}/staging/publish", params={"beta": "False"}
        )
        assert accepted.status_code == 202, accepted.text
        # The accepted publish, as JSON (fabric-cicd reads the 202's body).
        running = accepted.json()["publishDetails"]
        assert running["state"] == "Running" and "endTime" not in running
        operation = accepted.headers["x-ms-operation-id"]
        emu.state.operations.wait_idle()
        during = client.get(f"/workspaces/{ws}/environments/{env}").json()
        assert during["properties"]["publishDetails"] == running
        clock.advance(5)
        result = client.get(f"/operations/{operation}/result")
        assert result.status_code == 200, result.text
        details = result.json()["publishDetails"]
        assert details["state"] == "Success" and details["endTime"]
        assert details["targetVersion"] == running["targetVersion"]
        listed = client.get(f"/workspaces/{ws}/environments/")
        assert listed.status_code == 200, listed.text
        (item,) = listed.json()["value"]
        assert item["properties"]["publishDetails"] == details
        # /items serves the same item, without the type's properties.
        assert "properties" not in client.get(f"/workspaces/{ws}/items/{env}").json()
        client.put("http://localhost/_emulator/settings", json={"lroMode": "sync"})
        got = client.post(f"/workspaces/{ws}/environments/{env}/getDefinition")
        parts = {p["path"]: p["payload"] for p in got.json()["definition"]["parts"]}
        assert base64.b64decode(parts["Setting/Sparkcompute.yml"]) == SPARK_COMPUTE


def test_publish_refuses_the_beta_contract_and_other_types(emu):
    with emu.client() as client:
        ws = create_workspace(client)
        env = _create_environment(client, ws)
        beta = client.post(f"/workspaces/{ws}/environments/{env}/staging/publish")
        assert beta.status_code == 400
        assert beta.json()["errorCode"] == "OperationNotSupportedForItem"
        assert "beta=false" in beta.json()["message"]
        notebook = client.post(f"/workspaces/{ws}/notebooks", json={"displayName": "N"}).json()
        wrong = client.post(
            f"/workspaces/{ws}/environments/{notebook['id']}/staging/publish",
            params={"beta": "false"},
        )
        assert wrong.status_code == 404 and wrong.json()["errorCode"] == "ItemNotFound"


def test_other_paths_of_a_type_answer_a_clean_error(emu):
    with emu.client() as client:
        ws = create_workspace(client)
        env = _create_environment(client, ws)
        compute = client.patch(
            f"/workspaces/{ws}/environments/{env}/staging/sparkcompute",
            params={"beta": "false"},
            json={"driverCores": 4},
        )
        assert compute.status_code == 400
        assert compute.json()["errorCode"] == "OperationNotSupportedForItem"
        assert compute.headers["x-ms-public-api-error-code"] == "OperationNotSupportedForItem"
        jobs = client.post(f"/workspaces/{ws}/notebooks/{env}/jobs/instances")
        assert jobs.json()["errorCode"] == "OperationNotSupportedForItem"
        wrong_method = client.get(f"/workspaces/{ws}/environments/{env}/getDefinition")
        assert wrong_method.status_code == 405
        with emu.client(emu.token_for(user="stranger")) as stranger:
            hidden = stranger.get(f"/workspaces/{ws}/lakehouses/{env}/tables")
        assert hidden.status_code == 403
