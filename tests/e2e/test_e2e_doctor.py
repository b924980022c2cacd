"""``doctor`` finds each missing piece by itself, against the emulator; ``credentials setup``
wires a connection for the principal that runs a pipeline."""

from __future__ import annotations

import json
import shlex
import uuid
from typing import Any

from e2e.conftest import Fg


def results(document: Any) -> dict[str, str]:
    return {c["check"]: c["result"] for c in document["checks"]}


def failing(document: Any) -> list[str]:
    return [c["check"] for c in document["checks"] if c["result"] == "fail"]


def test_a_workspace_that_has_everything_passes(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    report = fg.json("doctor", "-w", scenario.workspace)
    assert report["ok"] is True and failing(report) == []
    assert results(report) == {
        "api": "ok",
        "role": "ok",
        "capacity": "ok",
        "connection": "ok",
        "credentials": "ok",
        "configured-connection": "ok",
        "status": "ok",
        "operations": "ok",
    }
    text = fg("doctor", "-w", scenario.workspace)
    assert "Nothing blocks." in text.stdout


def test_a_disconnected_workspace_is_found_and_the_fix_named(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    report = fg.json("doctor", "-w", scenario.workspace, expect=1)
    assert failing(report) == ["connection"]
    fix = next(c["fix"] for c in report["checks"] if c["check"] == "connection")
    assert "fabric-git sync" in fix
    text = fg("doctor", "-w", scenario.workspace, expect=1)
    assert "not connected to Git" in text.stdout and "Something blocks" in text.stdout


def test_no_capacity_is_found(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    fg.sandbox.client().workspaces.unassign_from_capacity(scenario.workspace_id)
    report = fg.json("doctor", "-w", scenario.workspace, expect=1)
    assert "capacity" in failing(report)
    fix = next(c["fix"] for c in report["checks"] if c["check"] == "capacity")
    assert "assign-capacity" in fix


def test_a_deleted_configured_connection_is_found(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    document = fg.synced(scenario)
    connection = document["connection"]["id"]
    fg.sandbox.client().connections.delete(connection)
    report = fg.json("doctor", "-w", scenario.workspace, expect=1)
    assert failing(report)[0] == "configured-connection"
    assert results(report)["status"] == "skipped"


def test_a_failing_status_read_is_found(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    fg.sandbox.add_fault(operation="Git_GetStatus", status=500, times=20)
    report = fg.json("doctor", "-w", scenario.workspace, "--retries", "0", expect=1)
    assert failing(report) == ["status"]


def test_a_service_principal_without_credentials_of_its_own_is_found(fg: Fg) -> None:
    scenario = fg.scenario(pat=False, items=False)
    org = f"org-{scenario.owner}"
    fg.sandbox.admin(
        "POST",
        "/repos",
        {"provider": "AzureDevOps", "organization": org, "project": "data", "repo": "fabric"},
    )
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    fg.json("sync", "-w", scenario.workspace, "--repo-url", url)
    sp = fg.sandbox.service_principal("doctor-sp")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)

    as_user = fg.json("doctor", "-w", scenario.workspace)
    assert as_user["identity"]["type"] == "User" and as_user["ok"] is True

    report = fg.json("doctor", "-w", scenario.workspace, env=sp.environment(), expect=1)
    assert report["identity"] == {"id": sp.id, "type": "ServicePrincipal"}
    assert failing(report) == ["credentials"]
    assert results(report)["role"] == "ok"


def test_a_viewer_is_told_it_needs_a_higher_role(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    viewer = fg.sandbox.user("viewer@contoso.com")
    fg.scan.secrets.add(viewer.token)
    fg.sandbox.add_role(scenario.workspace_id, viewer, "Viewer")
    report = fg.json("doctor", "-w", scenario.workspace, env=viewer.environment(), expect=1)
    assert failing(report) == ["connection"]
    assert results(report)["role"] == "warn"
    fix = next(c["fix"] for c in report["checks"] if c["check"] == "connection")
    assert "Contributor" in fix


def test_a_workspace_id_you_have_no_role_on_is_reported_not_raised(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    stranger = fg.sandbox.user("stranger@contoso.com")
    fg.scan.secrets.add(stranger.token)
    for workspace in (scenario.workspace_id, str(uuid.uuid4())):  # no role; no such workspace
        result = fg("doctor", "-w", workspace, env=stranger.environment(), expect=1)
        assert "Traceback" not in result.stderr and "error:" not in result.stderr, result.stderr
        report = fg.json("doctor", "-w", workspace, env=stranger.environment(), expect=1)
        assert failing(report) == ["workspace"] and results(report)["api"] == "ok"
        assert report["workspace"] is None


def test_the_wrong_token_is_found_first(fg: Fg) -> None:
    report = fg.json("doctor", "-w", "anything", env={"FABRIC_TOKEN": "not-a-token"}, expect=1)
    assert failing(report) == ["api"] and report["workspace"] is None


def test_credentials_setup_as_the_service_principal_then_doctor_passes(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    sp = fg.sandbox.service_principal("setup-sp")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)
    as_sp = {**sp.environment(), "FABRIC_GIT_PAT": scenario.pat}
    before = fg.json("doctor", "-w", scenario.workspace, env=as_sp, expect=1)
    assert failing(before) == ["credentials"]

    setup = ("credentials", "setup", "-w", scenario.workspace, "--connection-name", "sp-gh")
    first = fg.json(*setup, env=as_sp)
    assert first["connection"]["created"] is True and first["principalId"] == sp.id
    assert first["credentials"]["changed"] is True and first["shared"] == "owner"
    after = fg.json("doctor", "-w", scenario.workspace, env=as_sp)
    assert after["ok"] is True

    # A re-run is a no-op; a PAT given again is not stored without --rotate-pat.
    again = fg.json(*setup, env={**as_sp, "FABRIC_GIT_PAT": "pat_other"})
    assert again["noop"] is True and again["connection"]["keyUpdated"] is False
    assert fg.json("doctor", "-w", scenario.workspace, env=as_sp)["ok"] is True


def _check(document: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in document["checks"] if c["check"] == name)
    assert set(found) == {"check", "result", "detail", "fix"}
    return found


def test_a_configured_connection_no_longer_shared_is_found(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    connection = fg.synced(scenario)["connection"]["id"]
    sp = fg.sandbox.service_principal("doctor-unshared-sp")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)
    share = ("--principal", sp.id, "--principal-type", "service-principal")
    fg.json("connections", "share", connection, *share)
    fg.json(
        "credentials",
        "set",
        "-w",
        scenario.workspace,
        "--source",
        "configured-connection",
        "--connection",
        connection,
        env=sp.environment(),
    )
    assert fg.json("doctor", "-w", scenario.workspace, env=sp.environment())["ok"] is True

    # The connection still exists (its owner uses it), but no longer for the service principal.
    fg.json("connections", "roles", "remove", connection, "--principal", sp.id)
    report = fg.json("doctor", "-w", scenario.workspace, env=sp.environment(), expect=1)
    text = fg("doctor", "-w", scenario.workspace, env=sp.environment(), expect=1).stdout

    assert report["ok"] is False and failing(report) == ["configured-connection"]
    check = _check(report, "configured-connection")
    assert "not shared with you" in check["detail"] and connection in check["detail"]
    assert f"fabric-git connections share {connection} --principal {sp.id}" in check["fix"]
    assert results(report)["status"] == "skipped"
    assert "not shared with you" in text and "Something blocks" in text
    assert fg.json("doctor", "-w", scenario.workspace)["ok"] is True  # the owner is fine


def test_a_running_operation_is_found(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": "print(2)\n"}
    )
    fg.sandbox.settings(lroDuration=3600)  # the commit holds the workspace for an hour
    try:
        started = fg.sandbox.http().post(
            f"/v1/workspaces/{scenario.workspace_id}/git/commitToGit",
            json={"mode": "Selective", "items": [{"objectId": scenario.items["Load"]}]},
        )
    finally:
        fg.sandbox.settings(lroDuration=0.01)
    assert started.status_code == 202, started.text

    # Found at once: doctor does not wait for the workspace (which would announce retries,
    # and take the whole --timeout).
    doctor = ("--timeout", "10", "doctor", "-w", scenario.workspace)
    ran = fg("--output", "json", *doctor, expect=1)
    report = json.loads(ran.stdout)
    text = fg(*doctor, expect=1).stdout

    assert "retrying" not in ran.stderr
    assert report["ok"] is False and failing(report) == ["operations"]
    check = _check(report, "operations")
    assert "operation is running" in check["detail"]
    assert "wait for it to end" in check["fix"]
    assert results(report)["status"] == "skipped"
    assert "operation is running" in text and "Something blocks" in text


def test_credentials_setup_shares_the_connection_with_the_pipeline_principal(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    mine = fg.synced(scenario)["connection"]  # the admin's own connection, of another name
    sp = fg.sandbox.service_principal(f"pipeline-{scenario.owner}")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp, "Contributor")
    as_sp = sp.environment()
    name = f"pipeline-{scenario.owner}"
    with_pat = {"FABRIC_GIT_PAT": scenario.pat}
    connection = fg.json(
        "connections",
        "create-github",
        "--name",
        name,
        "--repo-url",
        scenario.repo_url,
        env=with_pat,
    )["id"]
    use_it = ("-w", scenario.workspace, "--source", "configured-connection")
    setup = ("credentials", "setup", "-w", scenario.workspace, "--connection-name", name)
    second = f"{scenario.workspace}-pipeline"
    fg.sandbox.add_role(fg.sandbox.create_workspace(second), sp)
    connect = ("connect", "-w", second, "--repo-url", scenario.repo_url, "--connection", connection)

    # Not shared yet: the principal cannot point its Git credentials at the connection, and
    # setting up as itself says whose move it is (never a second connection of that name).
    refused = fg("credentials", "set", *use_it, "--connection", connection, env=as_sp, expect=1)
    assert "ConnectionNotFound" in refused.stderr and refused.stdout == ""
    assert "ConnectionNotFound" in fg(*connect, env=as_sp, expect=1).stderr
    not_shared = fg(*setup, env={**as_sp, **with_pat}, expect=1)
    assert "ConnectionNotShared" in not_shared.stderr
    assert f"--principal {sp.id} --principal-type service-principal`" in not_shared.stderr
    assert [c["displayName"] for c in fg.json("connections", "list")["connections"]].count(
        name
    ) == 1

    shared = fg.json(*setup, "--principal", sp.id, env=with_pat)
    assert shared["principalId"] == sp.id and shared["shared"] == "added"
    assert shared["connection"]["id"] == connection and shared["connection"]["created"] is False
    assert shared["credentials"] is None and shared["noop"] is False

    # A re-run changes nothing, and a PAT given again is stored nowhere.
    again = fg.json(*setup, "--principal", sp.id, env={"FABRIC_GIT_PAT": "pat_not_stored"})
    assert again["noop"] is True and again["shared"] == "present"
    assert again["connection"]["keyUpdated"] is False
    for either in (connection, mine["id"]):
        assert fg.json("connections", "test", either)["status"] == "Online"

    # The principal, signed in, connects a workspace through the connection, sets its own
    # credentials on the first one to it and works with it.
    connected = fg.json(*connect, env=as_sp)
    assert connected["connected"] is True and connected["connectionId"] == connection
    own = fg.json(*setup, env=as_sp)
    assert own["principalId"] == sp.id and own["credentials"]["changed"] is True
    assert own["shared"] == "present" and own["connection"]["created"] is False
    credentials = fg.json("credentials", "show", "-w", scenario.workspace, env=as_sp)
    assert credentials["source"] == "ConfiguredConnection"
    assert credentials["connectionId"] == connection
    fg.sandbox.create_item(
        scenario.workspace_id, "ByPipeline", "Notebook", {"notebook-content.py": "print(3)\n"}
    )
    committed = fg.json("commit", "-w", scenario.workspace, env=as_sp)
    assert committed["noop"] is False and committed["newHead"] != committed["previousHead"]
    assert fg.json("status", "-w", scenario.workspace, env=as_sp)["inSync"] is True
    assert fg.json("doctor", "-w", scenario.workspace, env=as_sp)["ok"] is True
    assert fg.json(*setup, env=as_sp)["noop"] is True

    # Rotating this connection's key touches no other connection of the same repository.
    rotated = fg.json(
        *setup, "--principal", sp.id, "--rotate-pat", env={"FABRIC_GIT_PAT": "pat_wrong"}
    )
    assert rotated["connection"]["keyUpdated"] is True
    assert fg.json("connections", "test", mine["id"])["status"] == "Online"
    assert fg("connections", "test", connection, expect=1).stdout.count("Offline") == 1


def skipped(document: Any) -> dict[str, str]:
    return {c["check"]: c["detail"] for c in document["checks"] if c["result"] == "skipped"}


CHECKS = ["api", "role", "capacity", "connection", "credentials", "configured-connection",
          "status", "operations"]  # fmt: skip


def test_every_check_is_reported_skipped_ones_saying_why(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    tmp = fg.sandbox.create_workspace(f"Tmp-{scenario.owner}")
    report = fg.json("doctor", "-w", tmp, expect=1)
    assert [c["check"] for c in report["checks"]] == CHECKS
    assert failing(report) == ["connection"]
    reasons = skipped(report)
    assert sorted(reasons) == ["configured-connection", "credentials", "operations", "status"]
    assert reasons["status"] == "needs a Git connection"
    # No API lists running operations: the one sign of one is a refused status read.
    assert "WorkspacePreviousOperationInProgress" in reasons["operations"]

    stranger = fg.sandbox.user("nobody@contoso.com")
    fg.scan.secrets.add(stranger.token)
    missing = fg.json("doctor", "-w", tmp, env=stranger.environment(), expect=1)
    assert [c["check"] for c in missing["checks"]] == ["api", "workspace", *CHECKS[1:]]
    assert set(skipped(missing)) == set(CHECKS[1:])


def test_a_running_operation_is_found_even_when_the_credentials_fail_it_says_why_not(
    fg: Fg,
) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    fg.json("credentials", "set", "-w", scenario.workspace, "--source", "none")
    report = fg.json("doctor", "-w", scenario.workspace, expect=1)
    assert failing(report) == ["credentials"]
    assert [c["check"] for c in report["checks"]] == CHECKS
    reasons = skipped(report)
    assert "needs working Git credentials" in reasons["operations"]
    assert "WorkspacePreviousOperationInProgress" in reasons["operations"]


def fix_of(document: Any, check: str) -> str:
    return str(next(c["fix"] for c in document["checks"] if c["check"] == check))


def test_hints_name_the_principal_type_and_the_hinted_share_fixes_it(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    connection = fg.synced(scenario)["connection"]["id"]
    sp = fg.sandbox.service_principal("hinted-sp")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(scenario.workspace_id, sp)
    share = ("connections", "share", connection, "--principal", sp.id)
    fg.json(*share, "--principal-type", "service-principal")
    fg.json("credentials", "set", "-w", scenario.workspace, "--source",
            "configured-connection", "--connection", connection, env=sp.environment())  # fmt: skip
    fg.json("connections", "roles", "remove", connection, "--principal", sp.id)

    report = fg.json("doctor", "-w", scenario.workspace, env=sp.environment(), expect=1)
    assert failing(report) == ["configured-connection"]
    fix = fix_of(report, "configured-connection")
    hinted = f"fabric-git connections share {connection} --principal {sp.id} "
    assert f"{hinted}--principal-type service-principal " in fix
    # The owner runs the command the hint names, as it is written.
    command = fix.split("fabric-git ", 1)[1].split(" (by its owner)")[0]
    fg.json(*command.split())
    assert fg.json("doctor", "-w", scenario.workspace, env=sp.environment())["ok"] is True


def test_a_user_not_shared_the_connection_is_told_the_command_with_its_type(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    user = fg.sandbox.user(f"dev-{scenario.owner}@contoso.com")
    fg.scan.secrets.add(user.token)
    fg.sandbox.add_role(scenario.workspace_id, user, "Contributor")
    name = f"team-{scenario.owner}"
    with_pat = {"FABRIC_GIT_PAT": scenario.pat}
    fg.json("connections", "create-github", "--name", name, "--repo-url", scenario.repo_url,
            env=with_pat)  # fmt: skip
    setup = ("credentials", "setup", "-w", scenario.workspace, "--connection-name", name)
    refused = fg(*setup, env={**user.environment(), **with_pat}, expect=1)
    [line] = [x for x in refused.stderr.splitlines() if x.startswith("error:")]
    assert "ConnectionNotShared" in line
    assert f"--principal {user.id} --principal-type user`" in line
    # The owner runs the hinted command as written; then the user's own setup goes through.
    command = line.split("`fabric-git ", 1)[1].split("`", 1)[0]
    fg.json(*shlex.split(command), env=with_pat)
    done = fg.json(*setup, env={**user.environment(), **with_pat})
    assert done["credentials"]["source"] == "ConfiguredConnection"
