"""Lists across pages: the ``value`` arrays of a list's pages, one after another."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from fabric_git.errors import TransportError

if TYPE_CHECKING:
    from fabric_git._transport import Transport

__all__ = ["MAX_PAGES", "paginate"]

# A list longer than this many pages is a service that never stops answering "more".
MAX_PAGES: Final = 1000


def paginate(
    transport: Transport, path: str, params: Mapping[str, str] | None = None
) -> Iterator[Any]:
    """Every element of ``value`` across all pages. Follows ``continuationUri`` when it points
    into this API, else passes ``continuationToken`` as a query parameter on ``path``."""
    base_params = dict(params or {})
    target: str = path
    page_params: dict[str, str] | None = base_params
    seen: set[str] = set()
    for _page in range(MAX_PAGES):
        body = transport.request_json("GET", target, params=page_params)
        if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
            raise TransportError(
                f"GET {path} did not answer a list page (no 'value' array).",
                method="GET",
                url=path,
            )
        yield from body["value"]
        token = body.get("continuationToken")
        uri = body.get("continuationUri")
        marker = str(uri or token or "")
        if not marker:
            return
        if marker in seen:
            raise TransportError(
                f"GET {path} returned the same continuation twice; stopping to avoid a loop.",
                method="GET",
                url=path,
            )
        seen.add(marker)
        if isinstance(uri, str) and uri and transport.same_api(uri):
            target, page_params = uri, None
        elif isinstance(token, str) and token:
            target, page_params = path, {**base_params, "continuationToken": token}
        else:
            raise TransportError(
                f"GET {path} returned a continuation outside the API ({uri!r}).",
                method="GET",
                url=path,
            )
    raise TransportError(
        f"GET {path} still had more after {MAX_PAGES} pages; stopping (a list that long is "
        "a service that never ends its continuation).",
        method="GET",
        url=path,
    )
