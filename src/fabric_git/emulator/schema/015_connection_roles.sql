-- Connection role assignments: who may see, use, share and manage a connection. A principal
-- with no row cannot see the connection at all (ConnectionNotFound), nor use it for Git.
CREATE TABLE connection_roles (
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    principal_id   TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('User', 'UserWithReshare', 'Owner')),
    PRIMARY KEY (connection_id, principal_id)
);
CREATE INDEX connection_roles_by_principal ON connection_roles (principal_id);

-- Connections made before roles existed: their creator owns them.
INSERT INTO connection_roles (connection_id, principal_id, principal_type, role)
    SELECT c.id, c.owner_id, COALESCE(p.type, 'User'), 'Owner'
    FROM connections c LEFT JOIN principals p ON p.id = c.owner_id;
