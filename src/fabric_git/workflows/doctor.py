"""What a Git automation needs, checked for the signed-in identity: each check says what is
missing and how to fix it. Reads only; changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.errors import (
    ApiError,
    AuthenticationError,
    FabricGitError,
    ForbiddenError,
    NotFoundError,
    ResolutionError,
    TransportError,
    UnauthorizedError,
)
from fabric_git.models.git import AzureDevOpsDetails, GitConnectionState, GitHubDetails
from fabric_git.workflows.connection import connection_state, describe_provider
from fabric_git.workflows.results import WorkspaceRef
from fabric_git.workflows.signed_in import Identity, signed_in

if TYPE_CHECKING:
    from fabric_git._transport import RetryNotice
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitProviderDetails

__all__ = ["CHECKS", "Check", "DoctorReport", "Identity", "doctor", "signed_in"]

OK, WARN, FAIL, SKIPPED = "ok", "warn", "fail", "skipped"

# Every check, in the order reported; one that cannot run is reported skipped, with why.
CHECKS = (
    "api",
    "role",
    "capacity",
    "connection",
    "credentials",
    "configured-connection",
    "status",
    "operations",
)
# The API lists no running operations: the one sign of one is a Git call it refuses.
_ONLY_BY_STATUS = (
    "a running Git operation shows only as a status read refused with "
    "WorkspacePreviousOperationInProgress (the API lists none)"
)

# What each workspace role may do with Git integration.
_ALLOWS = {
    "Admin": "everything: connect, disconnect, commit, update, settings",
    "Member": "commit and update; not connect or disconnect (Admin only)",
    "Contributor": "commit and update; not connect or disconnect (Admin only)",
    "Viewer": "nothing in Git integration: it needs Contributor or above",
}


@dataclass(frozen=True)
class Check:
    name: str
    result: str  # ok, warn, fail or skipped
    detail: str
    fix: str | None = None

    @property
    def blocks(self) -> bool:
        return self.result == FAIL

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "result": self.result, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class DoctorReport:
    workspace: WorkspaceRef | None
    identity: Identity
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Nothing blocks."""
        return not any(c.blocks for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json() if self.workspace else None,
            "identity": self.identity.to_json(),
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
        }


def _code(error: BaseException) -> str:
    code = getattr(error, "error_code", None) or getattr(error, "code", None)
    return code if isinstance(code, str) else type(error).__name__


def doctor(client: FabricClient, workspace: str, *, timeout: float | None = None) -> DoctorReport:
    """Check, for the signed-in identity, everything a Git automation of ``workspace`` needs."""
    checks: list[Check] = []
    identity = signed_in(client)
    try:
        found = client.resolve_workspace(workspace)
    except (AuthenticationError, UnauthorizedError) as error:
        checks.append(
            Check(
                "api",
                FAIL,
                f"the token was not accepted ({_code(error)})",
                "set FABRIC_TOKEN, or choose a credential with --auth (and its AZURE_* settings)",
            )
        )
        return _report(None, identity, checks, "needs the API to accept the token")
    except TransportError as error:
        checks.append(
            Check(
                "api",
                FAIL,
                f"the API did not answer: {error}",
                "check --api-url / FABRIC_API_URL, the network and any proxy",
            )
        )
        return _report(None, identity, checks, "needs the API to answer")
    except (ResolutionError, ForbiddenError, NotFoundError) as error:
        # By name, a workspace you cannot see does not resolve; by id, the service says 403/404.
        checks.append(Check("api", OK, "reachable; the token was accepted"))
        checks.append(
            Check(
                "workspace",
                FAIL,
                str(error),
                "check the name (fabric-git workspaces list), or ask an Admin of it for a role",
            )
        )
        return _report(None, identity, checks, "needs the workspace")
    ws = WorkspaceRef(found.id, found.display_name)
    checks.append(Check("api", OK, "reachable; the token was accepted"))
    checks.append(_role(client, ws, identity))
    checks.append(_capacity(client, ws))
    try:
        connection = client.git.get_connection(ws.id)
    except ApiError as error:
        checks.append(
            Check(
                "connection",
                FAIL,
                f"the Git connection could not be read ({_code(error)})",
                "reading it needs Contributor or above: ask an Admin for that role",
            )
        )
        return _report(ws, identity, checks, "needs the Git connection read")
    state = connection_state(connection)
    details = connection.git_provider_details
    if state == GitConnectionState.NOT_CONNECTED or details is None:
        checks.append(
            Check(
                "connection",
                FAIL,
                "not connected to Git",
                f"connect it: fabric-git sync -w {ws.name!r} --repo-url URL --strategy "
                "prefer-remote",
            )
        )
        return _report(ws, identity, checks, "needs a Git connection")
    where = describe_provider(details)
    if state == GitConnectionState.CONNECTED_AND_INITIALIZED:
        checks.append(Check("connection", OK, f"{state}: {where}"))
    else:
        checks.append(
            Check(
                "connection",
                WARN,
                f"{state}: {where}; not initialized yet",
                f"initialize it: fabric-git sync -w {ws.name!r} --strategy prefer-remote",
            )
        )
    credentials = _credentials(client, ws, identity, details)
    checks.extend(credentials)
    if any(c.blocks for c in credentials):
        return _report(ws, identity, checks, "needs working Git credentials first")
    if not any(c.name == "configured-connection" for c in credentials):
        why = "the Git credentials are not a configured connection"
        checks.append(Check("configured-connection", SKIPPED, why))
    if state != GitConnectionState.CONNECTED_AND_INITIALIZED:
        return _report(ws, identity, checks, "needs an initialized connection")
    checks.extend(_status(client, ws, timeout))
    return _report(ws, identity, checks, "")


