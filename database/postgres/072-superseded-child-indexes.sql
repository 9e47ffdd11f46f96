-- Indexes of the children that PostgreSQL does not need, dropped once (every row written pays for each
-- index of its table: an import of 100,000 children updates every one of them). They are no longer
-- declared in cms/src/api/child/content-types/child/schema.json, so Strapi's schema sync drops them
-- itself where it made them; this drops them where it did not. SQLite keeps them
-- (database/sqlite/001-child-indexes.sql), as it has neither of the indexes that replace them here:
-- - children__birth_date_name and children__birth_date_pinyin_key: the likely-duplicate search
--   (plugins/dup-check) reads the children born on a day from children__likely_match (birth_date, sex)
--   with the names in it (002-likely-match-index.sql, 071-likely-match-index-only.sql);
-- - children__institution_code: children__institution_code_id (institution_code, id) serves every
--   query it served (070-scope-aligned-list-indexes.sql).
DROP INDEX IF EXISTS {schema}.children__birth_date_name;
DROP INDEX IF EXISTS {schema}.children__birth_date_pinyin_key;
DROP INDEX IF EXISTS {schema}.children__institution_code;
