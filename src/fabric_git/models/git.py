"""Git integration types (``platform/definitions/gitIntegration.json`` and the Git provider
details of ``common/definitions.json``).

One module because it holds the definitions of one spec file, ``gitIntegration.json`` (with
the provider details it refers to), each as the spec writes it; its length is theirs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag

from fabric_git.models._base import FabricModel, OpenEnum, discriminator_by
from fabric_git.models.common import ItemTypeValue, PaginatedResponse

__all__ = [
    "AnyGitCredentials",
    "AnyGitCredentialsConfigurationResponse",
    "AnyGitProviderDetails",
    "AnyUpdateGitCredentialsRequest",
    "AutomaticGitCredentials",
    "AutomaticGitCredentialsResponse",
    "AzureDevOpsDetails",
    "ChangeType",
    "CommitMode",
    "CommitToGitRequest",
    "ConfiguredConnectionGitCredentials",
    "ConfiguredConnectionGitCredentialsResponse",
    "ConflictResolutionPolicy",
    "ConflictResolutionType",
    "ConflictType",
    "CreateWorkspaceRelationRequest",
    "FileChange",
    "GitAdditionalBranchChangingRoles",
    "GitConnectRequest",
    "GitConnection",
    "GitConnectionSettings",
    "GitConnectionState",
    "GitConnectionType",
    "GitCredentials",
    "GitCredentialsConfigurationResponse",
    "GitCredentialsSource",
    "GitHubDetails",
    "GitProviderDetails",
    "GitProviderType",
    "GitStatusResponse",
    "GitSyncDetails",
    "InitializationStrategy",
    "InitializeGitConnectionRequest",
    "InitializeGitConnectionResponse",
    "ItemChange",
    "ItemIdentifier",
    "ItemIdentifierWithFileSelection",
    "ItemMetadata",
    "ItemOptions",
    "NoneGitCredentialsResponse",
    "RequiredAction",
    "UpdateFromGitRequest",
    "UpdateGitConnectionSettingsRequest",
    "UpdateGitCredentialsRequest",
    "UpdateGitCredentialsToAutomaticRequest",
    "UpdateGitCredentialsToConfiguredConnectionRequest",
    "UpdateGitCredentialsToNoneRequest",
    "UpdateOptions",
    "WorkspaceConflictResolution",
    "WorkspaceRelation",
    "WorkspaceRelationType",
    "WorkspaceRelations",
]


# --- enums (all open) ---------------------------------------------------------------------------


class GitProviderType(StrEnum):
    AZURE_DEVOPS = "AzureDevOps"
    GITHUB = "GitHub"


class GitConnectionState(StrEnum):
    NOT_CONNECTED = "NotConnected"
    CONNECTED = "Connected"
    CONNECTED_AND_INITIALIZED = "ConnectedAndInitialized"


class GitConnectionType(StrEnum):
    FULL = "Full"
    SELECTIVE = "Selective"


class InitializationStrategy(StrEnum):
    NONE = "None"
    PREFER_REMOTE = "PreferRemote"
    PREFER_WORKSPACE = "PreferWorkspace"


class RequiredAction(StrEnum):
    NONE = "None"
    UPDATE_FROM_GIT = "UpdateFromGit"
    COMMIT_TO_GIT = "CommitToGit"


class ConflictResolutionPolicy(StrEnum):
    PREFER_REMOTE = "PreferRemote"
    PREFER_WORKSPACE = "PreferWorkspace"


class ConflictResolutionType(StrEnum):
    WORKSPACE = "Workspace"


class ConflictType(StrEnum):
    NONE = "None"
    CONFLICT = "Conflict"
    SAME_CHANGES = "SameChanges"


class ChangeType(StrEnum):
    ADDED = "Added"
    DELETED = "Deleted"
    MODIFIED = "Modified"


class CommitMode(StrEnum):
    ALL = "All"
    SELECTIVE = "Selective"
    FILE_LEVEL_SELECTIVE = "FileLevelSelective"


class GitCredentialsSource(StrEnum):
    CONFIGURED_CONNECTION = "ConfiguredConnection"
    AUTOMATIC = "Automatic"
    NONE = "None"


class WorkspaceRelationType(StrEnum):
    BASE = "Base"
    BRANCH = "Branch"
    RELATED_WORKSPACE = "RelatedWorkspace"


class GitAdditionalBranchChangingRoles(StrEnum):
    """Who besides Admins may change the connected branch
    (``additionalRolesAuthorizedToChangeBranch``)."""

    NONE = "None"
    MEMBER_AND_CONTRIBUTOR = "MemberAndContributor"


GitProviderTypeValue = Annotated[GitProviderType | str, OpenEnum(GitProviderType)]
GitConnectionStateValue = Annotated[GitConnectionState | str, OpenEnum(GitConnectionState)]
GitConnectionTypeValue = Annotated[GitConnectionType | str, OpenEnum(GitConnectionType)]
InitializationStrategyValue = Annotated[
    InitializationStrategy | str, OpenEnum(InitializationStrategy)
]
RequiredActionValue = Annotated[RequiredAction | str, OpenEnum(RequiredAction)]
ConflictResolutionPolicyValue = Annotated[
    ConflictResolutionPolicy | str, OpenEnum(ConflictResolutionPolicy)
]
ConflictResolutionTypeValue = Annotated[
    ConflictResolutionType | str, OpenEnum(ConflictResolutionType)
]
ConflictTypeValue = Annotated[ConflictType | str, OpenEnum(ConflictType)]
ChangeTypeValue = Annotated[ChangeType | str, OpenEnum(ChangeType)]
CommitModeValue = Annotated[CommitMode | str, OpenEnum(CommitMode)]
GitCredentialsSourceValue = Annotated[GitCredentialsSource | str, OpenEnum(GitCredentialsSource)]
WorkspaceRelationTypeValue = Annotated[WorkspaceRelationType | str, OpenEnum(WorkspaceRelationType)]
BranchChangingRolesValue = Annotated[
    GitAdditionalBranchChangingRoles | str, OpenEnum(GitAdditionalBranchChangingRoles)
]


# --- provider details ---------------------------------------------------------------------------


class GitProviderDetails(FabricModel):
    """Where a workspace is connected: provider, repository, branch and directory.

    Use ``AzureDevOpsDetails`` or ``GitHubDetails``; this base class holds providers this library
    does not know yet."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("git_provider_type",)

    git_provider_type: GitProviderTypeValue
    repository_name: str = Field(max_length=128)
    branch_name: str = Field(max_length=250)
    directory_name: str = Field(max_length=256)


