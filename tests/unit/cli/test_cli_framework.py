"""The CLI's own layers, one at a time: lazy loading, exit-code mapping, output, CI, progress."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fabric_git.cli import COMMANDS, cli
from fabric_git.cli._lazy import LazyGroup, LazySpec
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.failures import classify
from fabric_git.cli.options import ProviderArgs
from fabric_git.cli.progress import ProgressDisplay
from fabric_git.cli.render import Table, View, render_markdown, render_text, show
from fabric_git.cli.sync import read_workspaces_file
from fabric_git.cli.terminal import Environment, Terminal
from fabric_git.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    OperationFailedError,
    OperationTimeoutError,
    ResolutionError,
    ThrottledError,
    UnauthorizedError,
    api_error_from_response,
)
from fabric_git.workflows import ConflictsNeedPolicyError, UnknownItemsError, WorkflowEvent


def _terminal(**env: str) -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    environment = Environment.detect(env, err)
    return Terminal(environment=environment, stdout=out, stderr=err), out, err


# --- process exit -------------------------------------------------------------------------------


@pytest.mark.parametrize(("signal_name", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_an_interrupt_while_the_arguments_are_parsed_is_one_line_not_aborted(
    signal_name: str, code: int
) -> None:
    # The signal arrives while click parses the command line, before any command runs.
    probe = (
        "import os, signal, sys, click\n"
        "from fabric_git.cli import main\n"
        "def parse_args(self, ctx, args):\n"
        f"    os.kill(os.getpid(), signal.{signal_name})\n"
        "    signal.pause()\n"
        "click.Group.parse_args = parse_args\n"
        "sys.argv = ['fabric-git', 'status', '-w', 'Sales']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == code, done.stderr
    assert "Aborted!" not in done.stderr and "Traceback" not in done.stderr
    name = "SIGTERM" if signal_name == "SIGTERM" else "Ctrl-C"
    assert done.stderr.splitlines() == [
        f"error: Interrupted ({name}). Next: re-run the command."
    ], done.stderr
    assert done.stdout == ""


def test_entry_point_freezes_the_heap_before_the_interpreter_exits() -> None:
    # Run in a fresh interpreter: freezing this test process's heap would outlive the test.
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from fabric_git.cli import main\n"
        "sys.argv = ['fabric-git', '--version']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    version, frozen = done.stdout.splitlines()
    assert version.startswith("fabric-git, version ")
    assert frozen == "frozen True"


# --- lazy loading -------------------------------------------------------------------------------


def test_every_lazy_command_resolves_to_a_click_command() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name


def test_listing_commands_does_not_import_them() -> None:
    group = LazyGroup(
        name="g", lazy_commands={"boom": LazySpec("no_such_module_anywhere:cmd", "Explodes.")}
    )
    result = CliRunner().invoke(group, ["--help"])
    assert result.exit_code == 0 and "Explodes." in result.output
    failed = CliRunner().invoke(group, ["boom"])
    assert isinstance(failed.exception, ModuleNotFoundError)


def test_help_of_every_command_works() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


# --- exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigurationError("bad"), ExitCode.USAGE),
        (AuthenticationError("no credential"), ExitCode.AUTH),
        (
            UnauthorizedError(status=401, error_code="TokenExpired", message="expired"),
            ExitCode.AUTH,
        ),
        (
            ConflictsNeedPolicyError(workspace_id="w", conflicts=["A.Notebook"], what="x"),
            ExitCode.CONFLICTS,
        ),
        (
            api_error_from_response(
                400, {"errorCode": "MissingWorkspaceConflictResolution", "message": "m"}
            ),
            ExitCode.CONFLICTS,
        ),
        (
            OperationFailedError(operation_id="op", error_code="GitSyncFailed", message="m"),
            ExitCode.OPERATION_FAILED,
        ),
        (
            OperationTimeoutError(operation_id="op-1", waited=3, last_status="Running"),
            ExitCode.WAIT_TIMED_OUT,
        ),
        (NotFoundError(status=404, error_code="ItemNotFound", message="m"), ExitCode.ERROR),
        (
            ResolutionError("none", kind="workspace", name="x", candidates=[], code="NotFound"),
            ExitCode.ERROR,
        ),
        (UnknownItemsError(workspace_id="w", unknown=["x"], changed=["a"]), ExitCode.ERROR),
        (RuntimeError("boom"), ExitCode.ERROR),
    ],
)
def test_each_error_has_its_exit_code(error: BaseException, code: ExitCode) -> None:
    assert classify(error).exit_code == code


def test_failure_line_has_code_request_id_and_next_step() -> None:
    error = api_error_from_response(
        400,
        {"errorCode": "WorkspaceHeadMismatch", "message": "moved", "requestId": "req-42"},
    )
    line = classify(error).line()
    assert line.startswith("WorkspaceHeadMismatch")
    assert "req-42" in line and "Next:" in line
    timeout = classify(OperationTimeoutError(operation_id="op-9", waited=5, last_status=None))
    assert timeout.operation_id == "op-9"
    assert "fabric-git operation wait op-9" in timeout.line()
    throttled = classify(ThrottledError(status=429, error_code="TooMany", message="m"))
    assert "--concurrency" in throttled.line()


def test_errors_render_as_one_line_without_traceback() -> None:
    @cli.command("explode-for-test", hidden=True)
    def explode() -> None:
        raise ResolutionError(
            "no workspace 'x'", kind="workspace", name="x", candidates=["a"], code="NotFound"
        )

    try:
        result = CliRunner().invoke(cli, ["explode-for-test"], env={"GITHUB_ACTIONS": None})
    finally:
        cli.commands.pop("explode-for-test")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: NotFound: no workspace 'x'. Next: check the name, or pass the id."
    ]


# --- output -------------------------------------------------------------------------------------


def test_text_and_markdown_rendering() -> None:
    view = View(
        data={"a": 1},
        lines=("Head: abc",),
        tables=(Table(columns=("Item", "Type"), rows=(("Sales|Q1", "Report"),), title="Items"),),
        summary_title="fabric-git status: ws",
    )
    text = render_text(view).splitlines()
    assert text[0] == "Head: abc" and text[2] == "Items"
    assert text[3].split() == ["Item", "Type"] and text[5].split() == ["Sales|Q1", "Report"]
    markdown = render_markdown(view)
    assert "### fabric\\-git status\\: ws" in markdown  # renders as "fabric-git status: ws"
    assert "| Sales\\|Q1 | Report |" in markdown


def test_json_output_is_one_document_on_stdout_and_summary_only_under_actions(
    tmp_path: Path,
) -> None:
    view = View(data={"ok": True}, lines=("x",), summary_title="t")
    terminal, out, err = _terminal()
    show(view, terminal, output="json")
    assert json.loads(out.getvalue()) == {"ok": True} and err.getvalue() == ""
    summary = tmp_path / "summary.md"
    terminal, out, _ = _terminal(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    show(view, terminal, output="table")
    assert out.getvalue() == "x\n" and summary.read_text().startswith("### t")


# --- CI integration -----------------------------------------------------------------------------


def test_environment_detection() -> None:
    assert Environment.detect({}, io.StringIO()).ci is True  # not a terminal
    github = Environment.detect({"GITHUB_ACTIONS": "true"}, io.StringIO())
    assert github.github_actions and github.ci and not github.interactive
    assert Environment.detect({"TF_BUILD": "True"}, io.StringIO()).azure_pipelines


def test_annotations_are_escaped() -> None:
    terminal, _, err = _terminal(GITHUB_ACTIONS="true")
    terminal.error("50% done\nthen failed", title="fabric-git: A,B")
    # The message is one line (its newline shown as "\n"), the same in the annotation.
    assert err.getvalue().splitlines() == [
        "error: 50% done\\nthen failed",
        "::error title=fabric-git%3A A%2CB::50%25 done\\nthen failed",
    ]
    terminal, _, err = _terminal(TF_BUILD="True")
    terminal.error("50% bad\nthing")
    assert err.getvalue().splitlines()[1] == "##vso[task.logissue type=error]50%AZP25 bad\\nthing"
    terminal, _, err = _terminal()
    terminal.warning("careful")
    assert err.getvalue() == "warning: careful\n"


def test_quiet_keeps_errors_only() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(environment=Environment.detect({}, err), quiet=True, stdout=out, stderr=err)
    terminal.info("hello")
    terminal.error("broken")
    assert err.getvalue() == "error: broken\n"


# --- progress -----------------------------------------------------------------------------------


def test_plain_progress_prints_steps_and_changes_only() -> None:
    terminal, _, err = _terminal(CI="true")
    with ProgressDisplay(terminal) as progress:
        progress(WorkflowEvent("ws", "commit", "Committing 2 item(s)"))
        for percent in (10, 10, 50, 100):
            progress(
                WorkflowEvent(
                    "ws",
                    "commit",
                    "poll",
                    status="Running" if percent < 100 else "Succeeded",
                    percent_complete=percent,
                )
            )
    assert err.getvalue().splitlines() == [
        "[ws] Committing 2 item(s)",
        "[ws] commit: Running 10%",
        "[ws] commit: Running 50%",
        "[ws] commit: Succeeded 100%",
    ]
    terminal, _, err = _terminal(CI="true")
    with ProgressDisplay(terminal, operations=False) as progress:
        progress(WorkflowEvent("ws", "commit", "poll", status="Running", percent_complete=5))
    assert err.getvalue() == ""


# --- option parsing -----------------------------------------------------------------------------


def _provider(**values: str | None) -> ProviderArgs:
    base: dict[str, str | None] = dict(
        provider=None,
        repo_url=None,
        owner=None,
        organization=None,
        project=None,
        repository=None,
        branch="main",
        directory="/",
        custom_domain=None,
    )
    base.update(values)
    return ProviderArgs(**base)  # type: ignore[arg-type]


def test_repository_urls_become_provider_details() -> None:
    github = _provider(repo_url="https://github.com/contoso/fabric.git").details()
    assert github is not None and github.to_wire()["ownerName"] == "contoso"
    assert github.to_wire()["repositoryName"] == "fabric"
    ado = _provider(repo_url="https://dev.azure.com/org/proj/_git/repo", branch="dev").details()
    assert ado is not None and ado.to_wire() == {
        "gitProviderType": "AzureDevOps",
        "organizationName": "org",
        "projectName": "proj",
        "repositoryName": "repo",
        "branchName": "dev",
        "directoryName": "/",
    }
    assert _provider().details() is None
    with pytest.raises(click.BadParameter):
        _provider(repo_url="https://example.com/x").details()
    with pytest.raises(click.UsageError):
        _provider(repository="r").details()  # GitHub without an owner


def test_workspaces_file_skips_blank_lines_and_comments(tmp_path: Path) -> None:
    listing = tmp_path / "w.txt"
    listing.write_text("# team A\nSales\n\n  Finance  # the ledger\n")
    assert read_workspaces_file(listing) == ["Sales", "Finance"]


def test_pat_is_never_an_argument() -> None:
    for name in ("connect", "sync", "connections"):
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        commands = (
            list(command.commands.values()) if isinstance(command, click.Group) else [command]
        )
        for sub in commands:
            for param in sub.params:
                assert param.name not in ("pat", "token", "password"), (name, param.name)


def test_interactive_terminal_draws_rich_tables_and_a_live_progress_table() -> None:
    out, err = io.StringIO(), io.StringIO()
    environment = Environment(
        interactive=True,
        ci=False,
        github_actions=False,
        azure_pipelines=False,
        step_summary_path=None,
        color=False,
    )
    terminal = Terminal(environment=environment, stdout=out, stderr=err)
    with ProgressDisplay(terminal) as progress:
        assert progress.live
        progress(WorkflowEvent("ws", "status", "Reading the Git status"))
        progress(WorkflowEvent("ws", "status", "poll", status="Running", percent_complete=40))
    assert "Reading the Git status" in err.getvalue()
    view = View(data={}, lines=("Head: abc",), tables=(Table(("Item",), (("Sales",),)),))
    show(view, terminal, output="table")
    assert "Head: abc" in out.getvalue() and "Sales" in out.getvalue()
    assert "┃" in out.getvalue()  # drawn by rich, not as plain columns


# --- help ---------------------------------------------------------------------------------------


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    found: list[tuple[str, click.Command]] = []

    def walk(command: click.Command, path: str) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, f"{path} {name}".strip())

    walk(cli, "")
    return found


def test_every_command_and_option_explains_itself_and_names_its_value() -> None:
    ctx = click.Context(cli)
    for path, command in _commands():
        assert command.help, f"{path or 'fabric-git'}: no help text"
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            assert param.help, f"{path}: {param.opts} has no help"
            if param.is_flag or param.count:
                continue
            # A value is named (URL, NAME|ID, SECONDS, ...) or listed; never click's TEXT/INTEGER.
            named = param.metavar is not None or isinstance(param.type, (click.Choice, click.Path))
            assert named, f"{path}: {param.opts} shows a generic metavar"


def test_short_help_lines_fit_the_command_listing() -> None:
    runner = CliRunner()
    for path, command in _commands():
        if isinstance(command, click.Group):
            listing = runner.invoke(cli, [*path.split(), "--help"], terminal_width=100).stdout
            rows = listing.split("Commands:\n")[1].split("\n\n")[0]
            assert rows and "..." not in rows, path
