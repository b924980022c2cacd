"""``fabric-git emulator`` commands: the main CLI's JSON, error lines and exit codes."""

from __future__ import annotations

import json
import uuid

from e2e.conftest import Fg


def _repo_args(owner: str) -> list[str]:
    return ["emulator", "repo", "create", "--provider", "github", "--owner", owner, "--repo", "r"]


def test_repo_create_twice_fails_in_one_line_unless_the_repository_may_exist(fg: Fg) -> None:
    owner = f"o{uuid.uuid4().hex[:8]}"
    first = fg(*_repo_args(owner))
    clone_url = first.stdout.strip()
    assert clone_url.endswith(f"/git/github/{owner}/r.git")

    again = fg(*_repo_args(owner), expect=1)
    assert again.stdout == ""
    (line,) = again.stderr.strip().splitlines()
    assert line.startswith("error: RepositoryAlreadyExists") and "--exist-ok" in line

    kept = fg(*_repo_args(owner), "--exist-ok")
    assert kept.stdout.strip() == clone_url
    document = fg.json(*_repo_args(owner), "--exist-ok")
    assert document["created"] is False and document["cloneUrl"] == clone_url
    assert document["requiresPat"] is False

    # An existing repository that differs in needing a PAT is not what was asked for.
    differs = fg(
        *_repo_args(owner), "--exist-ok", "--require-pat-from-env", "REPO_PAT",
        env={"REPO_PAT": "pat-for-the-test"}, expect=1,
    )  # fmt: skip
    assert differs.stderr.strip().startswith("error: RepositoryDiffers")


def test_repo_create_json_and_repo_list(fg: Fg) -> None:
    owner = f"o{uuid.uuid4().hex[:8]}"
    created = fg.json(*_repo_args(owner))
    assert created["created"] is True and created["owner"] == owner
    assert created["branches"] == ["main"]

    listed = fg.json("emulator", "repo", "list")["repositories"]
    mine = [r for r in listed if r.get("owner") == owner]
    assert mine == [{k: v for k, v in created.items() if k != "created"}]
    table = fg("emulator", "repo", "list").stdout
    assert f"{owner}/r" in table and created["cloneUrl"] in table


def test_token_json_and_failures_in_the_main_format(fg: Fg) -> None:
    issued = fg.json("emulator", "token", "--user", "json@contoso.com")
    assert set(issued) == {"token"} and issued["token"].count(".") == 2

    unsigned = fg("emulator", "repo", "list", env={"FABRIC_TOKEN": None}, expect=3)
    (line,) = unsigned.stderr.strip().splitlines()
    assert line.startswith("error: AuthenticationFailed: FABRIC_TOKEN")

    unreachable = fg("emulator", "repo", "list", "--api-url", "http://127.0.0.1:9/v1", expect=1)
    (line,) = unreachable.stderr.strip().splitlines()
    assert line.startswith("error: TransportError: cannot reach the emulator at")
    listed = json.loads(fg("--output", "json", "emulator", "repo", "list").stdout)
    assert isinstance(listed["repositories"], list)


def test_an_azure_devops_repository_has_its_url_too(fg: Fg) -> None:
    org = f"o{uuid.uuid4().hex[:8]}"
    created = fg.json(
        "emulator", "repo", "create", "--provider", "azure-devops",
        "--organization", org, "--project", "p", "--repo", "r",
    )  # fmt: skip
    assert created["url"] == f"https://dev.azure.com/{org}/p/_git/r"
    assert created["cloneUrl"].endswith(f"/git/azure-devops/{org}/p/_git/r")
    listed = fg.json("emulator", "repo", "list")["repositories"]
    (mine,) = [r for r in listed if r.get("organization") == org]
    assert mine["url"] == created["url"]
