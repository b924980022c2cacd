"""Bad input is one usage line (exit 2) that names the option or environment variable: never a
validation dump, a raw exception or a silent guess. Nothing here reaches a service."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fabric_git.cli import cli

ENV = {
    "FABRIC_API_URL": "http://127.0.0.1:9/v1",  # nothing listens: no check may need the service
    "FABRIC_TOKEN": "usage-token",
    "FABRIC_GIT_POLL_INTERVAL": None,
    "FABRIC_GIT_WORKSPACE": None,
    "FABRIC_GIT_PAT": None,
    "UNSET_PAT_VARIABLE": None,
}
REPO = ["--repo-url", "https://github.com/contoso/sales"]


@pytest.mark.parametrize(
    ("args", "env", "named", "says"),
    [
        (
            ["connect", "-w", "S", *REPO, "--branch", "b" * 251],
            {},
            "--branch",
            "at most 250 characters, got 251",
        ),
        (
            ["connect", "-w", "S", *REPO, "--directory", "d" * 300],
            {},
            "--directory",
            "at most 256 characters, got 300",
        ),
        (
            ["sync", "-w", "S", *REPO, "--branch", "b" * 251],
            {},
            "--branch",
            "at most 250 characters",
        ),
        (["status", "-w", ""], {}, "--workspace", "not be empty"),
        (["commit", "-w", "   "], {}, "--workspace", "not be empty"),
        (["operation", "show", "not-an-id"], {}, "'ID'", "is not an operation id"),
        (["operation", "wait", "12345"], {}, "'ID'", "is not an operation id"),
        (
            ["connect", "-w", "S", "--repo-url", "https://gitlab.com/contoso/sales"],
            {},
            "--repo-url",
            "the host 'gitlab.com' is neither GitHub",
        ),
        (
            ["connections", "create-github", "--name", "c", "--repo-url", "https://gitlab.com/c/s"],
            {"FABRIC_GIT_PAT": "not-used"},
            "--repo-url",
            "the host 'gitlab.com' is not GitHub",
        ),
        (
            [
                "connections",
                "create-github",
                "--name",
                "c",
                "--repo-url",
                "https://dev.azure.com/o/p/_git/r",
            ],
            {"FABRIC_GIT_PAT": "not-used"},
            "--repo-url",
            "`connections create-azure-devops`",
        ),
        (
            [
                "connections",
                "create-github",
                "--name",
                "c",
                *REPO,
                "--pat-env",
                "UNSET_PAT_VARIABLE",
            ],
            {},
            "--pat-env",
            "UNSET_PAT_VARIABLE is not set",
        ),
        (
            ["connect", "-w", "S", *REPO, "--pat-env", "UNSET_PAT_VARIABLE"],
            {},
            "--pat-env",
            "UNSET_PAT_VARIABLE is not set",
        ),
        (
            ["status", "-w", "S"],
            {"FABRIC_GIT_POLL_INTERVAL": "abc"},
            "FABRIC_GIT_POLL_INTERVAL",
            "",
        ),
        (["status", "-w", "S"], {"FABRIC_GIT_POLL_INTERVAL": "-1"}, "FABRIC_GIT_POLL_INTERVAL", ""),
        (
            ["status", "-w", "S", "--request-timeout", "0"],
            {},
            "--request-timeout",
            "not in the range",
        ),
        (["status", "-w", "S", "--retries", "-1"], {}, "--retries", "not in the range"),
    ],
)
def test_bad_input_is_one_usage_line_naming_the_option(
    args: list[str], env: dict[str, str], named: str, says: str
) -> None:
    result = CliRunner().invoke(cli, args, env={**ENV, **env})
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert named in errors[0] and says in errors[0]
    assert "Traceback" not in result.stderr and "validation error" not in result.stderr
    assert "retrying" not in result.stderr  # decided before any request


def test_repo_url_hosts_other_than_github_ghe_and_azure_devops_are_refused() -> None:
    import click

    from fabric_git.cli.options import ProviderArgs

    def details(url: str) -> object:
        args = ProviderArgs(None, url, None, None, None, None, "main", "/", None)
        return args.details()

    for foreign in ("https://gitlab.com/contoso/repo", "https://github.com.evil.example/a/b"):
        with pytest.raises(click.BadParameter, match="is neither GitHub"):
            details(foreign)
    ghe = details("https://contoso.ghe.com/sales/repo")
    assert getattr(ghe, "custom_domain_name", None) == "contoso.ghe.com"
    ado = details("https://dev.azure.com/contoso/sales/_git/repo")
    assert getattr(ado, "organization_name", None) == "contoso"
    assert getattr(details("https://github.com/contoso/repo"), "owner_name", None) == "contoso"
