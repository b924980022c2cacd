"""Connection types (``platform/definitions/connections.json``) used by Git integration: listing
connections and creating the GitHub source-control connection that holds a personal access token.

One module because it holds the definitions the client uses from one spec file,
``connections.json``, each as the spec writes it; its length is theirs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Tag

from fabric_git.models._base import FabricModel, OpenEnum, Secret, discriminator_by
from fabric_git.models.common import PaginatedResponse, Principal

__all__ = [
    "AddConnectionRoleAssignmentRequest",
    "AnonymousCredentials",
    "AnyCreateConnectionRequest",
    "AnyCredentials",
    "BasicCredentials",
    "Connection",
    "ConnectionCreationMetadata",
    "ConnectionCreationMethod",
    "ConnectionCreationParameter",
    "ConnectionDetailsParameter",
    "ConnectionEncryption",
    "ConnectionRecency",
    "ConnectionRole",
    "ConnectionRoleAssignment",
    "ConnectionRoleAssignments",
    "ConnectionStatusError",
    "ConnectionStatusResponse",
    "ConnectivityType",
    "CreateCloudConnectionRequest",
    "CreateConnectionDetails",
    "CreateConnectionRequest",
    "CreateCredentialDetails",
    "CredentialType",
    "Credentials",
    "DataType",
    "KeyCredentials",
    "KeyPairCredentials",
    "KeyVaultSecretReference",
    "ListConnectionDetails",
    "ListConnectionsResponse",
    "ListCredentialDetails",
    "ListSupportedConnectionTypesResponse",
    "PrivacyLevel",
    "ServicePrincipalCredentials",
    "SharedAccessSignatureCredentials",
    "SingleSignOnType",
    "TestConnectionStatus",
    "UpdateConnectionRequest",
    "UpdateConnectionRoleAssignmentRequest",
    "UpdateCredentialDetails",
    "UpdateShareableCloudConnectionRequest",
]


class ConnectivityType(StrEnum):
    SHAREABLE_CLOUD = "ShareableCloud"
    PERSONAL_CLOUD = "PersonalCloud"
    ON_PREMISES_GATEWAY = "OnPremisesGateway"
    ON_PREMISES_GATEWAY_PERSONAL = "OnPremisesGatewayPersonal"
    VIRTUAL_NETWORK_GATEWAY = "VirtualNetworkGateway"
    STREAMING_VIRTUAL_NETWORK_GATEWAY = "StreamingVirtualNetworkGateway"
    AUTOMATIC = "Automatic"
    NONE = "None"


class CredentialType(StrEnum):
    WINDOWS = "Windows"
    ANONYMOUS = "Anonymous"
    BASIC = "Basic"
    KEY = "Key"
    OAUTH2 = "OAuth2"
    WINDOWS_WITHOUT_IMPERSONATION = "WindowsWithoutImpersonation"
    SHARED_ACCESS_SIGNATURE = "SharedAccessSignature"
    SERVICE_PRINCIPAL = "ServicePrincipal"
    WORKSPACE_IDENTITY = "WorkspaceIdentity"
    KEY_PAIR = "KeyPair"


class PrivacyLevel(StrEnum):
    NONE = "None"
    PRIVATE = "Private"
    ORGANIZATIONAL = "Organizational"
    PUBLIC = "Public"


class SingleSignOnType(StrEnum):
    NONE = "None"
    KERBEROS = "Kerberos"
    MICROSOFT_ENTRA_ID = "MicrosoftEntraID"
    SECURITY_ASSERTION_MARKUP_LANGUAGE = "SecurityAssertionMarkupLanguage"
    KERBEROS_DIRECT_QUERY_AND_REFRESH = "KerberosDirectQueryAndRefresh"


class ConnectionEncryption(StrEnum):
    ENCRYPTED = "Encrypted"
    ANY = "Any"
    NOT_ENCRYPTED = "NotEncrypted"


class DataType(StrEnum):
    TEXT = "Text"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DURATION = "Duration"
    DATE = "Date"
    DATE_TIME = "DateTime"
    DATE_TIME_ZONE = "DateTimeZone"
    TIME = "Time"


class ConnectionRole(StrEnum):
    OWNER = "Owner"
    USER = "User"
    USER_WITH_RESHARE = "UserWithReshare"


class TestConnectionStatus(StrEnum):
    ONLINE = "Online"
    OFFLINE = "Offline"


ConnectivityTypeValue = Annotated[ConnectivityType | str, OpenEnum(ConnectivityType)]
CredentialTypeValue = Annotated[CredentialType | str, OpenEnum(CredentialType)]
PrivacyLevelValue = Annotated[PrivacyLevel | str, OpenEnum(PrivacyLevel)]
SingleSignOnTypeValue = Annotated[SingleSignOnType | str, OpenEnum(SingleSignOnType)]
ConnectionEncryptionValue = Annotated[ConnectionEncryption | str, OpenEnum(ConnectionEncryption)]
DataTypeValue = Annotated[DataType | str, OpenEnum(DataType)]
ConnectionRoleValue = Annotated[ConnectionRole | str, OpenEnum(ConnectionRole)]
TestConnectionStatusValue = Annotated[TestConnectionStatus | str, OpenEnum(TestConnectionStatus)]


# --- credentials (create) -----------------------------------------------------------------------


class KeyVaultSecretReference(FabricModel):
    connection_id: str
    secret_name: str
    version: str | None = None


class Credentials(FabricModel):
    """Connection credentials, by ``credentialType``. Unknown types land here; their fields are
    kept for the wire but never shown in a repr, since they may hold secrets."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("credential_type",)

    credential_type: CredentialTypeValue

    def __repr_args__(self) -> Any:
        declared = type(self).model_fields
        return [(name, value) for name, value in super().__repr_args__() if name in declared]


