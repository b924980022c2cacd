-- Core emulator state: settings, principals, workspaces, roles, folders, items, connections,
-- long-running operations. Git integration tables live in 010_git.sql.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE principals (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('User', 'ServicePrincipal'))
);

CREATE TABLE capacities (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    sku          TEXT NOT NULL,
    region       TEXT NOT NULL,
    state        TEXT NOT NULL
);

CREATE TABLE workspaces (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL DEFAULT 'Workspace',
    capacity_id  TEXT REFERENCES capacities (id),
    created_at   REAL NOT NULL
);

CREATE TABLE workspace_roles (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    principal_id   TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('Admin', 'Member', 'Contributor', 'Viewer')),
    UNIQUE (workspace_id, principal_id)
);

CREATE TABLE folders (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    parent_id    TEXT REFERENCES folders (id) ON DELETE CASCADE
);
CREATE INDEX folders_by_parent ON folders (workspace_id, parent_id);

CREATE TABLE items (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    folder_id    TEXT REFERENCES folders (id),
    logical_id   TEXT,
    created_at   REAL NOT NULL,
    UNIQUE (workspace_id, type, display_name)
);
CREATE UNIQUE INDEX items_by_logical_id ON items (workspace_id, logical_id)
    WHERE logical_id IS NOT NULL;
CREATE INDEX items_by_folder ON items (workspace_id, folder_id);

CREATE TABLE item_parts (
    item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    path    TEXT NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (item_id, path)
);

CREATE TABLE connections (
    id                TEXT PRIMARY KEY,
    display_name      TEXT NOT NULL UNIQUE,
    connectivity_type TEXT NOT NULL,
    type              TEXT NOT NULL,
    creation_method   TEXT NOT NULL,
    url               TEXT,
    privacy_level     TEXT NOT NULL DEFAULT 'Organizational',
    credential_type   TEXT NOT NULL,
    sealed_secret     BLOB,
    owner_id          TEXT NOT NULL,
    created_at        REAL NOT NULL
);

CREATE TABLE operations (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    workspace_id TEXT,
    exclusive    INTEGER NOT NULL,
    principal_id TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   REAL NOT NULL,
    ready_at     REAL NOT NULL,
    finished_at  REAL,
    has_result   INTEGER NOT NULL,
    result_json  TEXT,
    error_json   TEXT
);
CREATE INDEX operations_by_workspace ON operations (workspace_id, status);
