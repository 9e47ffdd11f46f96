-- SQLite's indexes of the children that PostgreSQL replaces by its own (database/postgres/072-superseded-child-indexes.sql):
-- the likely-duplicate search (plugins/dup-check) by birth date and name or pinyin, a kindergarten's children.
CREATE INDEX IF NOT EXISTS children__birth_date_name ON children (birth_date, name);
CREATE INDEX IF NOT EXISTS children__birth_date_pinyin_key ON children (birth_date, pinyin_key);
CREATE INDEX IF NOT EXISTS children__institution_code ON children (institution_code);
