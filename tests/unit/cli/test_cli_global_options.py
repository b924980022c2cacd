"""Global options anywhere: before or after the command name, at any depth, in any spelling,
and a command's own option of the same name wins. Checked through click, by the settings that
reach the command."""

from __future__ import annotations

import logging

import click
import pytest
from click.testing import CliRunner, Result

from fabric_git.cli import cli, global_options
from fabric_git.cli.app import GlobalOptions


class _Reached(Exception):
    """Raised by the client factory: the command got as far as asking for a client."""


def _invoke(*args: str) -> tuple[Result, list[GlobalOptions]]:
    seen: list[GlobalOptions] = []

    def factory(options: GlobalOptions) -> object:
        seen.append(options)
        raise _Reached

    result = CliRunner().invoke(cli, list(args), obj={"client_factory": factory})
    return result, seen


def _settings(*args: str) -> GlobalOptions:
    result, seen = _invoke(*args)
    assert len(seen) == 1, result.output
    return seen[0]


@pytest.mark.parametrize(
    "spelling",
    [["--output", "json"], ["--output=json"], ["-o", "json"], ["-ojson"]],
    ids=["long", "long=", "short", "short-glued"],
)
def test_every_spelling_works_after_the_command(spelling: list[str]) -> None:
    assert _settings("status", "-w", "Sales", *spelling).output == "json"


@pytest.mark.parametrize(
    "args",
    [
        ["connections", "list", "-o", "json", "--timeout", "60"],
        [
            "operation",
            "wait",
            "1d0b3b4a-5c6d-4e7f-8091-a2b3c4d5e6f7",
            "-o",
            "json",
            "--timeout",
            "60",
        ],
        ["credentials", "-o", "json", "show", "-w", "W", "--timeout", "60"],
        ["-o", "json", "workspaces", "list", "--timeout=60"],
    ],
    ids=["group-command", "argument-then-option", "between-group-and-command", "before-and-after"],
)
def test_global_options_work_at_any_depth(args: list[str]) -> None:
    settings = _settings(*args)
    assert (settings.output, settings.timeout) == ("json", 60.0)


def test_the_later_of_two_wins_and_flags_and_values_all_reach_the_command() -> None:
    assert _settings("-o", "table", "status", "-w", "S", "-o", "json").output == "json"
    settings = _settings(
        "--auth", "azure-cli", "sync", "-w", "A", "-v", "-w", "B", "--api-url", "http://x/v1",
        "-q", "--no-progress",
    )  # fmt: skip
    assert settings.auth == "azure-cli" and settings.api_url == "http://x/v1"
    assert settings.verbose and settings.quiet and not settings.progress


def test_short_clusters_mix_global_and_own_options() -> None:
    settings = _settings("commit", "-w", "S", "-qvm", "msg")
    assert settings.quiet and settings.verbose
    assert _settings("status", "-w", "S", "-qojson").output == "json"


def test_values_stay_values_and_nothing_after_a_double_dash_is_an_option() -> None:
    # ``sync`` is the value of --api-url; ``-o`` the value of -m (and ``json`` an ITEM).
    assert _settings("--api-url", "sync", "status", "-w", "S").api_url == "sync"
    assert _settings("commit", "-w", "S", "-m", "-o", "json").output == "table"
    assert _settings("commit", "-w", "S", "--", "-o", "json").output == "table"


@pytest.mark.parametrize(
    "args",
    [
        ["status", "-w", "S", "-o"],
        ["status", "-w", "S", "--timeout"],
        ["connections", "list", "-qo"],
    ],
)
def test_a_global_option_missing_its_value_is_a_usage_error(args: list[str]) -> None:
    result, seen = _invoke(*args)
    assert result.exit_code == 2 and not seen
    assert "requires an argument" in result.stderr and result.stdout == ""


def test_bad_values_unknown_options_and_eager_root_options_after_the_command() -> None:
    for args, says in (
        (["status", "-w", "S", "-o", "xml"], "Invalid value"),
        (["status", "-w", "S", "--no-such"], "No such option"),
        (["status", "-w", "S", "-V"], "No such option"),
    ):
        result, seen = _invoke(*args)
        assert result.exit_code == 2 and not seen and says in result.stderr


def test_a_command_option_named_like_a_global_one_stays_the_commands() -> None:
    ctx = click.Context(cli)
    names = {n for option in global_options(cli, ctx) for n in option.opts}
    shadowing: dict[str, set[str]] = {}

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        own = {
            n
            for p in command.get_params(ctx)
            if isinstance(p, click.Option) and not p.hidden
            for n in p.opts
        }
        if path and own & names:
            shadowing[" ".join(path)] = own & names
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                found = command.get_command(ctx, name)
                assert found is not None
                walk(found, (*path, name))

    walk(cli, ())
    assert shadowing == {
        "emulator token": {"--api-url"},
        "emulator repo create": {"--api-url"},
        "emulator repo list": {"--api-url"},
    }
    token = cli.get_command(ctx, "emulator")
    assert isinstance(token, click.Group)
    command = token.get_command(ctx, "token")
    assert command is not None
    hidden = [p.opts for p in command.params if p.hidden]
    assert ["--api-url"] not in hidden and ["--output", "-o"] in hidden


def test_help_says_where_global_options_may_go_and_keeps_them_out_of_command_help() -> None:
    runner = CliRunner()
    root = runner.invoke(cli, ["--help"]).stdout
    assert "Global options (before or after the command):" in root
    anywhere = root.split("Global options (before or after the command):")[1].split("Options:")[0]
    assert "--output" in anywhere and "--timeout" in anywhere and "--version" not in anywhere
    status = runner.invoke(cli, ["status", "--help"]).stdout
    assert "Global options work here too: --api-url, --auth, -o/--output" in status
    assert "--timeout SECONDS" not in status  # listed in the note, not as its own option
    token = runner.invoke(cli, ["emulator", "token", "--help"]).stdout
    note = token.split("Global options work here too:")[1]
    assert "--api-url" not in note and "-o/--output" in note
    twice = runner.invoke(cli, ["status", "--help"]).stdout
    assert twice.count("Global options work here too") == 1


def test_verbose_before_and_after_the_command_logs_each_record_once() -> None:
    handlers: list[int] = []

    def factory(options: GlobalOptions) -> object:
        handlers.append(len(logging.getLogger("fabric_git").handlers))
        raise _Reached

    before = len(logging.getLogger("fabric_git").handlers)
    for args in (["-v", "status", "-w", "S", "-v"], ["status", "-w", "S", "-v"]):
        CliRunner().invoke(cli, args, obj={"client_factory": factory})
    assert handlers == [before + 1, before + 1]
    assert len(logging.getLogger("fabric_git").handlers) == before  # put back at exit
