"""Long-running operations: 202 + polling on the fake clock, sync mode, results, exclusivity."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest
from starlette.routing import Route

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.routes._lro import run_operation


def _definition_item(client, ws):
    payload = base64.b64encode(b"print(1)").decode()
    part = {"path": "notebook-content.py", "payload": payload, "payloadType": "InlineBase64"}
    response = client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "N", "type": "Notebook", "definition": {"parts": [part]}},
    )
    return response


def test_async_create_with_definition_polls_to_result(emu, client, clock):
    ws = create_workspace(client)
    response = _definition_item(client, ws)
    assert response.status_code == 202
    op_id = response.headers["x-ms-operation-id"]
    assert response.headers["Location"] == f"http://localhost/v1/operations/{op_id}"
    assert response.headers["Retry-After"] == "1"
    # As Fabric answers a 202: JSON `null` (clients read the Content-Type of every answer).
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() is None
    assert emu.wait_for_operations()

    running = client.get(f"/operations/{op_id}")
    assert running.status_code == 200
    assert running.json()["status"] == "NotStarted"
    assert running.headers["Retry-After"] == "1"
    assert running.headers["x-ms-operation-id"] == op_id
    clock.advance(1.0)
    halfway = client.get(f"/operations/{op_id}").json()
    assert halfway["status"] == "Running"
    assert halfway["percentComplete"] == 50
    not_yet = client.get(f"/operations/{op_id}/result")
    assert not_yet.json()["errorCode"] == "OperationNotSucceeded"

    clock.advance(1.0)
    done = client.get(f"/operations/{op_id}")
    assert done.json()["status"] == "Succeeded"
    assert done.json()["percentComplete"] == 100
    assert done.headers["Location"].endswith(f"/operations/{op_id}/result")
    assert "Retry-After" not in done.headers
    result = client.get(f"/operations/{op_id}/result").json()
    assert result["displayName"] == "N"
    assert client.get(f"/workspaces/{ws}/items/{result['id']}").status_code == 200


def test_operation_without_result(emu, client, clock):
    ws = create_workspace(client)
    _definition_item(client, ws)
    assert emu.wait_for_operations()
    clock.advance(5)
    item = client.get(f"/workspaces/{ws}/items").json()["value"][0]
    response = client.post(
        f"/workspaces/{ws}/items/{item['id']}/updateDefinition",
        json={"definition": {"parts": []}},
    )
    assert response.status_code == 202
    op_id = response.headers["x-ms-operation-id"]
    assert emu.wait_for_operations()
    clock.advance(5)
    assert client.get(f"/operations/{op_id}").json()["status"] == "Succeeded"
    no_result = client.get(f"/operations/{op_id}/result")
    assert no_result.status_code == 400
    assert no_result.json()["errorCode"] == "OperationHasNoResult"


def test_sync_mode_answers_at_once(clock):
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        ws = create_workspace(client)
        response = _definition_item(client, ws)
        assert response.status_code == 201
        item_id = response.json()["id"]
        definition = client.post(f"/workspaces/{ws}/items/{item_id}/getDefinition")
        assert definition.status_code == 200
        assert "definition" in definition.json()


def test_unknown_operation_and_other_principals(emu, client):
    missing = client.get("/operations/11111111-2222-3333-4444-555555555555")
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "OperationNotFound"
    ws = create_workspace(client)
    op_id = _definition_item(client, ws).headers["x-ms-operation-id"]
    with emu.client(token=emu.token_for(user="stranger")) as stranger:
        assert stranger.get(f"/operations/{op_id}").status_code == 404


def _add_exclusive_route(emu: Emulator, release: threading.Event) -> None:
    def work() -> dict:
        release.wait(10)
        return {"done": True}

    def fail() -> None:
        raise EmulatorError(400, "GitSyncFailed", "the remote refused")

    def handler(request):
        ws = request.path_params["ws"]
        if request.query_params.get("fail"):
            return run_operation(
                request, workspace_id=ws, kind="TestFail", work=fail, has_result=False
            )
        return run_operation(request, workspace_id=ws, kind="TestWork", work=work, has_result=True)

    api = emu.app.routes[0]
    api.routes.append(Route("/test/{ws}/work", handler, methods=["POST"], name="Test_Work"))


def test_one_exclusive_operation_per_workspace(emu, client, clock):
    release = threading.Event()
    _add_exclusive_route(emu, release)
    first = client.post("/test/w1/work")
    assert first.status_code == 202
    busy = client.post("/test/w1/work")
    assert busy.status_code == 400
    assert busy.json()["errorCode"] == "WorkspacePreviousOperationInProgress"
    assert client.post("/test/w2/work").status_code == 202  # another workspace is free
    release.set()
    assert emu.wait_for_operations()
    # Work done but the configured duration has not passed: still running, still exclusive.
    assert client.post("/test/w1/work").status_code == 400
    clock.advance(2.0)
    assert client.post("/test/w1/work").status_code == 202


def test_failed_operation_reports_error(emu, client, clock):
    _add_exclusive_route(emu, threading.Event())
    response = client.post("/test/w1/work?fail=1")
    op_id = response.headers["x-ms-operation-id"]
    assert emu.wait_for_operations()
    clock.advance(2.0)
    polled = client.get(f"/operations/{op_id}")
    state = polled.json()
    assert state["status"] == "Failed"
    assert state["error"]["errorCode"] == "GitSyncFailed"
    assert state["error"]["message"] == "the remote refused"
    # The error names the request that started the operation, not the poll that read it.
    assert state["error"]["requestId"] == response.headers["x-ms-request-id"]
    assert state["error"]["requestId"] != polled.headers["x-ms-request-id"]


def test_injected_failure_names_the_starting_request(emu, client, clock):
    _add_exclusive_route(emu, threading.Event())
    rule = {"operation": "TestWork", "fail": "GitSyncFailed"}
    assert client.post("http://localhost/_emulator/faults", json=rule).status_code == 201
    response = client.post("/test/w1/work")
    assert emu.wait_for_operations()
    clock.advance(2.0)
    error = client.get(f"/operations/{response.headers['x-ms-operation-id']}").json()["error"]
    assert error["errorCode"] == "GitSyncFailed"
    assert error["requestId"] == response.headers["x-ms-request-id"]


def test_sync_failure_body_and_stored_error_share_the_request_id(clock):
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        _add_exclusive_route(emu, threading.Event())
        response = client.post("/test/w1/work?fail=1")
        assert response.status_code == 400
        request_id = response.headers["x-ms-request-id"]
        assert response.json()["requestId"] == request_id
        with emu.state.store.read() as conn:
            stored = conn.execute("SELECT error_json FROM operations").fetchone()[0]
        assert json.loads(stored)["requestId"] == request_id


def test_racing_starts_never_both_win(emu, client):
    release = threading.Event()
    _add_exclusive_route(emu, release)
    outcomes: list[int] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        with emu.client() as own:
            barrier.wait()
            outcomes.append(own.post("/test/race/work").status_code)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    release.set()
    assert sorted(outcomes) == [202] + [400] * 7


def test_restart_marks_interrupted_operations_failed(tmp_path: Path):
    clock = FakeClock()
    config = EmulatorConfig(data_dir=tmp_path / "data", clock=clock)
    release = threading.Event()
    with Emulator(config) as emu, emu.client() as client:
        _add_exclusive_route(emu, release)
        started = client.post("/test/w1/work")
        op_id = started.headers["x-ms-operation-id"]
        # Simulate a crash: the row stays unfinished in SQLite.
        with emu.state.store.write() as conn:
            conn.execute("UPDATE operations SET finished_at = NULL, status = 'Running'")
        release.set()
        emu.wait_for_operations()
        with emu.state.store.write() as conn:
            conn.execute("UPDATE operations SET finished_at = NULL, status = 'Running'")
    with Emulator(config) as emu, emu.client() as client:
        state = client.get(f"/operations/{op_id}").json()
        assert state["status"] == "Failed"
        assert state["error"]["errorCode"] == "OperationInterrupted"
        assert state["error"]["requestId"] == started.headers["x-ms-request-id"]


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_settings_switch_lro_mode_at_run_time(emu, client, mode):
    root = "http://localhost/_emulator"
    settings = client.put(f"{root}/settings", json={"lroMode": mode, "retryAfter": 3})
    assert settings.json()["lroMode"] == mode
    ws = create_workspace(client)
    response = _definition_item(client, ws)
    assert response.status_code == (202 if mode == "async" else 201)
    if mode == "async":
        assert response.headers["Retry-After"] == "3"


def test_async_create_without_definition_is_also_an_operation(emu, client, clock):
    ws = create_workspace(client)
    response = client.post(
        f"/workspaces/{ws}/items", json={"displayName": "L", "type": "Lakehouse"}
    )
    assert response.status_code == 202
    assert emu.wait_for_operations()
    clock.advance(2)
    result = client.get(f"/operations/{response.headers['x-ms-operation-id']}/result").json()
    assert result["type"] == "Lakehouse"
    conflict = client.post(
        f"/workspaces/{ws}/items", json={"displayName": "L", "type": "Lakehouse"}
    )
    assert conflict.status_code == 409  # validated before the operation starts
