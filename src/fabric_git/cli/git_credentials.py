"""The Git credentials of the commands that connect a workspace (``connect``, ``sync``, fleet
files): their options, the PAT (from an environment variable or stdin, never argv), and the PAT
connection they reuse or create."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fabric_git.cli.constants import EnvVars

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitCredentials, GitProviderDetails
    from fabric_git.workflows.results import ConnectionResult

__all__ = [
    "CredentialChoice",
    "credential_options",
    "credentials_from_options",
    "ensure_pat_connection",
    "noting_connection",
    "read_pat",
    "resolve_credentials",
]

F = TypeVar("F", bound=Callable[..., Any])


def credential_options(function: F) -> F:
    """How the workspace reaches Git: an existing connection, or a GitHub PAT to create or reuse
    one. The PAT is read from an environment variable or stdin, never from arguments."""
    decorators = [
        click.option(
            "--connection",
            metavar="NAME|ID",
            help="An existing connection to use as Git credentials.",
        ),
        click.option(
            "--connection-name",
            metavar="NAME",
            help="Name of the GitHub PAT connection to reuse or create "
            "(default fabric-git-OWNER-REPO, or the one scoped to the repository URL).",
        ),
        click.option(
            "--rotate-pat",
            is_flag=True,
            help="Store the given PAT as the key of the reused connection (else its key is "
            "left unchanged).",
        ),
        click.option(
            "--pat-env",
            metavar="VAR",
            default=EnvVars.PAT_DEFAULT,
            show_default=True,
            help="Environment variable holding the GitHub personal access token.",
        ),
        click.option(
            "--pat-stdin", is_flag=True, help="Read the GitHub personal access token from stdin."
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def read_pat(pat_env: str, pat_stdin: bool) -> str | None:
    """The PAT from stdin (``--pat-stdin``) or the named environment variable. A variable named
    with ``--pat-env`` that is unset or empty is a usage error (the default one may be unset)."""
    if pat_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            raise click.UsageError("--pat-stdin: nothing was read from stdin.")
        return token
    token = os.environ.get(pat_env, "").strip()
    if not token and _given_on_command_line("pat_env"):
        raise click.BadParameter(
            f"the environment variable {pat_env} is not set (or is empty); export the PAT in "
            "it, or use --pat-stdin.",
            param_hint="--pat-env",
        )
    return token or None


def _given_on_command_line(name: str) -> bool:
    """Whether the running command's parameter ``name`` was given rather than defaulted."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    source = ctx.get_parameter_source(name)
    return source is not None and source is not click.core.ParameterSource.DEFAULT


@dataclass(frozen=True)
class CredentialChoice:
    """Credentials to connect with, or a PAT connection to ensure first."""

    credentials: GitCredentials | None
    pat: str | None
    connection_name: str | None
    # The name came from --connection-name (else it is the default one).
    named: bool = False
    rotate: bool = False


def resolve_credentials(
    client: FabricClient,
    provider: GitProviderDetails,
    *,
    connection: str | None,
    connection_name: str | None,
    pat_env: str,
    pat_stdin: bool,
    rotate_pat: bool = False,
) -> CredentialChoice:
    """``--connection`` wins; for GitHub otherwise a PAT connection (reused or created)."""
    from fabric_git.models.git import ConfiguredConnectionGitCredentials, GitHubDetails

    if connection:
        if connection_name or rotate_pat:
            flag = "--connection-name" if connection_name else "--rotate-pat"
            raise click.UsageError(
                f"{flag} applies to the PAT connection; not with --connection (to rotate its "
                "key: fabric-git connections create-github --name NAME --rotate-pat)."
            )
        found = client.resolve_connection(connection)
        return CredentialChoice(
            ConfiguredConnectionGitCredentials(connection_id=found.id), None, None
        )
    if isinstance(provider, GitHubDetails):
        name = connection_name or f"fabric-git-{provider.owner_name}-{provider.repository_name}"
        return CredentialChoice(
            None,
            read_pat(pat_env, pat_stdin),
            name,
            named=connection_name is not None,
            rotate=rotate_pat,
        )
    if rotate_pat or connection_name:
        raise click.UsageError("--connection-name and --rotate-pat apply to GitHub only.")
    return CredentialChoice(None, None, None)


def ensure_pat_connection(
    client: FabricClient,
    provider: GitProviderDetails,
    choice: CredentialChoice,
    *,
    dry_run: bool = False,
) -> ConnectionResult:
    """Create or reuse the PAT connection ``choice`` names (``describe()`` of the result says
    which one and what became of its key: the command shows it, on failure too)."""
    from fabric_git.workflows.credentials import ensure_github_connection, github_url_of

    assert choice.connection_name is not None
    result = ensure_github_connection(
        client,
        display_name=choice.connection_name,
        repository_url=github_url_of(provider),
        token=choice.pat,
        rotate_key=choice.rotate,
        reuse_by_url=not choice.named,
        dry_run=dry_run,
    )
    return result


def credentials_from_options(
    client: FabricClient,
    provider: GitProviderDetails,
    options: Mapping[str, Any],
    *,
    dry_run: bool = False,
) -> tuple[GitCredentials | None, ConnectionResult | None]:
    """The credentials ``credential_options`` ask for, and the PAT connection behind them when
    there is one: ensured first (reused or created; a dry run only checks it), so that the
    command can say what became of it."""
    from fabric_git.models.git import ConfiguredConnectionGitCredentials

    choice = resolve_credentials(
        client,
        provider,
        connection=options["connection"],
        connection_name=options["connection_name"],
        pat_env=options["pat_env"],
        pat_stdin=options["pat_stdin"],
        rotate_pat=options["rotate_pat"],
    )
    if choice.connection_name is None:
        return choice.credentials, None
    connection = ensure_pat_connection(client, provider, choice, dry_run=dry_run)
    if connection.id is None:  # a dry run that would create it
        return choice.credentials, connection
    return ConfiguredConnectionGitCredentials(connection_id=connection.id), connection


@contextmanager
def noting_connection(connection: ConnectionResult | None) -> Iterator[None]:
    """A failure inside says which connection was used and whether its key changed."""
    try:
        yield
    except Exception as error:
        if connection is not None:
            error.add_note(connection.describe())
        raise
