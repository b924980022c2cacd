"""HTTP helpers shared by every route module: the route factory, JSON out, path and query
parameters, pagination. Bodies are read in ``_body``."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.ids import is_guid

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

REQUEST_ID_KEY = "fabric.request_id"
T = TypeVar("T")
Handler = Callable[[Request], Response]


def route(path: str, handler: Handler, method: str | list[str], name: str) -> Route:
    """A route named after its spec operationId, whose handler (a sync function) runs on a
    worker thread under the emulator's own thread limiter (``EmulatorState.limiter``)."""

    async def endpoint(request: Request) -> Response:
        limiter = emulator_state(request).limiter
        return await anyio.to_thread.run_sync(handler, request, limiter=limiter)

    methods = [method] if isinstance(method, str) else method
    return Route(path, endpoint, methods=methods, name=name)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(
        body, status_code=status, headers=headers, media_type="application/json; charset=utf-8"
    )


def empty_response(status: int = 200) -> Response:
    return Response(status_code=status)


def request_id_of(request: Request) -> str | None:
    """The id the request middleware gave this request (``x-ms-request-id``)."""
    request_id = request.scope.get(REQUEST_ID_KEY)
    return request_id if isinstance(request_id, str) else None


def emulator_state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


def route_name(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    return name if isinstance(name, str) else ""


def public_url(request: Request) -> URL:
    """The URL the client called: behind a proxy that sets both ``X-Forwarded-Proto`` and
    ``X-Forwarded-Host``, on their scheme and host; with one alone (half a proxy's answer),
    or neither, on the request's own."""
    url = request.url
    proto = _first(request.headers.get("x-forwarded-proto"))
    host = _first(request.headers.get("x-forwarded-host"))
    if proto and host:
        url = url.replace(scheme=proto, netloc=host)
    return url


def _first(value: str | None) -> str | None:
    # A chain of proxies appends: the first value is the one the client used.
    return value.split(",", 1)[0].strip() or None if value else None


def absolute_url(request: Request, path: str) -> str:
    """``path`` on the scheme, host and port the client called."""
    return str(public_url(request).replace(path=path, query=None, fragment=None))


def operation_url(request: Request, operation_id: str) -> str:
    return absolute_url(request, f"/v1/operations/{operation_id}")


# --- parameters ------------------------------------------------------------------------------


def query_bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise errors.invalid_input(name, "The value must be true or false")


def query_guid(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not is_guid(value):
        raise errors.invalid_input(name, "The value must be a GUID")
    return value.lower()


def path_guid(request: Request, name: str, not_found: Any) -> str:
    """A GUID path parameter; anything else cannot name a resource, so it is not found."""
    value = str(request.path_params[name])
    if not is_guid(value):
        raise not_found()
    return value.lower()


# --- pagination ------------------------------------------------------------------------------


def paginate(request: Request, rows: Sequence[T]) -> tuple[Sequence[T], dict[str, str]]:
    """One page of ``rows`` and the ``continuationToken``/``continuationUri`` when more remain."""
    page_size = emulator_state(request).settings.page_size
    token = request.query_params.get("continuationToken")
    offset = 0
    if token:
        offset = _decode_token(token)
        if offset > len(rows):
            raise errors.invalid_continuation_token()
    page = rows[offset : offset + page_size]
    links: dict[str, str] = {}
    following = offset + page_size
    if following < len(rows):
        next_token = base64.urlsafe_b64encode(f"offset:{following}".encode()).decode().rstrip("=")
        links["continuationToken"] = next_token
        params = dict(request.query_params)
        params["continuationToken"] = next_token
        links["continuationUri"] = str(public_url(request).replace_query_params(**params))
    return page, links


def page_response(request: Request, values: Sequence[dict[str, Any]]) -> Response:
    page, links = paginate(request, values)
    return json_response({"value": list(page), **links})


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_continuation_token() from None
    if prefix != "offset" or offset < 0:
        raise errors.invalid_continuation_token()
    return offset
