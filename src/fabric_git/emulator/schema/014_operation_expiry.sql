-- Finished operations expire (store.expire_operations): the oldest are found through an index,
-- so expiring costs the same however many operations the table holds.

CREATE INDEX operations_by_finished_at ON operations (finished_at)
    WHERE finished_at IS NOT NULL;
