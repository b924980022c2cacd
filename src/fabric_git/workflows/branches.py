"""Branches of a connected repository, with the plain ``git`` client over HTTPS.

The repository is reached at its own URL (``https://github.com/OWNER/REPO``,
``https://dev.azure.com/ORG/PROJECT/_git/REPO``); Git's ``url.<base>.insteadOf`` configuration
(git config, or ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``) may redirect it.
Credentials reach ``git`` as an ``http.extraHeader`` added to the environment's configuration,
never through its arguments or a file. Every ``git`` run is bounded: by the time the caller allows
(what is left of ``--timeout``/``--deadline``), and by Git's own low-speed limit, so a stalled
host ends the command with one line instead of holding it.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from fabric_git.errors import AuthenticationError
from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails, GitProviderDetails
from fabric_git.workflows.errors import WorkflowError

if TYPE_CHECKING:
    from fabric_git.client import FabricClient

__all__ = [
    "AZURE_DEVOPS_SCOPE",
    "BranchError",
    "GitAccess",
    "GitRemote",
    "GitTimeoutError",
    "check_branch_name",
    "repository_url",
]

# The Azure DevOps resource: an Entra token for it authenticates Git over HTTPS.
AZURE_DEVOPS_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
# Longest one git run may take when the caller sets no limit.
_GIT_TIMEOUT = 300.0
# Where the command line takes an Azure DevOps token for git from when the signed-in credential
# cannot give one (a static FABRIC_TOKEN is for the Fabric API only), named in the refusal.
_AZURE_DEVOPS_TOKEN_ENV = "FABRIC_GIT_AZURE_DEVOPS_TOKEN"
# A transfer slower than this many bytes a second for this many seconds is abandoned by git
# itself (unless the environment sets its own), so a host that stalls mid-answer ends too.
_LOW_SPEED = {"GIT_HTTP_LOW_SPEED_LIMIT": "1000", "GIT_HTTP_LOW_SPEED_TIME": "30"}
_PLAINLY_WRONG = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^[-/.]|[/.]$|^@$")


class BranchError(WorkflowError):
    """Git could not read, create or delete a branch of the repository."""

    code = "GitBranchFailed"


class GitTimeoutError(BranchError):
    """A git run did not end in the time allowed (a stalled or unreachable Git host)."""

    code = "GitTimedOut"


def _require_git() -> None:
    if shutil.which("git") is None:
        raise BranchError("the git program is not installed; install Git to manage branches")


def check_branch_name(branch: str) -> None:
    """Refuse a name Git does not take for a branch (``git check-ref-format --branch``), before
    anything is made with it. Run outside any repository, so ``@{-1}`` and the like stay names.
    Without git installed, the plainly wrong names (spaces, control characters, ``..``) only."""
    if shutil.which("git") is None:
        valid = not _PLAINLY_WRONG.search(branch)
    else:
        with tempfile.TemporaryDirectory(prefix="fabric-git-name-") as scratch:
            try:
                done = subprocess.run(
                    ["git", "check-ref-format", "--branch", branch],
                    cwd=scratch,
                    env={**os.environ, "GIT_CEILING_DIRECTORIES": scratch},
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=30,
                )
            except subprocess.TimeoutExpired:  # git reads no network here: a stuck machine
                raise GitTimeoutError("git check-ref-format did not finish in 30 s") from None
        valid = done.returncode == 0 and done.stdout.strip() == branch
    if not valid:
        raise BranchError(
            f"{branch!r} is not a valid Git branch name (see git check-ref-format); "
            "give the branch's name as Git spells it"
        )


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
    """A repository URL and the ``Authorization`` header for it (kept out of reprs).

    ``timeout``: seconds one git run may take; ``deadline``: a ``time.monotonic()`` instant no
    git run outlasts (the caller's overall limit)."""

    url: str
    authorization: str | None = field(default=None, repr=False)
    timeout: float | None = None
    deadline: float | None = None

    @classmethod
    def github(
        cls,
        url: str,
        pat: str | None,
        *,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> GitRemote:
        if not pat:
            return cls(url, timeout=timeout, deadline=deadline)
        basic = base64.b64encode(f"x-access-token:{pat}".encode()).decode()
        return cls(url, f"Basic {basic}", timeout=timeout, deadline=deadline)

    @classmethod
    def bearer(
        cls, url: str, token: str, *, timeout: float | None = None, deadline: float | None = None
    ) -> GitRemote:
        return cls(url, f"Bearer {token}", timeout=timeout, deadline=deadline)

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with the header appended to Git's
        environment configuration, after whatever it holds already (``insteadOf`` rules)."""
        env = dict(os.environ if base is None else base)
        env["GIT_TERMINAL_PROMPT"] = "0"
        for name, value in _LOW_SPEED.items():
            env.setdefault(name, value)
        if self.authorization:
            try:
                count = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
            except ValueError:
                count = 0
            env[f"GIT_CONFIG_KEY_{count}"] = "http.extraHeader"
            env[f"GIT_CONFIG_VALUE_{count}"] = f"Authorization: {self.authorization}"
            env["GIT_CONFIG_COUNT"] = str(count + 1)
        return env

    def _limit(self) -> float:
        """Seconds the next git run may take."""
        limit = self.timeout if self.timeout is not None else _GIT_TIMEOUT
        if self.deadline is not None:
            limit = min(limit, self.deadline - time.monotonic())
        return limit

    def _git(self, *args: str, cwd: str | None = None) -> str:
        _require_git()
        limit = self._limit()
        if limit <= 0:
            raise self._too_long(args[0])
        # Its own process group: on a timeout (or Ctrl-C) git and the helpers it started
        # (git-remote-https) end together, and no pipe is left held open.
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise self._too_long(args[0]) from None
        except BaseException:
            _kill(process)
            raise
        if process.returncode != 0:
            lines = [line for line in err.strip().splitlines() if line.strip()]
            detail = lines[-1] if lines else f"exit {process.returncode}"
            raise BranchError(f"git {args[0]} on {self.url} failed: {detail}")
        return out

    def _too_long(self, command: str) -> GitTimeoutError:
        return GitTimeoutError(
            f"git {command} on {self.url} did not finish in the time allowed; check that the "
            "Git host answers, or allow more time"
        )

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


def _kill(process: subprocess.Popen[str]) -> None:
    """End git and everything it started, and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, ProcessLookupError, PermissionError):  # no process groups here
        process.kill()
    process.communicate()


@dataclass(frozen=True)
class GitAccess:
    """What ``git`` may reach the repository with, and how long each run may take."""

    github_pat: str | None = field(default=None, repr=False)
    azure_devops_token: str | None = field(default=None, repr=False)
    timeout: float | None = None

    def remote(self, client: FabricClient, provider: GitProviderDetails) -> GitRemote:
        """The repository for ``git``: GitHub with the PAT, Azure DevOps with the token given or
        else an Entra token of the signed-in principal (a GitHub PAT is never sent elsewhere,
        the Fabric token never to the Git host). Each run is bounded by ``timeout`` and by what
        is left of the client's deadline. No credential: ``AuthenticationError`` (``PatMissing``
        or ``AzureDevOpsTokenMissing``) before any git run."""
        url = repository_url(provider)
        left = client.time_left()
        deadline = None if left is None else time.monotonic() + left
        if isinstance(provider, AzureDevOpsDetails):
            token = self.azure_devops_token or _azure_devops_token(client)
            return GitRemote.bearer(url, token, timeout=self.timeout, deadline=deadline)
        if not self.github_pat:
            raise AuthenticationError(
                f"PAT missing: git needs a GitHub personal access token for {url}; set "
                "FABRIC_GIT_PAT (or the variable --pat-env names) or pass --pat-stdin",
                code="PatMissing",
            )
        return GitRemote.github(url, self.github_pat, timeout=self.timeout, deadline=deadline)

    def at_hand(self, provider: GitProviderDetails) -> bool:
        """Whether a credential for ``git`` was given (no sign-in needed to ask the host)."""
        if isinstance(provider, AzureDevOpsDetails):
            return bool(self.azure_devops_token)
        return bool(self.github_pat)


def _azure_devops_token(client: FabricClient) -> str:
    try:
        return client.access_token(AZURE_DEVOPS_SCOPE)
    except AuthenticationError as error:
        raise AuthenticationError(
            f"no token for Azure DevOps: {str(error).rstrip('.')}; set "
            f"{_AZURE_DEVOPS_TOKEN_ENV} to an Entra token for Azure DevOps, or sign in with "
            "--auth instead of FABRIC_TOKEN",
            code="AzureDevOpsTokenMissing",
        ) from None
