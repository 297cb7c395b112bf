-- The device whose change a record's stored revision is, exactly as sent (answered `applied`):
-- that device holds this revision once it takes the verdict, so a pull that asks to skip its own
-- (`skip_own`) leaves the row out. NULL for merges and for rows from before (sent to everyone).
-- Same in sqlite/0009.
ALTER TABLE records ADD COLUMN written_by TEXT;
