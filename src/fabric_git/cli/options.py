"""Options several commands share: the workspace, where in Git, and how to get a PAT."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fabric_git.cli.choices import PROVIDERS, KebabChoice
from fabric_git.cli.constants import WORKSPACE_META, EnvVars

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitCredentials, GitProviderDetails
    from fabric_git.workflows.results import ConnectionResult

__all__ = [
    "CredentialChoice",
    "ProviderArgs",
    "credential_options",
    "credentials_from_options",
    "dry_run_option",
    "ensure_pat_connection",
    "github_repo_url",
    "noting_connection",
    "provider_options",
    "read_pat",
    "remember_workspace",
    "resolve_credentials",
    "workspace_option",
]

F = TypeVar("F", bound=Callable[..., Any])

# Patterns, not compiled objects: only --repo-url needs them, and ``re`` caches what it compiles.
_GITHUB_URL = r"^https?://(?P<host>[^/]+)/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/?$"
_ADO_URL = (
    r"^https?://(?:[^@/]+@)?dev\.azure\.com/(?P<org>[^/]+)/(?P<project>[^/]+)/_git/"
    r"(?P<repo>[^/]+?)/?$"
)


# Which option sets each field of the provider details (for a usage error that names it).
_OPTION_OF_FIELD = {
    "branch_name": "--branch",
    "directory_name": "--directory",
    "repository_name": "--repository / --repo-url",
    "owner_name": "--owner / --repo-url",
    "organization_name": "--organization / --repo-url",
    "project_name": "--project / --repo-url",
    "custom_domain_name": "--custom-domain / --repo-url",
}


def github_repo_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--repo-url`` of a GitHub connection: a repository on github.com or *.ghe.com."""
    if value is None:
        return None
    if re.match(_ADO_URL, value.strip()):
        raise click.BadParameter(
            "an Azure DevOps repository takes `connections create-azure-devops`.", ctx, param
        )
    github = re.match(_GITHUB_URL, value.strip())
    if github is None:
        raise click.BadParameter("expected https://github.com/OWNER/REPO", ctx, param)
    host = github["host"].lower()
    if host not in ("github.com", "www.github.com") and not host.endswith(".ghe.com"):
        raise click.BadParameter(
            f"the host {host!r} is not GitHub (github.com) or GitHub Enterprise (*.ghe.com).",
            ctx,
            param,
        )
    return value


def _not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("must name a workspace (its display name or id), not be empty.")
    remember_workspace(ctx, param, value)
    return value


