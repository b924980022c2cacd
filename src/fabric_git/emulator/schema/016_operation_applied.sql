-- Set in the same transaction as an operation's work: after a crash, an operation whose work
-- was applied is reported Succeeded, not Failed.
ALTER TABLE operations ADD COLUMN applied INTEGER NOT NULL DEFAULT 0;
