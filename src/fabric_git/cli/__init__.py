"""The ``fabric-git`` command line.

This module imports click and nothing heavy: subcommands are loaded on first use (``LazyGroup``),
so ``fabric-git --help`` and ``--version`` start fast.

Global options work before or after the command name: each command, when loaded, gets a hidden
copy of every root option it does not define itself (a command's own option of the same name
wins), and click parses them where they stand. A copy given on the command line updates the
settings the root built.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from fabric_git._version import __version__
from fabric_git.cli._lazy import LazyGroup, LazySpec
from fabric_git.cli.constants import EXIT_CODES_HELP, EnvVars

if TYPE_CHECKING:
    from fabric_git.cli.app import GlobalOptions
    from fabric_git.cli.terminal import Terminal

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
        "fabric_git.cli.connections:connections",
        "List, create, test, share or delete connections.",
    ),
    "operation": LazySpec(
        "fabric_git.cli.operation:operation", "Show or wait for a long-running operation."
    ),
    "doctor": LazySpec(
        "fabric_git.cli.doctor:doctor", "Check what a Git automation of a workspace needs."
    ),
    "feature": LazySpec(
        "fabric_git.cli.feature:feature", "A workspace per feature branch: up, down, list."
    ),
    "workspaces": LazySpec(
        "fabric_git.cli.workspaces:workspaces",
        "List or create workspaces; assign capacities and roles.",
    ),
    "capacities": LazySpec("fabric_git.cli.capacities:capacities", "List capacities."),
    "items": LazySpec(
        "fabric_git.cli.items:items", "List a workspace's items; repair a logical id."
    ),
    "relations": LazySpec(
        "fabric_git.cli.relations:relations", "List, add or remove branch and base workspaces."
    ),
    "connection-settings": LazySpec(
        "fabric_git.cli.connection_settings:connection_settings",
        "Show or set who may change a workspace's branch.",
    ),
    "emulator": LazySpec("fabric_git.cli.emulator:emulator", "Run the local Fabric emulator."),
    "demo": LazySpec("fabric_git.cli.demo:demo", "Run the whole Git workflow on the emulator."),
    "lint": LazySpec(
        "fabric_git.cli.lint:lint", "Check a repository for what Fabric would refuse (offline)."
    ),
}


def global_options(root: click.Group, ctx: click.Context) -> list[click.Option]:
    """The root options that may also follow the command name (not ``--help``/``--version``)."""
    return [p for p in root.get_params(ctx) if isinstance(p, click.Option) and not p.is_eager]


class RootGroup(LazyGroup):
    """The root group: global options anywhere on the line, and every failure turned into one
    line and a documented exit code."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _carry_global_options(command, global_options(self, ctx), ctx)
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

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as interrupt:  # while parsing: the same line as in a command
            from fabric_git.cli.errors import report_interrupt

            bare = click.Context(self, info_name=info_name, parent=parent)
            raise click.exceptions.Exit(int(report_interrupt(bare, interrupt))) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: never click's "Aborted!"
            from fabric_git.cli.errors import report_interrupt

            raise click.exceptions.Exit(int(report_interrupt(ctx, interrupt))) from None
        except Exception as error:  # rendered once, here
            from fabric_git.cli.errors import report_failure

            code = report_failure(ctx, error)
            raise click.exceptions.Exit(int(code)) from None


def _carry_global_options(
    command: click.Command, options: list[click.Option], ctx: click.Context
) -> None:
    """Let ``command`` and its subcommands take the global options they do not define
    themselves, after their names, and end their help with a note saying so. Once: the copies
    count as the command's own options on a second call."""
    params = command.get_params(ctx)
    own = {name for p in params for name in (*p.opts, *p.secondary_opts)}
    names = {p.name for p in params}
    carried = [o for o in options if not own.intersection(o.opts) and o.name not in names]
    if carried:
        listed = ", ".join("/".join(sorted(o.opts, key=len)) for o in carried)
        note = f"Global options work here too: {listed} (see fabric-git --help)."
        command.epilog = f"{command.epilog}\n\n{note}" if command.epilog else note
        command.params.extend(_hidden_copy(o) for o in carried)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _carry_global_options(sub, options, ctx)


