-- The last publish of each Environment (Items_PublishEnvironment); none until its first publish.
CREATE TABLE environment_publishes (
    item_id        TEXT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    state          TEXT NOT NULL,
    target_version TEXT NOT NULL,
    start_time     REAL NOT NULL,
    end_time       REAL
);
