"""Names the command line shares with its users: environment variables and exit codes."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EXIT_CODES_HELP", "WORKSPACE_META", "EnvVars", "ExitCode"]

# Key of ``click.Context.meta`` (shared by every context of a run) holding the workspace the
# command was given, for hints that name it.
WORKSPACE_META = "fabric_git.workspace"


class EnvVars:
    """Every environment variable the command line reads, in one place."""

    API_URL = "FABRIC_API_URL"
    TOKEN = "FABRIC_TOKEN"
    AUTH = "FABRIC_GIT_AUTH"
    OUTPUT = "FABRIC_GIT_OUTPUT"
    TIMEOUT = "FABRIC_GIT_TIMEOUT"
    DEADLINE = "FABRIC_GIT_DEADLINE"
    REQUEST_TIMEOUT = "FABRIC_GIT_REQUEST_TIMEOUT"
    RETRIES = "FABRIC_GIT_RETRIES"
    QUIET = "FABRIC_GIT_QUIET"
    VERBOSE = "FABRIC_GIT_VERBOSE"
    NO_PROGRESS = "FABRIC_GIT_NO_PROGRESS"
    WORKSPACE = "FABRIC_GIT_WORKSPACE"
    PAT_DEFAULT = "FABRIC_GIT_PAT"
    # An Entra token for Azure DevOps, for `feature` to reach its Git repositories with.
    AZURE_DEVOPS_TOKEN = "FABRIC_GIT_AZURE_DEVOPS_TOKEN"
    # Seconds between polls of an operation when the service sends no Retry-After.
    POLL_INTERVAL = "FABRIC_GIT_POLL_INTERVAL"
    # Environments we adapt the output to.
    CI = "CI"
    GITHUB_ACTIONS = "GITHUB_ACTIONS"
    GITHUB_STEP_SUMMARY = "GITHUB_STEP_SUMMARY"
    AZURE_PIPELINES = "TF_BUILD"
    AZURE_TEMP_DIRECTORY = "AGENT_TEMPDIRECTORY"
    NO_COLOR = "NO_COLOR"


class ExitCode(IntEnum):
    """Process exit codes. Stable: pipelines branch on them."""

    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    CONFLICTS = 4
    OPERATION_FAILED = 5
    WAIT_TIMED_OUT = 6
    # Asked for with --exit-code: differences found (a workspace not in sync, a plan's changes).
    DIFFERENCES_FOUND = 7
    # 128 + the signal's number, as shells report a process a signal ended.
    INTERRUPTED = 130
    TERMINATED = 143


EXIT_CODES_HELP = """\b
Exit codes:
  0  success (including a reported no-op)
  1  error (the service refused, a name did not resolve, ...)
  2  usage (bad options or arguments)
  3  authentication (no credential, or the token was rejected)
  4  conflicts need a policy (--conflict-policy / --strategy / --allow-override-items)
  5  a long-running operation failed
  6  the wait timed out while the operation still runs;
     resume with `fabric-git operation wait ID`
  7  differences found, asked for with --exit-code (status, plan)
  130, 143  interrupted by Ctrl-C or SIGTERM (the running operation's id is printed)"""
