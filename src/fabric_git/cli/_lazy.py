"""A click group whose subcommands are imported on first use.

Start-up time matters (``fabric-git --help`` runs in every pipeline step), so the root group knows
each subcommand only by an import path and a short help line; the module is loaded when the command
is run or its own help is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

__all__ = ["LazyGroup", "LazySpec"]


@dataclass(frozen=True)
class LazySpec:
    """Where a subcommand lives (``"package.module:attribute"``) and its one-line help."""

    target: str
    short_help: str


class LazyGroup(click.Group):
    """A group that resolves ``lazy_commands`` only when one of them is needed."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, LazySpec] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazySpec] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = self.lazy_commands.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        command = self._load(cmd_name, spec)
        self.add_command(command, cmd_name)
        del self.lazy_commands[cmd_name]
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing the commands must not import them: take help from the specs.
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            spec = self.lazy_commands.get(name)
            if spec is not None:
                rows.append((name, spec.short_help))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @staticmethod
    def _load(name: str, spec: LazySpec) -> click.Command:
        module_name, _, attribute = spec.target.partition(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{spec.target} is not a click command (for `{name}`)")
        if command.short_help is None:
            command.short_help = spec.short_help
        return command
