"""The data directory: private to its owner, and held by one emulator at a time."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fabric_git.emulator import Emulator
from fabric_git.emulator.datadir import DataDirInUse
from fabric_git.emulator.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_every_file_with_secrets_are_the_owners_alone(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Emulator(data_dir=data) as emu, emu.client() as client:
        # A connection puts a sealed secret into the database.
        body = {
            "connectivityType": "ShareableCloud",
            "displayName": "private",
            "connectionDetails": {
                "type": "GitHubSourceControl",
                "creationMethod": "GitHubSourceControl.Contents",
                "parameters": [
                    {"dataType": "Text", "name": "url", "value": "https://github.com/o/r"}
                ],
            },
            "credentialDetails": {"credentials": {"credentialType": "Key", "key": "pat-x"}},
        }
        assert client.post("/connections", json=body).status_code == 201
        assert _mode(data) == 0o700
        for name in ("emulator.db", "emulator.db-wal", "secret", "emulator.lock"):
            assert _mode(data / name) == 0o600, name


def test_a_data_directory_made_before_is_made_private_on_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    Store(data / "emulator.db").close()
    os.chmod(data, 0o755)
    os.chmod(data / "emulator.db", 0o644)
    with Emulator(data_dir=data):
        assert _mode(data) == 0o700
        assert _mode(data / "emulator.db") == 0o600


def test_a_second_emulator_on_the_same_directory_is_refused_with_the_holder(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Emulator(data_dir=data):
        with pytest.raises(DataDirInUse) as refused, Emulator(data_dir=data):
            pass
        assert f"in use by process {os.getpid()}" in str(refused.value)
    with Emulator(data_dir=data) as again:  # the first one's close released it
        assert again.state.data_dir == data


def test_serve_on_a_held_directory_says_who_holds_it_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Emulator(data_dir=data):
        done = subprocess.run(
            [sys.executable, "-m", "fabric_git.emulator", "serve", "--data-dir", str(data)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: DataDirectoryInUse: ")
    assert f"in use by process {os.getpid()}" in lines[0]


def test_serve_on_a_directory_it_cannot_make_says_so_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "fabric_git.emulator", "serve", "--data-dir", str(blocker / "d")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: DataDirectoryUnusable: cannot use {blocker}")
