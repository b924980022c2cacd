"""Git smart HTTP with the real ``git`` client against a real uvicorn server."""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from fabric_git.emulator.gitrepo.repos import RepoKey, RepositoryHost
from fabric_git.emulator.gitrepo.smart_http import _basic_credentials, _route, _sub_path

GitRunner = Callable[..., subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.server

AUTHOR = ("Ada Lovelace", "ada@example.invalid")


def test_clone_fetch_and_push_github(
    host: RepositoryHost, git_server: str, git: GitRunner, tmp_path: Path
) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    first = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"ws/Hello.Notebook/notebook-content.py": b"print(1)\n"},
        message="From the service",
        author=AUTHOR,
    )
    url = f"{git_server}/github/octo/demo.git"
    git("clone", "-q", url, "clone")
    clone = tmp_path / "clone"
    assert (clone / "ws/Hello.Notebook/notebook-content.py").read_bytes() == b"print(1)\n"
    assert git("rev-parse", "HEAD", cwd=clone).stdout.strip() == first

    # The service commits again; fetch sees it.
    second = repo.commit(
        "main", expected_tip=first, changes={"README.md": b"hi\n"}, message="m", author=AUTHOR
    )
    git("fetch", "-q", "origin", cwd=clone)
    assert git("rev-parse", "origin/main", cwd=clone).stdout.strip() == second

    # A push (with a pack large enough to be sent chunked) moves the hosted branch.
    git("merge", "-q", "--ff-only", "origin/main", cwd=clone)
    (clone / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    (clone / "notes.txt").write_text("pushed\n")
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "From a user", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    pushed = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    assert repo.branch_tip("main") == pushed
    assert repo.read_files(pushed)["notes.txt"] == b"pushed\n"
    assert repo.is_ancestor(second, pushed)
    assert repo.fsck()

    # Also reachable without the .git suffix, as on GitHub.
    git("ls-remote", f"{git_server}/github/octo/demo", cwd=tmp_path)


def test_clone_and_push_azure_devops_with_protocol_v2(
    host: RepositoryHost, git_server: str, git: GitRunner, tmp_path: Path
) -> None:
    repo = host.create(RepoKey.azure_devops("org", "My Project", "repo"), branch="dev")
    url = f"{git_server}/azure-devops/org/My%20Project/_git/repo"
    git("-c", "protocol.version=2", "clone", "-q", url, "ado")
    clone = tmp_path / "ado"
    assert git("branch", "--show-current", cwd=clone).stdout.strip() == "dev"
    (clone / "a.txt").write_text("a\n")
    git("add", "a.txt", cwd=clone)
    git("commit", "-q", "-m", "a", cwd=clone)
    git("push", "-q", "origin", "dev", cwd=clone)
    tip = repo.branch_tip("dev")
    assert tip is not None and repo.read_files(tip) == {"a.txt": b"a\n"}


def test_a_pat_protected_repository_needs_the_pat(
    host: RepositoryHost, git_server: str, git: GitRunner, tmp_path: Path
) -> None:
    secret = "ghp_protectedValue42"
    host.create(RepoKey.github("octo", "private"), required_pat=secret)
    base = git_server.replace("http://", "")
    denied = git("clone", "-q", f"{git_server}/github/octo/private.git", "no", check=False)
    assert denied.returncode != 0
    assert not (tmp_path / "no").exists()
    wrong = git("clone", "-q", f"http://x:wrong@{base}/github/octo/private.git", "bad", check=False)
    assert wrong.returncode != 0
    git("clone", "-q", f"http://x:{secret}@{base}/github/octo/private.git", "ok")
    assert (tmp_path / "ok" / ".git").is_dir()


def test_http_answers_for_unknown_and_unauthorised_requests(
    host: RepositoryHost, git_server: str
) -> None:
    host.create(RepoKey.github("octo", "private"), required_pat="pat")
    with httpx.Client(base_url=git_server) as client:
        missing = client.get("/github/octo/none.git/info/refs?service=git-upload-pack")
        assert missing.status_code == 404
        assert client.get("/github/octo/private.git/HEAD").status_code == 404
        assert client.get("/elsewhere").status_code == 404
        assert client.get("/github/octo/private.git/git-upload-pack").status_code == 405

        refs = "/github/octo/private.git/info/refs?service=git-upload-pack"
        anonymous = client.get(refs)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Basic ")
        assert "pat" not in anonymous.text
        granted = client.get(refs, auth=("anyone", "pat"))
        assert granted.status_code == 200
        assert granted.headers["content-type"] == "application/x-git-upload-pack-advertisement"
        assert granted.content.startswith(b"001e# service=git-upload-pack\n")


def pkt_line(text: str) -> bytes:
    return f"{len(text) + 4:04x}{text}".encode()


def test_gzip_request_bodies_are_accepted(host: RepositoryHost, git_server: str) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    tip = repo.branch_tip("main")
    assert tip is not None
    request = pkt_line(f"want {tip} ofs-delta\n") + b"0000" + pkt_line("done\n")
    with httpx.Client(base_url=git_server) as client:
        response = client.post(
            "/github/octo/demo.git/git-upload-pack",
            content=gzip.compress(request),
            headers={
                "content-type": "application/x-git-upload-pack-request",
                "content-encoding": "gzip",
            },
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-git-upload-pack-result"
    assert response.content.startswith(b"0008NAK\n")
    assert b"PACK" in response.content


def test_routes_and_mount_paths() -> None:
    assert _route("/github/o/r.git/info/refs") == (RepoKey.github("o", "r"), "info/refs")
    assert _route("/github/o/r/git-receive-pack") == (RepoKey.github("o", "r"), "git-receive-pack")
    assert _route("/azure-devops/o/p/_git/r/git-upload-pack") == (
        RepoKey.azure_devops("o", "p", "r"),
        "git-upload-pack",
    )
    assert _route("/github/o/../info/refs") is None
    assert _route("/github/o/r.git/objects/info/packs") is None
    assert _sub_path({"path": "/git/github/o/r.git/info/refs", "root_path": "/git"}) == (
        "/github/o/r.git/info/refs"
    )
    assert _sub_path({"path": "/github/o/r.git/info/refs", "root_path": "/git"}) == (
        "/github/o/r.git/info/refs"
    )


def test_basic_credentials_parsing() -> None:
    token = base64.b64encode(b"user:p:a:ss").decode()
    assert _basic_credentials(f"Basic {token}") == ("user", "p:a:ss")
    assert _basic_credentials("Bearer abc") == ("", None)
    assert _basic_credentials("Basic !!!") == ("", None)
    assert _basic_credentials(None) == ("", None)
