"""The emulator over a real socket: EmulatorServer, restart on a data dir, the CLI commands as
real subprocesses, and a real ``git clone`` of a hosted repository."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.core.core_support import create_workspace
from fabric_git.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.server


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_server_serves_the_api_and_location_uses_the_called_host(tmp_path: Path):
    with EmulatorServer(EmulatorConfig(port=0, in_memory=True)) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/v1"
        with _client(server.url, server.token) as client:
            response = client.post("/workspaces", json={"displayName": "Over TCP"})
            assert response.status_code == 201
            assert response.headers["Location"].startswith(f"http://127.0.0.1:{server.port}/v1/")
            assert response.headers["x-ms-request-id"]
            # uvicorn's own proxy-header rewrite is off: one forwarded header alone changes
            # nothing, both together name the public URL.
            half = client.post(
                "/workspaces", json={"displayName": "Half"}, headers={"X-Forwarded-Proto": "https"}
            )
            assert half.headers["Location"].startswith(f"http://127.0.0.1:{server.port}/v1/")
            both = client.post(
                "/workspaces",
                json={"displayName": "Both"},
                headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "fabric.test"},
            )
            assert both.headers["Location"].startswith("https://fabric.test/v1/workspaces/")
            missing = client.get("/nowhere")
            assert missing.status_code == 404 and missing.json()["requestId"]
            client.post(
                f"http://127.0.0.1:{server.port}/_emulator/faults",
                json={"operation": "Capacities_ListCapacities", "drop": True, "times": 1},
            )
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/capacities")
            assert client.get("/capacities").status_code == 200


def test_restart_keeps_state(tmp_path: Path):
    config = EmulatorConfig(port=0, data_dir=tmp_path / "data")
    with EmulatorServer(config) as server:
        token, capacity = server.token, server.capacity_id
        user_token = server.token_for(user="kim")
        with _client(server.url, token) as client:
            ws = create_workspace(client, "Durable", capacity_id=capacity)
    assert stat.S_IMODE((tmp_path / "data" / "secret").stat().st_mode) == 0o600
    with EmulatorServer(config) as server:
        assert server.capacity_id == capacity
        with _client(server.url, token) as client:
            assert client.get(f"/workspaces/{ws}").json()["displayName"] == "Durable"
        with _client(server.url, user_token) as kim:
            assert kim.get("/workspaces").status_code == 200


def _cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fabric_git.emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def _wait_for_ready_file(process: subprocess.Popen, ready: Path) -> dict:
    # The first stdout line is printed after the ready file is written.
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("http://127.0.0.1:"), line
    return json.loads(ready.read_text())


@pytest.mark.slow
def test_serve_command_ready_file_token_repo_and_clone(tmp_path: Path):
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fabric_git.emulator",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--ready-file",
            str(ready),
            "--fault",
            "operation=Workspaces_GetWorkspace,status=503,times=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = _wait_for_ready_file(process, ready)
        assert stat.S_IMODE(ready.stat().st_mode) == 0o600
        assert set(info) >= {"url", "git_url", "token", "capacity_id"}
        assert info["url"].endswith("/v1")
        assert info["git_url"] == info["url"].removesuffix("/v1") + "/git"
        env = {"FABRIC_API_URL": info["url"], "FABRIC_TOKEN": info["token"]}

        with _client(info["url"], info["token"]) as client:
            ws = create_workspace(client, capacity_id=info["capacity_id"])
            assert client.get(f"/workspaces/{ws}").status_code == 503  # the --fault rule
            assert client.get(f"/workspaces/{ws}").status_code == 200

        issued = _cli("token", "--service-principal", "deployer", env=env)
        assert issued.returncode == 0, issued.stderr
        with _client(info["url"], issued.stdout.strip()) as deployer:
            assert deployer.get("/workspaces").status_code == 200
        discover = "/admin/workspaces/discoverGitConnections"
        plain = _cli("token", "--user", "ops@contoso.com", env=env).stdout.strip()
        admin = _cli("token", "--user", "ops@contoso.com", "--tenant-admin", env=env)
        assert admin.returncode == 0, admin.stderr
        with _client(info["url"], plain) as ops, _client(info["url"], admin.stdout.strip()) as op:
            assert ops.get(discover).status_code == 403
            assert op.get(discover).status_code == 200
        ado = _cli("token", "--service-principal", "deployer", "--azure-devops", env=env)
        assert ado.returncode == 0, ado.stderr
        with _client(info["url"], ado.stdout.strip()) as for_git:
            assert for_git.get("/workspaces").status_code == 401  # a token for Azure DevOps

        created = _cli(
            "repo", "create", "--provider", "github", "--owner", "contoso", "--repo", "sales",
            env=env,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        clone_url = created.stdout.strip()
        assert clone_url == info["git_url"] + "/github/contoso/sales.git"

        secret_env = {**env, "REPO_PAT": "pat-for-tests"}
        protected = _cli(
            "repo", "create", "--provider", "azure-devops", "--organization", "org",
            "--project", "proj", "--repo", "locked", "--require-pat-from-env", "REPO_PAT",
            env=secret_env,
        )  # fmt: skip
        assert protected.returncode == 0, protected.stderr

        clone = subprocess.run(
            ["git", "clone", "--quiet", clone_url, str(tmp_path / "clone")],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
        assert clone.returncode == 0, clone.stderr
        log = subprocess.run(
            ["git", "-C", str(tmp_path / "clone"), "log", "--format=%s"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert log.stdout.strip().splitlines() == ["Initial commit"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert not ready.exists()


def test_cli_reports_errors_without_secrets(tmp_path: Path):
    with EmulatorServer(EmulatorConfig(port=0, in_memory=True)) as server:
        env = {"FABRIC_API_URL": server.url, "FABRIC_TOKEN": server.token_for(user="not-admin")}
        result = _cli("token", "--user", "x", env=env)
        assert result.returncode != 0
        assert "InsufficientPrivileges" in result.stderr
        assert env["FABRIC_TOKEN"] not in result.stderr + result.stdout
