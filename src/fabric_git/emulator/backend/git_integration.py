"""Git integration backend: the entry points the routes and the emulator's start-up use."""

from __future__ import annotations

from fabric_git.emulator.backend.git.connect import (
    connect,
    disconnect,
    get_connection,
    get_my_credentials,
    update_my_credentials,
)
from fabric_git.emulator.backend.git.sync import (
    commit_request,
    commit_work,
    initialize_request,
    initialize_work,
    reconcile,
    status_request,
    status_work,
    update_request,
    update_work,
)

__all__ = [
    "commit_request",
    "commit_work",
    "connect",
    "disconnect",
    "get_connection",
    "get_my_credentials",
    "initialize_request",
    "initialize_work",
    "reconcile",
    "status_request",
    "status_work",
    "update_my_credentials",
    "update_request",
    "update_work",
]
