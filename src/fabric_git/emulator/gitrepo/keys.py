"""Which hosted repository: a GitHub ``OWNER/REPO`` or an Azure DevOps
``ORGANIZATION/PROJECT/REPO``, with the names a provider could host and the path each lives at
(the same below the host root and below the smart-HTTP mount)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AZURE_DEVOPS", "GITHUB", "GITHUB_DIR", "AZURE_DEVOPS_DIR", "InvalidRepoKey", "RepoKey"]

GITHUB = "GitHub"
AZURE_DEVOPS = "AzureDevOps"
GITHUB_DIR = "github"
AZURE_DEVOPS_DIR = "azure-devops"
_SEGMENT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 ._-]*")


class InvalidRepoKey(ValueError):
    """A repository name the host cannot hold; ``part`` says which one ("owner",
    "organization", "project" or "repository name")."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def _check_segment(kind: str, value: str, limit: int) -> None:
    if (
        not _SEGMENT_RE.fullmatch(value)
        or value.endswith((" ", "."))
        or len(value) > limit
        or ".." in value
    ):
        raise InvalidRepoKey(
            kind,
            f"invalid {kind} {value!r}: use letters, digits, '_', '-', '.', spaces "
            f"(up to {limit} characters, not ending with '.' or a space)",
        )


@dataclass(frozen=True)
class RepoKey:
    """Which repository: GitHub ``OWNER/REPO`` or Azure DevOps ``ORGANIZATION/PROJECT/REPO``."""

    provider: str
    owner: str
    name: str
    project: str | None = None

    def __post_init__(self) -> None:
        if self.provider == GITHUB:
            if self.project is not None:
                raise ValueError("a GitHub repository has no project")
        elif self.provider == AZURE_DEVOPS:
            if self.project is None:
                raise ValueError("an Azure DevOps repository needs a project")
            _check_segment("project", self.project, 100)
        else:
            raise ValueError(f"unknown Git provider {self.provider!r}")
        _check_segment("owner" if self.provider == GITHUB else "organization", self.owner, 100)
        _check_segment("repository name", self.name, 128)
        if self.name.lower().endswith(".git"):
            raise InvalidRepoKey("repository name", "a repository name cannot end with '.git'")

    @classmethod
    def github(cls, owner: str, repo: str) -> RepoKey:
        return cls(GITHUB, owner, repo)

    @classmethod
    def azure_devops(cls, organization: str, project: str, repo: str) -> RepoKey:
        return cls(AZURE_DEVOPS, organization, repo, project)

    @property
    def url_path(self) -> str:
        """The path below the Git mount, also the path below the host root."""
        if self.provider == GITHUB:
            return f"{GITHUB_DIR}/{self.owner}/{self.name}.git"
        return f"{AZURE_DEVOPS_DIR}/{self.owner}/{self.project}/_git/{self.name}"

    def __str__(self) -> str:
        if self.provider == GITHUB:
            return f"{self.owner}/{self.name}"
        return f"{self.owner}/{self.project}/{self.name}"
