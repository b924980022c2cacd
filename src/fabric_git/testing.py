"""A pytest plugin for testing your own Fabric pipeline without a tenant.

Installed with fabric-git (pytest finds it through the ``pytest11`` entry point; it needs the
``emulator`` extra only when a test uses its fixtures):

- ``fabric_emulator`` (session): a Fabric emulator on a local socket, as a ``Sandbox``: its
  ``url``, ``git_url`` and admin ``token``, and helpers to create workspaces, items, hosted Git
  repositories, GitHub connections and identities (users, service principals), to clone a hosted
  repository with the real ``git``, and to inject faults.
- ``fabric_env`` (per test): points ``FABRIC_API_URL``/``FABRIC_TOKEN`` (and a short poll
  interval) at that emulator for the test and for every process it starts, so a script calling
  ``fabric-git``, ``FabricClient.from_env()`` or raw REST runs unchanged; faults added by an
  earlier test are cleared.

The emulator lives for the whole session: give each test's workspaces and repositories names of
their own. See docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fabric_git._extras import MissingExtraError
from fabric_git.cli._sandbox import GitWorkTree, Identity, Sandbox, item_parts

__all__ = ["GitWorkTree", "Identity", "Sandbox", "fabric_emulator", "fabric_env", "item_parts"]


@pytest.fixture(scope="session")
def fabric_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A Fabric emulator on 127.0.0.1 for the session (long-running operations take 10 ms)."""
    missing: MissingExtraError | None = None
    try:
        import fabric_git.emulator  # noqa: F401
    except MissingExtraError as error:
        missing = error
    if missing is not None:  # one line, outside the handler so pytest shows no chained error
        pytest.fail(f"fabric_emulator: {missing}", pytrace=False)
    data_dir = tmp_path_factory.mktemp("fabric-emulator")
    with Sandbox(data_dir=data_dir, lro_duration=0.01) as sandbox:
        yield sandbox


@pytest.fixture
def fabric_env(fabric_emulator: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The emulator's environment variables, set for this test and the processes it starts."""
    fabric_emulator.clear_faults()
    environment = fabric_emulator.environment()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment
