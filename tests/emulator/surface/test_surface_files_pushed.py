"""A file-level commit over a tree pushed with plain Git: the files not selected keep their
bytes exactly, however Git holds them (a hand-formatted ``.platform``, CRLF line endings), and
the commit's diff lists the selected files alone (docs/git-integration-rules.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.git.git_support import Env
from emulator.git.push_support import PAT, Pusher, connected_workspace, git
from fabric_git.emulator import EmulatorConfig, EmulatorServer
from fabric_git.emulator.gitrepo.repos import RepoKey

pytestmark = pytest.mark.server

OWNER = "contoso"
LOGICAL_ID = "aaaaaaaa-0000-4000-8000-000000000001"
# A .platform as a person might write it: valid, on one line, not as Fabric prints it.
ONE_LINE_PLATFORM = json.dumps(
    {
        "metadata": {"type": "Notebook", "displayName": "Nb"},
        "config": {"version": "2.0", "logicalId": LOGICAL_ID},
    },
    separators=(",", ":"),
).encode()
PUSHED = {
    "Nb.Notebook/.platform": ONE_LINE_PLATFORM,
    "Nb.Notebook/notebook-content.py": b"# one\n",
    "Nb.Notebook/extra/data.json": b"{\r\n}\r\n",  # CRLF: a commit would write LF
}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(port=0, lro_mode="sync")) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        yield http


def _pushed(
    server: EmulatorServer, client: httpx.Client, name: str, workdir: Path
) -> tuple[Env, Pusher, str, str]:
    """A repository holding ``PUSHED`` (pushed with Git) and a workspace updated from it: the
    environment, the clone, the workspace and the pushed commit."""
    key = RepoKey.github(OWNER, name)
    server.state.repos.create(key, required_pat=PAT)
    pusher = Pusher(f"{server.git_url}/{key.url_path}", workdir)
    pushed, push = pusher.push(PUSHED)
    assert push.returncode == 0, push.stderr
    ws = connected_workspace(server.capacity_id, client, name)
    env = Env(emu=server, client=client, repo_key=key)  # type: ignore[arg-type]
    assert env.initialize(ws).status_code == 200
    updated = env.update(ws, remoteCommitHash=pushed)
    assert updated.status_code == 200, updated.text
    return env, pusher, ws, pushed


def _fetched(pusher: Pusher) -> str:
    fetched = git("fetch", "--quiet", "origin", "main", cwd=pusher.clone)
    assert fetched.returncode == 0, fetched.stderr
    return git("rev-parse", "FETCH_HEAD", cwd=pusher.clone).stdout.strip()


def _diff(pusher: Pusher, old: str, new: str) -> list[str]:
    done = git("diff-tree", "-r", "--name-only", "--no-commit-id", old, new, cwd=pusher.clone)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _blob(pusher: Pusher, commit: str, path: str) -> str:
    done = git("rev-parse", f"{commit}:{path}", cwd=pusher.clone)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_files_not_selected_keep_their_bytes(
    server: EmulatorServer, client: httpx.Client, tmp_path: Path
) -> None:
    env, pusher, ws, pushed = _pushed(server, client, "keep-platform", tmp_path)
    item = env.items(ws)["Nb"].id
    env.set_parts(item, {"notebook-content.py": b"# two\n", "extra/data.json": b'{\n  "a": 1\n}\n'})
    platform_before = _blob(pusher, pushed, "Nb.Notebook/.platform")

    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": ["notebook-content.py"]}],
    )

    assert response.status_code == 200, response.text
    committed = _fetched(pusher)
    assert committed != pushed
    assert _diff(pusher, pushed, committed) == ["Nb.Notebook/notebook-content.py"]
    assert _blob(pusher, committed, "Nb.Notebook/.platform") == platform_before
    assert env.status(ws)["changes"][0]["workspaceChange"] == "Modified"


def test_a_selected_platform_file_is_written_from_the_workspace(
    server: EmulatorServer, client: httpx.Client, tmp_path: Path
) -> None:
    env, pusher, ws, pushed = _pushed(server, client, "select-platform", tmp_path)
    item = env.items(ws)["Nb"].id
    described = client.patch(f"/workspaces/{ws}/items/{item}", json={"description": "Daily"})
    assert described.status_code == 200, described.text

    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": [".platform"]}],
    )

    assert response.status_code == 200, response.text
    committed = _fetched(pusher)
    assert _diff(pusher, pushed, committed) == ["Nb.Notebook/.platform"]
    shown = git("show", f"{committed}:Nb.Notebook/.platform", cwd=pusher.clone).stdout
    assert json.loads(shown)["metadata"]["description"] == "Daily"
    assert env.status(ws)["changes"] == []
