"""The README's library example runs as written against a server that follows the spec."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from fabric_git import ConfiguredConnectionGitCredentials, FabricClient, GitHubDetails
from fabric_git.emulator import EmulatorConfig, EmulatorServer

README = Path(__file__).resolve().parents[2] / "README.md"
PAT = "ghp_readmeExampleToken0123456789abcdefABCD"


def _first_python_block(text: str) -> str:
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match, "README has no python example"
    return match.group(1)


def test_readme_library_example_runs_against_the_emulator(tmp_path: Path) -> None:
    config = EmulatorConfig(data_dir=tmp_path / "data", lro_duration=0.05, retry_after=0)
    with EmulatorServer(config) as server:
        token = server.token
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as admin:
            created = admin.post(
                server.url.removesuffix("/v1") + "/_emulator/repos",
                json={
                    "provider": "GitHub",
                    "owner": "contoso",
                    "repo": "fabric",
                    "requiredPat": PAT,
                    "directories": ["sales"],  # Connect needs the directory to exist
                },
            )
        assert created.status_code == 201, created.text
        with FabricClient(base_url=server.url, credential=server.token) as client:
            workspace = client.workspaces.create("Sales analytics", capacity_id=server.capacity_id)
            connection = client.connections.create_github(
                "GitHub contoso/fabric", PAT, "https://github.com/contoso/fabric"
            )
            client.git.connect(
                workspace,
                GitHubDetails(
                    owner_name="contoso",
                    repository_name="fabric",
                    branch_name="main",
                    directory_name="sales",
                ),
                ConfiguredConnectionGitCredentials(connection_id=connection.id),
            )
            client.git.initialize_connection(workspace)
            tip = client.git.get_status(workspace).remote_commit_hash

        env = {
            **os.environ,
            "FABRIC_API_URL": server.url,
            "FABRIC_TOKEN": token,
            "FABRIC_GIT_POLL_INTERVAL": "0.05",
        }
        done = subprocess.run(
            [sys.executable, "-c", _first_python_block(README.read_text(encoding="utf-8"))],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert f"branch at {tip}" in done.stdout
    assert token not in done.stdout + done.stderr
