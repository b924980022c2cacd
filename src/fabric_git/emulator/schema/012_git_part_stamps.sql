-- A stamp per item that changes whenever the item's definition parts change, however they are
-- written: Git integration keeps the fingerprints of items' parts between requests
-- (backend/git/part_cache.py) and trusts one only while the item's stamp is the one it was
-- computed under. A stamp is a random 64-bit value, so a deleted and re-created item never
-- gets its old stamp back. An item with no row has had no parts since this table exists.

CREATE TABLE git_part_stamps (
    item_id TEXT PRIMARY KEY,
    stamp   INTEGER NOT NULL
);

INSERT INTO git_part_stamps (item_id, stamp)
    SELECT item_id, random() FROM (SELECT DISTINCT item_id FROM item_parts);

CREATE TRIGGER git_part_stamps_on_insert AFTER INSERT ON item_parts
BEGIN
    INSERT OR REPLACE INTO git_part_stamps (item_id, stamp) VALUES (NEW.item_id, random());
END;

CREATE TRIGGER git_part_stamps_on_update AFTER UPDATE ON item_parts
BEGIN
    INSERT OR REPLACE INTO git_part_stamps (item_id, stamp) VALUES (OLD.item_id, random());
    INSERT OR REPLACE INTO git_part_stamps (item_id, stamp) VALUES (NEW.item_id, random());
END;

CREATE TRIGGER git_part_stamps_on_delete AFTER DELETE ON item_parts
BEGIN
    UPDATE git_part_stamps SET stamp = random() WHERE item_id = OLD.item_id;
END;

CREATE TRIGGER git_part_stamps_on_item_delete AFTER DELETE ON items
BEGIN
    DELETE FROM git_part_stamps WHERE item_id = OLD.id;
END;
