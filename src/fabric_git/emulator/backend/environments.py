"""Environments: the publish of staged settings and libraries.

The emulator has no Spark: an Environment's definition (``Setting/Sparkcompute.yml``,
``Libraries/...``) is what create and updateDefinition store, and a publish makes that
definition the published one at once, recording its details (``publishDetails``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class PublishDetails:
    state: str
    target_version: str | None = None
    start_time: float | None = None
    end_time: float | None = None


# An Environment never published has nothing waiting: what it holds is what it runs.
NEVER_PUBLISHED = PublishDetails("Success")


def publish_details(conn: sqlite3.Connection, item_id: str, now: float) -> PublishDetails:
    """The last publish: ``Running`` until its end time (the operation's reported duration)."""
    row = conn.execute(
        "SELECT target_version, start_time, end_time FROM environment_publishes WHERE item_id = ?",
        (item_id,),
    ).fetchone()
    if row is None:
        return NEVER_PUBLISHED
    version, start, end = row
    if now < end:
        return PublishDetails("Running", version, start)
    return PublishDetails("Success", version, start, end)


def publish(
    conn: sqlite3.Connection, item_id: str, *, target_version: str, start: float, end: float
) -> None:
    """Publish the Environment's definition as it stands, as ``target_version``, reported as
    running from ``start`` to ``end``."""
    conn.execute(
        "INSERT INTO environment_publishes (item_id, state, target_version, start_time, end_time)"
        " VALUES (?, 'Success', ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET"
        " target_version = excluded.target_version, start_time = excluded.start_time,"
        " end_time = excluded.end_time",
        (item_id, target_version, start, end),
    )
