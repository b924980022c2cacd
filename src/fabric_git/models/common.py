"""Types shared by every API group (``common/definitions.json``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fabric_git.models._base import FabricModel, OpenEnum

__all__ = [
    "AppliedTag",
    "ErrorRelatedResource",
    "ErrorResponse",
    "ErrorResponseDetails",
    "ItemType",
    "ItemTypeValue",
    "PaginatedResponse",
    "Principal",
    "PrincipalType",
    "PrincipalTypeValue",
]


class ItemType(StrEnum):
    """Fabric item types (``ItemType``). Open: unknown types are kept as strings."""

    DASHBOARD = "Dashboard"
    REPORT = "Report"
    SEMANTIC_MODEL = "SemanticModel"
    PAGINATED_REPORT = "PaginatedReport"
    DATAMART = "Datamart"
    LAKEHOUSE = "Lakehouse"
    EVENTHOUSE = "Eventhouse"
    ENVIRONMENT = "Environment"
    KQL_DATABASE = "KQLDatabase"
    KQL_QUERYSET = "KQLQueryset"
    KQL_DASHBOARD = "KQLDashboard"
    DATA_PIPELINE = "DataPipeline"
    NOTEBOOK = "Notebook"
    SPARK_JOB_DEFINITION = "SparkJobDefinition"
    ML_EXPERIMENT = "MLExperiment"
    ML_MODEL = "MLModel"
    WAREHOUSE = "Warehouse"
    EVENTSTREAM = "Eventstream"
    SQL_ENDPOINT = "SQLEndpoint"
    MIRRORED_WAREHOUSE = "MirroredWarehouse"
    MIRRORED_DATABASE = "MirroredDatabase"
    REFLEX = "Reflex"
    GRAPHQL_API = "GraphQLApi"
    MOUNTED_DATA_FACTORY = "MountedDataFactory"
    SQL_DATABASE = "SQLDatabase"
    COPY_JOB = "CopyJob"
    VARIABLE_LIBRARY = "VariableLibrary"
    DATAFLOW = "Dataflow"
    APACHE_AIRFLOW_JOB = "ApacheAirflowJob"
    WAREHOUSE_SNAPSHOT = "WarehouseSnapshot"
    DIGITAL_TWIN_BUILDER = "DigitalTwinBuilder"
    DIGITAL_TWIN_BUILDER_FLOW = "DigitalTwinBuilderFlow"
    MIRRORED_AZURE_DATABRICKS_CATALOG = "MirroredAzureDatabricksCatalog"
    MAP = "Map"
    ANOMALY_DETECTOR = "AnomalyDetector"
    USER_DATA_FUNCTION = "UserDataFunction"
    GRAPH_MODEL = "GraphModel"
    GRAPH_QUERY_SET = "GraphQuerySet"
    SNOWFLAKE_DATABASE = "SnowflakeDatabase"
    OPERATIONS_AGENT = "OperationsAgent"
    COSMOS_DB_DATABASE = "CosmosDBDatabase"
    ONTOLOGY = "Ontology"
    EVENT_SCHEMA_SET = "EventSchemaSet"
    DATA_AGENT = "DataAgent"
    MIRRORED_CATALOG = "MirroredCatalog"
    APP_BACKEND = "AppBackend"
    ORG_APP = "OrgApp"
    ORG_APP_AUDIENCE = "OrgAppAudience"
    DATA_BUILD_TOOL_JOB = "DataBuildToolJob"
    AZURE_DATABRICKS_STORAGE = "AzureDatabricksStorage"
    PLAN = "Plan"


ItemTypeValue = Annotated[ItemType | str, OpenEnum(ItemType)]


class PrincipalType(StrEnum):
    USER = "User"
    SERVICE_PRINCIPAL = "ServicePrincipal"
    GROUP = "Group"
    SERVICE_PRINCIPAL_PROFILE = "ServicePrincipalProfile"


PrincipalTypeValue = Annotated[PrincipalType | str, OpenEnum(PrincipalType)]


class ErrorRelatedResource(FabricModel):
    """The resource an error is about."""

    resource_id: str | None = None
    resource_type: str | None = None


class ErrorResponseDetails(FabricModel):
    """One entry of ``ErrorResponse.moreDetails``."""

    error_code: str
    message: str
    related_resource: ErrorRelatedResource | None = None


class ErrorResponse(FabricModel):
    """The body of every error answer, and ``OperationState.error``."""

    error_code: str
    message: str
    request_id: str | None = None
    more_details: list[ErrorResponseDetails] | None = None
    related_resource: ErrorRelatedResource | None = None
    is_retriable: bool | None = None


class PaginatedResponse(FabricModel):
    """Fields present on every list answer that may continue on another page."""

    continuation_token: str | None = None
    continuation_uri: str | None = None


class Principal(FabricModel):
    """A user, service principal or group (type-specific details are kept as extra fields)."""

    id: str
    type: PrincipalTypeValue
    display_name: str | None = None


class AppliedTag(FabricModel):
    """A tag applied to a workspace or an item."""

    id: str
    display_name: str
