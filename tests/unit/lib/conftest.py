"""Fixtures for the library's unit tests (the doubles live in ``lib_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fabric_git import FabricClient, PollPolicy, RetryPolicy, StaticTokenCredential
from unit.lib.lib_support import BASE_URL, TOKEN, FakeClock, FakeService, MakeClient


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FABRIC_API_URL",
        "FABRIC_TOKEN",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def make_client(clock: FakeClock, service: FakeService) -> Iterator[MakeClient]:
    made: list[FabricClient] = []

    def make(**overrides: Any) -> FabricClient:
        options: dict[str, Any] = {
            "base_url": BASE_URL,
            "credential": StaticTokenCredential(TOKEN),
            "transport": service.transport,
            "clock": clock,
            "retry": RetryPolicy(jitter=0.0),
            "poll": PollPolicy(),
        }
        options.update(overrides)
        client = FabricClient(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> FabricClient:
    return make_client()
