"""Feature workspaces, start to finish: ``feature up``, ``list`` and ``down`` through the real
CLI against the emulator's hosted repositories, reached with the plain ``git`` client at the
repositories' own URLs, redirected by Git's ``insteadOf`` configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from e2e.conftest import NOTEBOOK, Fg, Scenario
from fabric_git.cli._sandbox import GitWorkTree, Sandbox
from unit.cli.command_lines import invocations


def git_redirects(sandbox: Sandbox) -> dict[str, str | None]:
    """Git configuration through the environment that sends github.com and dev.azure.com to the
    emulator's hosted repositories (what a user of the emulator sets; the CLI knows nothing)."""
    git = sandbox.running.git_url
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": f"url.{git}/github/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/",
        "GIT_CONFIG_KEY_1": f"url.{git}/azure-devops/.insteadOf",
        "GIT_CONFIG_VALUE_1": "https://dev.azure.com/",
    }


def feature_env(fg: Fg, scenario: Scenario) -> dict[str, str | None]:
    return {**git_redirects(fg.sandbox), "FABRIC_GIT_PAT": scenario.pat}


def branch_tip(clone: GitWorkTree, branch: str) -> str | None:
    out = clone.git("ls-remote", "--heads", "origin", f"refs/heads/{branch}")
    return out.split()[0] if out.strip() else None


def test_feature_up_creates_syncs_reruns_and_down_removes(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    base_head = fg.synced(scenario)["results"][0]["result"]["status"]["workspaceHead"]
    env = feature_env(fg, scenario)
    up = ("feature", "up", "--base", scenario.workspace, "--branch", "feat/one")

    first = fg.json(*up, "--create-branch", env=env)
    assert first["createdBranch"] is True and first["createdWorkspace"] is True
    assert first["workspace"]["name"] == f"{scenario.workspace} [feat/one]"
    assert first["branch"] == "feat/one" and first["head"] == base_head
    assert first["relation"] == "created"  # the marker-only path: test_e2e_feature_refusals
    assert first["sync"]["status"]["inSync"] is True
    feature_ws = first["workspace"]["name"]
    connection = fg.json("connection", "-w", feature_ws)
    assert connection["state"] == "ConnectedAndInitialized"
    assert (
        connection["description"].startswith("GitHub ")
        and "@feat/one:" in connection["description"]
    )
    names = sorted(i["displayName"] for i in fg.json("status", "-w", feature_ws)["changes"])
    assert names == []  # the feature workspace holds the base's items, in sync

    again = fg.json(*up, "--create-branch", env=env)
    assert again["noop"] is True and again["createdBranch"] is False
    assert again["createdWorkspace"] is False and again["head"] == base_head

    clone = scenario.clone(tmp_path / "clone")
    clone.git("checkout", "--quiet", "feat/one")
    notebook = next(clone.path.glob("**/Load.Notebook/notebook-content.py"))
    relative = notebook.relative_to(clone.path).as_posix()
    clone.write(relative, NOTEBOOK + "print('feature')\n")
    pushed = clone.commit_and_push("feature work")

    moved = fg.json(*up, env=env)
    assert moved["noop"] is False and "UpdateFromGit" in moved["sync"]["actions"]
    assert moved["head"] == pushed

    listed = fg.json("feature", "list", "--base", scenario.workspace)
    assert [
        (f["workspace"]["name"], f["branch"], f["inSync"], f["head"]) for f in listed["features"]
    ] == [(feature_ws, "feat/one", True, pushed)]

    down = ("feature", "down", "--base", scenario.workspace, "--branch", "feat/one")
    removed = fg.json(*down, "--delete-branch", env=env)
    assert removed["deleted"] is True and removed["disconnected"] is True
    assert removed["branchDeleted"] is True and removed["noop"] is False
    assert all(w["displayName"] != feature_ws for w in fg.json("workspaces", "list")["workspaces"])
    assert branch_tip(clone, "feat/one") is None
    assert branch_tip(clone, "main") is not None  # the base's branch is untouched
    assert fg.json("feature", "list", "--base", scenario.workspace)["features"] == []

    second = fg(*down, env=env)
    assert "Nothing to do." in second.stdout
    assert fg.json(*down, env=env)["noop"] is True


def test_feature_up_refuses_a_workspace_that_is_not_its_feature_workspace(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    env = feature_env(fg, scenario)
    squatter = fg.sandbox.create_workspace(f"{scenario.workspace} [feat/two]")

    refused = fg("feature", "up", "--base", scenario.workspace, "--branch", "feat/two",
                 "--create-branch", env=env, expect=1)  # fmt: skip
    assert "NotAFeatureWorkspace" in refused.stderr
    assert fg.json("connection", "-w", squatter)["state"] == "NotConnected"

    # down leaves it alone too: not a feature workspace, so there is nothing to remove.
    left = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "feat/two", env=env)
    assert left["noop"] is True and left["workspace"] is None
    assert any(w["id"] == squatter for w in fg.json("workspaces", "list")["workspaces"])

    # Another branch's feature workspace is not this branch's either.
    other = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "feat/three",
                    "--name", "{base} shared", "--create-branch", env=env)  # fmt: skip
    assert other["createdWorkspace"] is True
    clash = fg("feature", "up", "--base", scenario.workspace, "--branch", "feat/two",
               "--name", "{base} shared", "--create-branch", env=env, expect=1)  # fmt: skip
    assert "NotAFeatureWorkspace" in clash.stderr


