"""The ``fabric-git`` command line.

This module imports click and nothing heavy: subcommands are loaded on first use (``LazyGroup``),
so ``fabric-git --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import click

from fabric_git._version import __version__
from fabric_git.cli._argv import global_options, hoist_global_options
from fabric_git.cli._lazy import LazyGroup, LazySpec
from fabric_git.cli.constants import EXIT_CODES_HELP, EnvVars

__all__ = ["cli", "main"]

AUTH_CHOICES = (
    "default",
    "azure-cli",
    "device-code",
    "interactive",
    "service-principal",
    "managed-identity",
    "federated",
)

COMMANDS: dict[str, LazySpec] = {
    "connect": LazySpec(
        "fabric_git.cli.connection:connect", "Connect a workspace to a Git repository."
    ),
    "disconnect": LazySpec(
        "fabric_git.cli.connection:disconnect", "Disconnect a workspace from Git."
    ),
    "connection": LazySpec(
        "fabric_git.cli.connection:connection", "Show a workspace's Git connection."
    ),
    "init": LazySpec(
        "fabric_git.cli.connection:init", "Initialize a connection; report the next action."
    ),
    "status": LazySpec("fabric_git.cli.status:status", "Show what differs from Git."),
    "commit": LazySpec("fabric_git.cli.commit:commit", "Commit workspace changes to Git."),
    "update": LazySpec("fabric_git.cli.update:update", "Update a workspace from Git."),
    "sync": LazySpec(
        "fabric_git.cli.sync:sync", "Connect, initialize and sync one or many workspaces."
    ),
    "plan": LazySpec("fabric_git.cli.fleet:plan", "Show what apply would change (fabric-git.yml)."),
    "apply": LazySpec(
        "fabric_git.cli.fleet:apply", "Bring the workspaces of fabric-git.yml in line."
    ),
    "import": LazySpec(
        "fabric_git.cli.fleet:import_", "Write fabric-git.yml from workspaces as connected."
    ),
    "config": LazySpec("fabric_git.cli.fleet:config", "The config file (its JSON Schema)."),
    "credentials": LazySpec(
        "fabric_git.cli.credentials:credentials", "Show or set your Git credentials."
    ),
    "connections": LazySpec(
        "fabric_git.cli.connections:connections", "List, create or delete connections."
    ),
    "operation": LazySpec(
        "fabric_git.cli.operation:operation", "Show or wait for a long-running operation."
    ),
    "workspaces": LazySpec("fabric_git.cli.workspaces:workspaces", "List or create workspaces."),
    "emulator": LazySpec("fabric_git.cli.emulator:emulator", "Run the local Fabric emulator."),
    "demo": LazySpec("fabric_git.cli.demo:demo", "Run the whole Git workflow on the emulator."),
}


class RootGroup(LazyGroup):
    """The root group: global options anywhere on the line, and every failure turned into one
    line and a documented exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _note_global_options(command, global_options(self, ctx), ctx)
        return command

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        anywhere: list[click.Parameter] = [*global_options(self, ctx)]
        sections: dict[str, list[click.Parameter]] = {
            "Global options (before or after the command)": anywhere,
            "Options": [p for p in self.get_params(ctx) if p not in anywhere],
        }
        for title, params in sections.items():
            rows = [r for p in params if (r := p.get_help_record(ctx)) is not None]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        self.format_commands(ctx, formatter)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            raise
        except Exception as error:  # rendered once, here
            from fabric_git.cli.errors import report_failure

            code = report_failure(ctx, error)
            raise click.exceptions.Exit(int(code)) from None


def _note_global_options(
    command: click.Command, options: list[click.Option], ctx: click.Context
) -> None:
    """End each command's help with the global options it accepts too (those it does not
    define itself), once."""
    own = {name for p in command.get_params(ctx) for name in p.opts}
    names = ["/".join(sorted(o.opts, key=len)) for o in options if not own.intersection(o.opts)]
    note = f"Global options work here too: {', '.join(names)} (see fabric-git --help)."
    if note not in (command.epilog or ""):
        command.epilog = f"{command.epilog}\n\n{note}" if command.epilog else note
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _note_global_options(sub, options, ctx)


def _env_help(text: str, var: str) -> str:
    return f"{text} [env: {var}]"


@click.group(
    cls=RootGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, "-V", "--version", prog_name="fabric-git")
@click.option(
    "--api-url",
    envvar=EnvVars.API_URL,
    metavar="URL",
    help=_env_help(
        "Fabric API root (default https://api.fabric.microsoft.com/v1).", EnvVars.API_URL
    ),
)
@click.option(
    "--auth",
    envvar=EnvVars.AUTH,
    type=click.Choice(AUTH_CHOICES),
    default="default",
    show_default=True,
    metavar="KIND",
    help=_env_help(
        f"How to get a token when FABRIC_TOKEN is not set: {', '.join(AUTH_CHOICES)}.",
        EnvVars.AUTH,
    ),
)
@click.option(
    "--output",
    "-o",
    envvar=EnvVars.OUTPUT,
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=_env_help("table for people, or json: one JSON document on stdout.", EnvVars.OUTPUT),
)
@click.option(
    "--timeout",
    envvar=EnvVars.TIMEOUT,
    type=click.FloatRange(min=0),
    default=1800,
    show_default=True,
    metavar="SECONDS",
    help=_env_help("How long to wait for each long-running operation.", EnvVars.TIMEOUT),
)
@click.option(
    "--quiet",
    "-q",
    envvar=EnvVars.QUIET,
    is_flag=True,
    help=_env_help("Only errors on stderr (stdout is unchanged).", EnvVars.QUIET),
)
@click.option(
    "--verbose",
    "-v",
    envvar=EnvVars.VERBOSE,
    is_flag=True,
    help=_env_help("Debug logs and tracebacks on stderr.", EnvVars.VERBOSE),
)
@click.option(
    "--no-progress",
    envvar=EnvVars.NO_PROGRESS,
    is_flag=True,
    help=_env_help("Do not show operation progress.", EnvVars.NO_PROGRESS),
)
@click.pass_context
def cli(
    ctx: click.Context,
    api_url: str | None,
    auth: str,
    output: str,
    timeout: float,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
) -> None:
    """Automate Microsoft Fabric Git integration: connect, sync, commit and update workspaces.

    The bearer token comes from FABRIC_TOKEN or from the credential chosen with --auth; a GitHub
    personal access token comes from an environment variable or stdin, never from arguments.

    Global options may come before or after the command: fabric-git status -w Sales -o json.
    """
    from fabric_git.cli.app import AppContext, GlobalOptions
    from fabric_git.cli.terminal import Environment, Terminal

    seed = ctx.obj if isinstance(ctx.obj, dict) else {}
    if verbose:
        from fabric_git.cli.errors import enable_debug_logging

        ctx.call_on_close(enable_debug_logging())
    options = GlobalOptions(
        api_url=api_url or None,
        auth=auth,
        output=output,
        timeout=timeout,
        quiet=quiet,
        verbose=verbose,
        progress=not no_progress,
    )
    terminal = Terminal(
        environment=Environment.detect(os.environ, sys.stderr), quiet=quiet, verbose=verbose
    )
    app = AppContext(options, terminal, client_factory=seed.get("client_factory"))
    ctx.obj = app
    ctx.call_on_close(app.close)


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="fabric-git")
    finally:
        # The command has closed what it opened; all that is left is memory the OS takes back.
        # Freezing the heap spares the interpreter's garbage collections at exit from scanning
        # everything the command imported: some 20 ms of every command that talks to the service.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
