"""The one adapter from JSON request bodies to typed values.

Route modules read a body through :class:`Body` and build frozen request values from it; every
problem raises ``InvalidInput`` whose ``moreDetails`` names the field by its path in the body
(``gitProviderDetails.ownerName``, ``items[2].objectId``), before any rule runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from starlette.requests import Request

from fabric_git.emulator import errors
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.ids import is_guid

__all__ = ["Body", "read_body"]

BODY_KEY = "fabric.body"


def raw_body(request: Request) -> bytes:
    """The request body, read ahead by the request middleware (routes are sync functions)."""
    body = request.scope.get(BODY_KEY, b"")
    return body if isinstance(body, bytes) else b""


def read_body(request: Request, *, optional: bool = False) -> Body:
    """The JSON object in the body; 400 ``InvalidRequest`` when it is malformed or absent."""
    body = raw_body(request)
    if not body.strip():
        if optional:
            return Body({})
        raise errors.invalid_request("The request body is required")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_request("The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise errors.invalid_request("The request body must be a JSON object")
    return Body(data)


class Body:
    """A JSON object in a request body (or an object inside one, at ``path``)."""

    def __init__(self, data: Mapping[str, object], path: str = "") -> None:
        self._data = data
        self.path = path

    def __contains__(self, field: str) -> bool:
        """Whether the field is given (a JSON null counts as absent)."""
        return self._data.get(field) is not None

    def at(self, field: str) -> str:
        return f"{self.path}.{field}" if self.path else field

    def raw(self, field: str, default: object = None) -> object:
        """The field's JSON value as given (``default`` when absent)."""
        return self._data.get(field, default)

    def as_dict(self) -> dict[str, object]:
        return dict(self._data)

    def invalid(self, field: str, message: str) -> EmulatorError:
        return errors.invalid_input(self.at(field), message)

    def text(
        self,
        field: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        allow_empty: bool = True,
    ) -> str | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise self.invalid(field, "The field is required")
            return None
        if not isinstance(value, str):
            raise self.invalid(field, "The value must be a string")
        if not allow_empty and not value.strip():
            raise self.invalid(field, "The value must not be empty")
        if max_length is not None and len(value) > max_length:
            raise self.invalid(field, f"The value must be at most {max_length} characters")
        return value

    def required_text(
        self, field: str, *, max_length: int | None = None, allow_empty: bool = True
    ) -> str:
        value = self.text(field, required=True, max_length=max_length, allow_empty=allow_empty)
        return value or ""

    def guid(self, field: str, *, required: bool = False) -> str | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise self.invalid(field, "The field is required")
            return None
        if not isinstance(value, str) or not is_guid(value):
            raise self.invalid(field, "The value must be a GUID")
        return value.lower()

    def folder_guid(self, field: str) -> str | None:
        """A folder reference: a GUID, or ``""`` (as absent) for the workspace root, as Fabric
        reads ``folderId``/``targetFolderId`` (clients such as fabric-cicd send ``""``)."""
        return None if self._data.get(field) == "" else self.guid(field)

    def choice(
        self,
        field: str,
        allowed: Sequence[str],
        *,
        required: bool = False,
        missing: str = "The field is required",
    ) -> str | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise self.invalid(field, missing)
            return None
        if not isinstance(value, str) or value not in allowed:
            raise self.invalid(field, f"The value must be one of {', '.join(allowed)}")
        return value

    def required_choice(
        self, field: str, allowed: Sequence[str], *, missing: str = "The field is required"
    ) -> str:
        value = self.choice(field, allowed, required=True, missing=missing)
        assert value is not None
        return value

    def number(self, field: str, default: float, *, minimum: int) -> float:
        """A number, ``default`` when the field is absent (a JSON null is not a number)."""
        value = self._data.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.invalid(field, f"The value must be a number of at least {minimum}")
        return float(value)

    def object(
        self, field: str, *, required: bool = False, wrong: str = "The value must be an object"
    ) -> Body | None:
        """The object at ``field``; ``wrong`` is the message when it is not one."""
        value = self._data.get(field)
        if value is None:
            if required:
                raise self.invalid(field, "The field is required")
            return None
        if not isinstance(value, dict):
            raise self.invalid(field, wrong)
        return Body(value, self.at(field))

    def objects(self, field: str) -> list[Body] | None:
        """The array of objects at ``field`` (None when absent)."""
        value = self._data.get(field)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self.invalid(field, "The value must be an array")
        found = []
        for index, entry in enumerate(value):
            where = f"{field}[{index}]"
            if not isinstance(entry, dict):
                raise self.invalid(where, "The value must be an object")
            found.append(Body(entry, self.at(where)))
        return found
