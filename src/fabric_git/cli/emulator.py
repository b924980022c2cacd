"""``fabric-git emulator``: run the local Fabric emulator and manage it.

``serve`` runs it in the foreground; ``token`` and ``repo create`` talk to a running emulator
named by ``--api-url`` (or ``FABRIC_API_URL``) with the admin token in ``FABRIC_TOKEN``.
Secrets never go through argv: a required PAT comes from an environment variable or stdin.
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

from fabric_git.cli.choices import PROVIDERS, KebabChoice

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
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    in_memory: bool,
    ready_file: Path | None,
    lro_mode: str,
    lro_duration: float,
    retry_after: int,
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
    try:
        server = EmulatorServer(config).start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    try:
        if ready_file is not None:
            write_private_json(ready_file, server.ready_info())
        click.echo(server.url)
        where = "memory" if in_memory else str(config.data_dir)
        click.echo(f"Git repositories at {server.git_url}; state in {where}", err=True)
        sys.stdout.flush()
        while not stop.wait(0.5):
            if not server.running:
                raise click.ClickException("the emulator server stopped unexpectedly")
    finally:
        server.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)


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


def _admin_call(api_url: str | None, path: str, body: dict[str, Any]) -> dict[str, Any]:
    from fabric_git._httpx import httpx

    root = _emulator_root(api_url)
    token = os.environ.get("FABRIC_TOKEN")
    if not token:
        raise click.ClickException("FABRIC_TOKEN must hold the emulator admin token")
    try:
        response = httpx.post(
            f"{root}/_emulator/{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30.0,
        )
    except httpx.HTTPError as exc:
        raise click.ClickException(f"cannot reach the emulator at {root}: {exc}") from None
    try:
        data: Any = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 400:
        code = data.get("errorCode", "Error") if isinstance(data, dict) else "Error"
        message = data.get("message", response.reason_phrase) if isinstance(data, dict) else ""
        raise click.ClickException(f"{code}: {message} (HTTP {response.status_code})")
    if not isinstance(data, dict):
        raise click.ClickException("the emulator sent an unexpected answer")
    return data


@emulator.command("token")
@click.option("--user", metavar="NAME", help="A user's name, e.g. alice@contoso.com.")
@click.option("--service-principal", metavar="NAME", help="A service principal's name.")
@_api_url_option
def token(user: str | None, service_principal: str | None, api_url: str | None) -> None:
    """Print a token the running emulator accepts for a user or service principal."""
    if (user is None) == (service_principal is None):
        raise click.UsageError("give exactly one of --user or --service-principal")
    body = {"user": user} if user is not None else {"servicePrincipal": service_principal}
    click.echo(_admin_call(api_url, "tokens", body)["token"])


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
@_api_url_option
def repo_create(
    provider: str,
    owner: str | None,
    organization: str | None,
    project: str | None,
    repo_name: str,
    branch: str,
    require_pat_from_env: str | None,
    require_pat_stdin: bool,
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
    click.echo(_admin_call(api_url, "repos", body)["cloneUrl"])
