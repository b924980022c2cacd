"""What a running emulator offers its caller, in-process or on a socket: URLs, the admin token,
the capacity id and tokens for named principals, all read from its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fabric_git.emulator.auth import AUDIENCE
from fabric_git.emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["RunningEmulator"]


class RunningEmulator:
    """Base of ``Emulator`` and ``EmulatorServer``: each sets ``_state`` while it runs and
    gives ``base``."""

    _not_running = "the emulator is not running"

    def __init__(self, config: EmulatorConfig | None, options: dict[str, Any]) -> None:
        if config is not None and options:
            raise TypeError("pass a config or keyword options, not both")
        self.config = config or EmulatorConfig(**options)
        self._state: EmulatorState | None = None

    @property
    def state(self) -> EmulatorState:
        if self._state is None:
            raise RuntimeError(self._not_running)
        return self._state

    @property
    def base(self) -> str:
        """Scheme, host and port the emulator answers on."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    @property
    def git_url(self) -> str:
        return f"{self.base}/git"

    @property
    def token(self) -> str:
        return self.state.admin_token

    @property
    def capacity_id(self) -> str:
        return self.state.capacity_id

    def token_for(
        self,
        *,
        user: str | None = None,
        service_principal: str | None = None,
        tenant_admin: bool = False,
        audience: str = AUDIENCE,
    ) -> str:
        return self.state.token_for(
            user=user,
            service_principal=service_principal,
            tenant_admin=tenant_admin,
            audience=audience,
        )