class KeyCredentials(Credentials):
    """A key, such as a GitHub personal access token. ``key`` is a secret."""

    credential_type: CredentialTypeValue = CredentialType.KEY
    key: Secret | None = None
    key_reference: KeyVaultSecretReference | None = None


class BasicCredentials(Credentials):
    credential_type: CredentialTypeValue = CredentialType.BASIC
    username: str
    password: Secret | None = None
    password_reference: KeyVaultSecretReference | None = None


class AnonymousCredentials(Credentials):
    credential_type: CredentialTypeValue = CredentialType.ANONYMOUS


class ServicePrincipalCredentials(Credentials):
    credential_type: CredentialTypeValue = CredentialType.SERVICE_PRINCIPAL
    tenant_id: str
    service_principal_client_id: str
    service_principal_secret: Secret | None = None
    service_principal_secret_reference: KeyVaultSecretReference | None = None


class SharedAccessSignatureCredentials(Credentials):
    credential_type: CredentialTypeValue = CredentialType.SHARED_ACCESS_SIGNATURE
    token: Secret | None = None
    token_reference: KeyVaultSecretReference | None = None


class KeyPairCredentials(Credentials):
    credential_type: CredentialTypeValue = CredentialType.KEY_PAIR
    identifier: str
    private_key: Secret
    passphrase: Secret | None = None


_CREDENTIALS = {
    "Key": KeyCredentials,
    "Basic": BasicCredentials,
    "Anonymous": AnonymousCredentials,
    "ServicePrincipal": ServicePrincipalCredentials,
    "SharedAccessSignature": SharedAccessSignatureCredentials,
    "KeyPair": KeyPairCredentials,
}

AnyCredentials = Annotated[
    Annotated[KeyCredentials, Tag("Key")]
    | Annotated[BasicCredentials, Tag("Basic")]
    | Annotated[AnonymousCredentials, Tag("Anonymous")]
    | Annotated[ServicePrincipalCredentials, Tag("ServicePrincipal")]
    | Annotated[SharedAccessSignatureCredentials, Tag("SharedAccessSignature")]
    | Annotated[KeyPairCredentials, Tag("KeyPair")]
    | Annotated[Credentials, Tag("other")],
    Discriminator(discriminator_by("credential_type", _CREDENTIALS)),
]


class CreateCredentialDetails(FabricModel):
    credentials: AnyCredentials
    single_sign_on_type: SingleSignOnTypeValue | None = None
    connection_encryption: ConnectionEncryptionValue | None = None
    skip_test_connection: bool | None = None


# --- create -------------------------------------------------------------------------------------


class ConnectionDetailsParameter(FabricModel):
    """One creation parameter, for example ``{"dataType": "Text", "name": "url", "value": ...}``."""

    data_type: DataTypeValue
    name: str
    value: Any = None


class CreateConnectionDetails(FabricModel):
    """What to connect to: a connection type, its creation method and parameters."""

    type: str
    creation_method: str
    parameters: list[ConnectionDetailsParameter] | None = None


