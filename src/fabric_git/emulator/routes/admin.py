"""Admin endpoints under ``/_emulator`` (the built-in admin's token only).

- ``GET|PUT /_emulator/settings``: LRO mode, duration, Retry-After, page size, and what Connect
  does with a directory the branch lacks (``missingDirectory``: refuse or create).
- ``GET|POST|DELETE /_emulator/faults``, ``DELETE /_emulator/faults/{id}``: fault rules.
- ``POST /_emulator/reset``: empty state (keeps the admin, the secret and the capacity).
- ``GET|POST /_emulator/repos``: hosted Git repositories (``directories``: paths the branch
  starts with, each holding a README).
- ``POST /_emulator/tokens``: a token for a named user or service principal (for the Fabric
  API, or for Azure DevOps with ``audience``).
- ``POST /_emulator/capacities``: another capacity (one is always there).
- ``GET /_emulator/info``: the URLs and ids a client needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.auth import AUDIENCE, AUDIENCES
from fabric_git.emulator.backend import workspaces
from fabric_git.emulator.faults import FaultRule, FaultSpecError
from fabric_git.emulator.gitrepo.repos import HostedRepo, RepoKey, RepositoryExists
from fabric_git.emulator.routes._body import Body, read_body
from fabric_git.emulator.routes._http import (
    absolute_url,
    empty_response,
    emulator_state,
    json_response,
    route,
)
from fabric_git.emulator.routes.capacities import capacity_json
from fabric_git.emulator.state import CAPACITY_REGION, CAPACITY_SKU, Settings
from fabric_git.repoformat.paths import git_path_problem

_PROVIDERS = {"github": "GitHub", "azuredevops": "AzureDevOps", "azure-devops": "AzureDevOps"}


def _settings_json(request: Request) -> dict[str, Any]:
    settings = emulator_state(request).settings
    return {
        "lroMode": settings.lro_mode,
        "lroDuration": settings.lro_duration,
        "retryAfter": settings.retry_after,
        "pageSize": settings.page_size,
        "missingDirectory": settings.missing_directory,
    }


def get_settings(request: Request) -> Response:
    return json_response(_settings_json(request))


def parse_settings(body: Body, current: Settings) -> Settings:
    """The settings after the change ``body`` asks for; fields it omits keep their value."""
    mode = body.raw("lroMode", current.lro_mode)
    if mode != "async" and mode != "sync":
        raise body.invalid("lroMode", "The value must be async or sync")
    missing = body.raw("missingDirectory", current.missing_directory)
    if missing != "refuse" and missing != "create":
        raise body.invalid("missingDirectory", "The value must be refuse or create")
    return Settings(
        lro_mode=mode,
        lro_duration=body.number("lroDuration", current.lro_duration, minimum=0),
        retry_after=int(body.number("retryAfter", current.retry_after, minimum=0)),
        page_size=int(body.number("pageSize", current.page_size, minimum=1)),
        missing_directory=missing,
    )


def put_settings(request: Request) -> Response:
    state = emulator_state(request)
    state.settings = parse_settings(read_body(request), state.settings)
    return json_response(_settings_json(request))


def list_faults(request: Request) -> Response:
    return json_response({"value": emulator_state(request).faults.describe()})


def add_fault(request: Request) -> Response:
    data = read_body(request)
    try:
        rule = FaultRule.from_mapping(data.as_dict())
    except FaultSpecError as exc:
        raise errors.invalid_request(str(exc)) from None
    rule_id = emulator_state(request).faults.add(rule)
    return json_response({"id": rule_id, **rule.to_json()}, 201)


def clear_faults(request: Request) -> Response:
    emulator_state(request).faults.clear()
    return empty_response()


def delete_fault(request: Request) -> Response:
    try:
        rule_id = int(request.path_params["faultId"])
    except ValueError:
        raise errors.entity_not_found() from None
    if not emulator_state(request).faults.remove(rule_id):
        raise errors.entity_not_found()
    return empty_response()


def reset(request: Request) -> Response:
    emulator_state(request).reset()
    return empty_response()


def issue_token(request: Request) -> Response:
    data = read_body(request)
    user = data.text("user", allow_empty=False)
    service_principal = data.text("servicePrincipal", allow_empty=False)
    if (user is None) == (service_principal is None):
        raise errors.invalid_request("Name exactly one of user or servicePrincipal")
    tenant_admin = data.raw("tenantAdmin", False)
    if not isinstance(tenant_admin, bool):
        raise data.invalid("tenantAdmin", "The value must be a boolean")
    audience = data.text("audience", allow_empty=False) or AUDIENCE
    if audience not in AUDIENCES:
        raise data.invalid("audience", f"The value must be one of {', '.join(AUDIENCES)}")
    token = emulator_state(request).token_for(
        user=user,
        service_principal=service_principal,
        tenant_admin=tenant_admin,
        audience=audience,
    )
    return json_response({"token": token})


def create_capacity(request: Request) -> Response:
    body = read_body(request)
    name = body.required_text("displayName", allow_empty=False)
    sku = body.text("sku", allow_empty=False) or CAPACITY_SKU
    region = body.text("region", allow_empty=False) or CAPACITY_REGION
    with emulator_state(request).store.write() as conn:
        record = workspaces.add_capacity(conn, name, sku, region)
    return json_response(capacity_json(record), 201)


def info(request: Request) -> Response:
    state = emulator_state(request)
    return json_response(
        {
            "url": absolute_url(request, "/v1"),
            "gitUrl": absolute_url(request, "/git"),
            "capacityId": state.capacity_id,
        }
    )


# --- hosted repositories ---------------------------------------------------------------------


def repo_json(request: Request, key: RepoKey, repo: HostedRepo | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"provider": key.provider, "repo": key.name}
    if key.provider == "GitHub":
        body["owner"] = key.owner
        body["url"] = f"https://github.com/{key.owner}/{key.name}"
    else:
        body["organization"] = key.owner
        body["project"] = key.project
        body["url"] = f"https://dev.azure.com/{key.owner}/{key.project}/_git/{key.name}"
    body["cloneUrl"] = absolute_url(request, f"/git/{key.url_path}")
    if repo is not None:
        body["branches"] = repo.branches()
        body["requiresPat"] = repo.requires_pat
    return body


def list_repos(request: Request) -> Response:
    repos = emulator_state(request).repos
    return json_response(
        {"value": [repo_json(request, key, repos.get(key)) for key in repos.list()]}
    )


@dataclass(frozen=True)
class NewRepo:
    key: RepoKey
    branch: str
    required_pat: str | None = field(repr=False)
    directories: tuple[str, ...] = ()


def parse_new_repo(body: Body) -> NewRepo:
    provider = _PROVIDERS.get(body.required_text("provider").lower().replace(" ", ""))
    if provider is None:
        raise body.invalid("provider", "The value must be GitHub or AzureDevOps")
    name = body.required_text("repo", allow_empty=False)
    branch = body.text("branch", allow_empty=False) or "main"
    required_pat = body.text("requiredPat", allow_empty=False)
    try:
        if provider == "GitHub":
            key = RepoKey.github(body.required_text("owner", allow_empty=False), name)
        else:
            key = RepoKey.azure_devops(
                body.required_text("organization", allow_empty=False),
                body.required_text("project", allow_empty=False),
                name,
            )
    except ValueError as exc:
        raise errors.invalid_request(str(exc)) from None
    directories = body.raw("directories", [])
    if not isinstance(directories, list) or not all(
        isinstance(d, str)
        and d.strip("/")
        and git_path_problem(d.strip("/") + "/README.md") is None
        for d in directories
    ):
        raise body.invalid("directories", "The value must be a list of directory paths")
    return NewRepo(key, branch, required_pat, tuple(d.strip("/") for d in directories))


_DIRECTORY_README = b"Fabric items of this directory are kept in Git by Fabric Git integration.\n"


def _create_directories(repo: HostedRepo, branch: str, directories: tuple[str, ...]) -> None:
    """Directories the branch starts with (Git keeps no empty directory: each holds a README),
    for a Connect that, as Fabric's API, needs its directory to exist."""
    if directories:
        repo.commit(
            branch,
            expected_tip=repo.branch_tip(branch),
            changes={f"{d}/README.md": _DIRECTORY_README for d in directories},
            message="Create directories",
            author=("Emulator admin", "admin@emulator.local"),
        )