def test_feature_down_refuses_uncommitted_changes_unless_discarded(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    env = feature_env(fg, scenario)
    made = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "wip",
                   "--create-branch", env=env)  # fmt: skip
    fg.sandbox.create_item(made["workspace"]["id"], "Draft", "Notebook", {"n.py": NOTEBOOK})

    down = ("feature", "down", "--base", scenario.workspace, "--branch", "wip")
    refused = fg(*down, env=env, expect=1)
    assert "UncommittedChanges" in refused.stderr and "Draft.Notebook" in refused.stderr
    assert fg.json("connection", "-w", made["workspace"]["id"])["state"] == (
        "ConnectedAndInitialized"
    )

    removed = fg.json(*down, "--discard-changes", env=env)
    assert removed["deleted"] is True
    assert [c["displayName"] for c in removed["discarded"]] == ["Draft"]


def base_relations(fg: Fg, workspace: str) -> list[Any]:
    return list(fg.json("relations", "list", "-w", workspace)["relations"])


def workspace_names(fg: Fg) -> set[str]:
    return {w["displayName"] for w in fg.json("workspaces", "list")["workspaces"]}


def test_missing_branch_is_a_clear_error_leaving_nothing_and_create_branch_finishes(
    fg: Fg,
) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    env = feature_env(fg, scenario)
    up = ("feature", "up", "--base", scenario.workspace, "--branch", "nope")
    before = workspace_names(fg)
    # With the PAT at hand git asks the repository before anything is made.
    failed = fg(*up, env=env, expect=1)
    assert "BranchNotFound" in failed.stderr and "--create-branch" in failed.stderr
    assert workspace_names(fg) == before and base_relations(fg, scenario.workspace) == []
    # Without it the service's answer decides, and the workspace made for it goes again.
    failed = fg(*up, env={**env, "FABRIC_GIT_PAT": None}, expect=1)
    assert "BranchNotFound" in failed.stderr
    assert workspace_names(fg) == before and base_relations(fg, scenario.workspace) == []

    finished = fg.json(*up, "--create-branch", env=env)
    assert finished["createdBranch"] is True and finished["createdWorkspace"] is True
    assert finished["relation"] == "created"
    assert finished["sync"]["status"]["inSync"] is True


