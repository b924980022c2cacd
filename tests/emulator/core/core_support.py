"""Helpers for the emulator core tests: a fake clock and small request shortcuts."""

from __future__ import annotations

import anyio
import httpx


class FakeClock:
    """A clock that moves only when a test advances it; sleeps are recorded, not waited."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.value = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()


def create_workspace(
    client: httpx.Client, name: str = "Sales", *, capacity_id: str | None = None
) -> str:
    body: dict[str, str] = {"displayName": name}
    if capacity_id is not None:
        body["capacityId"] = capacity_id
    response = client.post("/workspaces", json=body)
    assert response.status_code == 201, response.text
    workspace_id: str = response.json()["id"]
    return workspace_id
