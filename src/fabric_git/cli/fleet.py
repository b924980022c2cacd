"""``plan``, ``apply``, ``import`` and ``config schema``: many workspaces as a config file.

Each entry of ``fabric-git.yml`` holds ``sync`` options by their long names; here they become
the very inputs ``sync`` builds from its command line (``ProviderArgs``, ``SyncOptions``).

One module because ``plan``, ``apply`` and ``import`` read the same file into the same
targets and report them the same way; apart, each command would import the others' helpers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import PROVIDERS, STRATEGIES
from fabric_git.cli.constants import EnvVars, ExitCode
from fabric_git.fleet import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from fabric_git.fleet.config import Entry, FleetConfig
    from fabric_git.fleet.run import Target, WorkspacePlan
    from fabric_git.workflows.results import BatchEntry, SyncResult

__all__ = ["apply", "config", "import_", "plan"]

_DEFAULT_FILE = "fabric-git.yml"
# Keys that describe a repository: one of them without a repository name is a mistake.
_REPOSITORY_KEYS = ("provider", "owner", "organization", "project", "custom-domain")
_DONE = {
    "Disconnect": "disconnected",
    "Connect": "connected",
    "InitializeConnection": "initialized",
}


def _file_option(function: Any) -> Any:
    return click.option(
        "--file",
        "-f",
        "file",
        metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        default=_DEFAULT_FILE,
        show_default=True,
        help="The config file.",
    )(function)


def _fleet_options(function: Any) -> Any:
    decorators = [
        _file_option,
        click.option(
            "--workspace",
            "-w",
            "only",
            multiple=True,
            metavar="NAME",
            help="Only this workspace of the file (as the file names it); repeat for several.",
        ),
        click.option(
            "--pat-stdin",
            is_flag=True,
            help="Read the GitHub personal access token from stdin (instead of pat-env).",
        ),
        click.option(
            "--concurrency",
            metavar="N",
            type=click.IntRange(min=1, max=64),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            help="Workspaces handled at the same time.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _targets(config: FleetConfig, only: tuple[str, ...], timeout: float) -> list[Target]:
    """The file's entries as sync inputs (all checked before any call to the service)."""
    entries = list(config.entries)
    if only:
        wanted = {name.strip().casefold(): name for name in only}
        known = {e.workspace.casefold() for e in entries}
        missing = [name for folded, name in wanted.items() if folded not in known]
        if missing:
            raise click.UsageError(
                f"--workspace {missing[0]!r} is not in {config.file}; "
                f"it lists {', '.join(repr(e.workspace) for e in entries[:10])}"
            )
        entries = [e for e in entries if e.workspace.casefold() in wanted]
    return [_target(config.file, entry, timeout) for entry in entries]


