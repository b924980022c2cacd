"""Memory while a small push of a large file goes through the emulator: a commit holding 100 MB
of zeros (about 100 KB on the wire) is pushed with plain Git over smart HTTP to an emulator
running as its own process, and Get Status and Update From Git are asked for it. The update is
refused with the size limit error, and peak resident memory (``VmHWM``, Linux) stays within a
bound well below the file's size, both in the emulator (the push streams through
``git http-backend``; the limit is decided from the blob's header, so the file is never read)
and in the Git processes receiving the push (a blob over the file limit is streamed to disk:
``core.bigFileThreshold``). docs/emulator.md records the figures."""

from __future__ import annotations

import base64
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from durability.durability_support import Served, admin_url, ok, serve
from emulator.git.push_support import OWNER, PAT, Pusher, connected_workspace

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status"),
]

MB = 1024 * 1024
FILE_MB = 100
BOUND = 2 * 25 * MB
"""The emulator's peak may grow by at most twice the 25 MB file limit over its baseline, and no
Git process receiving the push may peak above it: the size of the file pushed (100 MB) never
reaches either."""


def peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread ended
    return found


class GitPeaks(threading.Thread):
    """Samples the Git processes under a process (``git http-backend`` and the ``git`` commands
    it runs) every few milliseconds: the highest peak resident memory seen among them. A
    sample can only miss a peak, never make one up."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="git-peaks", daemon=True)
        self._pid = pid
        self._done = threading.Event()
        self.peak = 0
        self.seen: set[str] = set()

    def run(self) -> None:
        while not self._done.wait(0.002):
            pending = _children(self._pid)
            while pending:
                pid = pending.pop()
                pending += _children(pid)
                try:
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                    if name.startswith("git"):  # not a fork of the emulator before its exec
                        self.peak = max(self.peak, peak_rss(pid))
                        self.seen.add(name)
                except (OSError, AssertionError):
                    continue  # the process ended (or is ending)

    def __enter__(self) -> GitPeaks:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self.join()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    running = serve(tmp_path / "data", "--lro-mode", "sync")
    try:
        yield running
    finally:
        running.stop()


def test_a_push_of_100_mb_of_zeros_stays_small_in_the_emulator(
    served: Served, tmp_path: Path
) -> None:
    platform = (
        b'{"metadata": {"type": "Notebook", "displayName": "Big"}, "config": {"version":'
        b' "2.0", "logicalId": "eeeeeeee-0000-4000-8000-000000000001"}}'
    )
    with served.client() as client:
        created = client.post(
            admin_url(served, "/repos"),
            json={"provider": "GitHub", "owner": OWNER, "repo": "big", "requiredPat": PAT},
        )
        ok(created)
        workdir = tmp_path / "push"
        workdir.mkdir()
        pusher = Pusher(created.json()["cloneUrl"], workdir)
        small = {"Big.Notebook/.platform": platform, "Big.Notebook/data.bin": b"\0" * 1024}
        assert pusher.push(small)[1].returncode == 0
        ws = connected_workspace(served.info["capacity_id"], client, "big")
        ok(client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
        status = ok(client.get(f"/workspaces/{ws}/git/status"))
        ok(
            client.post(
                f"/workspaces/{ws}/git/updateFromGit",
                json={"remoteCommitHash": status["remoteCommitHash"]},
            )
        )
        (item,) = ok(client.get(f"/workspaces/{ws}/items"))["value"]
        baseline = peak_rss(served.process.pid)

        # The item's data.bin becomes 100 MB of zeros.
        zeros = tmp_path / "zeros.bin"
        with zeros.open("wb") as file:  # sparse: no 100 MB in this process or on disk
            file.truncate(FILE_MB * MB)
        with GitPeaks(served.process.pid) as receiving:
            pushed, push = pusher.push({**small, "Big.Notebook/data.bin": zeros})
        assert push.returncode == 0, push.stderr
        assert "git-http-backen" in receiving.seen  # the sampler saw the push's processes
        after_push = peak_rss(served.process.pid)

        status = ok(client.get(f"/workspaces/{ws}/git/status"))
        assert status["remoteCommitHash"] == pushed
        (change,) = status["changes"]
        assert (change["itemMetadata"]["displayName"], change["remoteChange"]) == (
            "Big",
            "Modified",
        )
        refused = client.post(
            f"/workspaces/{ws}/git/updateFromGit",
            json={"remoteCommitHash": pushed, "workspaceHead": status["workspaceHead"]},
        )
        assert refused.status_code == 400, refused.text
        assert refused.json()["errorCode"] == "GitProviderOperationFailed"
        assert "Big.Notebook/data.bin is larger than 25 MB" in refused.json()["message"]
        after_update = peak_rss(served.process.pid)
        definition = ok(client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition"))
        sizes = {
            part["path"]: len(base64.b64decode(part["payload"]))
            for part in definition["definition"]["parts"]
        }
        assert sizes["data.bin"] == 1024  # the workspace kept what it had

    print(
        f"\nemulator peak RSS: baseline {baseline / MB:.1f} MB, after the push"
        f" {after_push / MB:.1f} MB, after status and update {after_update / MB:.1f} MB;"
        f" receiving Git processes' peak {receiving.peak / MB:.1f} MB"
    )
    assert after_push - baseline < BOUND
    assert after_update - baseline < BOUND
    assert receiving.peak < BOUND