class CreateConnectionRequest(FabricModel):
    """Body of Create Connection, by ``connectivityType``. Gateway variants land here."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("connectivity_type",)

    connectivity_type: ConnectivityTypeValue
    display_name: str
    connection_details: CreateConnectionDetails
    privacy_level: PrivacyLevelValue | None = None


class CreateCloudConnectionRequest(CreateConnectionRequest):
    """A shareable cloud connection, such as the GitHub source-control connection."""

    connectivity_type: ConnectivityTypeValue = ConnectivityType.SHAREABLE_CLOUD
    credential_details: CreateCredentialDetails
    allow_connection_usage_in_gateway: bool | None = None
    allow_usage_in_user_controlled_code: bool | None = None


_CREATE_REQUESTS = {"ShareableCloud": CreateCloudConnectionRequest}

AnyCreateConnectionRequest = Annotated[
    Annotated[CreateCloudConnectionRequest, Tag("ShareableCloud")]
    | Annotated[CreateConnectionRequest, Tag("other")],
    Discriminator(discriminator_by("connectivity_type", _CREATE_REQUESTS)),
]


# --- update -------------------------------------------------------------------------------------


class UpdateCredentialDetails(FabricModel):
    """New credentials for a connection; every field is optional."""

    credentials: AnyCredentials | None = None
    single_sign_on_type: SingleSignOnTypeValue | None = None
    connection_encryption: ConnectionEncryptionValue | None = None
    skip_test_connection: bool | None = None


class UpdateConnectionRequest(FabricModel):
    """Body of Update Connection (``PATCH /connections/{id}``), by ``connectivityType``, which
    must match the connection's. Fields left out are not changed."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("connectivity_type",)

    connectivity_type: ConnectivityTypeValue
    privacy_level: PrivacyLevelValue | None = None


class UpdateShareableCloudConnectionRequest(UpdateConnectionRequest):
    """Rename a shareable cloud connection or replace its credentials (rotate a PAT)."""

    connectivity_type: ConnectivityTypeValue = ConnectivityType.SHAREABLE_CLOUD
    display_name: str | None = None
    credential_details: UpdateCredentialDetails | None = None
    allow_connection_usage_in_gateway: bool | None = None


# --- read ---------------------------------------------------------------------------------------


class ListConnectionDetails(FabricModel):
    type: str
    path: str | None = None


class ListCredentialDetails(FabricModel):
    credential_type: CredentialTypeValue | None = None
    single_sign_on_type: SingleSignOnTypeValue | None = None
    connection_encryption: ConnectionEncryptionValue | None = None
    skip_test_connection: bool | None = None


class ConnectionRecency(FabricModel):
    created_date_time: str | None = None
    last_bound_date_time: str | None = None
    last_credential_used_date_time: str | None = None
    my_last_bound_date_time: str | None = None
    my_last_credential_used_date_time: str | None = None


class Connection(FabricModel):
    """A connection as the service returns it (credentials are never returned)."""

    id: str
    connectivity_type: ConnectivityTypeValue
    connection_details: ListConnectionDetails
    display_name: str | None = None
    gateway_id: str | None = None
    privacy_level: PrivacyLevelValue | None = None
    credential_details: ListCredentialDetails | None = None
    connection_recency: ConnectionRecency | None = None
    allow_connection_usage_in_gateway: bool | None = None
    allow_usage_in_user_controlled_code: bool | None = None


class ListConnectionsResponse(PaginatedResponse):
    value: list[Connection]


# --- role assignments ---------------------------------------------------------------------------


class ConnectionRoleAssignment(FabricModel):
    """A principal's role on a connection: ``User`` may use it, ``UserWithReshare`` may also
    share it, ``Owner`` may change it."""

    id: str
    principal: Principal
    role: ConnectionRoleValue


class ConnectionRoleAssignments(PaginatedResponse):
    value: list[ConnectionRoleAssignment]


class AddConnectionRoleAssignmentRequest(FabricModel):
    """Body of Add Connection Role Assignment."""

    principal: Principal
    role: ConnectionRoleValue


class UpdateConnectionRoleAssignmentRequest(FabricModel):
    """Body of Update Connection Role Assignment."""

    role: ConnectionRoleValue


# --- test and supported types -------------------------------------------------------------------


class ConnectionStatusError(FabricModel):
    """Why a connection test found the connection offline."""

    error_code: str
    message: str


class ConnectionStatusResponse(FabricModel):
    """Answer of Test Connection: ``Online`` or ``Offline``, with errors when offline."""

    status: TestConnectionStatusValue
    errors: list[ConnectionStatusError] | None = None


class ConnectionCreationParameter(FabricModel):
    name: str
    data_type: DataTypeValue
    required: bool
    allowed_values: list[str] | None = None


class ConnectionCreationMethod(FabricModel):
    name: str
    parameters: list[ConnectionCreationParameter]


class ConnectionCreationMetadata(FabricModel):
    """A connection type the service supports, how it is created and which credentials fit."""

    type: str
    creation_methods: list[ConnectionCreationMethod]
    supported_credential_types: list[CredentialTypeValue]
    supported_connection_encryption_types: list[ConnectionEncryptionValue]
    supports_skip_test_connection: bool
    supported_credential_types_for_usage_in_user_controlled_code: (
        list[CredentialTypeValue] | None
    ) = None


class ListSupportedConnectionTypesResponse(PaginatedResponse):
    value: list[ConnectionCreationMetadata]
