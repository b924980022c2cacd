"""Choice values of the command line, spelled one way: kebab-case (``prefer-remote``).

The Fabric API spells the same values in PascalCase (``PreferRemote``); those spellings are
accepted too, in any case, so a value copied from the API documentation or a JSON document works.
A parsed value is the Fabric spelling, which the workflows send and the JSON documents show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

__all__ = [
    "BRANCH_ROLES",
    "CONFLICT_POLICIES",
    "CONNECTION_ROLES",
    "CREDENTIAL_SOURCES",
    "PRINCIPAL_TYPES",
    "PROVIDERS",
    "RELATION_TYPES",
    "STRATEGIES",
    "WORKSPACE_ROLES",
    "KebabChoice",
]

# Shown spelling -> Fabric spelling.
STRATEGIES = {
    "prefer-remote": "PreferRemote",
    "prefer-workspace": "PreferWorkspace",
    "none": "None",
}
CONFLICT_POLICIES = {"prefer-remote": "PreferRemote", "prefer-workspace": "PreferWorkspace"}
CREDENTIAL_SOURCES = {
    "automatic": "Automatic",
    "configured-connection": "ConfiguredConnection",
    "none": "None",
}
PROVIDERS = {"github": "GitHub", "azure-devops": "AzureDevOps"}
PRINCIPAL_TYPES = {
    "user": "User",
    "group": "Group",
    "service-principal": "ServicePrincipal",
    "service-principal-profile": "ServicePrincipalProfile",
}
WORKSPACE_ROLES = {
    "admin": "Admin",
    "member": "Member",
    "contributor": "Contributor",
    "viewer": "Viewer",
}
CONNECTION_ROLES = {"user": "User", "user-with-reshare": "UserWithReshare", "owner": "Owner"}
RELATION_TYPES = {"branch": "Branch", "base": "Base"}
BRANCH_ROLES = {"none": "None", "member-and-contributor": "MemberAndContributor"}


class KebabChoice(click.Choice[str]):
    """A choice shown in kebab-case that also takes the Fabric spelling, any case; its value is
    the Fabric spelling."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(tuple(values), case_sensitive=False)
        self.fabric_values = dict(values)
        self._lookup = {
            spelling.casefold(): fabric
            for kebab, fabric in values.items()
            for spelling in (kebab, fabric)
        }

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str):
            found = self._lookup.get(value.strip().casefold())
            if found is not None:
                return found
        self.fail(self.get_invalid_choice_message(value, ctx), param, ctx)
