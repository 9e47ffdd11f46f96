-- The likely-duplicate search (plugins/dup-check/server/src/services/duplicates.ts) selects id as well
-- as the columns database/postgres/002-likely-match-index.sql put in children__likely_match: without
-- id in the index every match costs a heap visit. This replaces that index, once, by one that holds
-- id too (same name, so 002's IF NOT EXISTS leaves it alone afterwards), for an index-only scan.
DO $$
BEGIN
  IF to_regclass('{schema}.children__likely_match') IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indexrelid = to_regclass('{schema}.children__likely_match') AND a.attname = 'id'
  ) THEN
    DROP INDEX {schema}.children__likely_match;
  END IF;
END
$$;
CREATE INDEX IF NOT EXISTS children__likely_match ON {schema}.children (birth_date, sex) INCLUDE (id, name, pinyin_key, document_id, institution_code, county_code);
