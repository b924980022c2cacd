"""Role assignments of a workspace or a connection: their JSON, their table, and finding one by
the principal it names (``workspaces roles`` and ``connections roles`` share these)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from fabric_git.cli.choices import PRINCIPAL_TYPES, KebabChoice
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.models.common import Principal

__all__ = [
    "Assignment",
    "RoleAssignmentsApi",
    "assignment_json",
    "assignment_option",
    "assignments_view",
    "ensure_role",
    "find_assignment",
    "principal_options",
    "remove_role",
]

F = TypeVar("F", bound=Callable[..., Any])


class Assignment(Protocol):
    """A workspace or connection role assignment (both have these fields)."""

    @property
    def id(self) -> str: ...

    @property
    def principal(self) -> Principal: ...

    @property
    def role(self) -> Any: ...


def assignment_json(assignment: Assignment) -> dict[str, Any]:
    principal = assignment.principal
    return {
        "id": assignment.id,
        "principal": {
            "id": principal.id,
            "type": str(principal.type),
            "displayName": principal.display_name,
        },
        "role": str(assignment.role),
    }


def assignments_view(key: str, owner: dict[str, Any], found: Sequence[Assignment]) -> View:
    """``{key: owner, "roleAssignments": [...]}`` and a table of them."""
    listed = [assignment_json(a) for a in found]
    rows = tuple(
        (
            a["principal"]["displayName"] or "",
            a["principal"]["id"],
            a["principal"]["type"],
            a["role"],
        )
        for a in listed
    )
    return View(
        data={key: owner, "roleAssignments": listed},
        tables=(Table(columns=("Principal", "Id", "Type", "Role"), rows=rows),),
    )


A = TypeVar("A", bound=Assignment)
A_co = TypeVar("A_co", bound=Assignment, covariant=True)


def find_assignment(found: Sequence[A], principal_id: str) -> A | None:
    """The assignment of ``principal_id`` (or whose own id it is), case-insensitive."""
    wanted = principal_id.strip().casefold()
    return next((a for a in found if wanted in {a.id.casefold(), a.principal.id.casefold()}), None)


class RoleAssignmentsApi(Protocol[A_co]):
    """The role-assignment methods of ``client.workspaces`` and ``client.connections``."""

    def list_role_assignments(self, owner_id: str, /) -> Sequence[A_co]: ...

    def add_role_assignment(
        self, owner_id: str, principal_id: str, principal_type: str, role: str, /
    ) -> A_co: ...

    def update_role_assignment(self, owner_id: str, assignment_id: str, role: str, /) -> A_co: ...

    def delete_role_assignment(self, owner_id: str, assignment_id: str, /) -> None: ...


def ensure_role(
    api: RoleAssignmentsApi[A], owner_id: str, principal_id: str, principal_type: str, role: str
) -> tuple[A, bool, str | None]:
    """``principal_id`` with ``role`` on ``owner_id``: (the assignment, whether it changed, the
    role it had). A principal that has the role already is left alone; one with another role is
    updated; one with none is added. Re-runs are no-ops."""
    current = find_assignment(api.list_role_assignments(owner_id), principal_id)
    if current is None:
        return api.add_role_assignment(owner_id, principal_id, principal_type, role), True, None
    if str(current.role) == role:
        return current, False, str(current.role)
    return api.update_role_assignment(owner_id, current.id, role), True, str(current.role)


def remove_role(api: RoleAssignmentsApi[A], owner_id: str, principal_id: str) -> A | None:
    """Remove ``principal_id``'s role on ``owner_id``: the assignment removed, or None when it
    had none (a no-op)."""
    current = find_assignment(api.list_role_assignments(owner_id), principal_id)
    if current is not None:
        api.delete_role_assignment(owner_id, current.id)
    return current


def assignment_option(function: F) -> F:
    """``--principal ID`` naming a role assignment to remove."""
    return click.option(
        "--principal",
        "principal_id",
        required=True,
        metavar="ID",
        help="Object id of the principal (or the role assignment's id).",
    )(function)


def _principal_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from fabric_git.client import is_guid

    if not is_guid(value):
        raise click.BadParameter(
            f"{value!r} is not a principal id: give the object id (a GUID) of the user, group "
            "or service principal (Entra ID: its Object ID)."
        )
    return value.strip()


def principal_options(function: F) -> F:
    """``--principal ID`` and ``--principal-type TYPE``."""
    function = click.option(
        "--principal-type",
        type=KebabChoice(PRINCIPAL_TYPES),
        default="user",
        show_default=True,
        help="What the principal is.",
    )(function)
    return click.option(
        "--principal",
        "principal_id",
        required=True,
        metavar="ID",
        callback=_principal_id,
        help="Object id of the user, group or service principal.",
    )(function)
