-- What the change behind each revision asserted (JSON array of JSON pointers), so a later merge
-- sees values set that the stored state does not show as changes (two tablets ticking the same
-- box, one then unticking). NULL for revisions stored before: nothing beyond their state.
ALTER TABLE revisions ADD COLUMN asserted TEXT;
