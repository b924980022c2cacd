-- The id of the request that started an operation: a failed operation's error carries it as
-- its requestId, also when start-up marks the operation interrupted.
ALTER TABLE operations ADD COLUMN request_id TEXT;
