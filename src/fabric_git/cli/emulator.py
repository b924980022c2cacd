"""``fabric-git emulator``: run the local Fabric emulator and manage it.

``serve`` runs it in the foreground; ``token`` and ``repo create|list`` talk to a running
emulator named by ``--api-url`` (or ``FABRIC_API_URL``) with the admin token in
``FABRIC_TOKEN``. Secrets never go through argv: a required PAT comes from an environment
variable or stdin. Like every command, these print one JSON document with ``--output json``,
and a failure is one ``error:`` line with the documented exit codes.

One module because it is the ``emulator`` command group: ``serve`` and the commands
against a running emulator share its options and its admin-call helper.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import PROVIDERS, KebabChoice
from fabric_git.cli.render import Table, View
from fabric_git.errors import FabricGitError

DEFAULT_DATA_DIR = ".emulator-data"


@click.group("emulator")
def emulator() -> None:
    """Run the local Fabric emulator (Fabric REST API + hosted Git repositories)."""


@emulator.command("serve")
@click.option(
    "--host", metavar="HOST", default="127.0.0.1", show_default=True, help="Interface to listen on."
)
@click.option(
    "--port",
    metavar="PORT",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port; 0 picks a free one.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Keep state here across restarts (default: {DEFAULT_DATA_DIR}).",
)
@click.option("--in-memory", is_flag=True, help="Keep state in memory; nothing survives exit.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="When ready, write url, git_url, token and capacity_id here as JSON (mode 0600).",
)
@click.option(
    "--lro-mode",
    type=click.Choice(["async", "sync"]),
    default="async",
    show_default=True,
    help="async: 202 and polling; sync: 200 at once.",
)
@click.option(
    "--lro-duration",
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds a long-running operation runs.",
)
@click.option(
    "--retry-after",
    metavar="SECONDS",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Retry-After seconds on 202 responses and running operations.",
)
@click.option(
    "--operation-retention",
    metavar="SECONDS",
    type=click.FloatRange(min=0, min_open=True),
    default=24 * 3600,
    show_default=True,
    help="How long a finished operation's state and result stay readable.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    help="Fault rule, e.g. operation=Git_CommitToGit,status=429,retry-after=2,times=1.",
)
@click.option(
    "--missing-directory",
    type=click.Choice(["refuse", "create"]),
    default="refuse",
    show_default=True,
    help="Connect to a directory the branch lacks: refuse (404, as the API) or create (as the "
    "portal).",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@pass_app
def serve(
    app: AppContext,
    host: str,
    port: int,
    data_dir: Path | None,
    in_memory: bool,
    ready_file: Path | None,
    lro_mode: str,
    lro_duration: float,
    retry_after: int,
    operation_retention: float,
    faults: tuple[str, ...],
    missing_directory: str,
    access_log: bool,
) -> None:
    """Run the emulator until SIGTERM or Ctrl-C."""
    from fabric_git.emulator import EmulatorConfig
    from fabric_git.emulator.crashpoints import CRASH_AT_ENV
    from fabric_git.emulator.faults import FaultRule, FaultSpecError
    from fabric_git.emulator.server import EmulatorServer

    if in_memory and data_dir is not None:
        raise click.UsageError("choose --data-dir or --in-memory, not both")
    try:
        rules = tuple(FaultRule.parse(spec) for spec in faults)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from None
    config = EmulatorConfig(
        host=host,
        port=port,
        data_dir=None if in_memory else (data_dir or Path(DEFAULT_DATA_DIR)),
        in_memory=in_memory,
        lro_mode="sync" if lro_mode == "sync" else "async",
        lro_duration=lro_duration,
        retry_after=retry_after,
        operation_retention=operation_retention,
        faults=rules,
        missing_directory="create" if missing_directory == "create" else "refuse",
        access_log=access_log,
        # The durability tests' crash hook (emulator/crashpoints.py); unset everywhere else.
        crash_at=os.environ.get(CRASH_AT_ENV) or None,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server = _start(EmulatorServer(config), host, port)
    try:
        if ready_file is not None:
            write_private_json(ready_file, server.ready_info())
        where = "memory" if in_memory else str(config.data_dir)
        if app.json:
            # One line, so a supervisor can read it while the server runs on.
            ready = {"url": server.url, "gitUrl": server.git_url, "dataDir": where}
            click.echo(json.dumps(ready))
        else:
            click.echo(server.url)
        app.terminal.info(f"Git repositories at {server.git_url}; state in {where}")
        sys.stdout.flush()
        while not stop.wait(0.5):
            if not server.running:
                raise FabricGitError(
                    "the emulator server stopped unexpectedly", code="EmulatorStopped"
                )
    finally:
        server.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)


def _start(server: Any, host: str, port: int) -> Any:
    """Start ``server``; a failure to start is one error line (the main CLI's format)."""
    from fabric_git.emulator.datadir import DataDirInUse

    try:
        return server.start()
    except DataDirInUse as exc:
        raise FabricGitError(str(exc), code="DataDirectoryInUse") from None
    except OSError as exc:
        if exc.filename:  # the data directory, not the socket
            raise FabricGitError(
                f"cannot use {exc.filename}: {exc.strerror or exc}", code="DataDirectoryUnusable"
            ) from None
        raise FabricGitError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", code="CannotListen"
        ) from None


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` readable by its owner only, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


# --- commands against a running emulator -----------------------------------------------------


_api_url_option = click.option(
    "--api-url",
    envvar="FABRIC_API_URL",
    metavar="URL",
    help="The emulator's API root, http://HOST:PORT/v1 (under fabric-git, the global --api-url "
    "works too). [env: FABRIC_API_URL]",
)


def _emulator_root(api_url: str | None) -> str:
    """The running emulator's root URL: this command's ``--api-url``, else (when run as
    ``fabric-git emulator``) the global one."""
    if not api_url:
        root = click.get_current_context().find_root().params.get("api_url")
        api_url = root if isinstance(root, str) else None
    if not api_url:
        raise click.UsageError("name the emulator: --api-url URL (or FABRIC_API_URL)")
    return api_url.rstrip("/").removesuffix("/v1")


def _admin_call(
    api_url: str | None, path: str, body: dict[str, Any] | None = None, *, method: str = "POST"
) -> dict[str, Any]:
    """One call to the running emulator's admin API; failures are the library's errors, so
    they print and exit as every other command's do."""
    from fabric_git._httpx import httpx
    from fabric_git.errors import AuthenticationError, TransportError, api_error_from_response

    root = _emulator_root(api_url)
    url = f"{root}/_emulator/{path}"
    token = os.environ.get("FABRIC_TOKEN")
    if not token:
        raise AuthenticationError(
            "FABRIC_TOKEN must hold the emulator's admin token (`fabric-git emulator serve"
            " --ready-file FILE` writes it to FILE)"
        )
    try:
        response = httpx.request(
            method, url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30.0
        )
    except httpx.HTTPError as exc:
        raise TransportError(
            f"cannot reach the emulator at {root}: {exc}", method=method, url=url
        ) from None
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if response.status_code >= 400:
        raise api_error_from_response(response.status_code, data, method=method, url=url)
    if not isinstance(data, dict):
        raise FabricGitError(
            f"the emulator at {root} sent an unexpected answer (HTTP {response.status_code})",
            code="UnexpectedResponse",
        )
    return data


