"""The demo end to end, and a full debug-logging run scanned for every secret it used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.conftest import NOTEBOOK, Fg


def test_demo_runs_every_step_and_exits_0(
    fg: Fg, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import fabric_git.cli.demo as demo_module

    known = "0123456789abcdef0123456789abcdef"
    monkeypatch.setattr(demo_module.secrets, "token_hex", lambda n=16: known)
    fg.scan.secrets.add("demo_" + known)
    kept = tmp_path / "demo"
    fg.scan.watch(kept)  # the clone and everything else the demo leaves behind
    monkeypatch.chdir(tmp_path)  # a relative --keep works too
    result = fg("--output", "json", "demo", "--keep", "demo")
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["facts"]["in_sync"] is True
    assert document["facts"]["refused"] == "ConflictsNeedPolicy"
    assert document["facts"]["head"] == document["facts"]["remote"]
    steps = document["steps"]
    assert len(steps) == 13 and steps[-1].endswith("Stopped the emulator")
    assert any("refused (exit code 4)" in s for s in steps)
    assert all(s in result.stderr for s in steps)  # each step printed as it ran

    # The kept state: a second demo will not write over it, and the emulator restarts on it.
    before = sorted(p.relative_to(kept) for p in kept.rglob("*"))
    refused = fg("demo", "--keep", "demo", expect=2)
    assert "--keep" in refused.stderr and "not empty" in refused.stderr
    assert sorted(p.relative_to(kept) for p in kept.rglob("*")) == before
    restart = document["facts"]["kept"]["restart"]
    data_dir = Path(document["facts"]["kept"]["dataDir"])
    assert data_dir.is_absolute() and data_dir.is_relative_to(kept)
    assert restart.startswith(f"fabric-git emulator serve --data-dir {data_dir}")
    from fabric_git.emulator import Emulator

    with Emulator(data_dir=data_dir) as emu, emu.client() as client:
        names = [w["displayName"] for w in client.get("/workspaces").json()["value"]]
    assert "Demo Sales" in names


def test_debug_run_never_shows_tokens_or_pats(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    ws = scenario.workspace
    synced = fg(
        "--verbose",
        "sync",
        "-w",
        ws,
        "--repo-url",
        scenario.repo_url,
        "--pat-stdin",
        input=scenario.pat + "\n",
    )
    assert "DEBUG" in synced.stderr and "'Authorization': '***'" in synced.stderr
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#\n"}
    )
    fg("--verbose", "commit", "-w", ws, "-m", "debug run")
    clone = scenario.clone(tmp_path / "clone")
    target = next(clone.path.glob("**/Clean.Notebook/notebook-content.py"))
    target.write_text(target.read_text() + "# from git\n")
    clone.commit_and_push("git side")
    fg("--verbose", "update", "-w", ws)
    fg("--verbose", "credentials", "show", "-w", ws)
    fg("--verbose", "connections", "list")
    fg("--verbose", "status", "-w", "missing-for-traceback", expect=1)
    # The scan fixture checks every output above for the admin token and the PAT; make sure the
    # run really produced the verbose material it is meant to cover.
    assert sum("Traceback" in out for out in fg.scan.outputs) == 1
    assert len("".join(fg.scan.outputs)) > 10_000
    # The emulator's own log (its access log) and the library's records are scanned too.
    assert any("uvicorn.access" in line and "/git/status" in line for line in fg.scan.logs)
    assert any(line.startswith("fabric_git DEBUG") for line in fg.scan.logs)


def test_the_scan_finds_a_secret_in_each_place_it_reads(tmp_path: Path) -> None:
    import logging

    from e2e.conftest import SecretScan

    leaked = tmp_path / "summary.md"
    for where in ("output", "log", "file"):
        scan = SecretScan()
        scan.secrets.add("pat_sentinel")
        scan.start()
        try:
            if where == "output":
                scan.outputs.append("... pat_sentinel ...")
            elif where == "log":
                logging.getLogger("uvicorn.access").info("GET /?q=pat_sentinel")
            else:
                leaked.write_text("| pat_sentinel |")
                scan.watch(tmp_path)
        finally:
            scan.stop()
        with pytest.raises(AssertionError):
            scan.check()
