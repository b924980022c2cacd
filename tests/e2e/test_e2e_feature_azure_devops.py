"""Feature workspaces on an Azure DevOps repository that takes credentials, run as a service
principal: ``git`` reaches it with an Entra token for Azure DevOps sent as a bearer token, from
the azure-identity sign-in or from ``FABRIC_GIT_AZURE_DEVOPS_TOKEN``. The repository requires a
PAT nobody here sends, so only a token for Azure DevOps gets ``git`` in; a token for the Fabric
API is refused by the Git server."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from e2e.conftest import Fg
from e2e.test_e2e_feature import git_redirects, workspace_names
from fabric_git.cli._sandbox import Identity

AZURE_DEVOPS = "499b84ac-1321-427f-aa17-267ca6975798"


@dataclass(frozen=True)
class AdoBase:
    workspace: str
    url: str  # the repository's own URL
    hosted: str  # where the emulator serves it
    pat: str  # the repository's PAT: only the checks of this test send it
    sp: Identity
    ado_token: str  # the principal's Entra token for Azure DevOps


def _ado_base(fg: Fg) -> AdoBase:
    """A base workspace connected by a service principal, through its Azure DevOps connection,
    to an Azure DevOps repository that requires a PAT."""
    suffix = uuid.uuid4().hex[:8]
    workspace = f"ws-{suffix}"
    workspace_id = fg.sandbox.create_workspace(workspace)
    org = f"org{suffix}"
    pat = "pat_" + secrets.token_hex(12)
    fg.scan.secrets.add(pat)
    repo = {"provider": "AzureDevOps", "organization": org, "project": "data", "repo": "fabric",
            "directories": ["src"], "requiredPat": pat}  # fmt: skip
    fg.sandbox.admin("POST", "/repos", repo)
    sp = fg.sandbox.service_principal(f"ado-{suffix}")
    fg.scan.secrets.add(sp.token)
    fg.sandbox.add_role(workspace_id, sp)
    ado_token = fg.sandbox.admin(
        "POST", "/tokens", {"servicePrincipal": sp.name, "audience": AZURE_DEVOPS}
    )["token"]
    fg.scan.secrets.add(ado_token)
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    client_secret = "sp-secret-" + suffix
    fg.scan.secrets.add(client_secret)
    from fabric_git.client import FabricClient

    with FabricClient(base_url=fg.sandbox.url, credential=sp.token) as as_sp:
        as_sp.connections.create_azure_devops(
            f"ado-{suffix}",
            url,
            tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()),
            client_secret=client_secret,
        )
    fg.json("sync", "-w", workspace, "--repo-url", url, "--directory", "src",
            "--connection", f"ado-{suffix}", env=sp.environment())  # fmt: skip
    hosted = f"{fg.sandbox.running.git_url}/azure-devops/{org}/data/_git/fabric"
    return AdoBase(workspace, url, hosted, pat, sp, ado_token)


def _tip(base: AdoBase, branch: str) -> str | None:
    """The branch's commit, read with the repository's PAT (never the tokens under test)."""
    basic = base64.b64encode(f"x:{base.pat}".encode()).decode()
    header = f"Authorization: Basic {basic}"
    done = subprocess.run(
        ["git", "ls-remote", "--heads", base.hosted, f"refs/heads/{branch}"],
        env={
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": header,
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()[0] if done.stdout.strip() else None


def _install_az(bin_dir: Path, fabric: str, azure_devops: str) -> Path:
    """A stand-in Azure CLI signed in as the service principal: ``az account get-access-token``
    answers with its token for the resource asked (what azure-identity's AzureCliCredential
    runs), and writes down each resource it was asked for."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, token in (("fabric", fabric), ("ado", azure_devops)):
        claims = token.split(".")[1]
        expiry = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"]
        answer = {"accessToken": token, "expires_on": expiry, "tokenType": "Bearer"}
        (bin_dir / f"{name}.json").write_text(json.dumps(answer))
    az = bin_dir / "az"
    az.write_text(
        '#!/bin/sh\nhere="$(dirname "$0")"\necho "$*" >> "$here/asked.log"\n'
        f'case "$*" in *{AZURE_DEVOPS}*) cat "$here/ado.json" ;; *) cat "$here/fabric.json" ;; '
        "esac\n"
    )
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    return bin_dir / "asked.log"


