"""Fixtures for the tests of the newer Git surface: the Git behaviour tests' environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.git.git_support import Env
from fabric_git.emulator import Emulator


@pytest.fixture
def env() -> Iterator[Env]:
    with Emulator(lro_mode="sync") as emu, emu.client() as client:
        yield Env(emu, client)
