"""Durability helpers: an emulator ``serve`` process on a data directory, and API calls on it."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

OWNER, REPO = "contoso", "fabric"
START_TIMEOUT = 60.0


@dataclass
class Served:
    """A running ``python -m fabric_git.emulator serve`` process."""

    process: subprocess.Popen[bytes]
    info: dict[str, str]
    log: Path

    @property
    def url(self) -> str:
        return self.info["url"]

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.info['token']}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120.0)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def serve(data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
    """Start ``serve`` on ``data_dir``; ``env`` adds variables to the process environment."""
    ready = data_dir.parent / f"ready-{time.monotonic_ns()}.json"
    argv = [sys.executable, "-m", "fabric_git.emulator", "serve", "--port", "0"]
    argv += ["--data-dir", str(data_dir), "--ready-file", str(ready), *extra]
    log = data_dir.parent / f"serve-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv, stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    deadline = time.monotonic() + START_TIMEOUT
    # Start-up is an external process: wait for its ready file, bounded by a deadline.
    while not ready.exists() or not ready.read_text(encoding="utf-8").strip():
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("serve did not become ready")
        time.sleep(0.02)
    return Served(process, json.loads(ready.read_text(encoding="utf-8")), log)


def admin_url(served: Served, path: str) -> str:
    return served.url.removesuffix("/v1") + "/_emulator" + path


def ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, (
        f"{response.request.url}: {response.status_code} {response.text}"
    )
    return response.json() if response.content else None


def part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


def populate(client: httpx.Client, capacity: str, items: int, size: int) -> str:
    """A workspace of ``items`` notebooks of about ``size`` bytes each; returns its id."""
    ws = ok(client.post("/workspaces", json={"displayName": "Durable", "capacityId": capacity}))[
        "id"
    ]
    for index in range(items):
        content = (
            f"# Fabric notebook source\n# item {index}\n".encode()
            + os.urandom(size // 2).hex().encode()
        )
        body = {
            "displayName": f"Notebook {index:04d}",
            "type": "Notebook",
            "definition": {"parts": [part("notebook-content.py", content)]},
        }
        response = client.post(f"/workspaces/{ws}/items", json=body)
        assert response.status_code in (201, 202), response.text
    return str(ws)


def connect(served: Served, client: httpx.Client, ws: str) -> None:
    ok(
        client.post(
            admin_url(served, "/repos"), json={"provider": "GitHub", "owner": OWNER, "repo": REPO}
        )
    )
    connection = ok(
        client.post(
            "/connections",
            json={
                "connectivityType": "ShareableCloud",
                "displayName": "Durable",
                "connectionDetails": {
                    "type": "GitHubSourceControl",
                    "creationMethod": "GitHubSourceControl.Contents",
                    "parameters": [
                        {
                            "dataType": "Text",
                            "name": "url",
                            "value": f"https://github.com/{OWNER}/{REPO}",
                        }
                    ],
                },
                "credentialDetails": {
                    "credentials": {"credentialType": "Key", "key": "durable-pat"}
                },
            },
        )
    )["id"]
    details = {
        "gitProviderType": "GitHub",
        "ownerName": OWNER,
        "repositoryName": REPO,
        "branchName": "main",
        "directoryName": "",
    }
    credentials = {"source": "ConfiguredConnection", "connectionId": connection}
    ok(
        client.post(
            f"/workspaces/{ws}/git/connect",
            json={"gitProviderDetails": details, "myGitCredentials": credentials},
        )
    )


def finish(client: httpx.Client, response: httpx.Response) -> Any:
    """The result of a request that may have started a long-running operation."""
    assert response.status_code in (200, 202), response.text
    if response.status_code == 200:
        return response.json() if response.content else None
    location = response.headers["Location"]
    deadline = time.monotonic() + 120
    while True:
        state = ok(client.get(location))
        if state["status"] in ("Succeeded", "Failed"):
            break
        assert time.monotonic() < deadline, "operation did not finish"
        time.sleep(0.02)
    assert state["status"] == "Succeeded", state
    result = client.get(f"{location}/result")
    return result.json() if result.status_code == 200 and result.content else None


def list_items(client: httpx.Client, ws: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = f"/workspaces/{ws}/items"
    while url:
        page = ok(client.get(url))
        found += page["value"]
        url = page.get("continuationUri")
    return found


def repository_dir(data_dir: Path) -> Path:
    """The hosted bare repository on disk (found by its ``HEAD`` file)."""
    for head in data_dir.rglob("HEAD"):
        candidate = head.parent
        if (candidate / "objects").is_dir() and REPO in candidate.name:
            return candidate
    raise AssertionError(f"no repository under {data_dir}")


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
