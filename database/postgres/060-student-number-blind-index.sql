-- The 学籍号 is stored encrypted (cms/src/security/pii.ts, config/security.json encryption.fields):
-- its uniqueness ("one person, one number") holds on the blind index student_number_key, never on
-- the ciphertext. Strapi's schema sync creates the unique index of the child's schema.json; this
-- makes sure of it on databases upgraded from the plain column, and removes the old index.
DROP INDEX IF EXISTS {schema}.children__student_number__unique;
CREATE UNIQUE INDEX IF NOT EXISTS children__student_number_key__unique ON {schema}.children (student_number_key);