class AzureDevOpsDetails(GitProviderDetails):
    """An Azure DevOps repository (``organizationName``/``projectName``)."""

    git_provider_type: GitProviderTypeValue = GitProviderType.AZURE_DEVOPS
    organization_name: str = Field(max_length=100)
    project_name: str = Field(max_length=100)


class GitHubDetails(GitProviderDetails):
    """A GitHub repository; ``custom_domain_name`` only for GitHub Enterprise on ghe.com."""

    git_provider_type: GitProviderTypeValue = GitProviderType.GITHUB
    owner_name: str = Field(max_length=100)
    custom_domain_name: str | None = Field(default=None, max_length=100)


_PROVIDERS = {"AzureDevOps": AzureDevOpsDetails, "GitHub": GitHubDetails}

AnyGitProviderDetails = Annotated[
    Annotated[AzureDevOpsDetails, Tag("AzureDevOps")]
    | Annotated[GitHubDetails, Tag("GitHub")]
    | Annotated[GitProviderDetails, Tag("other")],
    Discriminator(discriminator_by("git_provider_type", _PROVIDERS)),
]


# --- connection ---------------------------------------------------------------------------------


class GitSyncDetails(FabricModel):
    """The commit the workspace was last synced to, and when."""

    head: str
    last_sync_time: str


class GitConnection(FabricModel):
    """Answer of Get Connection. Provider and sync details are ``None`` when not connected."""

    git_provider_details: AnyGitProviderDetails | None = None
    git_sync_details: GitSyncDetails | None = None
    git_connection_state: GitConnectionStateValue | None = None
    git_connection_type: GitConnectionTypeValue | None = None


# --- credentials (connect, get and update "my Git credentials") ---------------------------------


