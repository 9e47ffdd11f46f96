-- The children of given guardians: the likely-duplicate search by a guardian's document
-- (plugins/dup-check childrenByGuardianKeys) finds the guardians by their keyed hash
-- (050-guardian-id-key-index.sql), then their links to children by guardian id — without this index
-- a read of every link of the province (8.5 million for 5 million children). New guardians' ids
-- grow, so an import appends to the index's last page.
CREATE INDEX IF NOT EXISTS children_cmps__cmp_id ON {schema}.children_cmps (cmp_id);
