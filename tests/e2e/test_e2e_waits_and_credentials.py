"""Which wait a timeout reports (the change, never a status read around it), commits stopped
before the service would refuse them, connection keys that rotate, and the Azure Pipelines
template's own commands run as a service principal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.conftest import NEUTRAL_ENV, NOTEBOOK, Fg, ManualClock, Scenario

TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "azure-pipelines"


# Tests here move the emulator's clock themselves (the ``clock`` fixture).
MANUAL_CLOCK = True


def _git_side_change(fg: Fg, scenario: Scenario, tmp_path: Path) -> None:
    clone = scenario.clone(tmp_path / "clone")
    target = next(clone.path.glob("**/Load.Notebook/notebook-content.py"))
    target.write_text(target.read_text() + "# from git\n")
    clone.commit_and_push("git side")


def _slow_from(fg: Fg, method: str, path_end: str) -> dict[str, Any]:
    """A client factory whose client makes every operation from this request on slow (the
    emulator's operation duration changes the moment the request is sent)."""
    from fabric_git._httpx import httpx
    from fabric_git.client import FabricClient
    from fabric_git.lro import PollPolicy

    sandbox = fg.sandbox

    class SlowFrom(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == method and request.url.path.endswith(path_end):
                sandbox.settings(lroDuration=3600)
            return super().handle_request(request)

    def factory(options: Any) -> FabricClient:
        poll = PollPolicy(
            default_interval=sandbox.poll_interval,
            min_interval=sandbox.poll_interval,
            timeout=options.timeout,
        )
        return FabricClient(
            base_url=sandbox.url, credential=sandbox.token, poll=poll, transport=SlowFrom()
        )

    return {"client_factory": factory}


def _operation_id(stderr: str) -> str:
    line = next(s for s in stderr.splitlines() if s.startswith("operation id: "))
    return line.removeprefix("operation id: ").strip()


@pytest.mark.parametrize("command", ["update", "commit"])
def test_a_slow_status_read_is_not_reported_as_the_change_timing_out(
    fg: Fg, clock: ManualClock, tmp_path: Path, command: str
) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    if command == "update":
        _git_side_change(fg, scenario, tmp_path)
        args = ["update", "-w", scenario.workspace, "--conflict-policy", "prefer-remote"]
    else:
        fg.sandbox.update_item(
            scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#"}
        )
        args = ["commit", "-w", scenario.workspace, "-m", "slow"]
    fg.sandbox.settings(lroDuration=3600)  # Get Status now runs until the test moves the clock
    failed = fg("--timeout", "0.5", *args, expect=1)
    assert "StatusReadTimedOut" in failed.stderr
    assert "nothing was changed" in failed.stderr and "after 0.5s" not in failed.stderr
    # The wait's own length, with its fraction (never rounded up to "1s"; how much over 0.5 s it
    # ran depends on the machine's load, so only the form is checked).
    assert re.search(r"waited \d+\.\d+s\)\. Next: re-run the command", failed.stderr)
    assert "operation id:" not in failed.stderr  # nothing a pipeline should resume
    clock.advance(7200)
    fg.sandbox.settings(lroDuration=0.01)
    status = fg.json("status", "-w", scenario.workspace)
    summary = status["summary"]
    assert (summary["incoming"], summary["outgoing"]) == ((1, 0) if command == "update" else (0, 1))


def test_a_slow_update_exits_6_with_the_update_and_resumes(
    fg: Fg, clock: ManualClock, tmp_path: Path
) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _git_side_change(fg, scenario, tmp_path)
    timed_out = fg(
        "--timeout",
        "0.5",
        "update",
        "-w",
        scenario.workspace,
        "--conflict-policy",
        "prefer-remote",
        obj=_slow_from(fg, "POST", "/git/updateFromGit"),
        expect=6,
    )
    operation_id = _operation_id(timed_out.stderr)
    assert f"UpdateFromGit operation {operation_id} is still" in timed_out.stderr
    assert re.search(r"after \d+\.\d+s\. Next: resume with", timed_out.stderr)
    clock.advance(7200)
    waited = fg.json("operation", "wait", operation_id)
    assert waited["status"] == "Succeeded" and waited["result"] is None
    fg.sandbox.settings(lroDuration=0.01)
    assert fg.json("status", "-w", scenario.workspace)["inSync"] is True  # the update happened


def test_commit_with_unapplied_git_changes_fails_fast_with_the_items(
    fg: Fg, tmp_path: Path
) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _git_side_change(fg, scenario, tmp_path)
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Clean"], {"notebook-content.py": NOTEBOOK + "#"}
    )
    seen = len(fg.scan.logs)
    refused = fg("commit", "-w", scenario.workspace, expect=1)
    assert "WorkspaceUpdateRequired" in refused.stderr and "Load.Notebook" in refused.stderr
    assert "run update first" in refused.stderr
    operations = [
        line for line in fg.scan.logs[seen:] if "uvicorn.access" in line and "commitToGit" in line
    ]
    assert operations == []  # stopped before the service was asked


def test_failed_operation_line_names_the_code_once(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#"}
    )
    fg.sandbox.add_fault(
        operation="CommitToGit", fail="GitSyncFailed", message="Remote unavailable", times=1
    )
    failed = fg("commit", "-w", scenario.workspace, expect=5)
    [line] = [s for s in failed.stderr.splitlines() if s.startswith("error: ")]
    assert line.count("GitSyncFailed") == 1
    pattern = r"Remote unavailable \(operation [0-9a-f-]{36}, request id [0-9a-f-]{36}\)\. Next: "
    assert re.search(pattern, line), line


def test_connections_delete_of_a_missing_connection(fg: Fg) -> None:
    missing = fg("connections", "delete", "no-such-connection", expect=1)
    assert "no-such-connection" in missing.stderr
    assert "Next: `fabric-git connections list`" in missing.stderr
    assert "Traceback" not in missing.stderr
    tolerated = fg.json("connections", "delete", "no-such-connection", "--if-exists")
    assert tolerated == {"deleted": None}


def test_connections_delete_of_a_missing_id_has_the_same_hint_as_a_missing_name(fg: Fg) -> None:
    guid = "0f6a9e1c-3b2d-4c5e-8f7a-1b2c3d4e5f60"
    missing = fg("connections", "delete", guid, expect=1)
    [line] = [s for s in missing.stderr.splitlines() if s.startswith("error: ")]
    assert "(HTTP 404)" in line
    assert line.endswith("Next: `fabric-git connections list` shows the connections you can use.")
    assert fg.json("connections", "delete", guid, "--if-exists") == {"deleted": None}


def test_a_rotated_pat_replaces_the_connection_key(fg: Fg) -> None:
    scenario = fg.scenario()
    name = f"rotate-{scenario.owner}"
    stale = "pat_stale_" + scenario.owner
    fg.scan.secrets.add(stale)
    url = ["--repo-url", scenario.repo_url]
    fg.json("connections", "create-github", "--name", name, *url, env={"FABRIC_GIT_PAT": stale})
    rejected = fg("sync", "-w", scenario.workspace, *url, "--connection", name, expect=1)
    assert "GitProviderAuthenticationFailed" in rejected.stderr  # the stale key is in use

    rotated = fg.json(
        "connections", "create-github", "--name", name, *url, "--rotate-pat",
        env={"FABRIC_GIT_PAT": scenario.pat},
    )  # fmt: skip
    assert (rotated["created"], rotated["keyUpdated"]) == (False, True)
    text = fg(
        "connections",
        "create-github",
        "--name",
        name,
        *url,
        "--pat-stdin",
        "--rotate-pat",
        input=scenario.pat + "\n",
    )
    assert "stored the given token as its key" in text.stdout
    synced = fg.json("sync", "-w", scenario.workspace, *url, "--connection", name)
    assert synced["summary"]["succeeded"] == 1


def _azure_scripts() -> list[tuple[str, str]]:
    """(display name, script) of every shell step of the Azure Pipelines template."""
    document = yaml.safe_load((TEMPLATE / "azure-pipelines.yml").read_text(encoding="utf-8"))
    return [
        (step.get("displayName", ""), step.get("bash") or step.get("script"))
        for step in document["steps"]
        if step.get("bash") or step.get("script")
    ]


def test_azure_pipelines_template_runs_as_a_service_principal(fg: Fg, tmp_path: Path) -> None:
    from fabric_git.emulator.auth import principal_id

    scenario = fg.scenario()
    fg.synced(scenario)  # the workspace was connected once, by a user (README step 4)
    principal = f"sp-{scenario.owner}"
    sp_token = fg.sandbox.admin("POST", "/tokens", {"servicePrincipal": principal})["token"]
    fg.scan.secrets.add(sp_token)
    fg.sandbox.http().post(
        f"/v1/workspaces/{scenario.workspace_id}/roleAssignments",
        json={
            "principal": {
                "id": principal_id(principal, "ServicePrincipal"),
                "type": "ServicePrincipal",
            },
            "role": "Admin",
        },
    ).raise_for_status()
    # Without Git credentials of its own the principal's first Git call fails.
    first = fg("status", "-w", scenario.workspace, env={"FABRIC_TOKEN": sp_token}, expect=1)
    assert re.search(r"GitCredentialsNotConfigured|PrincipalTypeNotSupported", first.stderr)
    variables = {
        "FABRIC_WORKSPACE": scenario.workspace,
        "FABRIC_GIT_CONNECTION": f"fabric-git-sp-{scenario.owner}",
        "Build.Repository.Uri": scenario.repo_url,
        "Build.ArtifactStagingDirectory": str(tmp_path),
    }
    base = {k: v for k, v in os.environ.items() if k not in NEUTRAL_ENV}
    env = {
        **base,
        **fg.sandbox.environment(),
        # FABRIC_TOKEN wins over --auth: the emulator's token for the service principal stands
        # in for the one azure-identity would get with AZURE_CLIENT_SECRET.
        "FABRIC_TOKEN": sp_token,
        "FABRIC_GIT_PAT": scenario.pat,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # As Azure Pipelines exports each non-secret variable to scripts (upper case, "." as
        # "_"): the scripts read their values from there, never by $(...) expansion.
        **{name.upper().replace(".", "_"): value for name, value in variables.items()},
    }
    ran: list[str] = []
    for title, script in _azure_scripts():
        if "pip install" in script:
            continue  # fabric-git is installed already
        done = subprocess.run(
            ["bash", "-c", script],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        fg.scan.outputs.extend([done.stdout, done.stderr])
        assert done.returncode == 0, f"{title}: exit {done.returncode}\n{done.stderr}"
        ran.append(title)
    assert len(ran) >= 5
    credentials = fg.json(
        "credentials", "show", "-w", scenario.workspace, env={"FABRIC_TOKEN": sp_token}
    )
    assert credentials["source"] == "ConfiguredConnection"
    fg.scan.watch(tmp_path)
    update = json.loads((tmp_path / "update.json").read_text())
    assert update["workspace"]["name"] == scenario.workspace
