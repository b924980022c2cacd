-- The `.platform` metadata keys Git integration does not interpret (sensitivityLabelId,
-- creationPayload, keys of newer schemas) of items that came from Git, so a commit writes them
-- back. One JSON object per item, keys in file order.

CREATE TABLE git_item_metadata (
    item_id  TEXT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    metadata TEXT NOT NULL
);
