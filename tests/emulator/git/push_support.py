"""Pushing with plain Git over the emulator's smart HTTP endpoint: a scratch clone that commits
exact trees with Git's plumbing and pushes them, authenticated with the PAT the hosted
repository requires, and a workspace connected to that repository through a connection that
holds the PAT."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import httpx

__all__ = ["OWNER", "PAT", "Pusher", "commit_tree", "connected_workspace", "git", "git_env"]

OWNER = "contoso"
PAT = "hostile-push-pat"


def git_env(home: Path) -> dict[str, str]:
    """Git with no user or system configuration, authenticating to the emulator with the PAT
    as HTTP Basic (set through the environment: the PAT is in no argument)."""
    basic = base64.b64encode(f"x-access-token:{PAT}".encode()).decode()
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Attacker",
        "GIT_AUTHOR_EMAIL": "attacker@example.com",
        "GIT_COMMITTER_NAME": "Attacker",
        "GIT_COMMITTER_EMAIL": "attacker@example.com",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


Done = subprocess.CompletedProcess[str]


def git(*args: str, cwd: Path) -> Done:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(cwd), capture_output=True, text=True, timeout=60
    )


class Pusher:
    """A scratch clone of one hosted repository: commits of exact trees, pushed over HTTP."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.clone = workdir / "clone"
        cloned = git("clone", "--quiet", url, str(self.clone), cwd=workdir)
        assert cloned.returncode == 0, cloned.stderr

    def push(
        self, files: Mapping[str, bytes | Path], also: Sequence[tuple[str, bytes]] = ()
    ) -> tuple[str, Done]:
        """Commit exactly ``files`` (whatever their names), and ``also`` as further entries
        (a path already in ``files`` appears twice in its tree), on main and push it: the
        commit and how the push went."""
        commit = commit_tree(self.clone, [*files.items(), *also])
        pushed = git("-c", "transfer.fsckObjects=false", "push", "origin", "main", cwd=self.clone)
        return commit, pushed


class _Tree:
    """A tree being built: entries in the order given, a name possibly twice."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, _Tree | str]] = []

    def directory(self, name: str) -> _Tree:
        for entry_name, child in self.entries:
            if entry_name == name and isinstance(child, _Tree):
                return child
        child = _Tree()
        self.entries.append((name, child))
        return child


def commit_tree(repo: Path, files: Iterable[tuple[str, bytes | Path]]) -> str:
    """A commit on main of exactly ``files``, made with plumbing that checks no names: each
    blob hashed from stdin (or, given as a Path, from that file, so Git streams it and a large
    file need not be in this process's memory), each tree written by ``git mktree``."""

    def run(*args: str, data: bytes = b"") -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], input=data, capture_output=True, env=git_env(repo)
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.decode().strip()

    root = _Tree()
    for path, content in files:
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.directory(folder)
        if isinstance(content, Path):
            node.entries.append((name, run("hash-object", "-w", "--", str(content))))
        else:
            node.entries.append((name, run("hash-object", "-w", "--stdin", data=content)))

    def write(node: _Tree) -> str:
        entries = [
            (
                f"040000 tree {write(child)}"
                if isinstance(child, _Tree)
                else f"100644 blob {child}"
            ).encode()
            + b"\t"
            + os.fsencode(name)
            for name, child in node.entries
        ]
        return run("mktree", "-z", data=b"\0".join(entries) + b"\0")

    tip = run("rev-parse", "refs/heads/main")
    commit = run("commit-tree", write(root), "-p", tip, "-m", "Change pushed with Git")
    run("update-ref", "refs/heads/main", commit, tip)
    return commit


def connected_workspace(capacity_id: str, client: httpx.Client, repo: str) -> str:
    """A workspace connected, through a connection holding the PAT, to ``repo``'s main."""
    workspace = client.post(
        "/workspaces", json={"displayName": f"ws-{repo}", "capacityId": capacity_id}
    )
    assert workspace.status_code == 201, workspace.text
    ws = str(workspace.json()["id"])
    parameters = [
        {"dataType": "Text", "name": "url", "value": f"https://github.com/{OWNER}/{repo}"}
    ]
    connection = client.post(
        "/connections",
        json={
            "connectivityType": "ShareableCloud",
            "displayName": f"GitHub {repo}",
            "connectionDetails": {
                "type": "GitHubSourceControl",
                "creationMethod": "GitHubSourceControl.Contents",
                "parameters": parameters,
            },
            "credentialDetails": {"credentials": {"credentialType": "Key", "key": PAT}},
        },
    )
    assert connection.status_code == 201, connection.text
    details = {
        "gitProviderType": "GitHub",
        "ownerName": OWNER,
        "repositoryName": repo,
        "branchName": "main",
        "directoryName": "",
    }
    credentials = {"source": "ConfiguredConnection", "connectionId": connection.json()["id"]}
    connect = client.post(
        f"/workspaces/{ws}/git/connect",
        json={"gitProviderDetails": details, "myGitCredentials": credentials},
    )
    assert connect.status_code == 200, connect.text
    return ws
