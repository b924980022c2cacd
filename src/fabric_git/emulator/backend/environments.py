"""Environments: the publish of staged settings and libraries.

The emulator has no Spark: an Environment's definition (``Setting/Sparkcompute.yml``,
``Libraries/...``) is what create and updateDefinition store, and a publish makes that
definition the published one at once, recording its details (``publishDetails``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from fabric_git.emulator.ids import new_id


@dataclass(frozen=True)
class PublishDetails:
    state: str
    target_version: str | None = None
    start_time: float | None = None
    end_time: float | None = None


# An Environment never published has nothing waiting: what it holds is what it runs.
NEVER_PUBLISHED = PublishDetails("Success")


def publish_details(conn: sqlite3.Connection, item_id: str) -> PublishDetails:
    row = conn.execute(
        "SELECT state, target_version, start_time, end_time FROM environment_publishes"
        " WHERE item_id = ?",
        (item_id,),
    ).fetchone()
    if row is None:
        return NEVER_PUBLISHED
    return PublishDetails(row[0], row[1], row[2], row[3])


def publish(conn: sqlite3.Connection, item_id: str, now: float) -> PublishDetails:
    """Publish the Environment's definition as it stands (a new target version)."""
    details = PublishDetails("Success", new_id(), now, now)
    conn.execute(
        "INSERT INTO environment_publishes (item_id, state, target_version, start_time, end_time)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET state = excluded.state,"
        " target_version = excluded.target_version, start_time = excluded.start_time,"
        " end_time = excluded.end_time",
        (item_id, details.state, details.target_version, details.start_time, details.end_time),
    )
    return details
