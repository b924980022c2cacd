"""Fixtures for the emulator core: an in-process emulator, clients per principal, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx
import pytest

from fabric_git.emulator import Emulator, EmulatorConfig


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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(clock=clock, lro_duration=2.0, retry_after=1)) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with emu.client() as admin_client:
        yield admin_client


def client_for(emu: Emulator, token: str) -> httpx.Client:
    return emu.client(token=token)


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
