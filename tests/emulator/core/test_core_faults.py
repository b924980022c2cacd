"""Fault injection: rules from the compact syntax and the admin API, applied in-process."""

from __future__ import annotations

import base64

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.faults import FaultRegistry, FaultRule, FaultSpecError

ADMIN = "http://localhost/_emulator"


def test_parse_compact_syntax():
    rule = FaultRule.parse("operation=Git_CommitToGit,status=429,retry-after=2,times=1")
    assert (rule.operation, rule.status, rule.retry_after, rule.times) == (
        "Git_CommitToGit",
        429,
        2,
        1,
    )
    dropped = FaultRule.parse("method=get,drop")
    assert dropped.drop and dropped.method == "GET"
    failing = FaultRule.parse("operation=UpdateFromGit,fail=GitSyncFailed,message=Remote gone")
    assert failing.fail == "GitSyncFailed" and failing.message == "Remote gone"
    for bad in ("status=429,times=0", "operation=X", "nonsense", "path=(,status=500"):
        with pytest.raises(FaultSpecError):
            FaultRule.parse(bad)


def test_throttle_with_retry_after_then_recover(clock: FakeClock):
    rule = FaultRule.parse("operation=Workspaces_ListWorkspaces,status=429,retry-after=7,times=1")
    with Emulator(EmulatorConfig(clock=clock, faults=(rule,))) as emu, emu.client() as client:
        throttled = client.get("/workspaces")
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "7"
        body = throttled.json()
        assert body["errorCode"] == "RequestBlocked"
        assert body["requestId"] == throttled.headers["x-ms-request-id"]
        assert client.get("/workspaces").status_code == 200


def test_server_error_matches_method_and_path(client):
    added = client.post(
        f"{ADMIN}/faults", json={"method": "POST", "path": "/items$", "status": 503}
    )
    assert added.status_code == 201
    ws = create_workspace(client)  # POST /workspaces does not match the path
    response = client.post(f"/workspaces/{ws}/items", json={"displayName": "x", "type": "Notebook"})
    assert response.status_code == 503
    assert response.json()["errorCode"] == "ServiceUnavailable"
    assert response.json()["isRetriable"] is True
    assert client.get(f"/workspaces/{ws}/items").status_code == 200  # GET does not match


def test_delay_waits_on_the_clock_then_answers(client, clock):
    client.post(f"{ADMIN}/faults", json={"operation": "Capacities_ListCapacities", "delay": 1.5})
    assert client.get("/capacities").status_code == 200
    assert clock.sleeps == [1.5]


def test_drop_closes_the_connection(client):
    client.post(
        f"{ADMIN}/faults", json={"operation": "Capacities_ListCapacities", "drop": True, "times": 1}
    )
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/capacities")
    assert client.get("/capacities").status_code == 200


def test_fail_makes_the_operation_fail(emu, client, clock):
    client.post(
        f"{ADMIN}/faults",
        json={"operation": "GetItemDefinition", "fail": "ItemDefinitionUnavailable", "times": 1},
    )
    ws = create_workspace(client)
    payload = base64.b64encode(b"x").decode()
    part = {"path": "a.py", "payload": payload, "payloadType": "InlineBase64"}
    client.put(f"{ADMIN}/settings", json={"lroMode": "sync"})
    item = client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "N", "type": "Notebook", "definition": {"parts": [part]}},
    ).json()
    client.put(f"{ADMIN}/settings", json={"lroMode": "async"})
    response = client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition")
    assert response.status_code == 202
    assert emu.wait_for_operations()
    clock.advance(3)
    state = client.get(f"/operations/{response.headers['x-ms-operation-id']}").json()
    assert state["status"] == "Failed"
    assert state["error"]["errorCode"] == "ItemDefinitionUnavailable"
    again = client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition")
    assert emu.wait_for_operations()
    clock.advance(3)
    assert (
        client.get(f"/operations/{again.headers['x-ms-operation-id']}").json()["status"]
        == "Succeeded"
    )


def test_probability_is_seeded_and_times_counts():
    rule = FaultRule(status=500, probability=0.5, seed=42)
    first = FaultRegistry((rule,))
    second = FaultRegistry((rule,))
    pattern = [first.take_request_fault(("X",), "GET", "/v1/x") is not None for _ in range(40)]
    replay = [second.take_request_fault(("X",), "GET", "/v1/x") is not None for _ in range(40)]
    assert pattern == replay
    assert 5 < sum(pattern) < 35
    limited = FaultRegistry((FaultRule(status=500, times=3),))
    fired = [limited.take_request_fault(("X",), "GET", "/v1/x") is not None for _ in range(5)]
    assert fired == [True, True, True, False, False]


def test_admin_fault_listing_and_removal(client):
    rule_id = client.post(f"{ADMIN}/faults", json={"status": 500, "operation": "Nope"}).json()["id"]
    listed = client.get(f"{ADMIN}/faults").json()["value"]
    assert listed[0]["id"] == rule_id and listed[0]["status"] == 500
    assert client.delete(f"{ADMIN}/faults/{rule_id}").status_code == 200
    assert client.get(f"{ADMIN}/faults").json()["value"] == []
    assert client.delete(f"{ADMIN}/faults/{rule_id}").status_code == 404
    bad = client.post(f"{ADMIN}/faults", json={"status": 200})
    assert bad.status_code == 400
    assert bad.json()["errorCode"] == "InvalidRequest"


def test_faults_never_touch_admin_endpoints(client):
    client.post(f"{ADMIN}/faults", json={"status": 500})
    assert client.get(f"{ADMIN}/faults").status_code == 200
    assert client.get("/capacities").status_code == 500