def _target(file: str, entry: Entry, timeout: float) -> Target:
    from fabric_git.cli.options import ProviderArgs
    from fabric_git.fleet.config import ConfigFileError
    from fabric_git.fleet.run import CredentialSpec, Target, github_url
    from fabric_git.models.git import GitHubDetails
    from fabric_git.workflows.errors import check_comment
    from fabric_git.workflows.syncing import SyncOptions

    values = entry.settings
    provider_name = values.get("provider")
    args = ProviderArgs(
        provider=PROVIDERS.get(provider_name, provider_name) if provider_name else None,
        repo_url=values.get("repo-url"),
        owner=values.get("owner"),
        organization=values.get("organization"),
        project=values.get("project"),
        repository=values.get("repository"),
        branch=values.get("branch", "main"),
        directory=values.get("directory", "/"),
        custom_domain=values.get("custom-domain"),
    )
    try:
        provider = args.details()
        check_comment(values.get("message"))
    except click.UsageError as error:
        text = error.format_message()
        # The option the problem names is the key to point at (the first one a check names).
        named = re.findall(r"--([a-z-]+)", text)
        key = next((k for k in named if k in values), named[0] if named else None)
        text = re.sub(r"Invalid value for '?--[a-z-]+'?: ", "", text).replace("--", "")
        line, where = entry.where(key) if key else (entry.line, entry.key)
        raise ConfigFileError(file, line, where, text) from None
    except ValueError as error:
        line, where = entry.where("message")
        raise ConfigFileError(file, line, where, str(error)) from None
    if provider is None and (named := [k for k in _REPOSITORY_KEYS if k in values]):
        # A repository half described would otherwise plan "nothing" for a connected workspace.
        line, where = entry.where(named[0])
        raise ConfigFileError(
            file, line, where, "names no repository: add `repository` (or give `repo-url`)"
        )
    strategy = values.get("strategy")
    credentials = None
    if provider is not None:
        name = values.get("connection-name")
        if name is None and isinstance(provider, GitHubDetails):
            name = f"fabric-git-{provider.owner_name}-{provider.repository_name}"
        credentials = CredentialSpec(
            connection=values.get("connection"),
            connection_name=name if isinstance(provider, GitHubDetails) else None,
            pat_env=values.get("pat-env", EnvVars.PAT_DEFAULT),
            repository_url=github_url(provider),
        )
    options = SyncOptions(
        provider=provider,
        strategy=STRATEGIES.get(strategy, strategy) if strategy else None,
        reconnect=bool(values.get("reconnect", False)),
        allow_override_items=bool(values.get("allow-override-items", False)),
        comment=values.get("message"),
        timeout=timeout,
    )
    return Target(entry.workspace, entry.line, options, credentials)


def _load(app: AppContext, file: Path, only: tuple[str, ...]) -> tuple[FleetConfig, list[Target]]:
    from fabric_git.fleet.config import load

    config = load(file)
    return config, _targets(config, only, app.options.timeout)


def _pat_reader(pat_stdin: bool) -> Callable[[str], str | None]:
    """PATs by environment variable, or the one read from stdin for all."""
    from fabric_git.cli.options import read_pat

    piped = read_pat("", True) if pat_stdin else None

    def pat(variable: str) -> str | None:
        return piped or (os.environ.get(variable, "").strip() or None)

    return pat


@click.command()
@_fleet_options
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 7 when anything would change (or is blocked), 0 when nothing would.",
)
@pass_app
def plan(
    app: AppContext,
    file: Path,
    only: tuple[str, ...],
    pat_stdin: bool,
    concurrency: int,
    exit_code: bool,
) -> None:
    """Show what apply would do for each workspace of the file; change nothing.

    Per workspace: nothing, connect, reconnect, initialize, update N items, commit N items, or
    blocked (with the reason). Workspaces are read concurrently; throttled reads back off.
    """
    from fabric_git.fleet.run import plan_fleet

    config, targets = _load(app, file, only)
    pat = _pat_reader(pat_stdin)
    with app.progress() as progress:
        plans = plan_fleet(
            app.client(), targets, pat=pat, concurrency=concurrency, progress=progress
        )
    codes = _show_plan(app, config.file, plans)
    if exit_code and any(p.changes for p in plans):
        codes.add(ExitCode.DIFFERENCES_FOUND)
    _exit(codes)


