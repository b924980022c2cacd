"""What one item costs the store does not depend on what other workspaces hold.

The cost is counted in SQLite virtual-machine instructions (a progress handler called on every
instruction), which is deterministic: a query that scans every item of the emulator shows as
instructions in proportion to the items, an indexed one does not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from fabric_git.emulator.auth import ADMIN
from fabric_git.emulator.backend import folders, items, workspaces
from fabric_git.emulator.store import Store

OTHER_ITEMS = 2000


def _instructions(conn: sqlite3.Connection, action: Callable[[], object]) -> int:
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    conn.set_progress_handler(tick, 1)
    try:
        action()
    finally:
        conn.set_progress_handler(None, 1)
    return count


def _workspace(conn: sqlite3.Connection, name: str) -> str:
    return workspaces.create_workspace(conn, ADMIN, display_name=name, now=0.0).id


def _fill(conn: sqlite3.Connection, count: int) -> None:
    """``count`` items in workspaces of their own, each item in a folder."""
    for first in range(0, count, items.MAX_ITEMS_PER_WORKSPACE):
        ws = _workspace(conn, f"Other {first}")
        folder = folders.create_folder(conn, ws, "Folder").id
        for index in range(first, min(count, first + items.MAX_ITEMS_PER_WORKSPACE)):
            items.create_item(
                conn,
                ws,
                type="Notebook",
                display_name=f"Notebook {index}",
                folder_id=folder,
                parts={"notebook-content.py": b"print(1)\n"},
            )


def _one_item_costs(conn: sqlite3.Connection, name: str) -> tuple[int, int, int]:
    """Instructions to create an item (the update path: no clock given), to run the checks
    before a create, and to delete an empty folder."""
    ws = _workspace(conn, name)
    folder = folders.create_folder(conn, ws, "Empty").id
    create = _instructions(
        conn,
        lambda: items.create_item(
            conn,
            ws,
            type="Notebook",
            display_name="Measured",
            parts={"notebook-content.py": b"print(2)\n"},
        ),
    )
    check = _instructions(
        conn,
        lambda: items.check_can_create(
            conn, ws, type="Notebook", display_name="Next", folder_id=None
        ),
    )
    delete = _instructions(conn, lambda: folders.delete_folder(conn, ws, folder))
    return create, check, delete


def test_creating_an_item_costs_the_same_however_many_items_other_workspaces_hold() -> None:
    store = Store()
    try:
        with store.write() as conn:
            empty = _one_item_costs(conn, "Measured on an empty emulator")
            _fill(conn, OTHER_ITEMS)
            full = _one_item_costs(conn, "Measured beside other items")
    finally:
        store.close()
    for what, before, after in zip(("create", "check", "delete folder"), empty, full, strict=True):
        # An index lookup may take a few more steps in a larger tree; a scan takes thousands.
        assert after <= before + 50, f"{what}: {before} instructions empty, {after} when full"
