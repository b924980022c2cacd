"""Git integration request bodies read into the typed requests of ``backend/git``, with the
field rules of docs/git-integration-rules.md (file selections, per-item update options)."""

from __future__ import annotations

import json

from fabric_git.emulator import errors
from fabric_git.emulator.backend.git.access import AZURE_DEVOPS, GITHUB
from fabric_git.emulator.backend.git.commit import CommitRequest, FileSelection
from fabric_git.emulator.backend.git.connect import ConnectRequest, ProviderDetails
from fabric_git.emulator.backend.git.records import Credentials
from fabric_git.emulator.backend.git.rules import ConflictPolicy, InitializationStrategy, Selector
from fabric_git.emulator.backend.git.update import ItemOptions, UpdateRequest
from fabric_git.emulator.routes._body import Body

__all__ = [
    "file_path_problem",
    "parse_commit",
    "parse_connect",
    "parse_credentials",
    "parse_file_selection",
    "parse_item_options",
    "parse_strategy",
    "parse_update",
]

_COMMENT_LIMIT = 300
_WILDCARDS = frozenset("*?[]")


def file_path_problem(path: str) -> str | None:
    """Why ``path`` is not a whole file path relative to an item's folder, or None."""
    if not path.strip():
        return "The path must not be empty"
    if "\\" in path:
        return "Use forward slashes in a file path"
    if path.startswith("/"):
        return "A file path is relative to the item's folder: no leading slash"
    if path.endswith("/"):
        return "A directory is not a file: name the files in it"
    if _WILDCARDS & set(path):
        return "Wildcards are not allowed: name each file"
    for segment in path.split("/"):
        if not segment.strip():
            return "A path segment must not be empty or only whitespace"
        if segment[-1] == "." or segment[-1].isspace():
            return "A path segment must not end in a dot or whitespace"
    return None


def _selected_files(entry: Body) -> tuple[str, ...]:
    value = entry.raw("selectedFiles")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise entry.invalid("selectedFiles", "The value must be an array of file paths")
    files: list[str] = []
    for index, path in enumerate(value):
        where = f"selectedFiles[{index}]"
        if not isinstance(path, str):
            raise entry.invalid(where, "The value must be a string")
        problem = file_path_problem(path)
        if problem is not None:
            raise entry.invalid(where, f"{problem} ('{path}')")
        if path not in files:
            files.append(path)
    return tuple(files)


def parse_file_selection(body: Body) -> tuple[FileSelection, ...]:
    """``itemsWithFileSelection``: each entry names an item and, optionally, its files."""
    selections = []
    for entry in body.objects("itemsWithFileSelection") or ():
        object_id, logical_id = entry.guid("objectId"), entry.guid("logicalId")
        if object_id is None and logical_id is None:
            raise errors.invalid_input(entry.path, "objectId or logicalId is required")
        selector = Selector(object_id=object_id, logical_id=logical_id)
        selections.append(FileSelection(selector, _selected_files(entry)))
    return tuple(selections)


def parse_item_options(options: Body) -> tuple[ItemOptions, ...]:
    """``options.itemOptionsByLogicalId``: each entry a logical id and an options object."""
    parsed: list[ItemOptions] = []
    for entry in options.objects("itemOptionsByLogicalId") or ():
        logical_id = entry.guid("logicalId", required=True)
        assert logical_id is not None
        values = entry.object("options", required=True)
        assert values is not None
        if any(known.logical_id == logical_id for known in parsed):
            raise entry.invalid("logicalId", f"The logical id {logical_id} is given twice")
        given = values.as_dict()
        canonical = tuple(
            (name, json.dumps(value, sort_keys=True, ensure_ascii=False))
            for name, value in given.items()
        )
        parsed.append(ItemOptions(logical_id, canonical))
    return tuple(parsed)


# --- bodies ------------------------------------------------------------------------------


def _provider_text(body: Body, field: str, max_length: int, *, required: bool = True) -> str:
    value = body.text(field, required=required, max_length=max_length)
    # A directory may be "" (the root); every other required name must say something.
    if value is not None and required and field != "directoryName" and not value.strip():
        raise body.invalid(field, "The value must not be empty")
    return value or ""


