"""Every thread the emulator's handlers use is one of ``EmulatorState.limiter``'s, the Git smart
HTTP endpoint's repository lookup and PAT check included: with every token of the limiter
borrowed, a ``/git`` request waits for one, and is served once one is free."""

from __future__ import annotations

import anyio

from fabric_git.emulator.app import create_app
from fabric_git.emulator.config import EmulatorConfig
from fabric_git.emulator.gitrepo.repos import RepoKey
from fabric_git.emulator.state import EmulatorState


def test_git_requests_run_on_the_emulators_limited_threads() -> None:
    state = EmulatorState(EmulatorConfig(in_memory=True, worker_threads=1))
    key = RepoKey.github("octo", "open")
    state.repos.create(key)
    app = create_app(state=state)
    statuses: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(message["status"]))  # type: ignore[call-overload]

    async def main() -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": f"/git/{key.url_path}/info/refs",
            "raw_path": f"/git/{key.url_path}/info/refs".encode(),
            "root_path": "",
            "query_string": b"service=git-upload-pack",
            "headers": [(b"host", b"127.0.0.1")],
        }
        holder = object()
        await state.limiter.acquire_on_behalf_of(holder)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(app, scope, receive, send)
            for _ in range(1000):  # the request reaches the limiter and waits there
                if state.limiter.statistics().tasks_waiting:
                    break
                await anyio.sleep(0.01)
            assert state.limiter.statistics().tasks_waiting == 1
            assert statuses == []
            state.limiter.release_on_behalf_of(holder)
        assert statuses == [200]

    try:
        anyio.run(main)
    finally:
        state.close()
