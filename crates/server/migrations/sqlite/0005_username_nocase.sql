-- User names are unique whatever their case ("Jan" and "jan" are one person: sign-in ignores
-- case), guarded by the database itself, so two concurrent `POST /users` of one name cannot both
-- pass (`create_user` maps the violation to 409). Same statements in postgres/0003.
--
-- Names differing only in case could exist from before (that race): then sign-in picked one of
-- them at random. The oldest account (created_at, then id) keeps its name; every later one is
-- renamed to `<name>#<its id>`, which is unique, keeps its sessions and is visible in the users
-- list, so the coordinator can tell that person the new name (or give them a fresh account).
-- On a database without such names (a new one, or any created through the API alone) this
-- renames nothing.
UPDATE users SET username = username || '#' || id
WHERE EXISTS (
    SELECT 1 FROM users older
    WHERE lower(older.username) = lower(users.username)
      AND (older.created_at < users.created_at
           OR (older.created_at = users.created_at AND older.id < users.id))
);
CREATE UNIQUE INDEX users_by_lower_username ON users (lower(username));
