"""``lint``: check a working tree against the Fabric repository format, without a service."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import click

from fabric_git.cli.app import AppContext, pass_app

__all__ = ["lint"]


@click.command()
@click.argument(
    "path",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--directory",
    "-d",
    metavar="DIR",
    default="",
    help="The connected directory inside PATH (the Git directory the workspace syncs with).",
)
@pass_app
def lint(app: AppContext, path: Path, directory: str) -> None:
    """Report what Fabric would refuse in the repository at PATH (default: the current
    directory), before it reaches the service.

    Reads the files of the working tree (in a Git working tree, the files Git would commit)
    once, with no service and no network. Each finding is printed as
    `path:line: CODE message` with a fix hint; -o json prints a list of
    {path, line, code, severity, message}. Errors are what Fabric refuses (invalid .platform,
    duplicate logical ids or names, paths Git or Fabric refuse, limits); warnings are what it
    silently ignores or reads otherwise (unsupported types, directories without .platform,
    child items outside .children, references to items the tree does not hold).

    \b
    Exit codes: 0 no error (warnings allowed), 1 at least one error, 2 usage.
    """
    from fabric_git.cli.escaping import json_text
    from fabric_git.cli.escaping import shown as shown_text
    from fabric_git.repoformat.lint import lint_files
    from fabric_git.repoformat.paths import printable
    from fabric_git.repoformat.worktree import read_worktree

    connected = _connected_directory(path, directory)
    try:
        tree = read_worktree(path, connected)
    except OSError as error:
        where = printable(str(error.filename or path))
        raise click.ClickException(f"cannot read {where}: {error.strerror or error}") from None
    findings = lint_files(tree.files, connected, symlinks=tree.symlinks)
    shown = [(_display_path(path, f.path), f) for f in findings]
    terminal = app.terminal
    # File names are anyone's text (a pull request's): printed as data, never as a CI command.
    if app.json:
        document = json.dumps([{**f.as_json(), "path": p} for p, f in shown], indent=2)
        terminal.data(json_text(document))
    else:
        for where, finding in shown:
            line = f"{where}:{finding.line}: {finding.code} {finding.message}"
            terminal.data(shown_text(printable(line)))
            if finding.fix:
                terminal.data(f"  fix: {shown_text(printable(finding.fix))}")
    for where, finding in shown:
        message = f"{finding.message} (fix: {finding.fix})" if finding.fix else finding.message
        terminal.annotate(
            finding.severity,
            printable(message),
            path=printable(where),
            line=finding.line,
            title=f"fabric-git lint: {finding.code}",
        )
    errors = sum(1 for f in findings if f.severity == "error")
    summary = (
        f"{_count(errors, 'error')}, {_count(len(findings) - errors, 'warning')} in "
        f"{_count(len(tree.files), 'file')}"
    )
    if errors:
        terminal.info(f"lint: {summary}")
        raise click.exceptions.Exit(1)
    terminal.success(f"lint: {summary}")


def _connected_directory(path: Path, directory: str) -> str:
    """``--directory`` as a POSIX path inside PATH; a usage error when it is not one."""
    cleaned = directory.replace("\\", "/").strip("/")
    if not cleaned:
        return ""
    parts = cleaned.split("/")
    if any(part in ("", ".", "..") for part in parts) or directory.startswith(("/", "\\")):
        raise click.BadParameter("give a relative path inside PATH", param_hint="--directory")
    if not (path / cleaned).is_dir():
        raise click.BadParameter(
            f"{cleaned!r} is not a directory of {str(path)!r}", param_hint="--directory"
        )
    return cleaned


def _display_path(root: Path, relative: str) -> str:
    """The finding's path as the user can open it: relative to the current directory when
    PATH was given relative, else under PATH."""
    base = str(root)
    return relative if base in ("", ".") else posixpath.join(Path(base).as_posix(), relative)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