def _show_plan(app: AppContext, file: str, plans: list[WorkspacePlan]) -> set[ExitCode]:
    from fabric_git.cli.failures import classify
    from fabric_git.cli.render import Table, View

    rows: list[tuple[str, ...]] = []
    documents: list[dict[str, Any]] = []
    codes: set[ExitCode] = set()
    for item in plans:
        name = item.target.workspace
        document = item.to_json()
        detail = item.blocked or "; ".join(item.notes)
        if item.error is not None:
            failure = classify(item.error)
            codes.add(failure.exit_code)
            detail = failure.line()
            document["error"] = _error_json(failure)
            app.terminal.error(f"{name}: {detail}", title="fabric-git plan")
        elif item.changes:
            app.terminal.annotate(
                "warning",
                f"{name}: {item.describe()}" + (f" ({item.blocked})" if item.blocked else ""),
                title="fabric-git plan",
            )
        rows.append((name, item.describe(), detail))
        documents.append(document)
    summary = {
        "total": len(plans),
        "nothing": sum(1 for p in plans if not p.changes and p.error is None),
        "changes": sum(1 for p in plans if p.steps and not p.blocked and p.error is None),
        "blocked": sum(1 for p in plans if p.blocked and p.error is None),
        "failed": sum(1 for p in plans if p.error is not None),
    }
    changing = summary["changes"] + summary["blocked"]
    headline = (
        f"{summary['total']} workspace(s): nothing to do"
        if not changing and not summary["failed"]
        else f"{summary['total']} workspace(s): {summary['changes']} to change, "
        f"{summary['blocked']} blocked, {summary['failed']} failed to read, "
        f"{summary['nothing']} with nothing to do"
    )
    app.show(
        View(
            data={
                "file": file,
                "changes": bool(changing),
                "workspaces": documents,
                "summary": summary,
            },
            lines=(headline,),
            tables=(Table(columns=("Workspace", "Plan", "Detail"), rows=tuple(rows)),),
            summary_title="fabric-git plan",
        )
    )
    return codes


def _error_json(failure: Any) -> dict[str, Any]:
    return {
        "code": failure.code,
        "message": failure.message,
        "exitCode": int(failure.exit_code),
        "operationId": failure.operation_id,
        "requestId": failure.request_id,
    }


def _exit(codes: set[ExitCode]) -> None:
    from fabric_git.cli.failures import worst_exit_code

    worst = worst_exit_code(codes)
    if worst != ExitCode.OK:
        raise click.exceptions.Exit(int(worst))


@click.command()
@_fleet_options
@pass_app
def apply(
    app: AppContext, file: Path, only: tuple[str, ...], pat_stdin: bool, concurrency: int
) -> None:
    """Do what plan shows, for each workspace of the file, concurrently.

    A workspace connected elsewhere is reconnected only when its entry says `reconnect: true`.
    One workspace's failure never stops the others; the exit code is the worst one.
    """
    from fabric_git.fleet.run import apply_fleet

    config, targets = _load(app, file, only)
    pat = _pat_reader(pat_stdin)
    with app.progress() as progress:
        entries = apply_fleet(
            app.client(), targets, pat=pat, concurrency=concurrency, progress=progress
        )
    _exit(_show_apply(app, config.file, targets, entries))


def _done(result: SyncResult) -> str:
    """``connected, initialized, committed 4 item(s)``, or ``nothing to do``."""
    words = {
        "Disconnect": "disconnected",
        "Connect": "connected",
        "InitializeConnection": "initialized",
    }
    done = [words[a] for a in result.actions if a in words]
    if "UpdateFromGit" in result.actions:
        done.append(f"updated {sum(1 for c in result.changes if c.is_incoming)} item(s)")
    if "CommitToGit" in result.actions:
        committed = [c for c in result.changes if c.is_outgoing and not c.is_incoming]
        done.append(f"committed {len(committed)} item(s)")
    return ", ".join(done) or "nothing to do"


