"""Turning any failure into one clear line and an exit code. The only place that maps errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fabric_git.cli.constants import ExitCode
from fabric_git.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    DeadlineExceededError,
    FabricGitError,
    NotFoundError,
    OperationFailedError,
    OperationTimeoutError,
    OperationWaitLostError,
    ResolutionError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
    UnknownOperationStatusError,
)

__all__ = ["Failure", "classify", "format_seconds", "worst_exit_code"]

# Service or workflow error codes that mean "tell me which side wins".
_NEEDS_POLICY = {
    "ConflictsNeedPolicy",
    "MissingWorkspaceConflictResolution",
    "MissingInitializationPolicy",
    "MissingInitializationStrategy",
    "OverrideItemsNotAllowed",
}

# Git rule refusals Fabric answers either on the request (an ``ApiError``) or as a failed
# operation (``OperationFailedError``), depending on the operation: one exit code for both forms.
_REFUSALS = frozenset(
    {
        "WorkspaceUpdateRequired",
        "NoChangesToCommit",
        "NoItemsSelected",
        "WorkspaceHeadMismatch",
        "RemoteCommitHashMismatch",
        "MissingDependency",
        "DependencyDeletionFailed",
        "PotentialDuplicateDisplayNameAndType",
    }
)

_LIST_CONNECTIONS = "`fabric-git connections list` shows the connections you can use."

# The option that settles conflicts: ``sync`` calls it --strategy, ``update`` --conflict-policy.
_POLICY_HINT = "re-run with {option} prefer-remote or prefer-workspace."
_POLICY_CODES = frozenset({"ConflictsNeedPolicy", "MissingWorkspaceConflictResolution"})

_HINTS: dict[str, str] = {
    "MissingInitializationPolicy": "re-run with --strategy prefer-remote or prefer-workspace.",
    "MissingInitializationStrategy": "re-run with --strategy prefer-remote or prefer-workspace.",
    "OverrideItemsNotAllowed": "re-run with --allow-override-items to replace those items.",
    "WorkspaceNotConnectedToGit": "connect it first with `fabric-git connect` or `sync`.",
    "WorkspaceAlreadyConnectedToGit": "disconnect it first, or use `fabric-git sync --reconnect`.",
    "ConnectedElsewhere": "use `fabric-git sync --reconnect`, or `fabric-git disconnect` first.",
    "WorkspaceHeadMismatch": "the workspace moved meanwhile; check `fabric-git status`, retry.",
    "WorkspacePreviousOperationInProgress": "wait for the running operation, then retry.",
    "WorkspaceGitConnectionNotInitialized": "run `fabric-git init` or `fabric-git sync`.",
    "WorkspaceUpdateRequired": "Git has changes to apply first: run `fabric-git update`.",
    "RemoteCommitHashMismatch": "the branch moved meanwhile; run the command again.",
    "GitCredentialsNotConfigured": "set them with `fabric-git credentials set`.",
    "GitProviderAuthenticationFailed": (
        "the Git provider rejected the credentials: for GitHub store a valid PAT (`fabric-git "
        "connections create-github --name NAME --rotate-pat`); for Azure DevOps use a service "
        "principal's connection (`fabric-git connections create-azure-devops`, then "
        "`fabric-git credentials set --source configured-connection --connection NAME`), or "
        "sign in with an Entra account that may read the repository (Automatic)."
    ),
    "InsufficientPrivileges": "ask a workspace Admin for the role this operation needs.",
    "PrincipalTypeNotSupported": "use a connection (--connection) for this identity.",
    "UnknownItems": "pick items from the list above, or run `fabric-git status`.",
    "NoChangesToCommit": "nothing to do; `fabric-git status` shows the changes.",
    "NoItemsSelected": "name the items to commit, or commit them all.",
    "VerificationFailed": "run `fabric-git status` to see where the workspace is.",
    "OperationTimeout": "resume with `fabric-git operation wait <id>` (id above).",
    "AuthenticationFailed": "set FABRIC_TOKEN, or choose a credential with --auth.",
    "TransportError": "check --api-url / FABRIC_API_URL and the network.",
    "ResolutionError": "check the name, or pass the id.",
    "InvalidConfig": (
        "fix the file as the message says; docs/config.md describes it "
        "(`fabric-git config schema` prints the file's JSON Schema)."
    ),
    "ConnectionNotFound": _LIST_CONNECTIONS,
    "ConnectionNotShared": "once its owner has shared it (the command above), re-run.",
    "PatRequired": (
        "give the token in FABRIC_GIT_PAT (or --pat-env VAR, --pat-stdin), or an existing "
        "connection with --connection NAME|ID (`fabric-git connections list`)."
    ),
    "WorkspaceHasNoCapacityAssigned": "assign the workspace a capacity (Git needs one).",
    "GitProviderResourceNotFound": (
        "check the repository, branch (--branch) and directory; the branch must exist already."
    ),
    "ConnectionMismatch": (
        "use a connection of that provider scoped to this repository (`fabric-git connections "
        "list` shows each one's path)."
    ),
    "InvalidGitDirectoryName": (
        "give --directory a directory name without what the message names ('.' and '..' "
        "segments are refused too)."
    ),
    "GitDirectoryHasNoItems": "pick a directory that holds Fabric items, or an empty one.",
    "GitProviderOperationFailed": "the Git provider failed; re-run (the message says why).",
    "WorkspaceGitConnectionAlreadyInitialized": "run `fabric-git sync` to bring it up to date.",
    "WorkflowError": "run `fabric-git status` to see where the workspace is.",
    "Interrupted": "re-run the command.",
    "NotAFeatureWorkspace": "choose another --name; that workspace is left as it is.",
    "UncommittedChanges": "commit them (`fabric-git commit`), or pass --discard-changes.",
    "BranchNotFound": "push the branch first, or pass --create-branch.",
    "BaseNotConnected": "connect the base workspace first (`fabric-git sync`).",
    "NoCapacity": "pass --capacity ID (`fabric-git workspaces list` shows capacities in use).",
    "SameBranch": "name the feature branch, not the base's own branch.",
    "GitBranchFailed": "check the PAT (--pat-env) or the signed-in principal's repository access.",
    "GitTimedOut": "check that the Git host answers, or raise --timeout / --deadline.",
    "PatMissing": "export the GitHub PAT in FABRIC_GIT_PAT (or name its variable with --pat-env), "
    "or pipe it to --pat-stdin.",
    "InvalidBranch": "give the branch's name as Git spells it (`git check-ref-format --branch`).",
    "AzureDevOpsTokenMissing": "`az account get-access-token --resource "
    "499b84ac-1321-427f-aa17-267ca6975798` gives one for FABRIC_GIT_AZURE_DEVOPS_TOKEN.",
    "DataDirectoryInUse": "stop that emulator first, or choose another --data-dir.",
    "RepositoryAlreadyExists": "add --exist-ok to use the existing repository.",
    "MissingExtra": "install the extra as shown, then re-run the command.",
}

_RESOLUTION_HINTS: dict[str, str] = {"connection": _LIST_CONNECTIONS}

# Rejected Git credentials, when the provider is known (``error.git_provider``).
_AUTH_HINTS: dict[str, str] = {
    "GitHub": (
        "the PAT was rejected; store a valid one with `fabric-git connections create-github "
        "--name NAME --rotate-pat`, or use another connection."
    ),
    "AzureDevOps": (
        "Azure DevOps rejected the credentials: with Automatic, sign in with an Entra account "
        "that may read the repository; or use a service principal's connection "
        "(`fabric-git connections create-azure-devops`, then `fabric-git credentials set "
        "--source configured-connection --connection NAME`)."
    ),
}


@dataclass(frozen=True)
class Failure:
    """What to print and how to exit."""

    exit_code: ExitCode
    code: str
    message: str
    hint: str | None = None
    operation_id: str | None = None
    request_id: str | None = None
    expected: bool = True  # False: an error no rule covers, worth a traceback

    def line(self) -> str:
        """One line: the code once, the message, then what to do next."""
        text = self.message
        if not text.startswith(self.code):
            text = f"{self.code}: {text}"
        if self.hint:
            if not text.endswith((".", "!", "?")):
                text += "."
            text += f" Next: {self.hint}"
        return text


def format_seconds(seconds: float) -> str:
    """``0.5s``, ``2.5s``, ``90s``: sub-second and short waits keep their fraction."""
    if seconds < 1:
        return f"{seconds:.2g}s"
    if seconds < 10:
        return f"{seconds:.1f}".rstrip("0").rstrip(".") + "s"
    return f"{seconds:.0f}s"


def classify(
    error: BaseException, *, command: str | None = None, workspace: str | None = None
) -> Failure:
    """Map any exception to a ``Failure``; the one table of exit codes. ``command`` and
    ``workspace`` (as given on the command line) make the hints exact."""
    if not isinstance(error, FabricGitError):
        return Failure(
            ExitCode.ERROR, type(error).__name__, f"unexpected error: {error}", expected=False
        )
    code = error.code
    hint = _HINTS.get(code)
    if code in _POLICY_CODES:
        option = "--strategy" if command == "sync" else "--conflict-policy"
        hint = _POLICY_HINT.format(option=option)
    if code == "GitProviderAuthenticationFailed":
        hint = _AUTH_HINTS.get(str(getattr(error, "git_provider", "")), hint)
    request_id = getattr(error, "request_id", None)
    operation_id = getattr(error, "operation_id", None)
    exit_code = _exit_code(error, code)
    message = _describe(error)
    # Facts the command added on the way out (which connection it used, for one).
    notes = [str(n) for n in getattr(error, "__notes__", ()) if str(n) not in message]
    if notes:
        message = message.rstrip(".") + ". " + " ".join(notes)
    if isinstance(error, UnauthorizedError):
        hint = _HINTS["AuthenticationFailed"]
    elif isinstance(error, ThrottledError):
        hint = "the service is throttling; retry later or lower --concurrency."
    elif isinstance(error, DeadlineExceededError):
        hint = (
            "the command ran out of time (--deadline / FABRIC_GIT_DEADLINE); raise it, or "
            "check the service."
        )
    elif isinstance(error, OperationWaitLostError):
        hint = (
            "the operation goes on in the service; once the service is reachable, resume with "
            f"`fabric-git operation wait {error.operation_id}`."
        )
    elif isinstance(error, TransportError):
        hint = _HINTS["TransportError"]
    elif isinstance(error, UnknownOperationStatusError):
        hint = (
            f"`fabric-git operation show {error.operation_id}` shows the operation; this "
            "fabric-git may be older than the service."
        )
    elif isinstance(error, ResolutionError):
        hint = _RESOLUTION_HINTS.get(error.kind, _HINTS["ResolutionError"])
    elif code == "ConnectionNotFound" and _uses_credentials(getattr(error, "url", "")):
        # The connection the caller's Git credentials name was deleted.
        hint = _credentials_hint(workspace)
    elif isinstance(error, NotFoundError) and _is_one_connection(error.url):
        # A connection given by id that does not exist: the same hint as a missing name, whatever
        # code the service chose for its 404.
        hint = _LIST_CONNECTIONS
    elif isinstance(error, OperationTimeoutError):
        hint = f"resume with `fabric-git operation wait {error.operation_id}`."
    elif isinstance(error, OperationFailedError) and hint is None:
        hint = (
            f"`fabric-git operation show {error.operation_id}` shows the operation; "
            "fix the cause, then re-run."
        )
    elif code == "StatusReadTimedOut":
        hint = (
            "run `fabric-git status` to check."
            if getattr(error, "done", None)
            else "re-run the command (with a longer --timeout if the service is slow)."
        )
    if hint is None:
        hint = _fallback_hint(error, exit_code, command)
    return Failure(
        exit_code,
        code,
        message,
        hint=hint,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        request_id=request_id if isinstance(request_id, str) else None,
    )


def _uses_credentials(url: str) -> bool:
    """A Git call that runs with the caller's Git credentials (all but connect, which names
    its connection in the request)."""
    path = url.split("?", 1)[0].rstrip("/")
    return "/git/" in path and not path.endswith("/git/connect")


def _credentials_hint(workspace: str | None) -> str:
    import shlex

    where = shlex.quote(workspace) if workspace else "WORKSPACE"
    return (
        f"`fabric-git credentials set -w {where} --source configured-connection --connection "
        "NAME|ID` points your Git credentials at a connection that exists "
        "(`fabric-git connections list`)."
    )


def _fallback_hint(error: FabricGitError, exit_code: ExitCode, command: str | None) -> str:
    """Every failure says what to do next, even one no rule above names."""
    help_of = f"fabric-git {command} --help" if command else "fabric-git --help"
    if exit_code == ExitCode.USAGE:
        return f"fix the option or setting named; `{help_of}` lists them."
    if isinstance(error, ApiError) and error.status == 403:
        return "ask a workspace Admin for the role this operation needs."
    if isinstance(error, ApiError) and error.status >= 500:
        return "the service failed; re-run later (the request id identifies the failure)."
    if isinstance(error, ApiError):
        return f"fix what the message names, then re-run (`{help_of}`)."
    return "run `fabric-git status` to see where the workspace is, then re-run."


def _is_one_connection(url: str) -> bool:
    """Whether ``url`` names one connection (``.../connections/{id}``)."""
    parts = url.split("?", 1)[0].rstrip("/").split("/")
    return len(parts) >= 2 and parts[-2] == "connections"


def _describe(error: FabricGitError) -> str:
    """The message with the code once, the service's details and the ids that find it again."""
    if isinstance(error, OperationTimeoutError):
        # The library's own text names a Python call; the command is what CLI users need.
        kind = error.operation_kind
        what = f"{kind} operation" if kind else "operation"
        return (
            f"{what} {error.operation_id} is still {error.last_status or 'running'} "
            f"after {format_seconds(error.waited)}"
        )
    if isinstance(error, OperationFailedError | ApiError):
        prefix = f"{error.code} (HTTP {error.status})" if isinstance(error, ApiError) else ""
        text = error.message.strip()
        details = [
            d.message if d.error_code == error.code else f"{d.error_code}: {d.message}"
            for d in error.more_details
        ]
        details = [d for d in dict.fromkeys(details) if d and d != text]
        if details:
            text += " [" + "; ".join(details) + "]"
        ids = []
        if isinstance(error, OperationFailedError):
            ids.append(f"operation {error.operation_id}")
        if error.request_id:
            ids.append(f"request id {error.request_id}")
        if ids:
            # "Not connected. (request id ...)" reads badly: the full stop goes after the ids.
            text = text.rstrip(".") + f" ({', '.join(ids)})"
        return f"{prefix}: {text}" if prefix else text
    if error.code == "StatusReadTimedOut":
        waited = getattr(error, "waited", None)
        if isinstance(waited, float | int):
            return (
                f"{error.message} (status operation {getattr(error, 'operation_id', '?')}, "
                f"waited {format_seconds(waited)})"
            )
    return str(error)


