"""The operation engine on its own, with no HTTP: it answers Started or Finished values and
reports state; routes/_lro.py alone turns them into 202 or 200."""

from __future__ import annotations

import dataclasses

import pytest

from emulator.core.core_support import FakeClock
from fabric_git.emulator import Emulator
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.operations import Finished, Origin, Started

ORIGIN = Origin(
    principal_id="00000000-0000-0000-0000-000000000001",
    request_id="11111111-1111-1111-1111-111111111111",
    route="Test_Work",
    method="POST",
    path="/v1/test",
)


def test_async_mode_starts_and_reports_the_result_once_the_duration_passed(
    emu: Emulator, clock: FakeClock
) -> None:
    engine = emu.state.operations
    outcome = engine.start(
        ORIGIN, workspace_id="ws-1", kind="Test", work=lambda: {"done": True}, has_result=True
    )
    assert isinstance(outcome, Started) and outcome.retry_after == 1
    assert engine.wait_idle()
    admin = emu.state.admin
    assert engine.view(outcome.operation_id, admin).running
    clock.advance(2.0)
    view = engine.view(outcome.operation_id, admin)
    assert (view.status, view.percent_complete, view.result) == ("Succeeded", 100, {"done": True})


def test_sync_mode_finishes_inline_and_raises_the_work_error(emu: Emulator) -> None:
    emu.state.settings = dataclasses.replace(emu.state.settings, lro_mode="sync")
    engine = emu.state.operations
    assert engine.start(
        ORIGIN, workspace_id=None, kind="Test", work=lambda: None, has_result=False
    ) == Finished(None)

    def fail() -> None:
        raise EmulatorError(400, "GitSyncFailed", "refused")

    with pytest.raises(EmulatorError, match="GitSyncFailed"):
        engine.start(ORIGIN, workspace_id="ws-2", kind="Test", work=fail, has_result=False)
