-- What creating or deleting one item costs must not depend on what other workspaces hold.
-- The creation clock reads the newest creation time, and a workspace's items are counted and
-- listed in creation order, through an index each; a folder's items (its foreign key on
-- delete) are found through one too.

CREATE INDEX items_by_created_at ON items (created_at);
CREATE INDEX items_by_workspace_created_at ON items (workspace_id, created_at);
CREATE INDEX items_by_folder_id ON items (folder_id) WHERE folder_id IS NOT NULL;
