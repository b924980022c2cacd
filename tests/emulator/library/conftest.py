"""The library suite's fixture: every test runs against the emulator in process and over a real
socket, through ``FabricClient``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.library.library_support import Target
from fabric_git import FabricClient, PollPolicy, RetryPolicy
from fabric_git.emulator import Emulator, EmulatorConfig, EmulatorServer

# Short polls for the tests that switch the emulator to asynchronous operations.
FAST_POLL = PollPolicy(default_interval=0.01, min_interval=0.01, max_interval=0.05, timeout=30.0)


@pytest.fixture(params=["inprocess", pytest.param("socket", marks=pytest.mark.server)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    config = EmulatorConfig(port=0, lro_mode="sync", retry_after=0)
    retry = RetryPolicy.no_retries()
    if request.param == "inprocess":
        # The in-process transport serves any host name; the library sends a token over plain
        # http:// only to a loopback name, so the client addresses the emulator as localhost.
        url = "http://localhost/v1"
        with (
            Emulator(config) as emu,
            FabricClient(
                base_url=url,
                credential=emu.token,
                transport=emu.transport(),
                retry=retry,
                poll=FAST_POLL,
            ) as client,
        ):
            yield Target(
                "inprocess",
                client,
                emu.state,
                emu.capacity_id,
                url,
                emu.git_url,
                tmp_path,
                admin_transport=emu.transport(),
            )
    else:
        with (
            EmulatorServer(config) as server,
            FabricClient(
                base_url=server.url, credential=server.token, retry=retry, poll=FAST_POLL
            ) as client,
        ):
            yield Target(
                "socket",
                client,
                server.state,
                server.capacity_id,
                server.url,
                server.git_url,
                tmp_path,
            )