def create_repo(request: Request) -> Response:
    new = parse_new_repo(read_body(request))
    key = new.key
    try:
        repo = emulator_state(request).repos.create(
            key, branch=new.branch, required_pat=new.required_pat
        )
        _create_directories(repo, new.branch, new.directories)
    except RepositoryExists:
        raise errors.EmulatorError(
            409, "RepositoryAlreadyExists", "The repository already exists"
        ) from None
    except ValueError as exc:
        raise errors.invalid_request(str(exc)) from None
    body = repo_json(request, key, repo)
    return json_response(body, 201, headers={"Location": body["cloneUrl"]})


ROUTES = [
    route("/settings", get_settings, "GET", "Emulator_GetSettings"),
    route("/settings", put_settings, "PUT", "Emulator_UpdateSettings"),
    route("/faults", list_faults, "GET", "Emulator_ListFaults"),
    route("/faults", add_fault, "POST", "Emulator_AddFault"),
    route("/faults", clear_faults, "DELETE", "Emulator_ClearFaults"),
    route("/faults/{faultId}", delete_fault, "DELETE", "Emulator_DeleteFault"),
    route("/reset", reset, "POST", "Emulator_Reset"),
    route("/tokens", issue_token, "POST", "Emulator_IssueToken"),
    route("/info", info, "GET", "Emulator_Info"),
    route("/capacities", create_capacity, "POST", "Emulator_CreateCapacity"),
    route("/repos", list_repos, "GET", "Emulator_ListRepos"),
    route("/repos", create_repo, "POST", "Emulator_CreateRepo"),
]
