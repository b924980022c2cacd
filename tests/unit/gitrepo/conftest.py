"""Fixtures for the Git layer: a repository host in tmp_path, a real uvicorn server on port 0
serving the smart-HTTP app, and a ``git`` runner that never prompts nor reads user config."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from fabric_git.emulator.gitrepo.repos import RepositoryHost
from fabric_git.emulator.gitrepo.smart_http import create_git_app


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Run ``app`` on a real uvicorn server on 127.0.0.1, a free port, in a thread; yields the
    base URL. The socket listens before the server starts, so no readiness wait is needed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def host(tmp_path: Path) -> RepositoryHost:
    return RepositoryHost(tmp_path / "repos")


@pytest.fixture
def git_server(host: RepositoryHost) -> Iterator[str]:
    """Base URL of the hosted repositories (``.../git``) on a real socket."""
    app = Starlette(routes=[Mount("/git", app=create_git_app(host))])
    with serve_asgi(app) as base_url:
        yield f"{base_url}/git"


GitRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def git(tmp_path: Path) -> GitRunner:
    """Run the ordinary ``git`` client isolated from the user's environment."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_AUTHOR_NAME="Test User",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test User",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )

    def run(
        *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["git", "-c", "credential.helper=", "-c", "init.defaultBranch=main", *args],
            cwd=cwd or tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
        return result

    return run