def remember_workspace(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    """Keep the workspace given, so a failure's hint can name it."""
    if isinstance(value, str):
        ctx.meta[WORKSPACE_META] = value
    return value


def workspace_option(function: F) -> F:
    return click.option(
        "--workspace",
        "-w",
        envvar=EnvVars.WORKSPACE,
        required=True,
        metavar="NAME|ID",
        callback=_not_blank,
        help=f"The workspace, by display name or id. [env: {EnvVars.WORKSPACE}]",
    )(function)


def dry_run_option(function: F) -> F:
    return click.option(
        "--dry-run",
        is_flag=True,
        help="Read the status and show what would happen; change nothing.",
    )(function)


@dataclass(frozen=True)
class ProviderArgs:
    provider: str | None
    repo_url: str | None
    owner: str | None
    organization: str | None
    project: str | None
    repository: str | None
    branch: str
    directory: str
    custom_domain: str | None

    @property
    def given(self) -> bool:
        return bool(self.repo_url or self.repository)

    def details(self) -> GitProviderDetails | None:
        """The provider details these options describe, or None if no repository was named."""
        if not self.given:
            return None
        from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails

        owner, organization, project = self.owner, self.organization, self.project
        repository, provider, domain = self.repository, self.provider, self.custom_domain
        if self.repo_url:
            ado = re.match(_ADO_URL, self.repo_url.strip())
            github = re.match(_GITHUB_URL, self.repo_url.strip())
            if ado:
                organization, project = ado["org"], ado["project"]
                repository, provider = ado["repo"], provider or "AzureDevOps"
            elif github:
                owner, repository = github["owner"], github["repo"]
                provider = provider or "GitHub"
                host = github["host"].lower()
                if host not in ("github.com", "www.github.com") and not host.endswith(".ghe.com"):
                    raise click.BadParameter(
                        f"the host {host!r} is neither GitHub (github.com), GitHub Enterprise "
                        "(*.ghe.com) nor Azure DevOps (dev.azure.com).",
                        param_hint="--repo-url",
                    )
                if host.endswith(".ghe.com"):
                    domain = domain or host
            else:
                raise click.BadParameter(
                    "expected https://github.com/OWNER/REPO or "
                    "https://dev.azure.com/ORG/PROJECT/_git/REPO",
                    param_hint="--repo-url",
                )
        if provider is None:
            provider = "AzureDevOps" if organization else "GitHub"
        common = {
            "repository_name": repository,
            "branch_name": self.branch,
            "directory_name": self.directory,
        }
        from pydantic import ValidationError

        try:
            if provider == "AzureDevOps":
                if not organization or not project:
                    raise click.UsageError("Azure DevOps needs --organization and --project.")
                return AzureDevOpsDetails(
                    organization_name=organization, project_name=project, **common
                )
            if not owner:
                raise click.UsageError("GitHub needs --owner (or --repo-url).")
            extra = {"custom_domain_name": domain} if domain else {}
            return GitHubDetails(owner_name=owner, **common, **extra)
        except ValidationError as error:
            raise _usage_error(error) from None


def _usage_error(error: Any) -> click.BadParameter:
    """The first problem a pydantic ``ValidationError`` reports, as a usage error naming the
    option that set the field."""
    problem = error.errors()[0]
    field = str(problem["loc"][0]) if problem.get("loc") else ""
    limit = (problem.get("ctx") or {}).get("max_length")
    text = f"at most {limit} characters, got {len(str(problem.get('input')))}" if limit else ""
    return click.BadParameter(
        text or str(problem.get("msg", "invalid value")).rstrip(".").lower() + ".",
        param_hint=_OPTION_OF_FIELD.get(field, field or "the repository options"),
    )


def provider_options(function: F) -> F:
    """Where in Git: ``--repo-url``, or ``--provider`` with owner/organization/project/repository;
    plus ``--branch`` and ``--directory``."""
    decorators = [
        click.option(
            "--provider",
            type=KebabChoice(PROVIDERS),
            help="Git provider (guessed from --repo-url or --organization).",
        ),
        click.option(
            "--repo-url",
            metavar="URL",
            help="https://github.com/OWNER/REPO or https://dev.azure.com/ORG/PROJECT/_git/REPO.",
        ),
        click.option("--owner", metavar="OWNER", help="GitHub owner (user or organization)."),
        click.option("--organization", metavar="ORG", help="Azure DevOps organization."),
        click.option("--project", metavar="PROJECT", help="Azure DevOps project."),
        click.option("--repository", metavar="REPO", help="Repository name."),
        click.option(
            "--branch", metavar="BRANCH", default="main", show_default=True, help="Branch name."
        ),
        click.option(
            "--directory",
            metavar="PATH",
            default="/",
            show_default=True,
            help="Directory in the repository; {workspace} becomes the workspace's name.",
        ),
        click.option(
            "--custom-domain", metavar="DOMAIN", help="GitHub Enterprise custom domain (*.ghe.com)."
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def provider_args(kwargs: dict[str, Any]) -> ProviderArgs:
    """Pop the provider options out of a command's keyword arguments."""
    return ProviderArgs(
        provider=kwargs.pop("provider"),
        repo_url=kwargs.pop("repo_url"),
        owner=kwargs.pop("owner"),
        organization=kwargs.pop("organization"),
        project=kwargs.pop("project"),
        repository=kwargs.pop("repository"),
        branch=kwargs.pop("branch"),
        directory=kwargs.pop("directory"),
        custom_domain=kwargs.pop("custom_domain"),
    )


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
