-- As database/postgres/073-guardian-link-index.sql: the links of given guardians to their children.
CREATE INDEX IF NOT EXISTS children_cmps__cmp_id ON children_cmps (cmp_id);
