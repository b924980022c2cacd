"""``FabricClient``: every API fabric-git needs, from one object."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

from fabric_git._clock import Clock
from fabric_git._transport import RetryNotice, RetryPolicy, Transport
from fabric_git.auth import (
    AccessTokenLike,
    StaticTokenCredential,
    TokenCredential,
    credential_from_env,
)
from fabric_git.errors import ResolutionError
from fabric_git.lro import PollPolicy, ProgressCallback

if TYPE_CHECKING:
    import httpx

    from fabric_git.api.admin import AdminApi
    from fabric_git.api.connections import ConnectionsApi
    from fabric_git.api.folders import FoldersApi
    from fabric_git.api.git import GitApi
    from fabric_git.api.items import ItemsApi
    from fabric_git.api.operations import OperationsApi
    from fabric_git.api.workspaces import CapacitiesApi, WorkspacesApi
    from fabric_git.models.connections import Connection
    from fabric_git.models.operations import OperationState
    from fabric_git.models.workspaces import Workspace

__all__ = ["FabricClient"]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MAX_LISTED: Final = 20

R = TypeVar("R")


class _LazyCredential:
    """``FABRIC_TOKEN`` or the default azure-identity chain, chosen at the first request, so
    building a client needs neither."""

    def __init__(self, auth: str) -> None:
        self._auth = auth
        self._credential: TokenCredential | None = None

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike:
        if self._credential is None:
            self._credential = credential_from_env(self._auth)
        return self._credential.get_token(*scopes, **kwargs)

    def __repr__(self) -> str:
        return f"_LazyCredential(auth={self._auth!r})"


def is_guid(text: str) -> bool:
    """Whether ``text`` is a GUID (taken as an id rather than a display name)."""
    return bool(_GUID.match(text.strip()))


class FabricClient:
    """A client for the Microsoft Fabric REST API, limited to what Git automation needs.

    **Parameters:**

    - ``base_url``: API root; default ``FABRIC_API_URL`` or ``https://api.fabric.microsoft.com/v1``.
      Plain ``http://`` is accepted only for loopback hosts.
    - ``credential``: a ``TokenCredential`` (any azure-identity credential fits) or a bearer token
      string. ``None``: ``FABRIC_TOKEN`` if set, else ``DefaultAzureCredential``.
    - ``transport``: an ``httpx`` transport (``httpx.MockTransport`` in tests, an in-process
      transport for the emulator). ``None`` uses the network.
    - ``timeout``: seconds for each HTTP request attempt, from connecting to the last byte of the
      answer (a server that stalls or trickles bytes is cut off then).
    - ``retry``, ``poll``: ``RetryPolicy`` and ``PollPolicy``.
    - ``clock``: where time and sleeping come from (tests inject a fake one).
    - ``deadline``: seconds from now after which no request starts, a running one is cut
      (``DeadlineExceededError``) and waits end (``OperationTimeoutError``); None: no overall
      limit. ``set_deadline`` moves it.
    - ``on_retry``: called with a ``RetryNotice`` before each retry wait (a network failure,
      throttling, a busy workspace); the library itself never prints.

    API groups: ``git``, ``connections``, ``workspaces``, ``capacities``, ``items``,
    ``operations``. Use as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        credential: TokenCredential | str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        clock: Clock | None = None,
        deadline: float | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        resolved: TokenCredential
        if isinstance(credential, str):
            resolved = StaticTokenCredential(credential)
        elif credential is None:
            resolved = _LazyCredential("default")
        else:
            resolved = credential
        self._credential = resolved
        self._transport = Transport(
            credential=resolved,
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            retry=retry or RetryPolicy(),
            clock=clock,
            deadline=deadline,
            on_retry=on_retry,
        )
        self.poll = poll or PollPolicy()

    # --- API groups: each is built, and its module imported, on first use -----------------------

    @cached_property
    def git(self) -> GitApi:
        """Git integration: connect, initialize, status (per file too), commit (all, items or
        files), update, credentials, connection settings, workspace relations."""
        from fabric_git.api.git import GitApi

        return GitApi(self._transport, self.poll)

    @cached_property
    def connections(self) -> ConnectionsApi:
        """Connections: list, get, create (GitHub personal access token, Azure DevOps service
        principal), update (rotate a token), delete, test, supported types, and sharing through
        role assignments."""
        from fabric_git.api.connections import ConnectionsApi

        return ConnectionsApi(self._transport, self.poll)

    @cached_property
    def workspaces(self) -> WorkspacesApi:
        """Workspaces: list, get (with its capacity and role), create, capacity assignment, role
        assignments, Git outbound policy."""
        from fabric_git.api.workspaces import WorkspacesApi

        return WorkspacesApi(self._transport, self.poll)

    @cached_property
    def capacities(self) -> CapacitiesApi:
        """Capacities the caller can use (to create a workspace on one)."""
        from fabric_git.api.workspaces import CapacitiesApi

        return CapacitiesApi(self._transport, self.poll)

    @cached_property
    def items(self) -> ItemsApi:
        """Items of a workspace (what Git integration commits and updates): list, get, create,
        update, delete, move, definitions, logical id."""
        from fabric_git.api.items import ItemsApi

        return ItemsApi(self._transport, self.poll)

    @cached_property
    def folders(self) -> FoldersApi:
        """Folders of a workspace: list, create, get, rename, delete, move."""
        from fabric_git.api.folders import FoldersApi

        return FoldersApi(self._transport, self.poll)

    @cached_property
    def admin(self) -> AdminApi:
        """Tenant-wide admin calls: discover every workspace connected to Git."""
        from fabric_git.api.admin import AdminApi

        return AdminApi(self._transport, self.poll)

    @cached_property
    def operations(self) -> OperationsApi:
        """Long-running operations by id: state, result, and waiting for one started earlier."""
        from fabric_git.api.operations import OperationsApi

        return OperationsApi(self._transport, self.poll)

    @classmethod
    def from_env(cls, auth: str = "default", **kwargs: Any) -> FabricClient:
        """A client configured from the environment: ``FABRIC_API_URL`` for the endpoint,
        ``FABRIC_TOKEN`` when set, else an azure-identity credential of kind ``auth`` (see
        ``credential_from_auth``). ``kwargs`` go to the constructor."""
        credential = kwargs.pop("credential", None) or credential_from_env(auth)
        return cls(credential=credential, **kwargs)

    @property
    def base_url(self) -> str:
        """The API root every request goes to."""
        return self._transport.base_url

    @property
    def on_retry(self) -> Callable[[RetryNotice], None] | None:
        """Called with a ``RetryNotice`` before each retry wait; None to be told nothing."""
        return self._transport.on_retry

    @on_retry.setter
    def on_retry(self, callback: Callable[[RetryNotice], None] | None) -> None:
        self._transport.on_retry = callback

    def set_deadline(self, seconds: float | None) -> None:
        """No request starts later than ``seconds`` from now, and waits end then (None: no
        overall limit)."""
        self._transport.set_deadline(seconds)

    def time_left(self) -> float | None:
        """Seconds left before the deadline (never negative); None without one. Work done
        outside the client (a ``git`` run, say) is bounded by it too."""
        return self._transport.remaining()

    # --- lifecycle ------------------------------------------------------------------------------

    def access_token(self, scope: str) -> str:
        """A bearer token of the signed-in principal for another resource's ``scope`` (for
        example Azure DevOps, to reach its Git repositories). Never logged."""
        from fabric_git.errors import AuthenticationError

        try:
            token = getattr(self._credential.get_token(scope), "token", None)
        except AuthenticationError:
            raise  # ours already says what is wrong (a static token asked for another scope)
        except Exception as exc:  # azure-identity raises several unrelated types
            first = (str(exc).strip().splitlines() or [""])[0]
            raise AuthenticationError(
                f"Could not get a token for {scope} ({type(exc).__name__}): {first}"
            ) from None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(f"The credential returned an empty token for {scope}.")
        return token

    def close(self) -> None:
        """Release the HTTP connections."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FabricClient(base_url={self.base_url!r})"

    # --- operations -----------------------------------------------------------------------------

    def wait_for_operation(
        self,
        operation_id: str,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> OperationState:
        """Wait for any operation by id, for example one whose wait timed out earlier
        (``OperationTimeoutError.operation_id``). Returns the final state; raises
        ``OperationFailedError`` when it failed. Read a result with
        ``operations.get_result``."""
        return self.operations.wait(operation_id, timeout=timeout, progress=progress)

    # --- name resolution ------------------------------------------------------------------------

    def resolve_workspace(self, name_or_id: str) -> Workspace:
        """A workspace by id (a GUID) or by display name (exact match first, then ignoring case).

        Raises ``ResolutionError`` listing the workspaces that exist when nothing or more than one
        matches."""
        if is_guid(name_or_id):
            return self.workspaces.get(name_or_id.strip())
        return _resolve(
            "workspace",
            name_or_id,
            self.workspaces.list(),
            lambda w: w.display_name,
            lambda w: w.id,
        )

    def resolve_connection(self, name_or_id: str) -> Connection:
        """A connection by id (a GUID) or by display name, like ``resolve_workspace``."""
        if is_guid(name_or_id):
            return self.connections.get(name_or_id.strip())
        return _resolve(
            "connection",
            name_or_id,
            self.connections.list(),
            lambda c: c.display_name or "",
            lambda c: c.id,
        )


def _resolve(
    kind: str,
    name: str,
    candidates: Sequence[R],
    name_of: Callable[[R], str],
    id_of: Callable[[R], str],
) -> R:
    wanted = name.strip()
    matches = [c for c in candidates if name_of(c) == wanted]
    if not matches:
        matches = [c for c in candidates if name_of(c).casefold() == wanted.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{name_of(c)!r} ({id_of(c)})" for c in matches[:_MAX_LISTED])
        raise ResolutionError(
            f"{len(matches)} {kind}s are named {wanted!r}: {listed}. Use the id instead.",
            kind=kind,
            name=wanted,
            candidates=[id_of(c) for c in matches],
            code="Ambiguous",
        )
    names = sorted(name_of(c) for c in candidates)
    if not names:
        existing = f"there are no {kind}s visible to you"
    else:
        existing = "existing: " + ", ".join(repr(n) for n in names[:_MAX_LISTED])
        if len(names) > _MAX_LISTED:
            existing += f" and {len(names) - _MAX_LISTED} more"
    raise ResolutionError(
        f"No {kind} is named {wanted!r}; {existing}.",
        kind=kind,
        name=wanted,
        candidates=names,
        code="NotFound",
    )
