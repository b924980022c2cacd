"""Checking ``fabric-git`` command lines written down elsewhere (pipeline templates, the action,
the demo's walk-through): every command, flag and choice they use exists."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

import click

from fabric_git.cli import cli

_OPERATORS = set("();<>|&")


def scripts(document: Any) -> Iterator[str]:
    """Every script in a workflow: ``run`` (GitHub), ``script``/``bash``/``pwsh`` (Azure)."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("run", "script", "bash", "powershell", "pwsh") and isinstance(value, str):
                yield value
            else:
                yield from scripts(value)
    elif isinstance(document, list):
        for value in document:
            yield from scripts(value)


def invocations(script: str) -> Iterator[list[str]]:
    """The argument lists of every ``fabric-git`` call in a shell script."""
    joined = script.replace("\\\n", " ")
    for line in joined.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for index, token in enumerate(tokens):
            starts_command = (
                index == 0
                or set(tokens[index - 1]) <= _OPERATORS
                or (tokens[index - 1] in ("then", "do", "else"))
            )
            if token != "fabric-git" or not starts_command:
                continue  # e.g. ``pip install fabric-git``
            args: list[str] = []
            for arg in tokens[index + 1 :]:
                if set(arg) <= _OPERATORS:
                    break
                args.append(arg)
            yield args


def check(args: list[str]) -> None:
    """Walk the click tree as click would, failing on an unknown command, flag or choice.
    (A loaded command carries the global options too: they may follow its name.)"""
    command: click.Command = cli
    ctx = click.Context(cli)
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        if arg.startswith("-"):
            name, _, inline = arg.partition("=")
            option = next(
                (
                    p
                    for p in command.params
                    if isinstance(p, click.Option) and name in (*p.opts, *p.secondary_opts)
                ),
                None,
            )
            assert option is not None, f"{command.name}: no option {name}"
            if option.is_flag or option.count:
                continue
            value = inline or args[position]
            position += 0 if inline else 1
            if isinstance(option.type, click.Choice) and not value.startswith("$"):
                choices = {str(c) for c in option.type.choices}
                # The templates use the spelling help shows, not only one the CLI accepts.
                assert value in choices, f"{name}: {value!r} not in {choices}"
                option.type.convert(value, option, ctx)
        elif isinstance(command, click.Group):
            found = command.get_command(ctx, arg)
            assert found is not None, f"no command {arg!r} under {command.name}"
            command = found
    assert not isinstance(command, click.Group), f"{args}: names a group, not a command"
