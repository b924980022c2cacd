"""Branches of a connected repository, with the plain ``git`` client over HTTPS.

The repository is reached at its own URL (``https://github.com/OWNER/REPO``,
``https://dev.azure.com/ORG/PROJECT/_git/REPO``); Git's ``url.<base>.insteadOf`` configuration
(git config, or ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``) may redirect it.
Credentials reach ``git`` as an ``http.extraHeader`` added to the environment's configuration,
never through its arguments or a file.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails, GitProviderDetails
from fabric_git.workflows.errors import WorkflowError

__all__ = ["AZURE_DEVOPS_SCOPE", "BranchError", "GitRemote", "repository_url"]

# The Azure DevOps resource: an Entra token for it authenticates Git over HTTPS.
AZURE_DEVOPS_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
_GIT_TIMEOUT = 300.0


class BranchError(WorkflowError):
    """Git could not read, create or delete a branch of the repository."""

    code = "GitBranchFailed"


def repository_url(details: GitProviderDetails) -> str:
    """The repository's own HTTPS URL."""
    if isinstance(details, GitHubDetails):
        host = details.custom_domain_name or "github.com"
        return f"https://{host}/{quote(details.owner_name)}/{quote(details.repository_name)}"
    if isinstance(details, AzureDevOpsDetails):
        return (
            f"https://dev.azure.com/{quote(details.organization_name)}/"
            f"{quote(details.project_name)}/_git/{quote(details.repository_name)}"
        )
    raise BranchError(f"branches of a {details.git_provider_type} repository are not supported")


@dataclass(frozen=True)
class GitRemote:
    """A repository URL and the ``Authorization`` header for it (kept out of reprs)."""

    url: str
    authorization: str | None = field(default=None, repr=False)

    @classmethod
    def github(cls, url: str, pat: str | None) -> GitRemote:
        if not pat:
            return cls(url)
        basic = base64.b64encode(f"x-access-token:{pat}".encode()).decode()
        return cls(url, f"Basic {basic}")

    @classmethod
    def bearer(cls, url: str, token: str) -> GitRemote:
        return cls(url, f"Bearer {token}")

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with the header appended to Git's
        environment configuration, after whatever it holds already (``insteadOf`` rules)."""
        env = dict(os.environ if base is None else base)
        env["GIT_TERMINAL_PROMPT"] = "0"
        if self.authorization:
            try:
                count = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
            except ValueError:
                count = 0
            env[f"GIT_CONFIG_KEY_{count}"] = "http.extraHeader"
            env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: {self.authorization}"
            env["GIT_CONFIG_COUNT"] = str(count + 1)
        return env

    def _git(self, *args: str, cwd: str | None = None) -> str:
        if shutil.which("git") is None:
            raise BranchError("the git program is not installed; install Git to manage branches")
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env=self.environment(),
                capture_output=True,
                text=True,
                check=False,
                timeout=_GIT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise BranchError(f"git {args[0]} on {self.url} took too long") from None
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            detail = lines[-1] if lines else f"exit {done.returncode}"
            raise BranchError(f"git {args[0]} on {self.url} failed: {detail}")
        return done.stdout

    def tip(self, branch: str) -> str | None:
        """The commit ``branch`` points to, or None when it does not exist."""
        out = self._git("ls-remote", "--heads", self.url, f"refs/heads/{branch}")
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref.strip() == f"refs/heads/{branch}":
                return sha.strip()
        return None

    def create_branch(self, branch: str, source: str) -> str:
        """Create ``branch`` at the tip of ``source``; its commit. The source's history is not
        fetched: only its tip, which the repository holds already."""
        with tempfile.TemporaryDirectory(prefix="fabric-git-branch-") as scratch:
            self._git("init", "--quiet", "--bare", scratch)
            self._git(
                "fetch", "--quiet", "--depth=1", self.url, f"refs/heads/{source}", cwd=scratch
            )
            commit = self._git("rev-parse", "FETCH_HEAD", cwd=scratch).strip()
            self._git("push", "--quiet", self.url, f"{commit}:refs/heads/{branch}", cwd=scratch)
        return commit

    def delete_branch(self, branch: str) -> None:
        with tempfile.TemporaryDirectory(prefix="fabric-git-branch-") as scratch:
            self._git("init", "--quiet", "--bare", scratch)
            self._git("push", "--quiet", self.url, f":refs/heads/{branch}", cwd=scratch)