def parse_provider_details(body: Body) -> ProviderDetails:
    details = body.object("gitProviderDetails", required=True, wrong="The field is required")
    assert details is not None
    provider = details.required_choice(
        "gitProviderType",
        (AZURE_DEVOPS, GITHUB),
        missing="The value must be one of AzureDevOps, GitHub",
    )
    directory = _provider_text(details, "directoryName", 256)
    github = provider == GITHUB
    return ProviderDetails(
        provider_type=provider,
        owner_name=_provider_text(details, "ownerName", 100) if github else None,
        organization_name=None if github else _provider_text(details, "organizationName", 100),
        project_name=None if github else _provider_text(details, "projectName", 100),
        custom_domain_name=(details.text("customDomainName", max_length=100) if github else None),
        repository_name=_provider_text(details, "repositoryName", 128),
        branch_name=_provider_text(details, "branchName", 250),
        directory_name=directory,
    )


def parse_credentials(body: Body, *, allow_none: bool) -> Credentials:
    allowed = ("Automatic", "ConfiguredConnection", "None")[: 3 if allow_none else 2]
    source = body.required_choice(
        "source", allowed, missing=f"The value must be one of {', '.join(allowed)}"
    )
    if source != "ConfiguredConnection":
        return Credentials(source)
    if "connectionId" not in body:
        raise body.invalid("connectionId", "The value must be a GUID")
    return Credentials(source, body.guid("connectionId"))


def parse_connect(body: Body) -> ConnectRequest:
    details = parse_provider_details(body)
    credentials = body.object("myGitCredentials")
    if credentials is None:
        return ConnectRequest(details)
    return ConnectRequest(details, parse_credentials(credentials, allow_none=False))


def _head(body: Body) -> str | None:
    """The ``workspaceHead`` the caller gave; "" counts as none given."""
    return body.text("workspaceHead") or None


def _selectors(body: Body, field: str = "items") -> tuple[Selector, ...]:
    selectors = []
    for entry in body.objects(field) or ():
        object_id, logical_id = entry.guid("objectId"), entry.guid("logicalId")
        if object_id is None and logical_id is None:
            raise errors.invalid_input(entry.path, "objectId or logicalId is required")
        selectors.append(Selector(object_id=object_id, logical_id=logical_id))
    return tuple(selectors)


def parse_commit(body: Body) -> CommitRequest:
    modes = ("All", "Selective", "FileLevelSelective")
    mode = body.required_choice(
        "mode", modes, missing="The value must be one of All, Selective, FileLevelSelective"
    )
    comment = body.text("comment", max_length=_COMMENT_LIMIT)
    file_level = mode == "FileLevelSelective"
    if file_level and body.raw("items"):
        raise body.invalid("items", "Use itemsWithFileSelection with mode FileLevelSelective")
    if not file_level and body.raw("itemsWithFileSelection"):
        raise body.invalid(
            "itemsWithFileSelection", "The field is only valid with mode FileLevelSelective"
        )
    return CommitRequest(
        mode=mode,
        workspace_head=_head(body),
        comment=comment or None,
        selected=_selectors(body) if mode == "Selective" else (),
        file_selection=parse_file_selection(body) if file_level else (),
    )


def _policy(body: Body) -> ConflictPolicy | None:
    resolution = body.object("conflictResolution")
    if resolution is None:
        return None
    if resolution.raw("conflictResolutionType") != "Workspace":
        raise resolution.invalid("conflictResolutionType", "The value must be Workspace")
    policies = tuple(ConflictPolicy)
    policy = resolution.required_choice(
        "conflictResolutionPolicy",
        policies,
        missing=f"The value must be one of {', '.join(policies)}",
    )
    return ConflictPolicy(policy)


def parse_update(body: Body) -> UpdateRequest:
    remote = body.raw("remoteCommitHash")
    if not isinstance(remote, str) or not remote:
        raise body.invalid("remoteCommitHash", "The field is required")
    options = body.object("options") or Body({}, body.at("options"))
    allow = options.raw("allowOverrideItems", False)
    if not isinstance(allow, bool):
        raise options.invalid("allowOverrideItems", "The value must be a boolean")
    return UpdateRequest(
        remote_commit_hash=remote,
        workspace_head=_head(body),
        policy=_policy(body),
        allow_override=allow,
        item_options=parse_item_options(options),
    )


def parse_strategy(body: Body) -> InitializationStrategy | None:
    raw = body.choice("initializationStrategy", tuple(InitializationStrategy))
    return InitializationStrategy(raw) if raw is not None else None