def _report(
    ws: WorkspaceRef | None, identity: Identity, checks: list[Check], why: str
) -> DoctorReport:
    """The report with every check: those that did not run are skipped, ``why`` saying so."""
    ran = {c.name for c in checks}
    for name in CHECKS:
        if name not in ran:
            detail = f"{_ONLY_BY_STATUS}; {why}" if name == "operations" else why
            checks.append(Check(name, SKIPPED, detail))
    return DoctorReport(ws, identity, tuple(checks))


def _role(client: FabricClient, ws: WorkspaceRef, identity: Identity) -> Check:
    try:
        assignments = client.workspaces.list_role_assignments(ws.id)
    except (ForbiddenError, ApiError) as error:
        return Check(
            "role",
            WARN,
            f"the role assignments could not be read ({_code(error)}); below Admin, "
            "connect and disconnect are refused",
            "ask a workspace Admin which role you have",
        )
    mine = next((a for a in assignments if a.principal.id == identity.id), None)
    if mine is None:
        return Check(
            "role",
            WARN,
            "no role of your own in the workspace (access may come through a group)",
            f"ask an Admin: fabric-git workspaces roles add -w {ws.name!r} "
            f"{identity.options} --role admin",
        )
    role = str(mine.role)
    allows = _ALLOWS.get(role, "unknown")
    if role == "Viewer":
        return Check(
            "role",
            FAIL,
            f"{role}: {allows}",
            f"ask an Admin for Contributor or above (fabric-git workspaces roles add -w "
            f"{ws.name!r} {identity.options} --role contributor)",
        )
    result = OK if role == "Admin" else WARN
    fix = None if role == "Admin" else "connecting or disconnecting needs an Admin"
    return Check("role", result, f"{role}: {allows}", fix)


def _capacity(client: FabricClient, ws: WorkspaceRef) -> Check:
    try:
        info = client.workspaces.get(ws.id)
    except ApiError as error:
        return Check("capacity", WARN, f"the workspace could not be read ({_code(error)})")
    if not info.capacity_id:
        return Check(
            "capacity",
            FAIL,
            "no capacity is assigned: Git integration needs one",
            f"fabric-git workspaces assign-capacity -w {ws.name!r} CAPACITY "
            "(fabric-git capacities list)",
        )
    return Check("capacity", OK, f"assigned: {info.capacity_id}")


