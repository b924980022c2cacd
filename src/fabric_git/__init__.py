"""fabric-git: automate Microsoft Fabric Git integration.

The public library surface is re-exported here; everything else is an implementation detail.
Names load on first use, so ``import fabric_git`` (and the CLI's start-up) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fabric_git._version import __version__

if TYPE_CHECKING:
    from fabric_git import models
    from fabric_git._clock import Clock, SystemClock
    from fabric_git._transport import DEFAULT_BASE_URL, RetryNotice, RetryPolicy
    from fabric_git._version import __version__
    from fabric_git.auth import (
        FABRIC_SCOPE,
        AccessToken,
        StaticTokenCredential,
        TokenCredential,
        credential_from_auth,
        credential_from_env,
    )
    from fabric_git.client import FabricClient
    from fabric_git.errors import (
        ApiError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        DeadlineExceededError,
        ErrorDetail,
        FabricGitError,
        ForbiddenError,
        NotFoundError,
        OperationError,
        OperationFailedError,
        OperationTimeoutError,
        RelatedResource,
        ResolutionError,
        ServerError,
        ThrottledError,
        TransportError,
        UnauthorizedError,
        UnknownOperationStatusError,
    )
    from fabric_git.lro import OperationPoller, PollPolicy, ProgressCallback
    from fabric_git.models import (
        AutomaticGitCredentials,
        AzureDevOpsDetails,
        Capacity,
        CommitMode,
        ConfiguredConnectionGitCredentials,
        ConflictResolutionPolicy,
        Connection,
        GitConnection,
        GitCredentials,
        GitCredentialsConfigurationResponse,
        GitCredentialsSource,
        GitHubDetails,
        GitProviderDetails,
        GitStatusResponse,
        InitializationStrategy,
        InitializeGitConnectionResponse,
        Item,
        ItemChange,
        ItemDefinition,
        ItemDefinitionPart,
        ItemIdentifier,
        ItemType,
        OperationState,
        RequiredAction,
        Workspace,
    )

# Public name -> module that defines it ("models" is the models package itself).
_EXPORTS: dict[str, str] = {
    "AccessToken": "fabric_git.auth",
    "ApiError": "fabric_git.errors",
    "AuthenticationError": "fabric_git.errors",
    "AutomaticGitCredentials": "fabric_git.models",
    "AzureDevOpsDetails": "fabric_git.models",
    "BadRequestError": "fabric_git.errors",
    "Capacity": "fabric_git.models",
    "Clock": "fabric_git._clock",
    "CommitMode": "fabric_git.models",
    "ConfigurationError": "fabric_git.errors",
    "ConfiguredConnectionGitCredentials": "fabric_git.models",
    "ConflictError": "fabric_git.errors",
    "ConflictResolutionPolicy": "fabric_git.models",
    "Connection": "fabric_git.models",
    "DEFAULT_BASE_URL": "fabric_git._transport",
    "DeadlineExceededError": "fabric_git.errors",
    "ErrorDetail": "fabric_git.errors",
    "FABRIC_SCOPE": "fabric_git.auth",
    "FabricClient": "fabric_git.client",
    "FabricGitError": "fabric_git.errors",
    "ForbiddenError": "fabric_git.errors",
    "GitConnection": "fabric_git.models",
    "GitCredentials": "fabric_git.models",
    "GitCredentialsConfigurationResponse": "fabric_git.models",
    "GitCredentialsSource": "fabric_git.models",
    "GitHubDetails": "fabric_git.models",
    "GitProviderDetails": "fabric_git.models",
    "GitStatusResponse": "fabric_git.models",
    "InitializationStrategy": "fabric_git.models",
    "InitializeGitConnectionResponse": "fabric_git.models",
    "Item": "fabric_git.models",
    "ItemChange": "fabric_git.models",
    "ItemDefinition": "fabric_git.models",
    "ItemDefinitionPart": "fabric_git.models",
    "ItemIdentifier": "fabric_git.models",
    "ItemType": "fabric_git.models",
    "NotFoundError": "fabric_git.errors",
    "OperationError": "fabric_git.errors",
    "OperationFailedError": "fabric_git.errors",
    "OperationPoller": "fabric_git.lro",
    "OperationState": "fabric_git.models",
    "OperationTimeoutError": "fabric_git.errors",
    "PollPolicy": "fabric_git.lro",
    "ProgressCallback": "fabric_git.lro",
    "RelatedResource": "fabric_git.errors",
    "RequiredAction": "fabric_git.models",
    "ResolutionError": "fabric_git.errors",
    "RetryNotice": "fabric_git._transport",
    "RetryPolicy": "fabric_git._transport",
    "ServerError": "fabric_git.errors",
    "StaticTokenCredential": "fabric_git.auth",
    "SystemClock": "fabric_git._clock",
    "ThrottledError": "fabric_git.errors",
    "TokenCredential": "fabric_git.auth",
    "TransportError": "fabric_git.errors",
    "UnauthorizedError": "fabric_git.errors",
    "UnknownOperationStatusError": "fabric_git.errors",
    "Workspace": "fabric_git.models",
    "credential_from_auth": "fabric_git.auth",
    "credential_from_env": "fabric_git.auth",
    "models": "fabric_git.models",
}


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'fabric_git' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"fabric_git.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AccessToken",
    "ApiError",
    "AuthenticationError",
    "AutomaticGitCredentials",
    "AzureDevOpsDetails",
    "BadRequestError",
    "Capacity",
    "Clock",
    "CommitMode",
    "ConfigurationError",
    "ConfiguredConnectionGitCredentials",
    "ConflictError",
    "ConflictResolutionPolicy",
    "Connection",
    "DEFAULT_BASE_URL",
    "DeadlineExceededError",
    "ErrorDetail",
    "FABRIC_SCOPE",
    "FabricClient",
    "FabricGitError",
    "ForbiddenError",
    "GitConnection",
    "GitCredentials",
    "GitCredentialsConfigurationResponse",
    "GitCredentialsSource",
    "GitHubDetails",
    "GitProviderDetails",
    "GitStatusResponse",
    "InitializationStrategy",
    "InitializeGitConnectionResponse",
    "Item",
    "ItemChange",
    "ItemDefinition",
    "ItemDefinitionPart",
    "ItemIdentifier",
    "ItemType",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "OperationPoller",
    "OperationState",
    "OperationTimeoutError",
    "PollPolicy",
    "ProgressCallback",
    "RelatedResource",
    "RequiredAction",
    "ResolutionError",
    "RetryNotice",
    "RetryPolicy",
    "ServerError",
    "StaticTokenCredential",
    "SystemClock",
    "ThrottledError",
    "TokenCredential",
    "TransportError",
    "UnauthorizedError",
    "UnknownOperationStatusError",
    "Workspace",
    "__version__",
    "credential_from_auth",
    "credential_from_env",
    "models",
]
