"""Fixtures for the emulator core: an in-process emulator, an admin client, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock
from fabric_git.emulator import Emulator, EmulatorConfig


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
