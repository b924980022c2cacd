"""Options several commands share: the workspace and where in Git. The Git credential options
and the PAT live in ``git_credentials``; the commands take them from here too."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fabric_git.cli.choices import PROVIDERS, KebabChoice
from fabric_git.cli.constants import WORKSPACE_META, EnvVars
from fabric_git.cli.git_credentials import (
    CredentialChoice,
    credential_options,
    credentials_from_options,
    ensure_pat_connection,
    noting_connection,
    read_pat,
    resolve_credentials,
)

if TYPE_CHECKING:
    from fabric_git.models.git import GitProviderDetails

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