def test_a_failure_in_the_middle_then_a_rerun_finishes(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    env = feature_env(fg, scenario)
    fg.sandbox.add_fault(operation="Git_InitializeConnection", status=500, times=10)
    up = ("feature", "up", "--base", scenario.workspace, "--branch", "half", "--create-branch")
    fg(*up, "--retries", "0", env=env, expect=1)
    fg.sandbox.clear_faults()
    half = fg.json("connection", "-w", f"{scenario.workspace} [half]")
    assert half["state"] == "Connected"  # made and connected, not initialized

    done = fg.json(*up, env=env)
    assert done["createdWorkspace"] is False and done["createdBranch"] is False
    assert "InitializeConnection" in done["sync"]["actions"]
    assert done["sync"]["status"]["inSync"] is True

    fg.sandbox.add_fault(method="DELETE", path="/workspaces/[^/]+$", status=500, times=10)
    down = ("feature", "down", "--base", scenario.workspace, "--branch", "half", "--delete-branch")
    fg(*down, "--retries", "0", env=env, expect=1)
    fg.sandbox.clear_faults()
    # Disconnecting took the relation; the mark of being removed is what the re-run knows it by.
    assert base_relations(fg, scenario.workspace) == []
    finished = fg.json(*down, env=env)
    assert finished["deleted"] is True and finished["disconnected"] is False
    assert finished["branchDeleted"] is False  # the branch went before the workspace, at once
    assert f"{scenario.workspace} [half]" not in workspace_names(fg)
    assert branch_tip(scenario.clone(tmp_path / "clone"), "half") is None


def test_service_principal_feature_workspace_with_a_configured_connection(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    sp = fg.sandbox.service_principal("pipeline-sp")
    fg.sandbox.add_role(scenario.workspace_id, sp)
    connection = fg.sandbox.create_github_connection(
        f"gh-{scenario.owner}", scenario.repo_url, scenario.pat, owner=sp
    )
    as_sp = {**feature_env(fg, scenario), **sp.environment()}
    fg.scan.secrets.add(sp.token)
    fg.json("sync", "-w", scenario.workspace, "--repo-url", scenario.repo_url,
            "--connection", connection, env=as_sp)  # fmt: skip

    made = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "sp-feature",
                   "--create-branch", "--copy-roles", env=as_sp)  # fmt: skip
    assert made["createdWorkspace"] is True and made["sync"]["status"]["inSync"] is True
    shown = fg.json("credentials", "show", "-w", made["workspace"]["id"], env=as_sp)
    assert shown["source"] == "ConfiguredConnection" and shown["connectionId"] == connection
    # The base's admin (the suite's own identity) was given its role on the feature workspace.
    assert len(made["rolesCopied"]) >= 1

    gone = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "sp-feature",
                   "--delete-branch", env=as_sp)  # fmt: skip
    assert gone["deleted"] is True and gone["branchDeleted"] is True


def test_azure_devops_feature_workspace_with_automatic_credentials(fg: Fg) -> None:
    scenario = fg.scenario(pat=False, items=False)
    org = f"org-{scenario.owner}"
    fg.sandbox.admin(
        "POST",
        "/repos",
        {
            "provider": "AzureDevOps",
            "organization": org,
            "project": "data",
            "repo": "fabric",
            "directories": ["src"],  # Connect needs the directory on the branch
        },
    )
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    fg.json("sync", "-w", scenario.workspace, "--repo-url", url, "--directory", "src")
    up = ("feature", "up", "--base", scenario.workspace, "--branch", "ado-feature")
    before = workspace_names(fg)
    # The suite signs in with a static Fabric token: it is never sent to Azure DevOps.
    refused = fg(*up, "--create-branch", env=git_redirects(fg.sandbox), expect=3)
    assert "AzureDevOpsTokenMissing" in refused.stderr
    assert "FABRIC_GIT_AZURE_DEVOPS_TOKEN" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert workspace_names(fg) == before
    # An Entra token for Azure DevOps, given apart from the Fabric token.
    ado = fg.sandbox.admin(
        "POST",
        "/tokens",
        {"servicePrincipal": "ado-git", "audience": "499b84ac-1321-427f-aa17-267ca6975798"},
    )["token"]
    fg.scan.secrets.add(ado)
    env = {**git_redirects(fg.sandbox), "FABRIC_GIT_AZURE_DEVOPS_TOKEN": ado}
    made = fg.json(*up, "--create-branch", env=env)
    assert made["createdBranch"] is True and made["sync"]["status"]["inSync"] is True
    connection = fg.json("connection", "-w", made["workspace"]["id"])
    assert connection["description"] == f"AzureDevOps {org}/data/fabric@ado-feature:/src"
    listed = fg.json("feature", "list", "--base", scenario.workspace)["features"]
    assert [f["branch"] for f in listed] == ["ado-feature"]
    gone = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "ado-feature",
                   "--delete-branch", env=env)  # fmt: skip
    assert gone["deleted"] is True and gone["branchDeleted"] is True


