-- The newer Git integration surface: a connected workspace's connection settings, workspace
-- relations (branch workspaces), the Git outbound policy of a workspace, and the branch change
-- a Member or Contributor began with a Disconnect (docs/git-integration-rules.md).

CREATE TABLE git_connection_settings (
    workspace_id     TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    -- 'None' | 'MemberAndContributor': who besides an Admin may change the connected branch
    branch_changers  TEXT NOT NULL DEFAULT 'None'
);

-- A branch change begun by a non-Admin: the repository and directory the workspace was
-- connected to, which a Connect by that role must name again (only the branch may differ).
CREATE TABLE git_branch_changes (
    workspace_id    TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    repository      TEXT NOT NULL,
    directory_name  TEXT NOT NULL,
    branch_changers TEXT NOT NULL
);

-- A relation between a branch workspace and its base; each side lists it (the base as
-- 'Branch', the branch as 'Base'), under the one id.
CREATE TABLE workspace_relations (
    id                  TEXT PRIMARY KEY,
    base_workspace_id   TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    branch_workspace_id TEXT NOT NULL UNIQUE REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at          REAL NOT NULL
);
CREATE INDEX workspace_relations_by_base ON workspace_relations (base_workspace_id);

CREATE TABLE workspace_git_outbound (
    workspace_id   TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    default_action TEXT NOT NULL CHECK (default_action IN ('Allow', 'Deny')),
    etag           TEXT NOT NULL
);
