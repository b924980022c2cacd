"""The emulator's shared state: everything stateful lives here and nowhere else.

Settings, the store, the hosted repositories (with their caches), the caches of Git
integration (items of commits, fingerprints of workspace parts), the thread limiter route
handlers run under, tokens, fault rules and the operation engine. Routes reach it as
``request.app.state.emulator``; no module keeps state of its own.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import anyio

from fabric_git.emulator.auth import (
    ADMIN,
    AUDIENCE,
    AZURE_DEVOPS_AUDIENCE,
    Principal,
    TokenAuthority,
    load_or_create_secret,
)
from fabric_git.emulator.backend.connections import SecretSealer
from fabric_git.emulator.backend.git.part_cache import PartCache
from fabric_git.emulator.backend.git.recovery import reconcile
from fabric_git.emulator.backend.git.sides import CommitItems
from fabric_git.emulator.config import Clock, EmulatorConfig, LroMode, MissingDirectory
from fabric_git.emulator.datadir import DataDirLock
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.faults import FaultRegistry
from fabric_git.emulator.gitrepo.repos import RepositoryHost
from fabric_git.emulator.ids import new_id
from fabric_git.emulator.lru import Lru
from fabric_git.emulator.operations import OperationEngine
from fabric_git.emulator.store import MEMORY, Store

log = logging.getLogger("fabric_git.emulator")

DATABASE_FILE = "emulator.db"
SECRET_FILE = "secret"
CONNECTION_KEY_FILE = "connection.key"
REPOS_DIR = "repos"

CAPACITY_NAME = "Emulated capacity"
CAPACITY_SKU = "F2"
CAPACITY_REGION = "West US"

# Items of this many recent commits are kept parsed (status compares the same few again).
_COMMITS_KEPT = 8
# Tables a reset keeps: the schema bookkeeping, stable ids and known principals.
_KEPT_ON_RESET = ("schema_migrations", "meta", "capacities", "principals")


@dataclass(frozen=True)
class Settings:
    """Settings that may change while the emulator runs (``PUT /_emulator/settings`` puts a
    new value in ``EmulatorState.settings``)."""

    lro_mode: LroMode
    lro_duration: float
    retry_after: int
    page_size: int
    missing_directory: MissingDirectory = "refuse"


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock: Clock = config.clock
        self.settings = Settings(
            lro_mode=config.lro_mode,
            lro_duration=config.lro_duration,
            retry_after=config.retry_after,
            page_size=config.page_size,
            missing_directory=config.missing_directory,
        )
        self.faults = FaultRegistry(config.faults)
        # Route handlers run on worker threads: a few serve short SQLite reads faster than
        # anyio's default 40, which only contend for the GIL and stretch the tail.
        self.limiter = anyio.CapacityLimiter(config.worker_threads)
        self._temp_dir: Path | None = None
        self._closed = False
        self._close_lock = threading.Lock()
        self._data_lock: DataDirLock | None = None

        if config.data_dir is not None:
            self.data_dir = Path(config.data_dir)
            # Private (0700) and one emulator at a time: DataDirInUse names the holder.
            self._data_lock = DataDirLock.acquire(self.data_dir)
            secret = config.secret or load_or_create_secret(self.data_dir / SECRET_FILE)
            self.store = Store(self.data_dir / DATABASE_FILE)
            self.sealer = SecretSealer.from_key_file(self.data_dir / CONNECTION_KEY_FILE)
        else:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="fabric-git-emulator-"))
            self.data_dir = self._temp_dir
            secret = config.secret or _random_secret()
            self.store = Store(MEMORY)
            self.sealer = SecretSealer.in_memory()

        self.tokens = TokenAuthority(secret, self.clock.now)
        self.admin = ADMIN
        self.capacity_id = self._ensure_capacity()
        self.remember_principal(ADMIN)
        self.admin_token = self.tokens.issue(ADMIN, lifetime=365 * 24 * 3600)
        self.repos = _open_repositories(self.data_dir / REPOS_DIR, self.clock, config.crash_at)
        self.commit_items: CommitItems = Lru(_COMMITS_KEPT)
        self.part_cache = PartCache()
        self.operations = OperationEngine(self)
        # Repair what a crash left between a commit's ref update and SQLite, then finish the
        # operations it left running (Succeeded where their work was applied).
        reconcile(self)
        self.operations.recover()

    def __repr__(self) -> str:
        return f"EmulatorState(data_dir={str(self.data_dir)!r})"

    # --- identities ----------------------------------------------------------------------

    def token_for(
        self,
        *,
        user: str | None = None,
        service_principal: str | None = None,
        tenant_admin: bool = False,
        audience: str = AUDIENCE,
    ) -> str:
        """A token for a named user or service principal, for the Fabric API unless
        ``audience`` names another resource (Azure DevOps)."""
        if (user is None) == (service_principal is None):
            raise ValueError("name exactly one of user or service_principal")
        if user is not None:
            principal = Principal.named(user, "User", tenant_admin=tenant_admin)
        else:
            assert service_principal is not None
            principal = Principal.named(
                service_principal, "ServicePrincipal", tenant_admin=tenant_admin
            )
        self.remember_principal(principal)
        return self.tokens.issue(principal, audience=audience)

    def is_azure_devops_token(self, token: str) -> bool:
        """Whether ``token`` is a valid Entra token for Azure DevOps this emulator issued (to a
        user or a service principal): what its hosted Azure DevOps repositories take. A token
        for the Fabric API is not one."""
        try:
            self.tokens.verify(token, audience=AZURE_DEVOPS_AUDIENCE)
        except EmulatorError:
            return False
        return True

    def remember_principal(self, principal: Principal) -> None:
        with self.store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO principals (id, name, type) VALUES (?, ?, ?)",
                (principal.id, principal.name, principal.type),
            )

    # --- start-up and reset --------------------------------------------------------------

    def _ensure_capacity(self) -> str:
        with self.store.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'capacity_id'").fetchone()
            if row is not None:
                return str(row[0])
            capacity_id = new_id()
            conn.execute(
                "INSERT INTO capacities (id, display_name, sku, region, state)"
                " VALUES (?, ?, ?, ?, 'Active')",
                (capacity_id, CAPACITY_NAME, CAPACITY_SKU, CAPACITY_REGION),
            )
            conn.execute("INSERT INTO meta (key, value) VALUES ('capacity_id', ?)", (capacity_id,))
            return capacity_id

    def reset(self) -> None:
        """Empty every workspace, connection, operation and repository; keep ids and secret."""
        self.operations.wait_idle()
        with self.store.write() as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            tables = [
                str(row[0])
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                if table not in _KEPT_ON_RESET:
                    conn.execute(f'DELETE FROM "{table}"')
        # One host for the state's whole life: the smart-HTTP app serves this same object.
        self.repos.clear()
        self.commit_items.clear()
        self.part_cache = PartCache()
        self.faults.clear()

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self.operations.close()
        self.store.close()
        if self._data_lock is not None:
            self._data_lock.release()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)


def _random_secret() -> str:
    import secrets

    return secrets.token_urlsafe(48)


def _open_repositories(root: Path, clock: Clock, crash_at: str | None) -> RepositoryHost:
    root.mkdir(parents=True, exist_ok=True)
    return RepositoryHost(root, now=clock.now, crash_at=crash_at)