@emulator.command("token")
@click.option("--user", metavar="NAME", help="A user's name, e.g. alice@contoso.com.")
@click.option("--service-principal", metavar="NAME", help="A service principal's name.")
@click.option(
    "--tenant-admin", is_flag=True, help="A Fabric administrator of the tenant (admin APIs)."
)
@_api_url_option
@pass_app
def token(
    app: AppContext,
    user: str | None,
    service_principal: str | None,
    tenant_admin: bool,
    api_url: str | None,
) -> None:
    """Print a token the running emulator accepts for a user or service principal."""
    if (user is None) == (service_principal is None):
        raise click.UsageError("give exactly one of --user or --service-principal")
    body: dict[str, object] = (
        {"user": user} if user is not None else {"servicePrincipal": service_principal}
    )
    if tenant_admin:
        body["tenantAdmin"] = True
    issued = str(_admin_call(api_url, "tokens", body)["token"])
    app.show(View(data={"token": issued}, lines=(issued,)))


@emulator.group("repo")
def repo() -> None:
    """Hosted Git repositories of a running emulator."""


@repo.command("create")
@click.option("--provider", type=KebabChoice(PROVIDERS), required=True, help="Git provider.")
@click.option("--owner", metavar="OWNER", help="GitHub owner (github).")
@click.option("--organization", metavar="ORG", help="Azure DevOps organization (azure-devops).")
@click.option("--project", metavar="PROJECT", help="Azure DevOps project (azure-devops).")
@click.option("--repo", "repo_name", metavar="REPO", required=True, help="Repository name.")
@click.option(
    "--branch", metavar="BRANCH", default="main", show_default=True, help="Initial branch."
)
@click.option(
    "--require-pat-from-env",
    metavar="VAR",
    help="Require the personal access token in environment variable VAR for Git access.",
)
@click.option(
    "--require-pat-stdin",
    is_flag=True,
    help="Require the personal access token read from stdin for Git access.",
)
@click.option(
    "--exist-ok",
    is_flag=True,
    help="Succeed if the repository exists already (it is kept as it is).",
)
@_api_url_option
@pass_app
def repo_create(
    app: AppContext,
    provider: str,
    owner: str | None,
    organization: str | None,
    project: str | None,
    repo_name: str,
    branch: str,
    require_pat_from_env: str | None,
    require_pat_stdin: bool,
    exist_ok: bool,
    api_url: str | None,
) -> None:
    """Create a hosted repository with one empty commit on BRANCH; print its clone URL."""
    body: dict[str, Any] = {"repo": repo_name, "branch": branch}
    if provider == "GitHub":
        if not owner or organization or project:
            raise click.UsageError("--provider github needs --owner (and no organization/project)")
        body.update(provider="GitHub", owner=owner)
    else:
        if not organization or not project or owner:
            raise click.UsageError("--provider azure-devops needs --organization and --project")
        body.update(provider="AzureDevOps", organization=organization, project=project)
    if require_pat_from_env and require_pat_stdin:
        raise click.UsageError("choose --require-pat-from-env or --require-pat-stdin")
    if require_pat_from_env:
        pat = os.environ.get(require_pat_from_env)
        if not pat:
            raise click.UsageError(f"environment variable {require_pat_from_env} is empty")
        body["requiredPat"] = pat
    elif require_pat_stdin:
        pat = sys.stdin.readline().strip()
        if not pat:
            raise click.UsageError("no PAT on stdin")
        body["requiredPat"] = pat
    from fabric_git.errors import ApiError

    try:
        created: dict[str, Any] = {**_admin_call(api_url, "repos", body), "created": True}
    except ApiError as exc:
        if not exist_ok or exc.error_code != "RepositoryAlreadyExists":
            raise
        created = {**_existing_repo(api_url, body), "created": False}
    verb = "Created" if created["created"] else "Kept the existing"
    app.terminal.info(f"{verb} repository {_repo_name(created)}.")
    app.show(View(data=created, lines=(str(created["cloneUrl"]),)))