def _exit_code(error: FabricGitError, code: str) -> ExitCode:
    if code in _NEEDS_POLICY:
        return ExitCode.CONFLICTS
    if code in _REFUSALS:
        return ExitCode.ERROR
    if isinstance(error, AuthenticationError | UnauthorizedError):
        return ExitCode.AUTH
    if isinstance(error, OperationTimeoutError):
        return ExitCode.WAIT_TIMED_OUT
    if isinstance(error, OperationFailedError):
        return ExitCode.OPERATION_FAILED
    if isinstance(error, ConfigurationError):
        return ExitCode.USAGE
    return ExitCode.ERROR


# Worst first: what a command of many parts exits with when the parts end differently.
_SEVERITY = (
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.OPERATION_FAILED,
    ExitCode.ERROR,
    ExitCode.CONFLICTS,
    ExitCode.WAIT_TIMED_OUT,
    ExitCode.DIFFERENCES_FOUND,
    ExitCode.OK,
)


def worst_exit_code(codes: Iterable[ExitCode]) -> ExitCode:
    """The worst of ``codes`` (``OK`` for none): a usage or sign-in problem first, then a failed
    operation, any other error, conflicts, a wait still running, differences found."""
    found = set(codes)
    return next((code for code in _SEVERITY if code in found), ExitCode.OK)
