"""Admin endpoints under ``/_emulator`` (the built-in admin's token only).

- ``GET|PUT /_emulator/settings``: LRO mode, duration, Retry-After, page size.
- ``GET|POST|DELETE /_emulator/faults``, ``DELETE /_emulator/faults/{id}``: fault rules.
- ``POST /_emulator/reset``: empty state (keeps the admin, the secret and the capacity).
- ``GET|POST /_emulator/repos``: hosted Git repositories.
- ``POST /_emulator/tokens``: a token for a named user or service principal.
- ``GET /_emulator/info``: the URLs and ids a client needs.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.faults import FaultRule, FaultSpecError
from fabric_git.emulator.routes._http import (
    absolute_url,
    empty_response,
    emulator_state,
    json_response,
    optional_str,
    read_json,
    required_str,
)

_PROVIDERS = {"github": "GitHub", "azuredevops": "AzureDevOps", "azure-devops": "AzureDevOps"}


def _settings_json(request: Request) -> dict[str, Any]:
    settings = emulator_state(request).settings
    return {
        "lroMode": settings.lro_mode,
        "lroDuration": settings.lro_duration,
        "retryAfter": settings.retry_after,
        "pageSize": settings.page_size,
    }


def get_settings(request: Request) -> Response:
    return json_response(_settings_json(request))


def put_settings(request: Request) -> Response:
    data = read_json(request)
    settings = emulator_state(request).settings
    mode = data.get("lroMode", settings.lro_mode)
    if mode not in ("async", "sync"):
        raise errors.invalid_input("lroMode", "The value must be async or sync")
    duration = _number(data, "lroDuration", settings.lro_duration, minimum=0)
    retry_after = int(_number(data, "retryAfter", settings.retry_after, minimum=0))
    page_size = int(_number(data, "pageSize", settings.page_size, minimum=1))
    settings.lro_mode = mode
    settings.lro_duration = duration
    settings.retry_after = retry_after
    settings.page_size = page_size
    return json_response(_settings_json(request))


def _number(data: dict[str, Any], field: str, default: float, *, minimum: float) -> float:
    value = data.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise errors.invalid_input(field, f"The value must be a number of at least {minimum}")
    return float(value)


def list_faults(request: Request) -> Response:
    return json_response({"value": emulator_state(request).faults.describe()})


def add_fault(request: Request) -> Response:
    data = read_json(request)
    try:
        rule = FaultRule.from_mapping(data)
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
    data = read_json(request)
    user = optional_str(data, "user", allow_empty=False)
    service_principal = optional_str(data, "servicePrincipal", allow_empty=False)
    if (user is None) == (service_principal is None):
        raise errors.invalid_request("Name exactly one of user or servicePrincipal")
    token = emulator_state(request).token_for(user=user, service_principal=service_principal)
    return json_response({"token": token})


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


def _repos(request: Request) -> Any:
    repos = emulator_state(request).repos
    if repos is None:
        raise _repos_unavailable()
    return repos


def _repos_unavailable() -> errors.EmulatorError:
    return errors.EmulatorError(
        501, "NotImplemented", "Hosted Git repositories are not available in this build"
    )


def repo_json(request: Request, key: Any, repo: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"provider": key.provider, "repo": key.name}
    if key.provider == "GitHub":
        body["owner"] = key.owner
        body["url"] = f"https://github.com/{key.owner}/{key.name}"
    else:
        body["organization"] = key.owner
        body["project"] = key.project
    body["cloneUrl"] = absolute_url(request, f"/git/{key.url_path}")
    if repo is not None:
        body["branches"] = repo.branches()
        body["requiresPat"] = repo.requires_pat
    return body


def list_repos(request: Request) -> Response:
    repos = _repos(request)
    return json_response(
        {"value": [repo_json(request, key, repos.get(key)) for key in repos.list()]}
    )


def create_repo(request: Request) -> Response:
    from fabric_git.emulator.gitrepo.repos import RepoKey, RepositoryExists

    data = read_json(request)
    provider = _PROVIDERS.get(required_str(data, "provider").lower().replace(" ", ""))
    if provider is None:
        raise errors.invalid_input("provider", "The value must be GitHub or AzureDevOps")
    name = required_str(data, "repo", allow_empty=False)
    branch = optional_str(data, "branch", allow_empty=False) or "main"
    required_pat = optional_str(data, "requiredPat", allow_empty=False)
    try:
        if provider == "GitHub":
            key = RepoKey.github(required_str(data, "owner", allow_empty=False), name)
        else:
            key = RepoKey.azure_devops(
                required_str(data, "organization", allow_empty=False),
                required_str(data, "project", allow_empty=False),
                name,
            )
        repo = _repos(request).create(key, branch=branch, required_pat=required_pat)
    except RepositoryExists:
        raise errors.EmulatorError(
            409, "RepositoryAlreadyExists", "The repository already exists"
        ) from None
    except ValueError as exc:
        raise errors.invalid_request(str(exc)) from None
    body = repo_json(request, key, repo)
    return json_response(body, 201, headers={"Location": body["cloneUrl"]})


ROUTES = [
    Route("/settings", get_settings, methods=["GET"], name="Emulator_GetSettings"),
    Route("/settings", put_settings, methods=["PUT"], name="Emulator_UpdateSettings"),
    Route("/faults", list_faults, methods=["GET"], name="Emulator_ListFaults"),
    Route("/faults", add_fault, methods=["POST"], name="Emulator_AddFault"),
    Route("/faults", clear_faults, methods=["DELETE"], name="Emulator_ClearFaults"),
    Route("/faults/{faultId}", delete_fault, methods=["DELETE"], name="Emulator_DeleteFault"),
    Route("/reset", reset, methods=["POST"], name="Emulator_Reset"),
    Route("/tokens", issue_token, methods=["POST"], name="Emulator_IssueToken"),
    Route("/info", info, methods=["GET"], name="Emulator_Info"),
    Route("/repos", list_repos, methods=["GET"], name="Emulator_ListRepos"),
    Route("/repos", create_repo, methods=["POST"], name="Emulator_CreateRepo"),
]