def _show_apply(
    app: AppContext, file: str, targets: list[Target], entries: list[BatchEntry]
) -> set[ExitCode]:
    from fabric_git.cli.failures import classify
    from fabric_git.cli.render import Table, View

    rows: list[tuple[str, ...]] = []
    documents: list[dict[str, Any]] = []
    codes: set[ExitCode] = set()
    running: list[str] = []
    for target, entry in zip(targets, entries, strict=True):
        name = target.workspace
        document: dict[str, Any] = {"workspace": name, "line": target.line, "ok": entry.ok}
        if entry.result is not None:
            result = entry.result
            done = _done(result)
            document.update(done=done, attempts=entry.attempts, result=result.to_json())
            rows.append((name, "ok", done, "; ".join(result.notes)))
            if result.actions:
                app.terminal.annotate("notice", f"{name}: {done}", title="fabric-git apply")
        else:
            assert entry.error is not None
            failure = classify(entry.error)
            codes.add(failure.exit_code)
            document.update(attempts=entry.attempts, error=_error_json(failure))
            still = failure.operation_id if failure.exit_code == ExitCode.WAIT_TIMED_OUT else None
            if still:
                running.append(still)
                document["stillRunning"] = [still]
            app.terminal.error(f"{name}: {failure.line()}", title="fabric-git apply")
            rows.append((name, "failed", failure.code, failure.line()))
        documents.append(document)
    ok = sum(1 for e in entries if e.ok)
    summary = {
        "total": len(entries),
        "succeeded": ok,
        "failed": len(entries) - ok,
        "noop": sum(1 for e in entries if e.result is not None and e.result.noop),
        "stillRunning": running,
    }
    lines = [
        f"{summary['total']} workspace(s): {ok} applied ({summary['noop']} with nothing to do), "
        f"{summary['failed']} failed"
    ]
    if running:
        lines.append(
            "operations still running: "
            + ", ".join(running)
            + " (`fabric-git operation wait ID` follows one)"
        )
    app.show(
        View(
            data={"file": file, "workspaces": documents, "summary": summary},
            lines=tuple(lines),
            tables=(Table(columns=("Workspace", "Result", "Done", "Detail"), rows=tuple(rows)),),
            summary_title="fabric-git apply",
        )
    )
    return codes


@click.command("import")
@click.option(
    "--workspace",
    "-w",
    "selectors",
    multiple=True,
    metavar="NAME|ID|GLOB",
    help="Workspaces to describe (a name, an id or a glob like 'Sales *'); all connected "
    "workspaces when none is given.",
)
@click.option(
    "--file",
    "-f",
    "file",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the config here (default: stdout).",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_app
def import_(app: AppContext, selectors: tuple[str, ...], file: Path | None, force: bool) -> None:
    """Write a config file from the workspaces as they are connected today.

    Values all entries share go into `defaults`; plan on the written file shows nothing to
    connect. Workspaces not connected to Git are skipped (and listed on stderr).
    """
    from fabric_git.cli.render import View
    from fabric_git.fleet.importing import import_fleet, to_yaml

    if file is not None and file.exists() and not force:
        raise click.UsageError(f"{file} exists; pass --force to replace it.")
    result = import_fleet(app.client(), selectors)
    for name, why in result.skipped:
        app.terminal.info(f"skipped {name}: {why}")
    count = len(result.document["workspaces"])
    if count == 0:
        raise click.UsageError(
            "no connected workspace to describe"
            + (f" ({len(result.skipped)} skipped)" if result.skipped else "")
            + "; connect them first, or name others with --workspace."
        )
    text = to_yaml(result.document)
    skipped = [{"workspace": n, "reason": why} for n, why in result.skipped]
    if file is not None:
        _write(file, text)
        app.show(
            View(
                data={"file": str(file), "config": result.document, "skipped": skipped},
                lines=(f"Wrote {file}: {count} workspace(s)",),
            )
        )
    elif app.json:
        app.show(View(data={"file": None, "config": result.document, "skipped": skipped}))
    else:
        app.terminal.data(text)


def _write(file: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run leaves the old file whole."""
    import tempfile

    directory = file.resolve().parent
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=directory, prefix=f".{file.name}.", delete=False
        ) as handle:
            handle.write(text)
        Path(handle.name).replace(file)
    except OSError as error:
        raise click.UsageError(f"cannot write {file}: {error.strerror or error}") from None


@click.group()
def config() -> None:
    """The config file of plan, apply and import."""


@config.command("schema")
@pass_app
def schema(app: AppContext) -> None:
    """Print the JSON Schema of fabric-git.yml (for editors: completion and checks)."""
    from fabric_git.fleet.config import schema_text

    app.terminal.data(schema_text())