def _credentials(
    client: FabricClient,
    ws: WorkspaceRef,
    identity: Identity,
    details: GitProviderDetails,
) -> list[Check]:
    try:
        mine = client.git.get_my_git_credentials(ws.id)
    except ApiError as error:
        return [
            Check(
                "credentials",
                FAIL,
                f"your Git credentials could not be read ({_code(error)})",
                "reading them needs Contributor or above: ask an Admin for that role",
            )
        ]
    source = str(mine.source)
    connection_id = getattr(mine, "connection_id", None)
    set_it = (
        f"fabric-git credentials set -w {ws.name!r} --source configured-connection "
        "--connection NAME|ID"
    )
    if source == "None":
        return [Check("credentials", FAIL, "no Git credentials are set for you", set_it)]
    if source == "Automatic":
        if identity.type == "ServicePrincipal":
            return [
                Check(
                    "credentials",
                    FAIL,
                    "Automatic: a service principal cannot use them (PrincipalTypeNotSupported)",
                    "give it a connection holding its credentials (fabric-git connections "
                    f"create-azure-devops / create-github), then {set_it}",
                )
            ]
        if isinstance(details, GitHubDetails):
            return [
                Check(
                    "credentials", FAIL, "Automatic: GitHub needs a configured connection", set_it
                )
            ]
        return [Check("credentials", OK, "Automatic (your own Azure DevOps sign-in)")]
    if not isinstance(connection_id, str):
        return [Check("credentials", WARN, f"source {source}", None)]
    checks = [Check("credentials", OK, f"ConfiguredConnection {connection_id}")]
    try:
        found = client.connections.get(connection_id)
    except (NotFoundError, ForbiddenError) as error:
        checks.append(
            Check(
                "configured-connection",
                FAIL,
                f"connection {connection_id} does not exist or is not shared with you "
                f"({_code(error)})",
                f"share it with you: fabric-git connections share {connection_id} "
                f"{identity.options} (by its owner), or {set_it}",
            )
        )
        return checks
    kind = found.connection_details.type.casefold().replace(" ", "")
    wanted = "github" if isinstance(details, GitHubDetails) else "azuredevops"
    name = f"{found.display_name or connection_id} ({connection_id})"
    if wanted not in kind and isinstance(details, GitHubDetails | AzureDevOpsDetails):
        checks.append(
            Check(
                "configured-connection",
                FAIL,
                f"{name} is of type {found.connection_details.type}, not for this repository",
                set_it,
            )
        )
    else:
        checks.append(Check("configured-connection", OK, f"{name} exists and you may use it"))
    return checks


class _WorkspaceBusy(Exception):
    """The service refused the status read: another Git operation holds the workspace."""


@contextmanager
def _not_waiting_for_a_busy_workspace(client: FabricClient) -> Iterator[None]:
    """Doctor asks and does not wait: a call refused because another operation holds the
    workspace ends at the first refusal (the transport would otherwise wait for the workspace,
    up to the whole ``--timeout``). Other retries are announced as before."""
    previous = client.on_retry

    def stop_when_busy(notice: RetryNotice) -> None:
        if notice.reason == "busy":
            raise _WorkspaceBusy(notice.cause)
        if previous is not None:
            previous(notice)

    client.on_retry = stop_when_busy
    try:
        yield
    finally:
        client.on_retry = previous


def _status(client: FabricClient, ws: WorkspaceRef, timeout: float | None) -> list[Check]:
    from fabric_git.workflows.status import read_status

    running = [
        Check("status", SKIPPED, "an operation is running"),
        Check(
            "operations",
            FAIL,
            "another Git operation is running in the workspace (the service refuses Git "
            "calls until it ends: WorkspacePreviousOperationInProgress)",
            "wait for it to end, then run again (a pipeline: run one job per workspace at a time)",
        ),
    ]
    try:
        with _not_waiting_for_a_busy_workspace(client):
            status = read_status(client, ws, timeout=timeout)
    except _WorkspaceBusy:
        return running
    except (ApiError, FabricGitError) as error:
        code = _code(error)
        if code == "WorkspacePreviousOperationInProgress":
            return running
        return [
            Check(
                "status",
                FAIL,
                f"reading the Git status failed ({code}): the repository, branch or directory "
                "cannot be reached",
                "check the connection's repository, branch and directory (fabric-git "
                "connection) and the credentials' access to them",
            ),
            Check("operations", SKIPPED, f"{_ONLY_BY_STATUS}; the status read failed"),
        ]
    summary = "in sync" if status.in_sync else f"{len(status.changes)} item(s) differ"
    return [
        Check("status", OK, f"read: {summary} (head {(status.workspace_head or 'none')[:12]})"),
        Check("operations", OK, "no Git operation is running"),
    ]
