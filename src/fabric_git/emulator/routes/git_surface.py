"""Routes of the newer Git surface: connection settings, workspace relations, the Git outbound
policy, Update Item Logical Id, and the admin API's Discover Git Connections."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend.git import discovery, logical_id, outbound, relations, settings
from fabric_git.emulator.backend.git.relations import Relation
from fabric_git.emulator.routes._body import read_body
from fabric_git.emulator.routes._http import (
    empty_response,
    emulator_state,
    json_response,
    page_response,
    path_guid,
    principal_of,
    route,
)
from fabric_git.emulator.routes.git import provider_details_json

__all__ = ["ROUTES"]

_GIT = "/workspaces/{workspaceId}/git"
_OUTBOUND = "/workspaces/{workspaceId}/networking/communicationPolicy/outbound/git"
_DEFAULT_ACTIONS = ("Allow", "Deny")


def _workspace(request: Request) -> str:
    return path_guid(request, "workspaceId", errors.workspace_not_found)


# --- connection settings ------------------------------------------------------------------


def _settings_json(found: settings.ConnectionSettings) -> dict[str, Any]:
    return {
        "additionalRolesAuthorizedToChangeBranch": (
            found.additional_roles_authorized_to_change_branch
        )
    }


def get_connection_settings(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    return json_response(
        _settings_json(settings.get_settings(state, principal, _workspace(request)))
    )


def update_connection_settings(request: Request) -> Response:
    workspace_id = _workspace(request)
    body = read_body(request)
    roles = body.choice("additionalRolesAuthorizedToChangeBranch", settings.BRANCH_CHANGERS)
    state, principal = emulator_state(request), principal_of(request)
    return json_response(
        _settings_json(settings.update_settings(state, principal, workspace_id, roles))
    )


# --- workspace relations ------------------------------------------------------------------


def relation_json(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.id,
        "workspaceId": relation.workspace_id,
        "relatedWorkspaceId": relation.related_workspace_id,
        "relationType": relation.relation_type,
    }


def list_workspace_relations(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    found = relations.list_relations(state, principal, _workspace(request))
    return page_response(request, [relation_json(r) for r in found])


def create_workspace_relation(request: Request) -> Response:
    workspace_id = _workspace(request)
    body = read_body(request)
    related = body.guid("relatedWorkspaceId", required=True)
    kind = body.required_choice(
        "relationType",
        (relations.BASE, relations.BRANCH),
        missing="The value must be one of Base, Branch",
    )
    assert related is not None
    state, principal = emulator_state(request), principal_of(request)
    created = relations.create_relation(state, principal, workspace_id, related, kind)
    return json_response(relation_json(created), status=201)


def delete_workspace_relation(request: Request) -> Response:
    workspace_id = _workspace(request)
    relation_id = path_guid(request, "workspaceRelationId", _relation_not_found)
    state, principal = emulator_state(request), principal_of(request)
    relations.delete_relation(state, principal, workspace_id, relation_id)
    return empty_response()


def _relation_not_found() -> errors.EmulatorError:
    return errors.EmulatorError(
        404, "WorkspaceRelationNotFound", "The workspace relation was not found"
    )


# --- Git outbound policy ------------------------------------------------------------------


def get_git_outbound_policy(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    policy = outbound.get_policy(state, principal, _workspace(request))
    return json_response({"defaultAction": policy.default_action}, headers={"ETag": policy.etag})


def set_git_outbound_policy(request: Request) -> Response:
    workspace_id = _workspace(request)
    body = read_body(request)
    action = body.choice("defaultAction", _DEFAULT_ACTIONS)
    state, principal = emulator_state(request), principal_of(request)
    policy = outbound.set_policy(
        state, principal, workspace_id, action, request.headers.get("if-match")
    )
    response = empty_response()
    response.headers["ETag"] = policy.etag
    return response


# --- items: logical id --------------------------------------------------------------------


def update_item_logical_id(request: Request) -> Response:
    workspace_id = _workspace(request)
    item_id = path_guid(request, "itemId", errors.item_not_found)
    body = read_body(request)
    new_id = body.guid("logicalId", required=True)
    assert new_id is not None
    state, principal = emulator_state(request), principal_of(request)
    done = logical_id.update_logical_id(state, principal, workspace_id, item_id, new_id)
    return json_response({"logicalId": done})


# --- admin --------------------------------------------------------------------------------


def discover_git_connections(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    found = discovery.discover_git_connections(state, principal)
    return page_response(
        request,
        [
            {
                "workspaceId": record.workspace_id,
                "gitProviderDetails": provider_details_json(record),
            }
            for record in found
        ],
    )


ROUTES = [
    route(
        f"{_GIT}/connectionSettings",
        get_connection_settings,
        "GET",
        "Git_GetConnectionSettings",
    ),
    route(
        f"{_GIT}/connectionSettings",
        update_connection_settings,
        "PATCH",
        "Git_UpdateConnectionSettings",
    ),
    route(
        f"{_GIT}/workspaceRelations",
        list_workspace_relations,
        "GET",
        "Git_ListWorkspaceRelations",
    ),
    route(
        f"{_GIT}/workspaceRelations",
        create_workspace_relation,
        "POST",
        "Git_CreateWorkspaceRelation",
    ),
    route(
        f"{_GIT}/workspaceRelations/{{workspaceRelationId}}",
        delete_workspace_relation,
        "DELETE",
        "Git_DeleteWorkspaceRelation",
    ),
    route(_OUTBOUND, get_git_outbound_policy, "GET", "Workspaces_GetGitOutboundPolicy"),
    route(_OUTBOUND, set_git_outbound_policy, "PUT", "Workspaces_SetGitOutboundPolicy"),
    route(
        "/workspaces/{workspaceId}/items/{itemId}/logicalId",
        update_item_logical_id,
        "PATCH",
        "Items_UpdateItemLogicalId",
    ),
    route(
        "/admin/workspaces/discoverGitConnections",
        discover_git_connections,
        "GET",
        "Workspaces_ListGitConnections",
    ),
]
