-- Git integration state: one connection per workspace, each principal's Git credentials for a
-- workspace, and the intent journal that lets start-up finish or drop a commit a crash cut
-- short between moving the branch ref and the SQLite transaction.

CREATE TABLE git_connections (
    workspace_id       TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    provider_type      TEXT NOT NULL CHECK (provider_type IN ('GitHub', 'AzureDevOps')),
    owner_name         TEXT,
    organization_name  TEXT,
    project_name       TEXT,
    custom_domain_name TEXT,
    repository_name    TEXT NOT NULL,
    branch_name        TEXT NOT NULL,
    directory_name     TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('Connected', 'ConnectedAndInitialized')),
    connection_type    TEXT NOT NULL DEFAULT 'Full',
    workspace_head     TEXT,
    last_sync_time     REAL,
    -- 'UpdateFromGit' while the first update must overwrite the workspace with the Git content.
    pending_initial    TEXT
);

CREATE TABLE git_credentials (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    principal_id  TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('Automatic', 'ConfiguredConnection', 'None')),
    connection_id TEXT,
    PRIMARY KEY (workspace_id, principal_id)
);

CREATE TABLE git_intents (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    expected_tip  TEXT,
    expected_head TEXT,
    -- JSON: {path: sha256 hex of the new content, or null for a deleted path}
    digest        TEXT NOT NULL,
    -- JSON: {object id: logical id} given to new items by this commit
    logical_ids   TEXT NOT NULL,
    created_at    REAL NOT NULL
);
