"""What every API group shares: the transport, the poll policy and id helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fabric_git._transport import Transport
from fabric_git.errors import ConfigurationError
from fabric_git.lro import PollPolicy

__all__ = ["ApiGroup", "segment"]


def segment(value: Any, what: str) -> str:
    """A path segment from an id (a string, or a model with an ``id``), percent-encoded."""
    raw = getattr(value, "id", value)
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigurationError(f"A {what} id is required.")
    return quote(raw.strip(), safe="")


class ApiGroup:
    """Base of the API groups; thin: build the request, send it, parse the answer."""

    def __init__(self, transport: Transport, poll: PollPolicy) -> None:
        self._transport = transport
        self._poll = poll

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._transport.base_url!r})"