def test_the_github_feature_template_runs_as_a_service_principal(fg: Fg, tmp_path: Path) -> None:
    """The commands of examples/github-actions/feature-workspace.yml, job by job, with the values
    its steps read from the environment, run as the pipeline's service principal."""
    template = Path(__file__).resolve().parents[2] / "examples/github-actions/feature-workspace.yml"
    jobs = yaml.safe_load(template.read_text(encoding="utf-8"))["jobs"]
    scenario = fg.scenario(items=False)
    sp = fg.sandbox.service_principal("feature-pipeline")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)
    connection = fg.sandbox.create_github_connection(
        f"gh-{scenario.owner}-sp", scenario.repo_url, scenario.pat, owner=sp
    )
    as_sp = {**git_redirects(fg.sandbox), **sp.environment()}
    fg.json("sync", "-w", scenario.workspace, "--repo-url", scenario.repo_url,
            "--connection", connection, env=as_sp)  # fmt: skip
    # The pull request's branch, pushed by its author.
    scenario.clone(tmp_path / "clone").git("push", "--quiet", "origin", "HEAD:refs/heads/pr-7")
    values = {"FABRIC_BASE_WORKSPACE": scenario.workspace, "HEAD_REF": "pr-7"}

    def run(job: str, refused: str | None = None, merged: bool = False) -> list[Any]:
        """The job's documents; ``refused``: the code its ``feature down`` step fails with
        (then its error line stands for the document, and the ``always()`` steps go on);
        ``merged``: the closed pull request was merged (the steps' ``if:`` on it)."""
        documents: list[Any] = []
        for step in jobs[job]["steps"]:
            condition = str(step.get("if", "")).replace(" ", "")
            if condition == "github.event.pull_request.merged" and not merged:
                continue
            if condition == "!github.event.pull_request.merged" and merged:
                continue
            for args in invocations(step.get("run", "")):
                line = [re.sub(r"\$(\w+)", lambda m: values[m[1]], a) for a in args]
                fails = refused is not None and args[:2] == ["feature", "down"]
                result = fg("--output", "json", *line, env={**as_sp, **values},
                            expect=1 if fails else 0)  # fmt: skip
                if fails:
                    [error] = [x for x in result.stderr.splitlines() if x.startswith("error:")]
                    assert f"error: {refused}:" in error
                    documents.append(error)
                else:
                    documents.append(json.loads(result.stdout))
        return documents

    up, listed = run("up")
    assert up["createdWorkspace"] is True and up["branch"] == "pr-7"
    assert up["workspace"]["name"] == f"{scenario.workspace} [pr-7]"
    assert [f["branch"] for f in listed["features"]] == ["pr-7"]
    again, _ = run("up")  # pushed again: synchronize
    assert again["noop"] is True
    down, after = run("down")
    assert down["deleted"] is True and after["features"] == []

    # Merged, and the host deleted the branch (auto-delete): the status cannot be read, and the
    # merged pull request's down step removes the workspace all the same.
    values["HEAD_REF"] = "pr-6"
    scenario.clone(tmp_path / "clone6").git("push", "--quiet", "origin", "HEAD:refs/heads/pr-6")
    up6, _ = run("up")
    scenario.clone(tmp_path / "clone6b").git("push", "--quiet", "origin", ":refs/heads/pr-6")
    down6, after = run("down", merged=True)
    assert down6["deleted"] is True and down6["workspace"]["id"] == up6["workspace"]["id"]
    assert after["features"] == []

    # Closed without merging, branch deleted: the status cannot be read, so the down job stops
    # with one line saying what to do, and the list step still lists.
    values["HEAD_REF"] = "pr-8"
    scenario.clone(tmp_path / "clone8").git("push", "--quiet", "origin", "HEAD:refs/heads/pr-8")
    up8, _ = run("up")
    scenario.clone(tmp_path / "clone9").git("push", "--quiet", "origin", ":refs/heads/pr-8")
    error, listed = run("down", refused="StatusUnknown")
    assert "StatusUnknown" in error and "--discard-changes" in error
    [stale] = listed["features"]
    assert stale["branch"] == "pr-8" and stale["inSync"] is None and stale["statusError"]
    # Run again by hand, as the template's comment says.
    gone = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "pr-8",
                   "--discard-changes", env=as_sp)  # fmt: skip
    assert gone["deleted"] is True and gone["workspace"]["id"] == up8["workspace"]["id"]
    assert fg.json("feature", "list", "--base", scenario.workspace)["features"] == []