class GitCredentials(FabricModel):
    """Credentials given when connecting (``myGitCredentials``), by ``source``."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("source",)

    source: GitCredentialsSourceValue


class AutomaticGitCredentials(GitCredentials):
    source: GitCredentialsSourceValue = GitCredentialsSource.AUTOMATIC


class ConfiguredConnectionGitCredentials(GitCredentials):
    """Use a Fabric connection (for example a GitHub personal access token connection)."""

    source: GitCredentialsSourceValue = GitCredentialsSource.CONFIGURED_CONNECTION
    connection_id: str


_CREDENTIALS = {
    "Automatic": AutomaticGitCredentials,
    "ConfiguredConnection": ConfiguredConnectionGitCredentials,
}

AnyGitCredentials = Annotated[
    Annotated[AutomaticGitCredentials, Tag("Automatic")]
    | Annotated[ConfiguredConnectionGitCredentials, Tag("ConfiguredConnection")]
    | Annotated[GitCredentials, Tag("other")],
    Discriminator(discriminator_by("source", _CREDENTIALS)),
]


class GitConnectRequest(FabricModel):
    """Body of Connect."""

    git_provider_details: AnyGitProviderDetails
    my_git_credentials: AnyGitCredentials | None = None


class GitCredentialsConfigurationResponse(FabricModel):
    """Answer of Get/Update My Git Credentials, by ``source``."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("source",)

    source: GitCredentialsSourceValue


class AutomaticGitCredentialsResponse(GitCredentialsConfigurationResponse):
    source: GitCredentialsSourceValue = GitCredentialsSource.AUTOMATIC


class ConfiguredConnectionGitCredentialsResponse(GitCredentialsConfigurationResponse):
    source: GitCredentialsSourceValue = GitCredentialsSource.CONFIGURED_CONNECTION
    connection_id: str


class NoneGitCredentialsResponse(GitCredentialsConfigurationResponse):
    source: GitCredentialsSourceValue = GitCredentialsSource.NONE


_CREDENTIAL_RESPONSES = {
    "Automatic": AutomaticGitCredentialsResponse,
    "ConfiguredConnection": ConfiguredConnectionGitCredentialsResponse,
    "None": NoneGitCredentialsResponse,
}

AnyGitCredentialsConfigurationResponse = Annotated[
    Annotated[AutomaticGitCredentialsResponse, Tag("Automatic")]
    | Annotated[ConfiguredConnectionGitCredentialsResponse, Tag("ConfiguredConnection")]
    | Annotated[NoneGitCredentialsResponse, Tag("None")]
    | Annotated[GitCredentialsConfigurationResponse, Tag("other")],
    Discriminator(discriminator_by("source", _CREDENTIAL_RESPONSES)),
]


class UpdateGitCredentialsRequest(FabricModel):
    """Body of Update My Git Credentials, by ``source``."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("source",)

    source: GitCredentialsSourceValue


class UpdateGitCredentialsToAutomaticRequest(UpdateGitCredentialsRequest):
    source: GitCredentialsSourceValue = GitCredentialsSource.AUTOMATIC


class UpdateGitCredentialsToConfiguredConnectionRequest(UpdateGitCredentialsRequest):
    source: GitCredentialsSourceValue = GitCredentialsSource.CONFIGURED_CONNECTION
    connection_id: str


class UpdateGitCredentialsToNoneRequest(UpdateGitCredentialsRequest):
    source: GitCredentialsSourceValue = GitCredentialsSource.NONE


_CREDENTIAL_UPDATES = {
    "Automatic": UpdateGitCredentialsToAutomaticRequest,
    "ConfiguredConnection": UpdateGitCredentialsToConfiguredConnectionRequest,
    "None": UpdateGitCredentialsToNoneRequest,
}

AnyUpdateGitCredentialsRequest = Annotated[
    Annotated[UpdateGitCredentialsToAutomaticRequest, Tag("Automatic")]
    | Annotated[UpdateGitCredentialsToConfiguredConnectionRequest, Tag("ConfiguredConnection")]
    | Annotated[UpdateGitCredentialsToNoneRequest, Tag("None")]
    | Annotated[UpdateGitCredentialsRequest, Tag("other")],
    Discriminator(discriminator_by("source", _CREDENTIAL_UPDATES)),
]


# --- initialize, status, commit, update ---------------------------------------------------------


class InitializeGitConnectionRequest(FabricModel):
    """Body of Initialize Connection."""

    initialization_strategy: InitializationStrategyValue | None = None


class InitializeGitConnectionResponse(FabricModel):
    """Result of Initialize Connection: what to do next, and the two commit hashes."""

    required_action: RequiredActionValue | None = None
    workspace_head: str | None = None
    remote_commit_hash: str | None = None


class ItemIdentifier(FabricModel):
    """An item by workspace ``object_id``, Git ``logical_id``, or both."""

    object_id: str | None = None
    logical_id: str | None = None


class ItemMetadata(FabricModel):
    item_identifier: ItemIdentifier
    item_type: ItemTypeValue
    display_name: str


class FileChange(FabricModel):
    """One changed file of an item in Get Status with ``includeFilesDetails``. ``path`` is
    relative to the item's folder, with forward slashes."""

    path: str
    conflict_type: ConflictTypeValue
    remote_change: ChangeTypeValue | None = None
    workspace_change: ChangeTypeValue | None = None