def _hidden_copy(option: click.Option) -> click.Option:
    """``option`` as a command's own: parsed and checked alike, kept out of its help."""
    kind: dict[str, Any] = {"is_flag": True} if option.is_flag else {"type": option.type}
    return click.Option(
        option.opts,
        **kind,
        help=option.help,
        metavar=option.metavar,
        hidden=True,
        expose_value=False,
        callback=_apply_global_option,
    )


def _apply_global_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command name: it wins over the one before it."""
    source = ctx.get_parameter_source(param.name or "")
    if ctx.resilient_parsing or source is not ParameterSource.COMMANDLINE:
        return
    from fabric_git.cli.app import AppContext

    root = ctx.find_root()
    before = root.params.get(param.name or "")
    root.params[param.name or ""] = value
    if isinstance(ctx.obj, AppContext):
        ctx.obj.options, ctx.obj.terminal = _settings(root.params)
    if param.name == "verbose" and value and not before:  # not twice for -v CMD -v
        from fabric_git.cli.errors import enable_debug_logging

        root.call_on_close(enable_debug_logging())


def _settings(params: dict[str, Any]) -> tuple[GlobalOptions, Terminal]:
    """The settings and the terminal the root options (``params``) ask for."""
    from fabric_git.cli.app import GlobalOptions
    from fabric_git.cli.terminal import Environment, Terminal

    options = GlobalOptions(
        api_url=params["api_url"] or None,
        auth=params["auth"],
        output=params["output"],
        timeout=params["timeout"],
        quiet=params["quiet"],
        verbose=params["verbose"],
        progress=not params["no_progress"],
        deadline=params["deadline"],
        request_timeout=params["request_timeout"],
        retries=params["retries"],
    )
    environment = Environment.detect(os.environ, sys.stderr)
    return options, Terminal(environment=environment, quiet=options.quiet, verbose=options.verbose)


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
    help=_env_help(
        "How long to wait for each long-running operation, and for each request to the service "
        "with its retries (at least 5 s).",
        EnvVars.TIMEOUT,
    ),
)
@click.option(
    "--deadline",
    envvar=EnvVars.DEADLINE,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help=_env_help("Stop the whole command after this long (default: no limit).", EnvVars.DEADLINE),
)
@click.option(
    "--request-timeout",
    envvar=EnvVars.REQUEST_TIMEOUT,
    type=click.FloatRange(min=0, min_open=True),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help=_env_help(
        "Longest one HTTP request may take, from connecting to the answer's last byte.",
        EnvVars.REQUEST_TIMEOUT,
    ),
)
@click.option(
    "--retries",
    envvar=EnvVars.RETRIES,
    type=click.IntRange(min=0, max=20),
    default=5,
    show_default=True,
    metavar="N",
    help=_env_help(
        "Retries of a request after a network failure, throttling or a server error "
        "(a refused connection: at most 2).",
        EnvVars.RETRIES,
    ),
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
    deadline: float | None,
    request_timeout: float,
    retries: int,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
) -> None:
    """Automate Microsoft Fabric Git integration: connect, sync, commit and update workspaces.

    The bearer token comes from FABRIC_TOKEN or from the credential chosen with --auth; a GitHub
    personal access token comes from an environment variable or stdin, never from arguments.

    Global options may come before or after the command: fabric-git status -w Sales -o json.
    """
    from fabric_git.cli.app import AppContext

    seed = ctx.obj if isinstance(ctx.obj, dict) else {}
    if verbose:
        from fabric_git.cli.errors import enable_debug_logging

        ctx.call_on_close(enable_debug_logging())
    options, terminal = _settings(ctx.params)
    app = AppContext(options, terminal, client_factory=seed.get("client_factory"))
    ctx.obj = app
    ctx.call_on_close(app.close)


def main() -> None:
    """Console entry point."""
    from fabric_git.cli.signals import install_sigterm

    install_sigterm()
    try:
        cli.main(prog_name="fabric-git")
    finally:
        # The command has closed what it opened; all that is left is memory the OS takes back.
        # Freezing the heap spares the interpreter's garbage collections at exit from scanning
        # everything the command imported: some 20 ms of every command that talks to the service.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
