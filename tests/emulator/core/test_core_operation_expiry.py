"""Finished operations expire after the configured retention; running ones never do."""

from __future__ import annotations

import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.config import DEFAULT_OPERATION_RETENTION

RETENTION = 3600.0


def _start(client, ws: str, name: str) -> str:
    response = client.post(
        f"/workspaces/{ws}/items", json={"displayName": name, "type": "Notebook"}
    )
    assert response.status_code == 202, response.text
    return str(response.headers["x-ms-operation-id"])


def _rows(emu: Emulator) -> int:
    with emu.state.store.read() as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM operations").fetchone()
    return int(count)


def test_finished_operations_expire_after_the_retention() -> None:
    clock = FakeClock()
    config = EmulatorConfig(clock=clock, lro_duration=2.0, operation_retention=RETENTION)
    with Emulator(config) as emu, emu.client() as client:
        ws = create_workspace(client)
        old = _start(client, ws, "Old")
        assert emu.wait_for_operations()
        clock.advance(RETENTION / 2)
        recent = _start(client, ws, "Recent")
        assert emu.wait_for_operations()
        clock.advance(RETENTION / 2 + 10)
        # The old one finished more than the retention ago; starting an operation drops it.
        assert client.get(f"/operations/{old}").json()["status"] == "Succeeded"
        current = _start(client, ws, "Current")
        assert client.get(f"/operations/{old}").status_code == 404
        assert client.get(f"/operations/{old}/result").status_code == 404
        assert client.get(f"/operations/{recent}").json()["status"] == "Succeeded"
        assert client.get(f"/operations/{current}").status_code == 200
        assert _rows(emu) == 2


def test_a_running_operation_is_kept_however_old() -> None:
    clock = FakeClock()
    config = EmulatorConfig(clock=clock, lro_duration=10 * RETENTION, operation_retention=RETENTION)
    with Emulator(config) as emu, emu.client() as client:
        ws = create_workspace(client)
        slow = _start(client, ws, "Slow")
        assert emu.wait_for_operations()
        clock.advance(2 * RETENTION)
        _start(client, ws, "Next")
        assert client.get(f"/operations/{slow}").json()["status"] == "Running"


def test_the_retention_is_a_day_by_default_and_must_be_positive() -> None:
    assert EmulatorConfig().operation_retention == DEFAULT_OPERATION_RETENTION == 86400
    with pytest.raises(ValueError, match="operation_retention"):
        EmulatorConfig(operation_retention=0)
