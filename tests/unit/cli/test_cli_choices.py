"""Choice values: shown in kebab-case everywhere, Fabric spellings accepted, Fabric values out."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from fabric_git.cli import cli
from fabric_git.cli.choices import (
    BRANCH_ROLES,
    CONFLICT_POLICIES,
    CONNECTION_ROLES,
    CREDENTIAL_SOURCES,
    PRINCIPAL_TYPES,
    PROVIDERS,
    RELATION_TYPES,
    STRATEGIES,
    WORKSPACE_ROLES,
    KebabChoice,
)


def _options() -> Iterator[tuple[str, click.Option]]:
    """Every option of every command, with the command's path."""
    ctx = click.Context(cli)

    def walk(command: click.Command, path: str) -> Iterator[tuple[str, click.Option]]:
        for param in command.get_params(ctx):
            if isinstance(param, click.Option):
                yield path, param
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                found = command.get_command(ctx, name)
                assert found is not None
                yield from walk(found, f"{path} {name}".strip())

    yield from walk(cli, "")


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("prefer-remote", "PreferRemote"),
        ("PreferRemote", "PreferRemote"),
        ("preferremote", "PreferRemote"),
        ("PREFER-WORKSPACE", "PreferWorkspace"),
        (" none ", "None"),
        ("None", "None"),
    ],
)
def test_kebab_and_fabric_spellings_give_the_fabric_value(spelling: str, value: str) -> None:
    assert KebabChoice(STRATEGIES).convert(spelling, None, None) == value


@pytest.mark.parametrize("spelling", ["prefer_remote", "remote", "prefer-remote-x", "", "Prefer"])
def test_other_spellings_are_refused_with_the_kebab_forms(spelling: str) -> None:
    with pytest.raises(click.BadParameter) as raised:
        KebabChoice(STRATEGIES).convert(spelling, None, None)
    message = raised.value.format_message()
    assert "'prefer-remote', 'prefer-workspace', 'none'" in message
    assert "PreferRemote" not in message


def test_every_choice_is_shown_in_kebab_case() -> None:
    for path, option in _options():
        if isinstance(option.type, click.Choice):
            for choice in option.type.choices:
                shown = str(choice)
                assert shown == shown.lower() and "_" not in shown, (path, option.name, shown)


def test_every_option_taking_a_fabric_value_uses_the_shared_tables() -> None:
    expected = {
        ("init", "strategy"): STRATEGIES,
        ("sync", "strategy"): STRATEGIES,
        ("update", "conflict_policy"): CONFLICT_POLICIES,
        ("credentials set", "source"): CREDENTIAL_SOURCES,
        ("credentials setup", "principal_type"): PRINCIPAL_TYPES,
        ("connect", "provider"): PROVIDERS,
        ("sync", "provider"): PROVIDERS,
        ("emulator repo create", "provider"): PROVIDERS,
        ("connection-settings", "branch_changers"): BRANCH_ROLES,
        ("relations add", "relation_type"): RELATION_TYPES,
        ("workspaces roles add", "principal_type"): PRINCIPAL_TYPES,
        ("workspaces roles add", "role"): WORKSPACE_ROLES,
        ("connections roles add", "principal_type"): PRINCIPAL_TYPES,
        ("connections roles add", "role"): CONNECTION_ROLES,
        ("connections share", "principal_type"): PRINCIPAL_TYPES,
        ("connections share", "role"): CONNECTION_ROLES,
    }
    found = {
        (path, option.name): option.type.fabric_values
        for path, option in _options()
        if isinstance(option.type, KebabChoice)
    }
    assert found == expected


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("sync", "--strategy [prefer-remote|prefer-workspace|none]"),
        ("init", "--strategy [prefer-remote|prefer-workspace|none]"),
        ("update", "--conflict-policy [prefer-remote|prefer-workspace]"),
        ("connect", "--provider [github|azure-devops]"),
    ],
)
def test_help_shows_the_kebab_forms(command: str, shown: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert shown in result.stdout
    assert "PreferRemote" not in result.stdout and "PreferWorkspace" not in result.stdout


def test_an_unknown_value_is_a_usage_error_that_lists_the_kebab_forms() -> None:
    result = CliRunner().invoke(cli, ["update", "-w", "S", "--conflict-policy", "theirs"])
    assert result.exit_code == 2
    assert "'prefer-remote', 'prefer-workspace'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--source", "configured-connection"],
            "--source configured-connection needs --connection",
        ),
        (["--source", "automatic", "--connection", "c"], "--connection applies only to"),
    ],
)
def test_credentials_set_checks_the_connection_against_the_source(
    args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["credentials", "set", "-w", "S", *args])
    assert result.exit_code == 2 and message in result.stderr