def test_feature_up_as_a_service_principal_sends_its_azure_devops_token(
    fg: Fg, tmp_path: Path
) -> None:
    base = _ado_base(fg)
    main = _tip(base, "main")
    assert main is not None
    up = ("feature", "up", "--base", base.workspace, "--branch", "ado-one", "--create-branch")
    before = workspace_names(fg)

    # The principal's token for the Fabric API is one for another audience: the Git server
    # refuses it, and nothing is made.
    as_fabric = {**git_redirects(fg.sandbox), **base.sp.environment(),
                 "FABRIC_GIT_AZURE_DEVOPS_TOKEN": base.sp.token}  # fmt: skip
    refused = fg(*up, env=as_fabric, expect=1)
    assert "GitBranchFailed" in refused.stderr and base.url in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert workspace_names(fg) == before and _tip(base, "ado-one") is None

    # Signed in through azure-identity (the Azure CLI, as the principal): its token for Azure
    # DevOps is what git sends, and the only thing that opens the repository.
    asked = _install_az(tmp_path / "bin", base.sp.token, base.ado_token)
    signed_in = {
        **git_redirects(fg.sandbox),
        "FABRIC_TOKEN": None,
        "FABRIC_GIT_AZURE_DEVOPS_TOKEN": None,
        "FABRIC_GIT_AUTH": "azure-cli",
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    made = fg.json(*up, env=signed_in)
    assert made["createdBranch"] is True and made["createdWorkspace"] is True
    assert made["sync"]["status"]["inSync"] is True
    assert _tip(base, "ado-one") == main
    resources = asked.read_text().splitlines()
    assert any(f"--resource {AZURE_DEVOPS}" in line for line in resources)
    assert any("--resource https://api.fabric.microsoft.com" in line for line in resources)
    shown = fg.json("credentials", "show", "-w", made["workspace"]["id"], env=signed_in)
    assert shown["source"] == "ConfiguredConnection"

    again = fg.json(*up, env=signed_in)
    assert again["noop"] is True and again["createdBranch"] is False
    gone = fg.json("feature", "down", "--base", base.workspace, "--branch", "ado-one",
                   "--delete-branch", env=signed_in)  # fmt: skip
    assert gone["deleted"] is True and gone["branchDeleted"] is True
    assert _tip(base, "ado-one") is None


def test_feature_up_with_an_azure_devops_token_given_and_its_branch_check(fg: Fg) -> None:
    base = _ado_base(fg)
    given = {**git_redirects(fg.sandbox), **base.sp.environment(),
             "FABRIC_GIT_AZURE_DEVOPS_TOKEN": base.ado_token}  # fmt: skip
    before = workspace_names(fg)
    # Without --create-branch, git asks the repository (with the token given) before anything
    # is made: no workspace is even asked for.
    watch = fg.sandbox.add_fault(method="POST", path="/v1/workspaces$", delay=0.001)
    missing = ("feature", "up", "--base", base.workspace, "--branch", "nope")
    refused = fg(*missing, env=given, expect=1)
    assert "BranchNotFound" in refused.stderr and "--create-branch" in refused.stderr
    rules = fg.sandbox.admin("GET", "/faults")["value"]
    assert [r["fired"] for r in rules if r["id"] == watch["id"]] == [0]
    fg.sandbox.clear_faults()
    assert workspace_names(fg) == before and _tip(base, "nope") is None

    made = fg.json(*missing, "--create-branch", env=given)
    assert made["createdBranch"] is True and made["sync"]["status"]["inSync"] is True
    assert _tip(base, "nope") == _tip(base, "main")
    # Now the branch exists: a run without --create-branch finds it and changes nothing.
    again = fg.json(*missing, env=given)
    assert again["noop"] is True
