"""Error bodies, request ids and authentication, in-process."""

from __future__ import annotations

import jwt

from fabric_git.emulator import Emulator
from fabric_git.emulator.auth import AUDIENCE, ISSUER


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errorCode"] == code
    assert body["message"]
    assert body["requestId"] == response.headers["x-ms-request-id"]
    assert response.headers["RequestId"] == body["requestId"]
    return body


def test_unknown_route_is_an_error_response(client):
    _assert_error(client.get("/no/such/thing"), 404, "EntityNotFound")


def test_wrong_method_is_an_error_response(client):
    _assert_error(client.delete("/capacities"), 405, "UnsupportedHttpMethod")


def test_malformed_json_is_invalid_request(client):
    _assert_error(client.post("/workspaces", content=b"{not json"), 400, "InvalidRequest")


def test_validation_failure_names_the_field(client):
    body = _assert_error(client.post("/workspaces", json={"description": "x"}), 400, "InvalidInput")
    assert "displayName" in body["moreDetails"][0]["message"]


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/capacities")
    second = client.get("/capacities")
    assert first.status_code == 200
    assert first.headers["x-ms-request-id"] != second.headers["x-ms-request-id"]


def test_missing_token_is_401_with_bearer_challenge(emu: Emulator):
    with emu.client() as c:
        response = c.get("/workspaces", headers={"Authorization": ""})
    _assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_signed_with_another_secret_is_invalid(client):
    forged = jwt.encode(
        {"sub": "x", "name": "x", "typ": "User", "aud": AUDIENCE, "iss": ISSUER, "exp": 2**40},
        "another-secret-that-is-long-enough-for-hs256-0123456789",
        algorithm="HS256",
    )
    response = client.get("/workspaces", headers={"Authorization": f"Bearer {forged}"})
    _assert_error(response, 401, "InvalidToken")


def test_expired_token_is_rejected(emu: Emulator, clock):
    token = emu.token_for(user="carol")
    with emu.client(token=token) as carol:
        assert carol.get("/workspaces").status_code == 200
        clock.advance(25 * 3600)
        _assert_error(carol.get("/workspaces"), 401, "TokenExpired")


def test_admin_endpoints_need_the_admin(emu: Emulator):
    with emu.client(token=emu.token_for(user="dave")) as dave:
        response = dave.get("http://localhost/_emulator/faults")
    _assert_error(response, 403, "InsufficientPrivileges")


def test_secrets_stay_out_of_reprs(emu: Emulator):
    from fabric_git.emulator import EmulatorConfig

    assert "hunter2" not in repr(EmulatorConfig(secret="hunter2"))
    assert emu.token not in repr(emu.state) + repr(emu.state.tokens)


def test_token_not_yet_valid_is_rejected(emu: Emulator, clock):
    clock.advance(3600)
    token = emu.token_for(user="erin")  # nbf = an hour from the emulator's now
    clock.advance(-3600)
    with emu.client(token=token) as erin:
        _assert_error(erin.get("/workspaces"), 401, "InvalidToken")
        clock.advance(3600)
        assert erin.get("/workspaces").status_code == 200


def test_json_nested_past_any_request_is_invalid_request(client):
    for depth in (1000, 100_000):
        body = b'{"displayName": ' + b"[" * depth + b"]" * depth + b"}"
        response = client.post("/workspaces", content=body)
        assert "nests JSON" in _assert_error(response, 400, "InvalidRequest")["message"]


def test_lone_surrogates_in_names_are_invalid_request(client):
    ws = client.post("/workspaces", json={"displayName": "Surrogates"}).json()["id"]
    for path, body in [
        ("/workspaces", b'{"displayName": "x\\ud800y"}'),
        (f"/workspaces/{ws}/items", b'{"displayName": "\\udc00", "type": "Notebook"}'),
        (f"/workspaces/{ws}/folders", b'{"displayName": "a\\udfff"}'),
    ]:
        response = client.post(path, content=body)
        assert "surrogate" in _assert_error(response, 400, "InvalidRequest")["message"]
