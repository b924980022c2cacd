"""``import``: the config file that describes workspaces as they are connected today.

Values every entry shares move into ``defaults``; a value that is each workspace's own name in
the same place (``/Sales Dev``, ``/Sales Test``) becomes one ``{workspace}`` default. Plan on the
written file then has nothing to connect or reconnect.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.errors import ResolutionError
from fabric_git.fleet import DEFAULT_CONCURRENCY
from fabric_git.models.git import AzureDevOpsDetails, GitConnectionState, GitHubDetails
from fabric_git.workflows.connection import WORKSPACE_PLACEHOLDER, connection_state

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitProviderDetails
    from fabric_git.models.workspaces import Workspace

__all__ = ["ImportResult", "import_fleet", "to_yaml"]

# Order of keys in an entry (after ``workspace``) and in ``defaults``.
_KEYS = ("repo-url", "provider", "repository", "branch", "directory", "connection")


@dataclass(frozen=True)
class ImportResult:
    document: dict[str, Any]
    skipped: tuple[tuple[str, str], ...]  # (workspace, why)


def _settings(details: GitProviderDetails, connection: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if isinstance(details, GitHubDetails):
        host = details.custom_domain_name or "github.com"
        values["repo-url"] = f"https://{host}/{details.owner_name}/{details.repository_name}"
    elif isinstance(details, AzureDevOpsDetails):
        values["repo-url"] = (
            f"https://dev.azure.com/{details.organization_name}/{details.project_name}"
            f"/_git/{details.repository_name}"
        )
    else:  # a provider this library does not know: nothing sync could connect to
        raise ValueError(f"unsupported Git provider {details.git_provider_type}")
    values["branch"] = details.branch_name
    values["directory"] = "/" + details.directory_name.strip("/")
    if connection:
        values["connection"] = connection
    return values


def import_fleet(
    client: FabricClient, selectors: Sequence[str] = (), *, concurrency: int = DEFAULT_CONCURRENCY
) -> ImportResult:
    """A config document for the workspaces ``selectors`` name (ids, names or globs; all
    workspaces when empty) that are connected to Git; the others are listed as skipped."""
    from fabric_git.fleet.run import match_workspaces

    listed = client.workspaces.list()
    chosen: list[Workspace] = []
    for selector in selectors or ("*",):
        matches = match_workspaces(listed, selector)
        if not matches and selectors:
            raise ResolutionError(
                f"no workspace matches {selector!r}",
                kind="workspace",
                name=selector,
                candidates=[w.display_name for w in listed],
                code="NotFound",
            )
        chosen.extend(w for w in matches if w not in chosen)
    connections = {c.id: c.display_name for c in client.connections.list()}
    names = [n for n in connections.values() if n]

    def read(workspace: Workspace) -> dict[str, Any] | str:
        current = client.git.get_connection(workspace.id)
        details = current.git_provider_details
        if connection_state(current) == GitConnectionState.NOT_CONNECTED or details is None:
            return "not connected to Git"
        if not isinstance(details, GitHubDetails | AzureDevOpsDetails):
            return f"connected to {details.git_provider_type}, which fabric-git cannot connect"
        mine = client.git.get_my_git_credentials(workspace.id)
        connection_id = getattr(mine, "connection_id", None)
        connection = None
        if connection_id:
            name = connections.get(connection_id)
            # The name reads better; the id when the name is missing or not unique.
            connection = name if name and names.count(name) == 1 else connection_id
        return _settings(details, connection)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(chosen)))) as pool:
        read_all = list(pool.map(read, chosen))
    entries: list[tuple[str, dict[str, Any]]] = []
    skipped: list[tuple[str, str]] = []
    for workspace, found in zip(chosen, read_all, strict=True):
        if isinstance(found, str):
            skipped.append((workspace.display_name, found))
        else:
            entries.append((workspace.display_name, found))
    return ImportResult(_document(entries), tuple(skipped))


def _document(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    if len(entries) > 1:
        for key in _KEYS:
            shared = _shared(key, entries)
            if shared is not None:
                defaults[key] = shared
    workspaces = []
    for name, values in entries:
        entry: dict[str, Any] = {"workspace": name}
        for key in _KEYS:
            if key in values and key not in defaults:
                entry[key] = values[key]
        workspaces.append(entry)
    document: dict[str, Any] = {}
    if defaults:
        document["defaults"] = defaults
    document["workspaces"] = workspaces
    return document


def _shared(key: str, entries: list[tuple[str, dict[str, Any]]]) -> Any:
    """The value of ``key`` every entry has, as is or with its own name as ``{workspace}``."""
    if any(key not in values for _, values in entries):
        return None
    values = [v[key] for _, v in entries]
    if all(v == values[0] for v in values):
        return values[0]
    name, first = entries[0][0], values[0]
    if not isinstance(first, str) or name not in first:
        return None
    template = first.replace(name, WORKSPACE_PLACEHOLDER)
    if all(template.replace(WORKSPACE_PLACEHOLDER, n) == v[key] for n, v in entries):
        return template
    return None


_HEADER = """\
# Workspaces and where each is connected in Git. `fabric-git plan` shows what
# `fabric-git apply` would change; `fabric-git config schema` prints the file's JSON Schema.
# Secrets never go here: a GitHub PAT comes from $FABRIC_GIT_PAT (or pat-env) or --pat-stdin.
"""


# What YAML prints raw in a scalar that a CI log would run or a terminal show other than it is:
# the first "#" of a CI command marker ("##vso[", "##["), and format characters (bidirectional
# overrides and isolates, ...). In a double-quoted scalar each becomes an escape.
_MARKER = re.compile(r"#(?=#(?:vso)?\[)", re.IGNORECASE)
_NO_FOLDING = 1 << 30


def _hostile(value: str) -> bool:
    return bool(_MARKER.search(value)) or any(unicodedata.category(c) == "Cf" for c in value)


def _escape_hostile(text: str) -> str:
    text = _MARKER.sub(r"\\x23", text)
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in text)


def to_yaml(document: dict[str, Any]) -> str:
    """The file's text. Names come from the service and the text often goes to a CI log, so no
    value is folded onto a line of its own (where ``::`` would start a workflow command), and a
    value holding a marker or a format character is double-quoted with that character escaped:
    the same config once read, nothing a CI or a terminal would act on."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if _hostile(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent)
    body = yaml.dump(
        document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=_NO_FOLDING
    )
    return _HEADER + _escape_hostile(body)
