"""The values the repository format works with: items as Git integration compares them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PLATFORM_FILE = ".platform"
KNOWN_METADATA_KEYS = ("type", "displayName", "description")
V1_METADATA_FILE = "item.metadata.json"
V1_CONFIG_FILE = "item.config.json"
SYSTEM_FILES = frozenset({PLATFORM_FILE, V1_METADATA_FILE, V1_CONFIG_FILE})
PLATFORM_SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/"
    "platformProperties/2.0.0/schema.json"
)
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
MAX_PATH_LENGTH = 250
"""Longest repo-relative file path Fabric writes; longer paths fail with GitFilePathTooLong."""
MAX_DIRECTORY_NAME_LENGTH = 256
"""A sanitised display name longer than this gives the ``{logicalId}.{Type}`` directory."""
MAX_DISPLAY_NAME_LENGTH = 256
"""Longest item display name Fabric accepts."""
MAX_FILE_BYTES = 25 * 1024 * 1024
"""Largest file Fabric commits (25 MB)."""

# The public item types that take part in Git integration: the intersection of the spec's
# ItemType enum with Fabric's list of supported items and fabric-cicd's item types.
SUPPORTED_TYPES: frozenset[str] = frozenset(
    {
        "AnomalyDetector",
        "ApacheAirflowJob",
        "CopyJob",
        "CosmosDBDatabase",
        "DataAgent",
        "DataBuildToolJob",
        "DataPipeline",
        "Dataflow",
        "Environment",
        "EventSchemaSet",
        "Eventhouse",
        "Eventstream",
        "GraphQLApi",
        "KQLDashboard",
        "KQLDatabase",
        "KQLQueryset",
        "Lakehouse",
        "MLExperiment",
        "MLModel",
        "Map",
        "MirroredAzureDatabricksCatalog",
        "MirroredDatabase",
        "MountedDataFactory",
        "Notebook",
        "Ontology",
        "OrgApp",
        "PaginatedReport",
        "Reflex",
        "Report",
        "SQLDatabase",
        "SemanticModel",
        "SparkJobDefinition",
        "UserDataFunction",
        "VariableLibrary",
        "Warehouse",
    }
)


@dataclass(frozen=True)
class ItemState:
    """One item as Git integration compares it.

    ``extra_metadata`` holds the ``.platform`` ``metadata`` keys other than ``type``,
    ``displayName`` and ``description`` (``sensitivityLabelId``, ``creationPayload``, keys of
    newer schemas), in file order, so an item read from Git is written back with them.
    """

    logical_id: str
    type: str
    display_name: str
    description: str = ""
    folder: tuple[str, ...] = ()
    parts: Mapping[str, bytes] = field(default_factory=dict)
    extra_metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RepoItem:
    """An item found in a repository tree, with its repo-relative directory."""

    state: ItemState
    directory: str


class LayoutError(Exception):
    """The tree cannot be read or written as Fabric would; ``error_code`` is Fabric's code.

    ``details`` are ErrorResponseDetails-shaped dicts (``errorCode``, ``message``), one per
    problem found, ready to be sent as ``moreDetails``.
    """

    def __init__(
        self, error_code: str, message: str, details: Sequence[dict[str, Any]] = ()
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.details: list[dict[str, Any]] = list(details)

    def __repr__(self) -> str:
        return f"LayoutError({self.error_code!r}, {self.message!r})"


def as_text(data: bytes) -> str | None:
    """The content as text when it is UTF-8 without NUL bytes, else None (binary)."""
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def canonical_bytes(data: bytes) -> bytes:
    """The form content is compared and written in: text with LF line endings, binary as is."""
    if b"\r\n" in data and as_text(data) is not None:
        return data.replace(b"\r\n", b"\n")
    return data


def error_detail(code: str, message: str) -> dict[str, Any]:
    """One ErrorResponseDetails-shaped entry of ``LayoutError.details``."""
    return {"errorCode": code, "message": message}