def test_the_azure_feature_template_runs_as_a_service_principal(fg: Fg, tmp_path: Path) -> None:
    """The commands of examples/azure-pipelines/feature-workspace.yml, step by step, with the
    values its scripts read from the environment, run as the pipeline's service principal
    against an Azure DevOps repository it reaches through an Azure DevOps connection."""
    template = (
        Path(__file__).resolve().parents[2] / "examples/azure-pipelines/feature-workspace.yml"
    )
    pipeline = yaml.safe_load(template.read_text(encoding="utf-8"))
    scenario = fg.scenario(pat=False, items=False)
    org = f"org-{scenario.owner}"
    fg.sandbox.admin("POST", "/repos", {"provider": "AzureDevOps", "organization": org,
                     "project": "data", "repo": "fabric", "directories": ["src"]})  # fmt: skip
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    fg.json("sync", "-w", scenario.workspace, "--repo-url", url, "--directory", "src")
    sp = fg.sandbox.service_principal("ado-pipeline")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)
    # The pull request's branch, pushed by its author (Azure DevOps takes an Entra token).
    clone = GitWorkTree(tmp_path / "clone", pat=sp.token)
    hosted = f"{fg.sandbox.running.git_url}/azure-devops/{org}/data/_git/fabric"
    clone.git("clone", "--quiet", hosted, str(clone.path), cwd=tmp_path)
    clone.git("push", "--quiet", "origin", "HEAD:refs/heads/pr-7")

    secret = "sp-client-secret-" + scenario.owner
    fg.scan.secrets.add(secret)
    values = {
        "FABRIC_WORKSPACE": scenario.workspace,
        "FABRIC_GIT_CONNECTION": "fabric-git-fabric",
        "branch": "pr-7",
    }
    as_sp = {
        **git_redirects(fg.sandbox),
        **sp.environment(),
        "FABRIC_GIT_AUTH": "service-principal",
        "AZURE_TENANT_ID": "00000000-0000-0000-0000-0000000000aa",
        "AZURE_CLIENT_ID": sp.id,
        "AZURE_CLIENT_SECRET": secret,  # the template's env: mapping of FABRIC_SP_SECRET
    }

    def run(action: str) -> list[Any]:
        documents = []
        for step in pipeline["steps"]:
            script = step.get("script") or step.get("bash") or ""
            for args in invocations(script):
                if args[:1] == ["feature"] and args[1] in ("up", "down") and args[1] != action:
                    continue  # the other branch of the script's if
                line = [re.sub(r"\$(\w+)", lambda m: values[m[1]], a) for a in args]
                result = fg("--output", "json", *line, env={**as_sp, **values})
                documents.append(json.loads(result.stdout))
        return documents

    setup, up, listed = run("up")
    connection = setup["connection"]["id"]
    assert setup["connection"]["type"] == "AzureDevOpsSourceControl"
    assert setup["connection"]["created"] is True and setup["credentials"]["changed"] is True
    assert setup["credentials"]["source"] == "ConfiguredConnection"
    assert up["createdWorkspace"] is True and up["branch"] == "pr-7"
    assert up["sync"]["status"]["inSync"] is True
    feature_ws = up["workspace"]["id"]
    assert fg.json("connection", "-w", feature_ws)["state"] == "ConnectedAndInitialized"
    shown = fg.json("credentials", "show", "-w", feature_ws, env=as_sp)
    assert shown["source"] == "ConfiguredConnection" and shown["connectionId"] == connection
    assert up["relation"] == "created"
    relations = fg.sandbox.client().git.list_workspace_relations(scenario.workspace_id)
    assert feature_ws in [str(r.related_workspace_id) for r in relations]
    assert [f["branch"] for f in listed["features"]] == ["pr-7"]

    again_setup, again, _ = run("up")  # the pull request pushed again: nothing changes
    assert again_setup["connection"]["id"] == connection and again_setup["noop"] is True
    assert again["noop"] is True

    _, down, after = run("down")
    assert down["deleted"] is True and after["features"] == []
    workspaces = fg.json("workspaces", "list")["workspaces"]
    assert all(w["id"] != feature_ws for w in workspaces)


