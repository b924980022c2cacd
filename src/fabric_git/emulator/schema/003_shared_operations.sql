-- Operations that hold the workspace's lock together: Get Status runs alongside other status
-- reads, while commits, updates and initializations still run alone (see operations.py).
ALTER TABLE operations ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
