"""Fixtures of the conformance suite: an in-process emulator whose every answer is checked."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from conformance.conformance_support import CheckingTransport, FakeClock, Stage, WireLog
from fabric_git.emulator import Emulator, EmulatorConfig


@pytest.fixture
def stage() -> Iterator[Stage]:
    # The fake clock starts now so that tokens are valid; it moves only when a test says so.
    clock = FakeClock(time.time())
    log = WireLog()
    config = EmulatorConfig(lro_mode="sync", lro_duration=0.0, retry_after=5, clock=clock)
    with Emulator(config) as emu:
        transport = CheckingTransport(emu.transport(), log)
        headers = {"Authorization": f"Bearer {emu.token}"}
        with httpx.Client(base_url=emu.url, transport=transport, headers=headers) as client:
            yield Stage(emu, client, log, clock)
