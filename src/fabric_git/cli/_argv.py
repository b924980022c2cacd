"""Global options anywhere on the command line.

``fabric-git status -w Sales -o json`` is parsed as ``fabric-git -o json status -w Sales``: the
root group's options found after the command name are moved in front of it, where click's own
parsing applies them. Nothing is duplicated: click's parameter definitions say which names are
global (the root group's options, except eager ones such as ``--version``) and whether they take
a value, and each command's parameters say which names it defines itself. A command's own option
wins over a global one of the same name, and nothing after ``--`` moves.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

__all__ = ["OptionTable", "hoist_global_options"]


class OptionTable:
    """The option names one command parses, each with the number of values it takes. (A plain
    class: this module loads on every start, and a dataclass costs a millisecond to build.)"""

    def __init__(self) -> None:
        self.long: dict[str, int] = {}
        self.short: dict[str, int] = {}

    @classmethod
    def of(cls, params: Iterable[click.Parameter]) -> OptionTable:
        table = cls()
        for param in params:
            if not isinstance(param, click.Option):
                continue
            nargs = 0 if param.is_flag or param.count else param.nargs
            for name in (*param.opts, *param.secondary_opts):
                # click's rule: one prefix character and one letter make a short option.
                short = len(name) == 2 and name[0] != name[1]
                (table.short if short else table.long)[name] = nargs
        return table

    def knows(self, name: str) -> bool:
        return name in self.long or name in self.short


def global_options(root: click.Group, ctx: click.Context) -> list[click.Option]:
    """The root options that may also follow the command name (not ``--help``/``--version``)."""
    return [p for p in root.get_params(ctx) if isinstance(p, click.Option) and not p.is_eager]


def hoist_global_options(root: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with every global option after the command name moved to just before it."""
    try:
        return _Hoist(root, ctx, args).run()
    except _Unresolved:
        return args  # leave it to click, which reports the same problem in its own words


class _Unresolved(Exception):
    """A command could not be loaded while walking the arguments."""


class _Hoist:
    def __init__(self, root: click.Group, ctx: click.Context, args: list[str]) -> None:
        self.ctx = ctx
        self.args = args
        self.globals = OptionTable.of(global_options(root, ctx))
        self.command: click.Command = root
        self.own = OptionTable.of(root.get_params(ctx))
        self.kept: list[str] = []
        self.moved: list[str] = []
        self.insert_at: int | None = None  # where in ``kept`` the command name is
        self.position = 0

    def run(self) -> list[str]:
        args = self.args
        while self.position < len(args):
            token = args[self.position]
            if token == "--":
                self.kept.extend(args[self.position :])
                break
            if token[:1] == "-" and len(token) > 1:
                self._option(token)
                continue
            self.position += 1
            if isinstance(self.command, click.Group) and not self._descend(token):
                self.kept.append(token)
                self.kept.extend(args[self.position :])
                break
            self.kept.append(token)
        if not self.moved or self.insert_at is None:
            return list(args)
        at = self.insert_at
        return [*self.kept[:at], *self.moved, *self.kept[at:]]

    def _descend(self, name: str) -> bool:
        """Step into subcommand ``name`` of the current group; False if there is none."""
        assert isinstance(self.command, click.Group)
        try:
            found = self.command.get_command(self.ctx, name)
        except Exception as error:  # a broken command module: click reports it when invoked
            raise _Unresolved from error
        if found is None:
            return False
        if self.insert_at is None:
            self.insert_at = len(self.kept)
        self.command = found
        self.own = OptionTable.of(found.get_params(self.ctx))
        return True

    def _take(self, name: str, count: int, *, hoisting: bool) -> list[str]:
        """The ``count`` values following the option just read (click takes them whatever they
        look like). A moved option must have them here: it would otherwise take the command name
        as its value once moved."""
        values = self.args[self.position : self.position + count]
        if hoisting and (len(values) < count or "--" in values):
            if self.ctx.resilient_parsing:  # shell completion: never fail
                values = [v for v in values if v != "--"]
            else:
                raise click.BadOptionUsage(name, f"Option '{name}' requires an argument.", self.ctx)
        self.position += len(values)
        return values

    def _option(self, token: str) -> None:
        self.position += 1
        name, has_value, _ = token.partition("=")
        for table, hoisting in ((self.own, False), (self.globals, True)):
            nargs = table.long.get(name)
            if nargs is None:
                continue
            count = max(0, nargs - 1) if has_value else nargs
            taken = [token, *self._take(name, count, hoisting=hoisting)]
            (self.moved if hoisting else self.kept).extend(taken)
            return
        if token.startswith("--"):
            self.kept.append(token)  # unknown: click says so
            return
        self._short_cluster(token)

    def _short_cluster(self, token: str) -> None:
        """``-qv``, ``-ojson``, ``-qw NAME``: split between the command's and global options."""
        own = ""
        moved: list[str] = []
        for index, letter in enumerate(token[1:], start=1):
            name = f"-{letter}"
            rest = token[index + 1 :]
            if name in self.own.short:
                own += letter
                if self.own.short[name]:
                    own += rest
                    values = [] if rest else self._take(name, self.own.short[name], hoisting=False)
                    self._finish_cluster(own, moved, values)
                    return
            elif name in self.globals.short:
                nargs = self.globals.short[name]
                if nargs:
                    values = [rest] if rest else self._take(name, nargs, hoisting=True)
                    self._finish_cluster(own, [*moved, name, *values], [])
                    return
                moved.append(name)
            else:
                self.kept.append(token)  # unknown letter: left whole for click to report
                return
        self._finish_cluster(own, moved, [])

    def _finish_cluster(self, own: str, moved: list[str], own_values: list[str]) -> None:
        if own:
            self.kept.extend([f"-{own}", *own_values])
        self.moved.extend(moved)
