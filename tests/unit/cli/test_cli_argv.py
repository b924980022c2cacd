"""Global options anywhere: how the root group moves them in front of the command name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
import pytest
from click.testing import CliRunner

from fabric_git.cli import cli
from fabric_git.cli._argv import OptionTable, global_options, hoist_global_options
from fabric_git.cli._lazy import LazyGroup, LazySpec
from fabric_git.cli.app import GlobalOptions


def _hoist(*args: str, root: click.Group = cli) -> list[str]:
    return hoist_global_options(root, click.Context(root), list(args))


# --- spellings, depth, and what stays ------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [["--output", "json"], ["--output=json"], ["-o", "json"], ["-ojson"]],
    ids=["long", "long=", "short", "short-glued"],
)
def test_every_spelling_moves_in_front_of_the_command(spelling: list[str]) -> None:
    moved = _hoist("status", "-w", "Sales", *spelling)
    assert moved[-3:] == ["status", "-w", "Sales"]
    parsed = cli.make_context("fabric-git", moved, resilient_parsing=True)
    assert parsed.params["output"] == "json"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["connections", "list", "-o", "json"], ["-o", "json", "connections", "list"]),
        (
            ["operation", "wait", "ID", "--timeout", "60"],
            ["--timeout", "60", "operation", "wait", "ID"],
        ),
        (
            ["credentials", "-q", "set", "-w", "W", "--no-progress", "--source", "none"],
            ["-q", "--no-progress", "credentials", "set", "-w", "W", "--source", "none"],
        ),
        (
            ["--auth", "azure-cli", "sync", "-w", "A", "-v", "-w", "B", "--api-url", "http://x"],
            ["--auth", "azure-cli", "-v", "--api-url", "http://x", "sync", "-w", "A", "-w", "B"],
        ),
    ],
    ids=["group-command", "argument-then-option", "between-group-and-command", "mixed"],
)
def test_global_options_move_from_any_depth(args: list[str], expected: list[str]) -> None:
    assert _hoist(*args) == expected


def test_options_given_before_and_after_keep_their_order_so_the_later_wins() -> None:
    moved = _hoist("-o", "table", "status", "-w", "S", "-o", "json")
    assert moved == ["-o", "table", "-o", "json", "status", "-w", "S"]
    assert cli.make_context("fabric-git", moved, resilient_parsing=True).params["output"] == "json"


def test_nothing_after_a_double_dash_moves() -> None:
    args = ["commit", "-w", "S", "--", "-o", "json", "--timeout", "5"]
    assert _hoist(*args) == args
    assert _hoist("-q", "--", "status", "-o", "json") == ["-q", "--", "status", "-o", "json"]


def test_values_that_look_like_command_names_or_options_stay_values() -> None:
    # ``sync`` is the value of --api-url: the command is ``status``.
    assert _hoist("--api-url", "sync", "status", "-w", "S", "-o", "json") == [
        "--api-url",
        "sync",
        "-o",
        "json",
        "status",
        "-w",
        "S",
    ]
    # A command's own value is never taken for an option, glued or not.
    assert _hoist("commit", "-w", "S", "-m", "-o", "json") == [
        "commit",
        "-w",
        "S",
        "-m",
        "-o",
        "json",
    ]
    assert _hoist("commit", "-w", "S", "-m-q", "status") == ["commit", "-w", "S", "-m-q", "status"]
    # An argument named like a command is an argument of a command that is not a group.
    assert _hoist("workspaces", "create", "status", "-q") == [
        "-q",
        "workspaces",
        "create",
        "status",
    ]


def test_short_option_clusters_are_split_between_global_and_own_options() -> None:
    assert _hoist("commit", "-w", "S", "-qvm", "msg") == [
        "-q",
        "-v",
        "commit",
        "-w",
        "S",
        "-m",
        "msg",
    ]
    assert _hoist("commit", "-qwS") == ["-q", "commit", "-wS"]
    assert _hoist("status", "-w", "S", "-qoJSON") == ["-q", "-o", "JSON", "status", "-w", "S"]


@pytest.mark.parametrize(
    "args",
    [
        ["status", "-w", "S", "-V"],  # eager root options (--version, --help) are not global
        ["status", "-w", "S", "-qZ"],  # an unknown letter: the cluster is left whole
        ["status", "--no-such", "-x"],
        ["no-such-command", "-o", "json"],
        ["status", "-w", "S"],
        [],
    ],
)
def test_what_is_not_a_global_option_after_a_known_command_is_left_alone(args: list[str]) -> None:
    assert _hoist(*args) == args


# --- a command's own option of the same name wins ------------------------------------------------


def _toy_root() -> click.Group:
    @click.group(cls=LazyGroup)
    @click.option("--output", "-o")
    @click.option("--quiet", "-q", is_flag=True)
    def root(output: str | None, quiet: bool) -> None:
        """A root with two global options."""

    @root.group()
    def tools() -> None:
        """A group."""

    @tools.command()
    @click.option("--output", "-o", "target")
    @click.argument("path", required=False)
    def export(target: str | None, path: str | None) -> None:
        """Defines --output/-o itself."""

    return root


def test_a_command_option_named_like_a_global_one_stays_with_the_command() -> None:
    root = _toy_root()
    args = ["tools", "export", "-o", "file.txt", "-q", "--output=x"]
    assert _hoist(*args, root=root) == ["-q", "tools", "export", "-o", "file.txt", "--output=x"]
    # One level up, the group does not define it: there it is global.
    assert _hoist("tools", "-o", "json", "export", root=root) == ["-o", "json", "tools", "export"]


def test_every_command_that_shadows_a_global_option_keeps_it() -> None:
    ctx = click.Context(cli)
    names = {n for option in global_options(cli, ctx) for n in option.opts}
    shadowing: dict[str, set[str]] = {}

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        own = {n for p in command.get_params(ctx) if isinstance(p, click.Option) for n in p.opts}
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
    for path, options in shadowing.items():
        for option in options:
            args = [*path.split(), option, "http://127.0.0.1:1/v1", "-q"]
            assert _hoist(*args) == ["-q", *args[:-1]]


def test_a_command_that_cannot_be_loaded_leaves_the_arguments_to_click() -> None:
    root = LazyGroup(
        name="r",
        params=[click.Option(["-q"], is_flag=True)],
        lazy_commands={"boom": LazySpec("no_such_module_anywhere:cmd", "Explodes.")},
    )
    assert _hoist("boom", "-q", root=root) == ["boom", "-q"]


def test_option_table_knows_values_and_flags() -> None:
    table = OptionTable.of(cli.params)
    assert table.long["--output"] == 1 and table.short["-o"] == 1
    assert table.long["--no-progress"] == 0 and table.short["-q"] == 0
    assert table.knows("--api-url") and not table.knows("--workspace")


# --- through click: exit codes, help, and the options reaching the command -----------------------


@pytest.mark.parametrize(
    "args",
    [
        ["status", "-w", "S", "-o"],
        ["status", "-w", "S", "--timeout"],
        ["status", "-w", "S", "-o", "--", "x"],
        ["connections", "list", "-qo"],
    ],
)
def test_a_global_option_missing_its_value_is_a_usage_error(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "requires an argument" in result.stderr
    assert result.stdout == ""


def test_unknown_options_and_eager_root_options_after_the_command_stay_usage_errors() -> None:
    for args in (["status", "-w", "S", "--no-such"], ["status", "-w", "S", "-V"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "No such option" in result.stderr


def test_help_says_where_global_options_may_go() -> None:
    runner = CliRunner()
    root = runner.invoke(cli, ["--help"]).stdout
    assert "Global options (before or after the command):" in root
    anywhere = root.split("Global options (before or after the command):")[1].split("Options:")[0]
    assert "--output" in anywhere and "--timeout" in anywhere and "--version" not in anywhere
    status = runner.invoke(cli, ["status", "--help"]).stdout
    assert "Global options work here too: --api-url, --auth, -o/--output" in status
    token = runner.invoke(cli, ["emulator", "token", "--help"]).stdout
    note = token.split("Global options work here too:")[1]
    assert "--api-url" not in note and "-o/--output" in note
    twice = runner.invoke(cli, ["status", "--help"]).stdout
    assert twice.count("Global options work here too") == 1


@dataclass
class _Workspace:
    id: str
    display_name: str
    description: str | None = None
    type: str | None = "Workspace"
    capacity_id: str | None = None


@dataclass
class _FakeClient:
    seen: list[GlobalOptions] = field(default_factory=list)

    @property
    def workspaces(self) -> Any:
        outer = self

        class _Api:
            def list(self) -> list[_Workspace]:
                return [_Workspace("id-1", "Sales")] if outer.seen else []

        return _Api()

    def close(self) -> None:
        pass


def test_options_after_the_command_reach_the_command() -> None:
    fake = _FakeClient()

    def factory(options: GlobalOptions) -> _FakeClient:
        fake.seen.append(options)
        return fake

    result = CliRunner().invoke(
        cli,
        ["workspaces", "list", "-ojson", "--timeout=7", "--api-url", "http://127.0.0.1:9/v1", "-q"],
        obj={"client_factory": factory},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('{\n  "workspaces": [')
    (options,) = fake.seen
    assert options.output == "json" and options.timeout == 7.0 and options.quiet
    assert options.api_url == "http://127.0.0.1:9/v1"