def test_a_deleted_branch_leaves_the_status_unknown_list_goes_on_and_down_asks_to_discard(
    fg: Fg, tmp_path: Path
) -> None:
    """A pull request merged, its branch deleted by the host (GitHub's auto-delete), then the
    pipelines' ``down`` step and ``list``: the feature workspace's status cannot be read."""
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    env = feature_env(fg, scenario)
    up = ("feature", "up", "--base", scenario.workspace, "--create-branch", "--branch")
    gone = fg.json(*up, "feat/gone", env=env)
    kept = fg.json(*up, "feat/kept", env=env)
    scenario.clone(tmp_path / "clone").git("push", "--quiet", "origin", ":refs/heads/feat/gone")

    listed = {f["branch"]: f for f in fg.json("feature", "list", "--base", scenario.workspace)[
        "features"]}  # fmt: skip
    assert listed["feat/kept"]["inSync"] is True and listed["feat/kept"]["statusError"] is None
    assert listed["feat/gone"]["inSync"] is None
    assert "GitProviderResourceNotFound" in listed["feat/gone"]["statusError"]
    table = fg("feature", "list", "--base", scenario.workspace)
    assert "unknown" in table.stdout and "feat/kept" in table.stdout

    down = ("feature", "down", "--base", scenario.workspace, "--branch", "feat/gone")
    refused = fg(*down, env=env, expect=1)
    [line] = [x for x in refused.stderr.splitlines() if x.startswith("error:")]
    assert "StatusUnknown" in line and "--discard-changes" in line
    assert "GitProviderResourceNotFound" in line
    assert fg.json("connection", "-w", gone["workspace"]["id"])["state"] == (
        "ConnectedAndInitialized"
    )

    removed = fg.json(*down, "--discard-changes", env=env)
    assert removed["deleted"] is True and removed["disconnected"] is True
    assert any("unknown" in note for note in removed["notes"])
    assert gone["workspace"]["name"] not in workspace_names(fg)
    after = fg.json("feature", "list", "--base", scenario.workspace)["features"]
    assert [f["workspace"]["id"] for f in after] == [kept["workspace"]["id"]]
    assert fg.json(*down, env=env)["noop"] is True
