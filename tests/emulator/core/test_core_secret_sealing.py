"""Connection secrets are sealed with authenticated encryption under a key kept apart from the
database: the database alone reveals nothing, and a sealed value altered or moved to another
connection does not unseal."""

from __future__ import annotations

import stat
from pathlib import Path

from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.backend.connections import SecretSealer, get_connection_secret

PAT = "ghp_sealedSecretValue456"


def _create(client, name: str, secret: str) -> str:
    body = {
        "connectivityType": "ShareableCloud",
        "displayName": name,
        "connectionDetails": {
            "type": "GitHubSourceControl",
            "creationMethod": "GitHubSourceControl.Contents",
            "parameters": [{"dataType": "Text", "name": "url", "value": "https://github.com/o/r"}],
        },
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": secret}},
    }
    response = client.post("/connections", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_the_key_lives_beside_the_database_and_the_database_alone_reveals_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Emulator(EmulatorConfig(data_dir=data)) as emu, emu.client() as client:
        first = _create(client, "first", PAT)
        second = _create(client, "second", "ghp_otherSecret789")
    key_file = data / "connection.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    database = b"".join(p.read_bytes() for p in data.glob("emulator.db*"))
    assert PAT.encode() not in database
    assert key_file.read_bytes() not in database

    with Emulator(EmulatorConfig(data_dir=data)) as emu:  # the key survives a restart
        with emu.state.store.read() as conn:
            assert get_connection_secret(conn, first, emu.state.sealer) == PAT
        # Another key (a database copied without its key file) unseals nothing.
        with emu.state.store.read() as conn:
            assert get_connection_secret(conn, first, SecretSealer.in_memory()) is None
        # A sealed value moved to another connection does not unseal there.
        with emu.state.store.write() as conn:
            conn.execute(
                "UPDATE connections SET sealed_secret ="
                " (SELECT sealed_secret FROM connections WHERE id = ?) WHERE id = ?",
                (first, second),
            )
        with emu.state.store.read() as conn:
            assert get_connection_secret(conn, second, emu.state.sealer) is None


def test_an_altered_sealed_value_does_not_unseal() -> None:
    sealer = SecretSealer.in_memory()
    sealed = bytearray(sealer.seal(PAT, "connection-1"))
    assert sealer.unseal(bytes(sealed), "connection-1") == PAT
    sealed[-1] ^= 1
    assert sealer.unseal(bytes(sealed), "connection-1") is None
    assert PAT not in repr(sealer) and "key" in repr(sealer)


def test_an_in_memory_emulator_writes_no_key_file(tmp_path: Path) -> None:
    with Emulator() as emu, emu.client() as client:
        connection = _create(client, "memory", PAT)
        with emu.state.store.read() as conn:
            assert get_connection_secret(conn, connection, emu.state.sealer) == PAT
            row = conn.execute(
                "SELECT sealed_secret FROM connections WHERE id = ?", (connection,)
            ).fetchone()
        assert PAT.encode() not in bytes(row[0])
        assert not (emu.state.data_dir / "connection.key").exists()