def _existing_repo(api_url: str | None, wanted: dict[str, Any]) -> dict[str, Any]:
    """The hosted repository ``wanted`` names; an error if it differs in needing a PAT."""
    keys = ("provider", "owner", "organization", "project", "repo")
    for found in _admin_call(api_url, "repos", method="GET")["value"]:
        if all(found.get(k) == wanted.get(k) for k in keys):
            if bool(found.get("requiresPat")) != ("requiredPat" in wanted):
                needs = "requires" if found.get("requiresPat") else "does not require"
                raise FabricGitError(
                    f"the repository {_repo_name(found)} exists and {needs} a PAT",
                    code="RepositoryDiffers",
                )
            return dict(found)
    raise FabricGitError(  # deleted between the two calls: rare enough to just say so
        f"the repository {wanted['repo']} exists but is not listed; run the command again",
        code="RepositoryAlreadyExists",
    )


def _repo_name(repo: dict[str, Any]) -> str:
    if repo.get("provider") == "GitHub":
        return f"{repo.get('owner')}/{repo.get('repo')}"
    return f"{repo.get('organization')}/{repo.get('project')}/{repo.get('repo')}"


@repo.command("list")
@_api_url_option
@pass_app
def repo_list(app: AppContext, api_url: str | None) -> None:
    """List the running emulator's hosted repositories."""
    found = [dict(r) for r in _admin_call(api_url, "repos", method="GET")["value"]]
    rows = tuple(
        (
            _repo_name(r),
            "GitHub" if r.get("provider") == "GitHub" else "Azure DevOps",
            ", ".join(r.get("branches") or ()),
            "yes" if r.get("requiresPat") else "no",
            str(r.get("cloneUrl", "")),
        )
        for r in found
    )
    columns = ("Repository", "Provider", "Branches", "PAT", "Clone URL")
    app.show(View(data={"repositories": found}, tables=(Table(columns=columns, rows=rows),)))