class ItemChange(FabricModel):
    """One changed item in Get Status: the change on each side and whether they conflict;
    ``file_changes`` only when the status was asked for with file details."""

    item_metadata: ItemMetadata
    conflict_type: ConflictTypeValue
    remote_change: ChangeTypeValue | None = None
    workspace_change: ChangeTypeValue | None = None
    file_changes: list[FileChange] | None = None


class GitStatusResponse(FabricModel):
    """Result of Get Status."""

    workspace_head: str | None
    remote_commit_hash: str
    changes: list[ItemChange]


class ItemIdentifierWithFileSelection(ItemIdentifier):
    """An item of a ``FileLevelSelective`` commit and the files of it to commit (paths relative
    to the item's folder); ``None`` or empty means every file of the item."""

    selected_files: list[str] | None = None


class CommitToGitRequest(FabricModel):
    """Body of Commit To Git. ``items`` goes with ``Selective``, ``items_with_file_selection``
    with ``FileLevelSelective``; never both."""

    mode: CommitModeValue
    workspace_head: str | None = None
    comment: str | None = Field(default=None, max_length=300)
    items: list[ItemIdentifier] | None = None
    items_with_file_selection: list[ItemIdentifierWithFileSelection] | None = None


class WorkspaceConflictResolution(FabricModel):
    conflict_resolution_type: ConflictResolutionTypeValue = ConflictResolutionType.WORKSPACE
    conflict_resolution_policy: ConflictResolutionPolicyValue

    _always_serialised: ClassVar[tuple[str, ...]] = ("conflict_resolution_type",)


class ItemOptions(FabricModel):
    """Update options for one item, by its logical id; ``options`` holds properties valid for
    the item's type."""

    logical_id: str
    options: dict[str, Any]


class UpdateOptions(FabricModel):
    allow_override_items: bool | None = None
    item_options_by_logical_id: list[ItemOptions] | None = None


class UpdateFromGitRequest(FabricModel):
    """Body of Update From Git."""

    remote_commit_hash: str
    workspace_head: str | None = None
    conflict_resolution: WorkspaceConflictResolution | None = None
    options: UpdateOptions | None = None


# --- connection settings and workspace relations ------------------------------------------------


class GitConnectionSettings(FabricModel):
    """Answer of Get Connection Settings (preview)."""

    additional_roles_authorized_to_change_branch: BranchChangingRolesValue | None = None


class UpdateGitConnectionSettingsRequest(FabricModel):
    """Body of Update Connection Settings (preview)."""

    additional_roles_authorized_to_change_branch: BranchChangingRolesValue | None = None


class WorkspaceRelation(FabricModel):
    """A relation between two workspaces (preview): ``Branch`` from a base workspace to a branch
    workspace, ``Base`` the other way round."""

    id: str
    workspace_id: str
    related_workspace_id: str
    relation_type: WorkspaceRelationTypeValue


class WorkspaceRelations(PaginatedResponse):
    value: list[WorkspaceRelation]


class CreateWorkspaceRelationRequest(FabricModel):
    """Body of Create Workspace Relation; only ``Base`` and ``Branch`` can be created."""

    related_workspace_id: str
    relation_type: WorkspaceRelationTypeValue
